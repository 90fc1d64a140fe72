"""The demo repository shows the text scanner's findings too (README's demo)."""
from __future__ import annotations

from pathlib import Path

from helpers import check_json, triples

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
NSC = "android/app/src/main/res/xml/network_security_config.xml"


def test_demo_reports_dockerfile_android_and_shell_findings(monkeypatch):
    _, doc = check_json(DEMO, monkeypatch, ".")
    non_python = {t for t in triples(doc) if not t[0].endswith(".py")}
    assert non_python == {
        ("Dockerfile", 6, "ATS101"),
        ("Dockerfile", 13, "ATS201"),
        ("Dockerfile", 13, "ATS202"),
        ("Dockerfile", 14, "ATS201"),
        (NSC, 12, "ATS102"),
        (NSC, 13, "ATS301"),
        (NSC, 15, "ATS302"),
        (NSC, 25, "ATS201"),
        ("scripts/publish_manifests.sh", 7, "ATS201"),
        ("scripts/publish_manifests.sh", 7, "ATS202"),
        ("scripts/publish_manifests.sh", 11, "ATS101"),
    }
    assert doc["errors"] == []
