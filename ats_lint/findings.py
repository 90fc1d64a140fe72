"""The data the engine produces: findings and per-file errors. Nothing here prints."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

ERROR_KINDS = (
    "parse-error",
    "decode-error",
    "too-large",
    "unreadable",
    "vanished",
    "link-outside-root",
    "link-loop",
    "internal-error",
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
    unused_suppressions: list = field(default_factory=list)  # suppression.UnusedSuppression


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


class DeferredSpan:
    """A span known only as a syntax node until the scanner resolves all of them at once."""

    __slots__ = ("anchor",)

    def __init__(self, anchor: object):
        self.anchor = anchor


class FindingSink:
    """Collects the findings of one file; scanners call `add` and `trust` and never build text."""

    def __init__(self, path: str, file: Path, root: Path, display_root: Path):
        from .rules import all_rules

        self.path = path
        self.file = file
        self.root = root
        self.display_root = display_root
        self.rules = all_rules()
        self.findings: list[Finding] = []
        self._deferred: list[tuple[Finding, object]] = []

    def add(self, rule_id: str, span: "Span | DeferredSpan", matched: str, severity: str | None = None, **values: str) -> None:
        rule = self.rules[rule_id]
        deferred = isinstance(span, DeferredSpan)
        line, column, end_line, end_column = (0, 0, 0, 0) if deferred else span
        finding = Finding(
            rule=rule_id,
            path=self.path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            message=rule.format_message(**values),
            matched=matched,
            severity=severity,
        )
        self.findings.append(finding)
        if deferred:
            self._deferred.append((finding, span.anchor))

    def resolve_deferred(self, positions_of) -> None:
        """Fill in deferred spans: `positions_of(anchors)` -> {id(anchor): span}, in one pass."""
        if not self._deferred:
            return
        found = positions_of([anchor for _, anchor in self._deferred])
        for finding, anchor in self._deferred:
            finding.line, finding.column, finding.end_line, finding.end_column = found[id(anchor)]
        self._deferred.clear()

    def trust(self, value, what: str, span: Span, matched: str) -> None:
        """ATS201 for a custom trust store, plus ATS202 when its content is known and lacks ATS."""
        from .trust import judge

        verdict = judge(value, what, self.file, self.root, self.display_root)
        self.add("ATS201", span, matched, severity=verdict.rule_severity, detail=verdict.detail)
        if verdict.missing_ats:
            self.add("ATS202", span, matched, **verdict.missing_ats)
            if verdict.bundle_file is not None:
                self.findings[-1].data["bundle_file"] = str(verdict.bundle_file)

    def host(self, hit, span: Span) -> None:
        self.add(hit.rule, span, hit.host.lower(), host=hit.host)

    def digest(self, match, span: Span) -> None:
        from .certs import DIGEST_KINDS

        cert = match.certificate
        self.add(
            "ATS302",
            span,
            match.text,
            detail=f"{DIGEST_KINDS[match.kind]} of the DigiCert certificate `{cert.label}` ({cert.role}): "
            "S3 and CloudFront no longer present DigiCert chains",
        )

    def digicert_pem(self, label: str, span: Span, matched: str) -> None:
        self.add(
            "ATS302",
            span,
            matched,
            detail=f"Embedded PEM of the DigiCert certificate `{label}`: S3 and CloudFront no longer present DigiCert chains",
        )

    def unique(self) -> list[Finding]:
        """One finding per (line, rule): the first one reported wins."""
        seen: set[tuple[int, str]] = set()
        out = []
        for f in sorted(self.findings, key=Finding.sort_key):
            key = (f.line, f.rule)
            if key not in seen:
                seen.add(key)
                out.append(f)
        return out
