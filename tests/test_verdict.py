"""The repository verdict: at-risk, review and ready, with reasons that name the deciding places."""
from __future__ import annotations

import json
from pathlib import Path

from helpers import check_json, run_cli, write_tree
from test_sarif import validate

REPO = Path(__file__).resolve().parent.parent
DIGICERT_BUNDLE = "{{pem:DigiCert Global Root G2}}"
ATS_BUNDLE = "{{pem:DigiCert Global Root G2}}{{pem:Starfield Services Root Certificate Authority - G2}}"
S3_URL = 'URL = "https://labels.s3.amazonaws.com/a.pdf"\n'
CDN_URL = 'CDN = "https://d111.cloudfront.net/a.js"\n'


def verdict(tmp_path, monkeypatch, *args) -> tuple[str, list[str]]:
    _, doc = check_json(tmp_path, monkeypatch, *args)
    return doc["summary"]["verdict"], doc["summary"]["reasons"]


def test_bundle_without_ats_and_an_s3_endpoint_elsewhere_in_the_tree_is_at_risk(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "certs/partner.pem": DIGICERT_BUNDLE,
        "app/net.py": 'import requests\nrequests.get("https://x.example", verify="certs/partner.pem")\n',
        "app/storage.py": S3_URL,
    })
    assert verdict(tmp_path, monkeypatch) == ("at-risk", [
        "ATS202 CA bundle without the Amazon Trust Services roots: app/net.py:2",
        "ATS101 default S3 endpoint called over HTTPS in the scanned files: app/storage.py:1",
    ])


def test_a_pin_and_a_digicert_fingerprint_with_a_cloudfront_domain_are_at_risk(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "pin.py": 'import urllib3\npool = urllib3.PoolManager(assert_fingerprint="AA:BB")\nPIN = "{{sha256_hex:DigiCert Global Root G2}}"\n',
        "cdn.py": CDN_URL,
    })
    assert verdict(tmp_path, monkeypatch) == ("at-risk", [
        "ATS302 DigiCert fingerprint, pin or PEM: pin.py:3",
        "ATS301 certificate or key pin (pinned keys not known to include Amazon Trust Services): pin.py:2",
        "ATS102 default CloudFront domain called over HTTPS in the scanned files: cdn.py:1",
    ])


def test_a_trust_store_of_unknown_content_is_review(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "app/net.py": 'import requests\ndef get(config):\n    return requests.get("https://x.example", verify=config.ca_path)\n',
        "app/storage.py": S3_URL,
    })
    assert verdict(tmp_path, monkeypatch) == ("review", [
        "ATS201 custom trust store of unknown content (check that it includes the Amazon Trust Services roots): app/net.py:3",
        "ATS101 default S3 endpoint called over HTTPS in the scanned files: app/storage.py:1",
    ])


def test_a_bundle_outside_the_repository_is_unknown_content_and_review_even_without_endpoints(tmp_path, monkeypatch):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12\nENV REQUESTS_CA_BUNDLE=/etc/ssl/corp.pem\n"})
    assert verdict(tmp_path, monkeypatch) == ("review", [
        "ATS201 custom trust store of unknown content (check that it includes the Amazon Trust Services roots): Dockerfile:2",
    ])


