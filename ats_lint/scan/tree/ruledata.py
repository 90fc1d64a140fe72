"""The syntax rules: rules/syntax/*.yaml loaded, with their regex macros expanded.

A rule names the languages it applies to (or gives `query` as a mapping language -> query;
TypeScript and TSX use the JavaScript query unless they have their own), `triggers` (substrings one of which the file must
contain before it is parsed), a tree-sitter `query`, the capture to `report` on, generic
`where` predicates (interpreted by predicates.py) and what to report: `detail` for ATS301, or
`what` (+ optional `value` capture) for a trust store (ATS201/ATS202 through trust.judge).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ats_lint.resources import load_data, rules_dir
from ats_lint.scan.tree.languages import syntax_data


@dataclass(frozen=True)
class SyntaxRule:
    id: str
    rule: str
    languages: frozenset[str]
    triggers: tuple[str, ...]
    # substrings that also let the rule run, only in a file that holds a digest (such files are
    # parsed anyway; these do not make a file parsed): names a rule about written digests can match
    digest_triggers: tuple[str, ...]
    queries: tuple[tuple[str, str], ...]  # (language, query)
    report: str
    leftmost: bool  # report where the captured expression starts its chain (`CertificatePinner` of `CertificatePinner.Builder()...`)
    where: tuple[dict, ...]
    detail: str = ""
    what: str = ""
    value: str | None = None
    unknown: str = "a value computed at run time"
    # a capture naming what the finding is about (a list of pins): the finding is dropped when a
    # pin reported by another rule in the same file uses that name (reported where it is consumed)
    defer_to_use: str | None = None
    # a regex searched in the reported node's text: the finding sits where it first matches (a
    # key inside a configuration text written as a string literal), instead of where the node starts
    report_at: str | None = None
    examples: dict = field(default_factory=dict, compare=False, hash=False)


_FAMILY = {"typescript": "javascript", "tsx": "javascript"}  # a query written for JS serves TS too


def query_of(rule: SyntaxRule, language: str) -> str:
    return dict(rule.queries)[language]


def expand(regex: str) -> str:
    for name, body in syntax_data().get("macros", {}).items():
        regex = regex.replace("{" + name + "}", f"(?:{body})")
    return regex


@functools.lru_cache(maxsize=None)
def compiled(regex: str) -> re.Pattern:
    return re.compile(expand(regex))


def rule_files() -> list[str]:
    return sorted(p.name for p in (rules_dir() / "syntax").glob("*.yaml") if p.name != "languages.yaml")


@functools.lru_cache(maxsize=1)
def syntax_rules() -> tuple[SyntaxRule, ...]:
    out = []
    for name in rule_files():
        for item in load_data(f"syntax/{name}").get("rules", ()):
            q = item["query"]
            queries = dict(q) if isinstance(q, dict) else {lang: q for lang in item["languages"]}
            languages = item.get("languages") or list(queries)
            for lang in languages:
                if lang not in queries:  # `typescript: *javascript`-style sharing: same query text
                    queries[lang] = queries[_FAMILY.get(lang, lang)]
            out.append(
                SyntaxRule(
                    id=item["id"],
                    rule=item["rule"],
                    languages=frozenset(languages),
                    triggers=tuple(item["triggers"]),
                    digest_triggers=tuple(item.get("digest_triggers", ())),
                    queries=tuple(sorted(queries.items())),
                    report=item["report"],
                    leftmost=bool(item.get("report_leftmost")),
                    where=tuple(item.get("where", ())),
                    detail=item.get("detail", ""),
                    what=item.get("what", ""),
                    value=item.get("value"),
                    unknown=item.get("unknown", "a value computed at run time"),
                    defer_to_use=item.get("defer_to_use"),
                    report_at=item.get("report_at"),
                    examples=item.get("examples", {}),
                )
            )
    return tuple(out)


@functools.lru_cache(maxsize=None)
def rules_for(language: str) -> tuple[SyntaxRule, ...]:
    return tuple(r for r in syntax_rules() if language in r.languages)
