"""The data model: findings, per-file errors and results, a run's result. Imports nothing of ats-lint's."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

ERROR_KINDS = (
    "parse-error",
    "decode-error",
    "too-large",
    "unreadable",
    "vanished",
    "link-outside-root",
    "link-loop",
    "internal-error",
    "unknown-directive",  # an `ats-lint: WORD` comment that is not a known directive; the file is scanned
)


@dataclass
class Finding:
    rule: str
    path: str  # display path, `/`-separated
    line: int  # 1-based
    column: int  # 1-based
    end_line: int
    end_column: int
    message: str
    matched: str = ""  # the normalised text that matched; feeds the fingerprint
    severity: str | None = None  # None: the rule's default
    category: str = ""
    remediation: str = ""
    faq: list[str] = field(default_factory=list)
    help_url: str = ""
    fingerprint: str = ""
    data: dict = field(default_factory=dict)  # rule-specific facts for later steps (ATS202: `bundle_file`); not in reports

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule)


@dataclass(frozen=True)
class ScanError:
    path: str
    kind: str  # one of ERROR_KINDS
    message: str


@dataclass
class FileResult:
    """What scanning one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    scanned: bool = True
    unused_suppressions: list = field(default_factory=list)  # engine.suppression.UnusedSuppression


def assign_fingerprints(findings: list[Finding]) -> None:
    """Give each finding a stable id from rule, path, matched text and an occurrence index.

    Line numbers are deliberately left out so that an id survives edits above the finding.
    """
    for f, value in zip(findings, fingerprints(findings, lambda f: f.path)):
        f.fingerprint = value


def fingerprints(findings: list[Finding], path_of) -> list[str]:
    """The fingerprint of each finding (same order) with its path spelled by `path_of(finding)`.

    The occurrence index counts identical (rule, path, normalised text) findings in file order,
    so two identical findings get two ids. The baseline calls this with paths relative to the
    baseline file; `assign_fingerprints` with the display path.
    """
    seen: dict[tuple[str, str, str], int] = {}
    out = [""] * len(findings)
    order = sorted(range(len(findings)), key=lambda i: findings[i].sort_key())
    for i in order:
        f = findings[i]
        path = path_of(f)
        normalized = " ".join(f.matched.split())
        key = (f.rule, path, normalized)
        index = seen.get(key, 0)
        seen[key] = index + 1
        out[i] = hashlib.sha256("\x1f".join((f.rule, path, normalized, str(index))).encode()).hexdigest()[:32]
    return out


Span = tuple[int, int, int, int]  # line, column, end line, end column (1-based)


@dataclass
class RunResult:
    """What one run produced, over every file it considered."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    files_scanned: int = 0
    considered: list[str] = field(default_factory=list)  # display paths of every file discovered, scanned or not
    unused_suppressions: list = field(default_factory=list)  # engine.suppression.UnusedSuppression; only with strict-suppressions
