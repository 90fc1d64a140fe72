"""Find S3 and CloudFront hosts in text and decide whether a TLS connection to them is affected.

The knowledge (endpoint shapes, ATS-ready regions, placeholders, schemes) is in rules/hosts.yaml;
this module only interprets it. Matching is linear: a fixed anchor finds the domain suffix and
the host is walked back from there by hand, at most 253 characters.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterator

from ats_lint.resources import load_data



@functools.lru_cache(maxsize=1)
def domains() -> tuple[tuple[str, str], ...]:
    """(suffix, endpoint list that judges its hosts) from rules/hosts.yaml, longest suffix first."""
    items = ((d["suffix"].lower(), d["judged_by"]) for d in load_data("hosts.yaml")["domains"])
    return tuple(sorted(items, key=lambda item: -len(item[0])))


@functools.lru_cache(maxsize=1)
def anchor_re() -> re.Pattern:
    """`.` and a domain suffix: where a host may end."""
    return re.compile(r"\.(?:" + "|".join(re.escape(suffix) for suffix, _ in domains()) + ")", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def suffix_fragments() -> tuple[str, ...]:
    """The fewest suffixes one of which every text naming a host holds (a suffix that contains
    another one adds nothing: `amazonaws.com.cn` holds `amazonaws.com`)."""
    suffixes = [suffix for suffix, _ in domains()]
    return tuple(sorted({s for s in suffixes if not any(o != s and o in s for o in suffixes)}))
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_{}$%()*")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_MAX_HOST = 253
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]{0,15})://$")


def _matching_brace(text: str, close: int, floor: int) -> int | None:
    """Offset of the `{` that opens the placeholder closed at `close`, looking back to `floor`."""
    depth = 0
    for j in range(close, floor - 1, -1):
        if text[j] == "}":
            depth += 1
        elif text[j] == "{":
            depth -= 1
            if depth == 0:
                return j
    return None


def host_start(text: str, anchor: int) -> int:
    """Where the host whose domain suffix starts at `anchor` begins: walked back over host
    characters and balanced placeholders, at most 253 characters."""
    start = anchor
    limit = max(0, start - _MAX_HOST)
    while start > limit:
        ch = text[start - 1]
        if ch == "}":  # a placeholder may hold any character: `${AWS::Region}`, `{{ bucket }}`
            opening = _matching_brace(text, start - 1, max(limit, start - 84))
            if opening is None:
                break
            start = opening - 1 if opening > 0 and text[opening - 1] == "$" else opening
            continue
        if ch not in _HOST_CHARS:
            break
        start -= 1
    # Balanced placeholders only: trim a leading "(" or "}" left over from code around the host.
    while start < anchor and text[start] in ".-)}(":
        start += 1
    return start


_VALID_HOST_RE = re.compile(r"[a-z0-9._-]{1,253}")


@dataclass(frozen=True)
class HostHit:
    """An affected endpoint found in a piece of text."""

    rule: str  # "ATS101" or "ATS102"
    start: int  # offset of the URL (scheme included) or bare host in the text
    end: int
    host: str  # as written
    scheme: str  # "https", ... or "" for a bare host
    endpoint: str  # the endpoint kind, from the data
    region: str | None


@dataclass(frozen=True)
class _Endpoint:
    name: str
    pattern: re.Pattern
    region: str | None


class HostMatcher:
    def __init__(self, data: dict):
        self.tls_schemes = {s.lower() for s in data["tls_schemes"]}
        self.placeholder_re = re.compile("|".join(f"(?:{p})" for p in data["placeholders"]))
        self.principal_re = re.compile(data["service_principal_context"])
        s3 = data["s3"]
        self.ats_ready = {r.lower() for r in s3["ats_ready_regions"]}
        self.s3_not_affected = [re.compile(item["pattern"]) for item in s3["not_affected"]]
        self.s3_endpoints = [_Endpoint(e["name"], re.compile(e["pattern"]), e.get("region")) for e in s3["endpoints"]]
        self.cf_endpoints = [_Endpoint(e["name"], re.compile(e["pattern"]), None) for e in data["cloudfront"]["endpoints"]]

    def normalize(self, host: str) -> str:
        return self.placeholder_re.sub("x", host).lower()

    def classify(self, host: str) -> tuple[str, str, str | None] | None:
        """(rule, endpoint kind, region) when a TLS connection to `host` is affected."""
        norm = self.normalize(host).strip(".")
        if not _VALID_HOST_RE.fullmatch(norm):
            return None  # what is left after placeholders is not a host name
        judged_by = next((by for suffix, by in domains() if norm.endswith("." + suffix)), "none")
        if judged_by == "cloudfront":
            for ep in self.cf_endpoints:
                if ep.pattern.match(norm):
                    return "ATS102", ep.name, None
            return None
        if judged_by != "s3":
            return None  # a suffix whose hosts are not affected (China's .amazonaws.com.cn)
        if any(p.search(norm) for p in self.s3_not_affected):
            return None
        for ep in self.s3_endpoints:
            m = ep.pattern.match(norm)
            if not m:
                continue
            region = m.groupdict().get("region") or ep.region
            if region and region in self.ats_ready:
                return None
            return "ATS101", ep.name, None if region == "x" else region
        return None

    def find(self, text: str) -> Iterator[HostHit]:
        """Every affected S3/CloudFront host in `text` that is reached over TLS or written bare."""
        for m in anchor_re().finditer(text):
            end = m.end()
            if end < len(text) and (
                text[end] in _LABEL_CHARS or (text[end] == "." and end + 1 < len(text) and text[end + 1] in _LABEL_CHARS)
            ):
                continue  # the suffix continues: not this domain
            start = host_start(text, m.start())
            host = text[start:end]
            if not host or host.startswith("."):
                continue
            classified = self.classify(host)
            if classified is None:
                continue
            scheme, url_start = self._scheme_before(text, start)
            if scheme is not None and scheme not in self.tls_schemes:
                continue
            if scheme is None and self.principal_re.search(text[max(0, start - 40):start]):
                continue
            rule, endpoint, region = classified
            yield HostHit(rule, url_start, end, host, scheme or "", endpoint, region)

    def _scheme_before(self, text: str, start: int) -> tuple[str | None, int]:
        before = text[max(0, start - 20):start]
        m = _SCHEME_RE.search(before)
        if m:
            return m.group(1).lower(), start - len(m.group(0))
        if before.endswith("//"):
            return "https", start - 2  # protocol-relative URL: HTTPS on an HTTPS page
        return None, start


@functools.lru_cache(maxsize=1)
def host_matcher() -> HostMatcher:
    return HostMatcher(load_data("hosts.yaml"))
