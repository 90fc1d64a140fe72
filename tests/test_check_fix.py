"""`ats-lint check --fix`: fixes the committed bundles flagged ATS202 and nothing else; without
`--fix` nothing is ever written."""
from __future__ import annotations

import shutil
from pathlib import Path

from helpers import check_json, run_cli, triples, write_tree

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
FIVE = "Amazon Root CA 1, Amazon Root CA 2, Amazon Root CA 3, Amazon Root CA 4, Starfield Services Root Certificate Authority - G2"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_fixing_the_demo_makes_its_ats202_findings_disappear(tmp_path, monkeypatch):
    demo = tmp_path / "demo"
    shutil.copytree(DEMO, demo)
    before = _snapshot(demo)
    code, doc = check_json(demo, monkeypatch)
    flagged = {(f["path"], f["line"]) for f in doc["findings"] if f["rule"] == "ATS202"}
    assert ("shipping/storage.py", 10) in flagged
    assert all("certs/partner-ca-bundle.pem" in f["message"] for f in doc["findings"] if f["rule"] == "ATS202")

    code, out, err = run_cli(["check", "--fix", "--format", "json", "--jobs", "1"], demo, monkeypatch)
    assert code == 1  # other findings remain (endpoints, pinning, ...)
    where = ", ".join(f"{p}:{line}" for p, line in sorted(flagged))
    assert f"ats-lint: fix: certs/partner-ca-bundle.pem: added {FIVE} (flagged at {where})" in err.splitlines()

    after = _snapshot(demo)
    assert {k for k in after if after[k] != before.get(k)} == {"certs/partner-ca-bundle.pem"}
    assert set(after) == set(before)
    assert after["certs/partner-ca-bundle.pem"][:len(before["certs/partner-ca-bundle.pem"])] == before["certs/partner-ca-bundle.pem"]

    _, again = check_json(demo, monkeypatch)
    assert not [f for f in again["findings"] if f["rule"] == "ATS202"]
    partner = [f for f in again["findings"] if f["rule"] == "ATS201" and (f["path"], f["line"]) in flagged]
    assert partner and {f["severity"] for f in partner} == {"note"}
    assert triples(again) == {t for t in triples(doc) if t[2] != "ATS202"}


def test_the_report_of_check_fix_already_shows_the_fixed_tree(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": 'import requests\nrequests.get("https://x.example", verify="certs/ca.pem")\n',
                          "certs/ca.pem": "{{pem:DigiCert Global Root G2}}"})
    code, doc = check_json(tmp_path, monkeypatch, "--fix")
    assert code == 1
    assert [(f["rule"], f["severity"]) for f in doc["findings"]] == [("ATS201", "note")]


def test_without_fix_nothing_is_written(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": 'import requests\nrequests.get("https://x.example", verify="certs/ca.pem")\n',
                          "certs/ca.pem": "{{pem:DigiCert Global Root G2}}"})
    before = _snapshot(tmp_path)
    code, doc = check_json(tmp_path, monkeypatch)
    assert code == 1 and [f["rule"] for f in doc["findings"]] == ["ATS201", "ATS202"]
    assert _snapshot(tmp_path) == before


def test_fix_touches_only_flagged_bundles(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "app.py": 'import requests\nrequests.get("https://x.example", verify="certs/ca.pem")\n',
        "certs/ca.pem": "{{pem:DigiCert Global Root G2}}",
        "certs/unused.pem": "{{pem:DigiCert Global Root CA}}",           # referenced by nothing
        "certs/ok.pem": "{{pem:Amazon Root CA 1}}",
        "other.py": 'import ssl\nssl.create_default_context(cafile="certs/ok.pem")\n',  # trusts ATS: a note
    })
    before = _snapshot(tmp_path)
    code, doc = check_json(tmp_path, monkeypatch, "--fix")
    after = _snapshot(tmp_path)
    assert {k for k in after if after[k] != before[k]} == {"certs/ca.pem"}


def test_a_flagged_bundle_that_cannot_be_fixed_is_reported_and_the_finding_stays(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": 'import requests\nrequests.get("https://x.example", verify="certs")\n',
                          "certs/a.pem": "{{pem:DigiCert Global Root G2}}"})
    before = _snapshot(tmp_path)
    code, out, err = run_cli(["check", "--fix", "--format", "json", "--jobs", "1"], tmp_path, monkeypatch)
    assert code == 1
    assert err.startswith("ats-lint: fix: cannot fix certs (flagged at app.py:2): ")
    assert '"ATS202"' in out
    assert _snapshot(tmp_path) == before
