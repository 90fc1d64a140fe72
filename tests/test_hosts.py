"""The host matcher on raw text: templates of every common syntax, and what must stay silent."""
from __future__ import annotations

import pytest

from ats_lint.scan.hosts import host_matcher

CASES = [
    ('!Sub "https://${Bucket}.s3.${AWS::Region}.amazonaws.com/key"', [("ATS101", "${Bucket}.s3.${AWS::Region}.amazonaws.com", None)]),
    ("!Sub https://${Bucket}.s3.eu-west-3.amazonaws.com", []),
    ("https://{{ bucket }}.s3.us-west-2.amazonaws.com/", [("ATS101", "{{ bucket }}.s3.us-west-2.amazonaws.com", "us-west-2")]),
    ("https://%(bucket)s.s3.amazonaws.com", [("ATS101", "%(bucket)s.s3.amazonaws.com", "us-east-1")]),
    ("https://$BUCKET.s3-accelerate.amazonaws.com", [("ATS101", "$BUCKET.s3-accelerate.amazonaws.com", "global")]),
    ("curl https://d123.cloudfront.net/x http://d456.cloudfront.net/y", [("ATS102", "d123.cloudfront.net", None)]),
    ('"Service": "s3.amazonaws.com"', []),
    ("principals { identifiers = [\"s3.amazonaws.com\"] }", [("ATS101", "s3.amazonaws.com", "us-east-1")]),
    ("endpoint: s3.amazonaws.com", [("ATS101", "s3.amazonaws.com", "us-east-1")]),
    ("x.s3.amazonaws.com.cn", []),
    ("b.s3.amazonaws.comx", []),
    ("}.s3.amazonaws.com", [("ATS101", "s3.amazonaws.com", "us-east-1")]),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0] for c in CASES])
def test_hosts_in_text(text, expected):
    assert [(h.rule, h.host, h.region) for h in host_matcher().find(text)] == expected


def test_long_adversarial_line_is_linear():
    text = ("a." * 200_000) + "amazonaws.com " + ("{" * 100_000) + ".cloudfront.net" + ("}" * 100_000)
    assert list(host_matcher().find(text)) == []


def test_domain_suffixes_and_pre_checks_come_from_the_host_data():
    from ats_lint.resources import load_data
    from ats_lint.scan.hosts import anchor_re, domains, suffix_fragments
    from ats_lint.scan.literals import has_host_hint

    listed = {d["suffix"] for d in load_data("hosts.yaml")["domains"]}
    assert {suffix for suffix, _ in domains()} == listed
    assert set(suffix_fragments()) == {"amazonaws.com", "cloudfront.net"}  # .com.cn holds .com
    for suffix in listed:
        assert anchor_re().fullmatch("." + suffix.upper())
        assert has_host_hint("x." + suffix.upper())
    assert not has_host_hint("amazonaws.co cloudfront.ne")
