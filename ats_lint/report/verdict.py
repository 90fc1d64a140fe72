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

The verdict covers what the run reported: suppressed findings do not count. The CLI computes it
before a baseline filters the findings, so accepted (baselined) risks still count: they are
known, not fixed.

A verdict is about a tree. When the run saw only part of it (a `Scope`: rules left out by
`--select`/`--ignore`, `--since`, files named on the command line, a pre-commit hook run, files
that could not be read) nothing is claimed about the rest: `at-risk` and `review` stand on what
was found (with a last reason naming what was not looked at), and what would have been `ready`
is `partial`. Reasons speak of the scanned files, never of the tree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

AT_RISK, REVIEW, READY, PARTIAL = "at-risk", "review", "ready", "partial"
VERDICTS = (AT_RISK, REVIEW, READY, PARTIAL)
LABELS = {AT_RISK: "at risk", REVIEW: "review", READY: "ready", PARTIAL: "partial"}

ENDPOINT_RULES = ("ATS101", "ATS102")
WITHOUT_ATS_RULES = ("ATS202", "ATS302", "ATS301")
_WITHOUT_ATS_WHAT = {
    "ATS202": "CA bundle without the Amazon Trust Services roots",
    "ATS302": "DigiCert fingerprint, pin or PEM",
    "ATS301": "certificate or key pin (pinned keys not known to include Amazon Trust Services)",
}
_ENDPOINT_WHAT = {"ATS101": "default S3 endpoint", "ATS102": "default CloudFront domain"}
_TRUST_WHAT = (("ATS201", "custom trust store"), ("ATS301", "certificate pin"), ("ATS302", "DigiCert fingerprint"))
MAX_PLACES = 5  # places named per reason; the rest are counted


@dataclass(frozen=True)
class Scope:
    """What part of the tree a run looked at; the default is all of it."""

    rules_left_out: tuple[str, ...] = ()  # verdict rules not selected (--select/--ignore)
    since: str | None = None  # --since REF: only the files changed since REF
    files_named: int = 0  # files (not folders) named on the command line
    hook: bool = False  # a pre-commit hook run (PRE_COMMIT=1)
    unread: int = 0  # files that could not be read at all (too large, unreadable, ...)

    @property
    def partial(self) -> bool:
        return bool(self.rules_left_out or self.since is not None or self.files_named or self.hook or self.unread)

    def not_looked_at(self) -> str:
        """`rules ATS101, ATS102 (not selected); files not changed since main` ..."""
        parts = []
        if self.rules_left_out:
            parts.append(f"rule{'s' if len(self.rules_left_out) != 1 else ''} {', '.join(self.rules_left_out)} (not selected)")
        if self.since is not None:
            parts.append(f"files not changed since {self.since}")
        elif self.hook:
            parts.append(f"files other than the {_n(self.files_named, 'file')} of this hook run")
        elif self.files_named:
            parts.append(f"files other than the {_n(self.files_named, 'file')} named on the command line")
        if self.unread:
            parts.append(f"{_n(self.unread, 'file')} that could not be read (listed as errors)")
        return "; ".join(parts)

    def looked_at(self, endpoints: bool) -> bool:
        """Whether the endpoint rules (`endpoints`) or the trust rules were all selected."""
        rules = ENDPOINT_RULES if endpoints else WITHOUT_ATS_RULES + ("ATS201",)
        return not any(r in self.rules_left_out for r in rules)


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _n(count: int, what: str, plural: str | None = None) -> str:
    return f"{count} {what if count == 1 else plural or what + 's'}"


@dataclass(frozen=True)
class Verdict:
    verdict: str  # one of VERDICTS
    reasons: list[str] = field(default_factory=list)
    scope: Scope = field(default_factory=Scope)

    @property
    def label(self) -> str:
        return LABELS[self.verdict]

    def one_line(self) -> str:
        """The verdict for a hook run: one line, with no claim about the rest of the tree."""
        if self.verdict == PARTIAL:
            return "partial: nothing that narrows trust in the files of this run; run `ats-lint check` on the repository for its verdict"
        return f"{self.label} in the files of this run; run `ats-lint check` on the repository for its verdict"


def _places(findings) -> str:
    """`a.py:3, a.py:9, b.py:1 and 4 more` in report order (linear in the number of findings)."""
    seen = list(dict.fromkeys(f"{f.path}:{f.line}" for f in findings))
    shown = ", ".join(seen[:MAX_PLACES])
    if len(seen) > MAX_PLACES:
        shown += f" and {len(seen) - MAX_PLACES} more"
    return shown


def _by_rule(findings, rules) -> list[str]:
    return [rule for rule in rules if any(f.rule == rule for f in findings)]


def assess(findings, scope: Scope | None = None) -> Verdict:
    """The verdict of one run from its findings (any iterable of `Finding`) and what it looked at."""
    scope = scope or Scope()
    verdict = _assess(findings, scope)
    if scope.partial:
        verdict = Verdict(PARTIAL if verdict.verdict == READY else verdict.verdict,
                          verdict.reasons + [f"partial run: not looked at: {scope.not_looked_at()}"], scope)
    return verdict


