"""The repository verdict: correlate the findings of one run into `at-risk`, `review` or `ready`.

A direct S3 or CloudFront URL is only dangerous where trust is narrowed, and narrowed trust is
only dangerous where it meets those endpoints. The verdict looks at the findings of a whole run
as data (no file is read here) and sorts them into four groups:

- endpoints: ATS101 (default S3 endpoint) and ATS102 (default CloudFront domain);
- trust without ATS: ATS202 (a CA bundle in the tree without the ATS roots), ATS302 (a DigiCert
  fingerprint, pin or PEM) and ATS301 (a certificate or key pin: ats-lint cannot tell which keys
  a pin accepts, and ATS advises against pinning);
- trust of unknown content: an ATS201 custom trust store whose severity is not `note` and that
  has no ATS202 at the same place (the bundle is outside the repository, not found, unreadable,
  or a runtime value);
- trust that includes ATS: an ATS201 at severity `note` (the bundle already holds an ATS root).

Then, in this order:

1. `at-risk`: trust without ATS, and at least one endpoint anywhere in the run;
2. `review`: trust of unknown content, or trust without ATS in a run with no endpoint (the
   endpoints may come from runtime configuration or another repository);
3. `ready`: everything else: no narrowed trust, or only trust that includes ATS.

The verdict covers what the run reported: suppressed findings and rules left out by
`--select`/`--ignore` do not count. The CLI computes it before a baseline filters the findings,
so accepted (baselined) risks still count: they are known, not fixed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

AT_RISK, REVIEW, READY = "at-risk", "review", "ready"
VERDICTS = (AT_RISK, REVIEW, READY)
LABELS = {AT_RISK: "at risk", REVIEW: "review", READY: "ready"}

ENDPOINT_RULES = ("ATS101", "ATS102")
WITHOUT_ATS_RULES = ("ATS202", "ATS302", "ATS301")
_WITHOUT_ATS_WHAT = {
    "ATS202": "CA bundle without the Amazon Trust Services roots",
    "ATS302": "DigiCert fingerprint, pin or PEM",
    "ATS301": "certificate or key pin (pinned keys not known to include Amazon Trust Services)",
}
_ENDPOINT_WHAT = {"ATS101": "default S3 endpoint", "ATS102": "default CloudFront domain"}
MAX_PLACES = 5  # places named per reason; the rest are counted


@dataclass(frozen=True)
class Verdict:
    verdict: str  # one of VERDICTS
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.verdict]


def _places(findings) -> str:
    """`a.py:3, a.py:9, b.py:1 and 4 more` in report order."""
    seen: list[str] = []
    for f in findings:
        place = f"{f.path}:{f.line}"
        if place not in seen:
            seen.append(place)
    shown = ", ".join(seen[:MAX_PLACES])
    if len(seen) > MAX_PLACES:
        shown += f" and {len(seen) - MAX_PLACES} more"
    return shown


def _by_rule(findings, rules) -> list[str]:
    return [rule for rule in rules if any(f.rule == rule for f in findings)]


def assess(findings) -> Verdict:
    """The verdict of one run from its findings (any iterable of `Finding`)."""
    findings = sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule))
    endpoints = [f for f in findings if f.rule in ENDPOINT_RULES]
    without_ats = [f for f in findings if f.rule in WITHOUT_ATS_RULES]
    with_ats202 = {(f.path, f.line, f.column) for f in findings if f.rule == "ATS202"}
    custom = [f for f in findings if f.rule == "ATS201"]
    includes_ats = [f for f in custom if f.severity == "note"]
    unknown = [f for f in custom if f.severity != "note" and (f.path, f.line, f.column) not in with_ats202]

    def without_ats_reasons() -> list[str]:
        return [f"{rule} {_WITHOUT_ATS_WHAT[rule]}: {_places(g)}"
                for rule in _by_rule(without_ats, WITHOUT_ATS_RULES) for g in [[f for f in without_ats if f.rule == rule]]]

    def endpoint_reasons(how: str) -> list[str]:
        return [f"{rule} {_ENDPOINT_WHAT[rule]} {how}: {_places(g)}"
                for rule in _by_rule(endpoints, ENDPOINT_RULES) for g in [[f for f in endpoints if f.rule == rule]]]

    unknown_reason = f"ATS201 custom trust store of unknown content (check that it includes the Amazon Trust Services roots): {_places(unknown)}"

    if without_ats and endpoints:
        return Verdict(AT_RISK, without_ats_reasons() + endpoint_reasons("called over HTTPS in the same tree"))
    if unknown or without_ats:
        reasons = []
        if unknown:
            reasons.append(unknown_reason)
        if without_ats:
            reasons += without_ats_reasons()
            reasons.append("no default S3 or CloudFront endpoint in the scanned tree: check where the endpoints this code "
                           "calls come from (runtime configuration, another repository)")
        elif endpoints:
            reasons += endpoint_reasons("called over HTTPS in the same tree")
        return Verdict(REVIEW, reasons)
    reasons = []
    if includes_ats:
        reasons.append(f"ATS201 custom trust store that already includes Amazon Trust Services: {_places(includes_ats)}")
    else:
        reasons.append("no narrowed trust: no custom trust store, certificate pin or DigiCert fingerprint")
    if endpoints:
        reasons += endpoint_reasons("called over HTTPS, with no narrowed trust that lacks Amazon Trust Services")
    return Verdict(READY, reasons)


def to_dict(verdict: Verdict) -> dict:
    return {"verdict": verdict.verdict, "reasons": list(verdict.reasons)}
