"""A cheap test on raw text that tells whether a Python file can hold a finding at all, so that
libcst parses only the files that matter. The trigger tokens come from the rule data."""
from __future__ import annotations

import functools
import re

from .resources import load_data


@functools.lru_cache(maxsize=1)
def _trigger_re() -> re.Pattern:
    sig = load_data("python.yaml")
    tokens = set(sig["trust_arguments"]["keywords"]) | set(sig["trust_arguments"]["attributes"])
    tokens |= {p.get("method") or p["qualified"].rsplit(".", 1)[-1] for p in sig["trust_arguments"]["positional"]}
    tokens |= set(load_data("trust.yaml")["trust_env_vars"])
    pin = sig["pinning"]
    tokens |= set(pin["keywords"]) | set(pin["attributes"])
    tokens |= {q.rsplit(".", 1)[-1] for q in pin["calls"]} | {q.rsplit(".", 1)[-1] for q in pin["names"]}
    tokens.add(pin["peer_certificate"]["method"])
    alternatives = sorted(re.escape(t) for t in tokens)
    alternatives += [r"amazonaws\.com", r"cloudfront\.net", r"BEGIN CERTIFICATE", r"(?:\\x[0-9a-fA-F]{2}){20}"]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def python_may_have_findings(text: str) -> bool:
    if _trigger_re().search(text):
        return True
    from .certs import FINGERPRINT_CANDIDATE_RE, knowledge

    if FINGERPRINT_CANDIDATE_RE.search(text) is None:
        return False
    return next(knowledge().find_digests(text), None) is not None