def _assess(findings, scope: Scope) -> Verdict:
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
        return Verdict(AT_RISK, without_ats_reasons() + endpoint_reasons("called over HTTPS in the scanned files"))
    if unknown or without_ats:
        reasons = []
        if unknown:
            reasons.append(unknown_reason)
        if without_ats:
            reasons += without_ats_reasons()
            if scope.looked_at(endpoints=True):
                reasons.append("no default S3 or CloudFront endpoint in the scanned files: check where the endpoints this code "
                               "calls come from (runtime configuration, another repository)")
            else:
                reasons.append("default S3 and CloudFront endpoints not looked at: "
                               "at risk if this code calls them (ATS101, ATS102 not selected)")
        elif endpoints:
            reasons += endpoint_reasons("called over HTTPS in the scanned files")
        return Verdict(REVIEW, reasons)
    reasons = []
    if includes_ats:
        reasons.append(f"ATS201 custom trust store that already includes Amazon Trust Services: {_places(includes_ats)}")
    else:
        looked = [what for rule, what in _TRUST_WHAT if rule not in scope.rules_left_out]
        if "ATS201" in scope.rules_left_out and "ATS202" not in scope.rules_left_out:
            looked.append("CA bundle without the Amazon Trust Services roots")
        if looked and scope.looked_at(endpoints=False):
            reasons.append("no narrowed trust in the scanned files: no " + _either(looked))
        elif looked:
            reasons.append("in the scanned files: no " + _either(looked))
    if endpoints and scope.looked_at(endpoints=False):
        reasons += endpoint_reasons("called over HTTPS, with no narrowed trust that lacks Amazon Trust Services")
    elif endpoints:
        reasons += endpoint_reasons("called over HTTPS (trust not looked at)")
    return Verdict(READY, reasons)


def to_dict(verdict: Verdict) -> dict:
    return {"verdict": verdict.verdict, "reasons": list(verdict.reasons)}


UNREAD_KINDS = ("too-large", "unreadable", "vanished", "link-outside-root", "link-loop", "internal-error")


def unread_files(errors) -> int:
    """Files of a run that could not be read at all (a parse or decode error is still scanned as text)."""
    return len({e.path for e in errors if e.kind in UNREAD_KINDS})


def next_steps(findings, verdict: Verdict, display=lambda path: path) -> list[str]:
    """The verdict in plain language with what to do next (`code` in backticks).

    `display(path)` spells a bundle file's path for a command line.
    """
    findings = list(findings)
    steps = []
    bundles = sorted({display(f.data["bundle_file"]) for f in findings if f.rule == "ATS202" and f.data.get("bundle_file")})
    places = {(f.path, f.line, f.column) for f in findings if f.rule == "ATS202"}
    pins = [f for f in findings if f.rule in ("ATS301", "ATS302")]
    unknown = [f for f in findings if f.rule == "ATS201" and f.severity != "note" and (f.path, f.line, f.column) not in places]
    endpoints = [f for f in findings if f.rule in ENDPOINT_RULES]
    if bundles:
        shown = " ".join(bundles[:3]) + (" ..." if len(bundles) > 3 else "")
        steps.append(f"{_n(len(bundles), 'trust store')} lack{'s' if len(bundles) == 1 else ''} the Amazon Trust Services roots: "
                     f"run `ats-lint check --fix` or `ats-lint bundle fix {shown}`, then the FAQ's test "
                     f"(`ats-lint probe --ca-bundle {bundles[0]}`).")
    if pins:
        files = len({f.path for f in pins})
        steps.append(f"{_n(len(pins), 'pin or DigiCert fingerprint', 'pins or DigiCert fingerprints')} in {_n(files, 'file')}: "
                     "remove the pins, or pin the Amazon Trust Services roots instead.")
    if unknown:
        steps.append(f"{_n(len(unknown), 'custom trust store')} of unknown content: check that each holds the Amazon roots "
                     "(`ats-lint bundle inspect FILE` on the file it names at run time).")
    if verdict.verdict == AT_RISK and endpoints:
        steps.append(f"Until then, HTTPS to the {_n(len({f.path + str(f.line) for f in endpoints}), 'default S3 or CloudFront endpoint')} "
                     "in this code can fail.")
    if verdict.verdict == REVIEW and not unknown and not endpoints:
        steps.append("No default S3 or CloudFront endpoint was seen: check where the endpoints this code calls come from.")
    if not steps:
        if endpoints:
            steps.append("Nothing to change in the scanned files: the clients of these endpoints use a trust store that includes "
                         "Amazon Trust Services; confirm with the FAQ's test from the application.")
        else:
            steps.append("Nothing to change in the scanned files.")
    if verdict.scope.partial:
        steps.append(f"Only part of the tree was looked at ({verdict.scope.not_looked_at()}): "
                     "run `ats-lint check` on the whole repository for its verdict.")
    return steps
