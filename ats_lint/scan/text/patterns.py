"""The text scanner's patterns (rules/text.yaml `trust` and `pinning`), compiled once: what a match must
and must not have around it to count."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ats_lint.resources import load_data


@functools.lru_cache(maxsize=1)
def text_data() -> dict:
    return load_data("text.yaml")


@dataclass(frozen=True)
class Pattern:
    id: str
    kinds: frozenset[str] | None  # None: every kind
    regex: re.Pattern
    hints: tuple[str, ...] | None  # substrings one of which the file must contain; None: always run
    requires: re.Pattern | None
    unless_file_has: re.Pattern | None
    unless_in: tuple[re.Pattern, re.Pattern, re.Pattern] | None
    near: re.Pattern | None
    within: int
    what: str  # trust: the setting; pinning: the detail
    value_is: str
    unknown_text: str
    value_template: str | None
    value_display: str | None
    value_suffixes: tuple[str, ...]
    tree_owned: frozenset[str] = frozenset()  # languages whose syntax-tree scanner reads this form
    anchor_matches: re.Pattern | None = None  # the anchor group's text must match this (checked after the regex)
    digest_only: bool = False  # matches only text holding a digest: the prefilter's digest test admits such files
    unless_bound: re.Pattern | None = None  # the `value` group is a name every assignment of the file gives a value matching this
    unless_param: bool = False  # the `value` is a parameter of an enclosing C-like function, or a `this->` member: plumbing
    unless_under: re.Pattern | None = None  # a YAML key under a mapping whose key matches this (a server's section)
    once_per_value: bool = False  # one finding per file for each value (the same store installed on several connections)

    def applies(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


def _expand(regex: str) -> str:
    from ats_lint.trust.judge import trust_env_vars

    data = text_data()
    env = "|".join(sorted((re.escape(n) for n in trust_env_vars()), key=len, reverse=True))
    return (
        regex.replace("{env}", f"(?:{env})")
        .replace("{code_value}", f"(?:{data['code_value']})")
        .replace("{value}", f"(?:{data['value']})")
    )


def _hints(item: dict) -> tuple[str, ...] | None:
    """The cheap pre-check of a pattern: its `hint` (one substring or a list), or the trust
    variable names when the pattern matches `{env}`."""
    hint = item.get("hint")
    if hint:
        return (hint,) if isinstance(hint, str) else tuple(hint)
    if "{env}" in item["regex"]:
        from ats_lint.trust.judge import trust_env_vars

        return tuple(trust_env_vars())
    return None


def _pattern(item: dict, what_key: str) -> Pattern:
    kinds = item.get("kinds", "*")
    unless_in = item.get("unless_in")
    return Pattern(
        id=item["id"],
        kinds=None if kinds == "*" else frozenset(kinds),
        regex=re.compile(_expand(item["regex"])),
        hints=_hints(item),
        requires=re.compile(item["requires"]) if item.get("requires") else None,
        unless_file_has=re.compile(item["unless_file_has"]) if item.get("unless_file_has") else None,
        unless_in=tuple(re.compile(unless_in[k]) for k in ("open", "close", "contains")) if unless_in else None,
        near=re.compile(item["near"]) if item.get("near") else None,
        anchor_matches=re.compile(item["anchor_matches"]) if item.get("anchor_matches") else None,
        digest_only=bool(item.get("digest_only")),
        unless_bound=re.compile(item["unless_bound"]) if item.get("unless_bound") else None,
        unless_param=bool(item.get("unless_param")),
        unless_under=re.compile(item["unless_under"]) if item.get("unless_under") else None,
        once_per_value=bool(item.get("once_per_value")),
        within=int(item.get("within", 1000)),
        what=item[what_key],
        value_is=item.get("value_is", "literal"),
        unknown_text=item.get("unknown_text", "a value set elsewhere"),
        value_template=item.get("value_template"),
        value_display=item.get("value_display"),
        value_suffixes=tuple(item.get("value_suffixes", ("",))),
        tree_owned=frozenset(item.get("tree_owned", ())),
    )


@functools.lru_cache(maxsize=1)
def trust_patterns() -> tuple[Pattern, ...]:
    return tuple(_pattern(item, "what") for item in text_data()["trust"])


@functools.lru_cache(maxsize=1)
def pinning_patterns() -> tuple[Pattern, ...]:
    return tuple(_pattern(item, "detail") for item in text_data()["pinning"])