def test_trust_without_ats_but_no_endpoint_in_the_tree_is_review(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pin.py": 'PIN = "{{sha256_hex:DigiCert Global Root G2}}"\n'})
    assert verdict(tmp_path, monkeypatch) == ("review", [
        "ATS302 DigiCert fingerprint, pin or PEM: pin.py:1",
        "no default S3 or CloudFront endpoint in the scanned files: check where the endpoints this code calls come from "
        "(runtime configuration, another repository)",
    ])


def test_endpoints_without_narrowed_trust_are_ready(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app/storage.py": S3_URL, "app/cdn.py": CDN_URL})
    assert verdict(tmp_path, monkeypatch) == ("ready", [
        "no narrowed trust in the scanned files: no custom trust store, certificate pin or DigiCert fingerprint",
        "ATS101 default S3 endpoint called over HTTPS, with no narrowed trust that lacks Amazon Trust Services: app/storage.py:1",
        "ATS102 default CloudFront domain called over HTTPS, with no narrowed trust that lacks Amazon Trust Services: app/cdn.py:1",
    ])


def test_a_bundle_that_already_includes_ats_is_ready(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "certs/egress.pem": ATS_BUNDLE,
        "app/net.py": 'import requests\ns = requests.Session()\ns.verify = "certs/egress.pem"\n',
        "app/storage.py": S3_URL,
    })
    assert verdict(tmp_path, monkeypatch) == ("ready", [
        "ATS201 custom trust store that already includes Amazon Trust Services: app/net.py:3",
        "ATS101 default S3 endpoint called over HTTPS, with no narrowed trust that lacks Amazon Trust Services: app/storage.py:1",
    ])


def test_an_empty_tree_is_ready(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": "print('hello')\n"})
    assert verdict(tmp_path, monkeypatch) == ("ready", ["no narrowed trust in the scanned files: no custom trust store, certificate pin or DigiCert fingerprint"])


def test_reasons_name_five_places_and_count_the_rest(tmp_path, monkeypatch):
    write_tree(tmp_path, {f"m{i}.py": S3_URL for i in range(7)})
    _, reasons = verdict(tmp_path, monkeypatch)
    assert reasons[1] == ("ATS101 default S3 endpoint called over HTTPS, with no narrowed trust that lacks Amazon Trust Services: "
                          "m0.py:1, m1.py:1, m2.py:1, m3.py:1, m4.py:1 and 2 more")


def test_a_suppressed_pin_does_not_count(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pin.py": 'PIN = "{{sha256_hex:DigiCert Global Root G2}}"  # ats-lint: ignore[ATS302]\n', "cdn.py": CDN_URL})
    assert verdict(tmp_path, monkeypatch)[0] == "ready"


def test_baselined_findings_still_count_they_are_known_not_fixed(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pin.py": 'PIN = "{{sha256_hex:DigiCert Global Root G2}}"\n', "cdn.py": CDN_URL})
    assert run_cli(["check", "--write-baseline", "base.json"], tmp_path, monkeypatch)[0] == 0
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "base.json")
    assert code == 0 and doc["findings"] == []
    assert doc["summary"]["verdict"] == "at-risk"


def test_the_demo_is_at_risk_for_its_partner_bundle_pins_and_endpoints(monkeypatch):
    _, doc = check_json(REPO, monkeypatch, "examples/demo")
    assert doc["summary"]["verdict"] == "at-risk"
    reasons = doc["summary"]["reasons"]
    assert any(r.startswith("ATS202 ") and "examples/demo/shipping/storage.py:10" in r for r in reasons)
    assert any(r.startswith("ATS302 ") and "examples/demo/shipping/pinning.py:8" in r for r in reasons)
    assert any(r.startswith("ATS301 ") and "examples/demo/shipping/pinning.py:13" in r for r in reasons)
    assert any(r.startswith("ATS101 default S3 endpoint called over HTTPS in the scanned files") and "examples/demo/shipping/settings.py:6" in r for r in reasons)
    assert not any("egress-bundle" in r or "storage.py:15" in r for r in reasons)  # the bundle with ATS decides nothing


def test_text_output_ends_with_the_verdict_and_its_reasons(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app/storage.py": S3_URL})
    code, out, _ = run_cli(["check", "--jobs", "1"], tmp_path, monkeypatch)
    assert code == 1
    assert out.splitlines()[-3:] == [
        "Verdict: ready",
        "  - no narrowed trust in the scanned files: no custom trust store, certificate pin or DigiCert fingerprint",
        "  - ATS101 default S3 endpoint called over HTTPS, with no narrowed trust that lacks Amazon Trust Services: app/storage.py:1",
    ]


def test_sarif_carries_the_verdict_in_run_properties_and_still_validates(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pin.py": 'PIN = "{{sha256_hex:DigiCert Global Root G2}}"\n', "cdn.py": CDN_URL})
    code, out, err = run_cli(["check", "--format", "sarif", "--jobs", "1"], tmp_path, monkeypatch)
    log = json.loads(out)
    validate(log)
    assert log["runs"][0]["properties"] == {"verdict": "at-risk", "reasons": [
        "ATS302 DigiCert fingerprint, pin or PEM: pin.py:1",
        "ATS102 default CloudFront domain called over HTTPS in the scanned files: cdn.py:1",
    ]}
