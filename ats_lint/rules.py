"""Rule definitions, loaded from rules/definitions/*.yaml. One text drives `explain`, the README
rules table and SARIF help."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterable

from ats_lint.resources import rules_dir

CATEGORIES = (
    "s3-endpoint",
    "cloudfront-domain",
    "custom-trust-store",
    "trust-store-missing-ats",
    "certificate-pinning",
    "digicert-fingerprint",
)
SEVERITIES = ("error", "warning", "note")
_REQUIRED = ("id", "name", "category", "severity", "summary", "message", "what", "why",
             "not_flagged_because", "help", "remediation", "faq", "help_url", "examples")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    category: str
    severity: str
    summary: str
    message: str
    what: str
    why: str
    not_flagged_because: str
    help: str
    remediation: str
    faq: tuple[str, ...]
    help_url: str
    examples: dict = field(hash=False, compare=False, default_factory=dict)
    languages: str = ""  # where the rule looks, for the README table and `explain`

    def format_message(self, **values: str) -> str:
        return self.message.format(**values)

    def explain(self) -> str:
        """The full documentation of the rule as plain text (Markdown-compatible)."""
        faq = "\n".join(f"- {q}" for q in self.faq)
        return (
            f"# {self.id} {self.name} ({self.category})\n\n"
            f"{self.summary}. Default severity: {self.severity}.\n\n"
            + (f"Languages and files: {self.languages.strip()}\n\n" if self.languages else "")
            + f"## What it flags\n{self.what.strip()}\n\n"
            f"## Why it breaks after the migration\n{self.why.strip()}\n\n"
            f"## What it does not flag\n{self.not_flagged_because.strip()}\n\n"
            f"## What to do\n{self.remediation.strip()}\n\n"
            f"FAQ references:\n{faq}\n\nMore: {self.help_url}\n"
        )


class RuleError(ValueError):
    pass


@functools.lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    import yaml

    rules: dict[str, Rule] = {}
    for path in sorted((rules_dir() / "definitions").glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when present: start-up
        missing = [k for k in _REQUIRED if k not in data]
        if missing:
            raise RuleError(f"{path}: missing keys {', '.join(missing)}")
        if data["category"] not in CATEGORIES or data["severity"] not in SEVERITIES:
            raise RuleError(f"{path}: unknown category or severity")
        data["faq"] = tuple(data["faq"])
        rules[data["id"]] = Rule(**{k: data[k] for k in _REQUIRED}, languages=data.get("languages", ""))
    return rules


def expand_selectors(selectors: Iterable[str], known: Iterable[str]) -> set[str]:
    """Rule ids matching ids or prefixes (`ATS2`, `ATS`, `ALL`); raises RuleError on no match."""
    known = sorted(known)
    out: set[str] = set()
    for sel in selectors:
        sel = sel.strip().upper()
        if not sel:
            continue
        matched = [r for r in known if sel == "ALL" or r.startswith(sel)]
        if not matched:
            raise RuleError(f"unknown rule id or prefix {sel!r} (known: {', '.join(known)})")
        out.update(matched)
    return out
