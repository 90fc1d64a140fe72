"""Where scanners put what they find: rule ids, spans and facts become findings with messages."""
from __future__ import annotations

from pathlib import Path

from ats_lint.model import Finding, Span
from ats_lint.rules import all_rules
from ats_lint.trust.certs import DIGEST_KINDS
from ats_lint.trust.judge import judge


def _root_relative(file: Path, root: Path) -> str:
    try:
        return Path(file).relative_to(root).as_posix()
    except ValueError:
        return Path(file).as_posix()


class DeferredSpan:
    """A span known only as a syntax node until the scanner resolves all of them at once."""

    __slots__ = ("anchor",)

    def __init__(self, anchor: object):
        self.anchor = anchor


class FindingSink:
    """Collects the findings of one file; scanners call `add` and `trust` and never build text."""

    def __init__(self, path: str, file: Path, root: Path, display_root: Path):
        self.path = path
        self.file = file
        self.root = root
        self.root_path = _root_relative(file, root)  # `/`-separated, what path-based rules read
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
        verdict = judge(value, what, self.file, self.root, self.display_root)
        self.add("ATS201", span, matched, severity=verdict.rule_severity, detail=verdict.detail)
        if verdict.missing_ats:
            self.add("ATS202", span, matched, **verdict.missing_ats)
            if verdict.bundle_file is not None:
                self.findings[-1].data["bundle_file"] = str(verdict.bundle_file)

    def host(self, hit, span: Span) -> None:
        self.add(hit.rule, span, hit.host.lower(), host=hit.host)

    def digest(self, match, span: Span) -> None:
        cert = match.certificate
        self.add(
            "ATS302",
            span,
            match.text,
            detail=f"{DIGEST_KINDS[match.kind]} of the DigiCert certificate `{cert.label}` ({cert.role}): "
            "S3 and CloudFront no longer present DigiCert chains",
        )

    def digicert_pem(self, label: str, span: Span, matched: str, written: str = "PEM") -> None:
        """An embedded DigiCert certificate, written as a PEM block or (`written="base64 DER"`) bare."""
        what = f"PEM of the DigiCert certificate `{label}`" if written == "PEM" else f"DigiCert certificate `{label}` ({written})"
        self.add("ATS302", span, matched, detail=f"Embedded {what}: S3 and CloudFront no longer present DigiCert chains")

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
