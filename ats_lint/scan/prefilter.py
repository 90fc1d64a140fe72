"""A cheap test on raw text that tells whether a Python file can hold a finding at all, so that
libcst parses only the files that matter. The trigger tokens come from the rule data.

The test is substring search on the lower-cased text (memory speed, in C), not one long
case-insensitive regex alternation, which costs a regex attempt at every character."""
from __future__ import annotations

import functools
import re

from ats_lint.resources import load_data

# Raw digest bytes written as escapes in a bytes literal: b"\x16\xaf..." (20 bytes at least).
_RAW_DIGEST_RE = re.compile(r"(?:\\x[0-9a-fA-F]{2}){20}")


@functools.lru_cache(maxsize=1)
def trigger_tokens() -> tuple[str, ...]:
    """Lower-cased substrings one of which a Python file with a finding must contain."""
    sig = load_data("python.yaml")
    tokens = set(sig["trust_arguments"]["keywords"]) | set(sig["trust_arguments"]["attributes"])
    tokens |= {p.get("method") or p["qualified"].rsplit(".", 1)[-1] for p in sig["trust_arguments"]["positional"]}
    tokens |= set(load_data("trust.yaml")["trust_env_vars"])
    pin = sig["pinning"]
    tokens |= set(pin["keywords"]) | set(pin["attributes"])
    tokens |= {q.rsplit(".", 1)[-1] for q in pin["calls"]} | {q.rsplit(".", 1)[-1] for q in pin["names"]}
    tokens.add(pin["peer_certificate"]["method"])
    tokens |= {"amazonaws.com", "cloudfront.net", "begin certificate"}
    return tuple(sorted(t.lower() for t in tokens))


# A string written so that no token appears verbatim: escapes (`"\\x61mazonaws.com"`) and implicit
# concatenation (`"amazonaws" ".com"`, also across lines in brackets). Undone before a second look.
_ESCAPE_RE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{1,3})|N\{([^}\n]{1,80})\})")
_JOIN_RE = re.compile(r"""["']\s*(?:\\\r?\n\s*)*[rRbBuUfF]{0,2}["']""")


def _unescaped(m: re.Match) -> str:
    import unicodedata

    hex2, hex4, hex8, octal, name = m.groups()
    try:
        if name is not None:
            return unicodedata.lookup(name)
        return chr(int(hex2 or hex4 or hex8, 16) if octal is None else int(octal, 8))
    except (KeyError, ValueError):
        return m.group(0)


def _normalised(text: str) -> str | None:
    """The text with escapes decoded and adjacent string literals joined, or None when it has neither."""
    joined = _JOIN_RE.sub("", text)
    decoded = _ESCAPE_RE.sub(_unescaped, joined) if "\\" in joined else joined
    return decoded if decoded != text else None


def python_may_have_findings(text: str) -> bool:
    lowered = text.lower()
    if any(token in lowered for token in trigger_tokens()):
        return True
    normalised = _normalised(text)
    if normalised is not None and any(token in normalised.lower() for token in trigger_tokens()):
        return True
    if "\\x" in text and _RAW_DIGEST_RE.search(text):
        return True
    from ats_lint.trust.certs import knowledge, may_contain_digest

    if not may_contain_digest(text):
        return False
    return next(knowledge().find_digests(text), None) is not None
