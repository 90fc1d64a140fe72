"""End to end on the demo repository that README tells a new user to audit: every category is
reported, at exactly these places, each with its remediation and FAQ reference."""
from __future__ import annotations

import shutil
from pathlib import Path

from helpers import check_json, triples

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"

EXPECTED = {
    ("Dockerfile", 6, "ATS101"),
    ("Dockerfile", 13, "ATS201"),
    ("Dockerfile", 13, "ATS202"),
    ("Dockerfile", 14, "ATS201"),
    ("android/app/src/main/res/xml/network_security_config.xml", 12, "ATS102"),
    ("android/app/src/main/res/xml/network_security_config.xml", 13, "ATS301"),
    ("android/app/src/main/res/xml/network_security_config.xml", 15, "ATS302"),
    ("android/app/src/main/res/xml/network_security_config.xml", 25, "ATS201"),
    ("scripts/publish_manifests.sh", 7, "ATS201"),
    ("scripts/publish_manifests.sh", 7, "ATS202"),
    ("scripts/publish_manifests.sh", 11, "ATS101"),
    ("shipping/pinning.py", 8, "ATS302"),
    ("shipping/pinning.py", 13, "ATS301"),
    ("shipping/pinning.py", 18, "ATS301"),
    ("shipping/settings.py", 6, "ATS101"),
    ("shipping/settings.py", 8, "ATS102"),
    ("shipping/storage.py", 10, "ATS201"),
    ("shipping/storage.py", 10, "ATS202"),
    ("shipping/storage.py", 15, "ATS201"),
    ("shipping/storage.py", 20, "ATS101"),
}


def test_demo_reports_every_category_at_exactly_these_places(tmp_path, monkeypatch):
    shutil.copytree(DEMO, tmp_path / "demo")
    code, doc = check_json(tmp_path / "demo", monkeypatch, ".")
    assert code == 1
    assert triples(doc) == EXPECTED
    assert set(doc["summary"]["by_category"]) == {
        "s3-endpoint", "cloudfront-domain", "custom-trust-store", "trust-store-missing-ats",
        "certificate-pinning", "digicert-fingerprint",
    }
    assert all(f["remediation"] and f["faq"] and "Resolution option" in " ".join(f["faq"]) for f in doc["findings"])
    assert doc["errors"] == []


def test_demo_traps_stay_silent(tmp_path, monkeypatch):
    shutil.copytree(DEMO, tmp_path / "demo")
    _, doc = check_json(tmp_path / "demo", monkeypatch, ".")
    lines = {(f["path"], f["line"]) for f in doc["findings"]}
    settings = (DEMO / "shipping" / "settings.py").read_text().splitlines()
    paris = next(i for i, line in enumerate(settings, 1) if "eu-west-3" in line)
    media = next(i for i, line in enumerate(settings, 1) if "media.example.com" in line)
    assert ("shipping/settings.py", paris) not in lines and ("shipping/settings.py", media) not in lines
    storage = (DEMO / "shipping" / "storage.py").read_text().splitlines()
    for needle in ("settings.VERIFY_TLS", "verify=verify"):
        number = next(i for i, line in enumerate(storage, 1) if needle in line)
        assert ("shipping/storage.py", number) not in lines
