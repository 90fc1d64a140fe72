"""A verdict claims nothing about what the run did not look at (issue #11).

Rules deselected, `--since`, files named on the command line and hook runs see part of the tree:
never `ready`; a partial verdict that names what was not looked at; one line in a hook run.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import check_json, run_cli, write_tree

REPO = Path(__file__).resolve().parent.parent
AT_RISK_TREE = {
    "certs/partner.pem": "{{pem:DigiCert Global Root G2}}",
    "app/net.py": 'import requests\nrequests.get("https://x.example", verify="certs/partner.pem")\n',
    "app/pin.py": 'import urllib3\npool = urllib3.PoolManager(assert_fingerprint="AA:BB")\nPIN = "{{sha256_hex:DigiCert Global Root G2}}"\n',
    "app/storage.py": 'URL = "https://labels.s3.amazonaws.com/a.pdf"\n',
    "app/clean.py": "print('hello')\n",
    "app/clean2.py": "X = 1\n",
}


def summary(tmp_path, monkeypatch, *args):
    _, doc = check_json(tmp_path, monkeypatch, *args)
    return doc["summary"]["verdict"], doc["summary"]["reasons"]


def test_rules_left_out_by_select_give_a_partial_verdict_not_ready(tmp_path, monkeypatch):
    write_tree(tmp_path, AT_RISK_TREE)
    assert summary(tmp_path, monkeypatch)[0] == "at-risk"  # the whole tree
    verdict, reasons = summary(tmp_path, monkeypatch, "--select", "ATS1")
    assert verdict == "partial"
    assert reasons == [
        "ATS101 default S3 endpoint called over HTTPS (trust not looked at): app/storage.py:1",
        "partial run: not looked at: rules ATS201, ATS202, ATS301, ATS302 (not selected)",
    ]


def test_select_ats202_on_the_demo_does_not_claim_there_is_no_endpoint(monkeypatch):
    code, out, _ = run_cli(["check", "--no-cache", "--select", "ATS202", "examples/demo"], REPO, monkeypatch)
    verdict = out[out.index("Verdict:"):]
    assert "no default S3 or CloudFront endpoint" not in verdict
    assert verdict.splitlines() == [
        "Verdict: review",
        "  - ATS202 CA bundle without the Amazon Trust Services roots: examples/demo/Dockerfile:13, "
        "examples/demo/scripts/publish_manifests.sh:7, examples/demo/shipping/storage.py:10",
        "  - default S3 and CloudFront endpoints not looked at: at risk if this code calls them (ATS101, ATS102 not selected)",
        "  - partial run: not looked at: rules ATS101, ATS102, ATS201, ATS301, ATS302 (not selected)",
    ]


def test_ignoring_a_pin_rule_keeps_the_claim_to_what_was_looked_at(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app/storage.py": 'URL = "https://labels.s3.amazonaws.com/a.pdf"\n'})
    verdict, reasons = summary(tmp_path, monkeypatch, "--ignore", "ATS301")
    assert verdict == "partial"
    assert reasons[0] == "in the scanned files: no custom trust store or DigiCert fingerprint"
    assert reasons[-1] == "partial run: not looked at: rule ATS301 (not selected)"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True, capture_output=True)


def test_since_with_nothing_changed_is_partial_on_an_at_risk_repository(tmp_path, monkeypatch):
    write_tree(tmp_path, AT_RISK_TREE)
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "init")
    verdict, reasons = summary(tmp_path, monkeypatch, "--since", "main")
    assert verdict == "partial"
    assert reasons == [
        "no narrowed trust in the scanned files: no custom trust store, certificate pin or DigiCert fingerprint",
        "partial run: not looked at: files not changed since main",
    ]


def test_files_named_on_the_command_line_give_a_partial_verdict(tmp_path, monkeypatch):
    write_tree(tmp_path, AT_RISK_TREE)
    verdict, reasons = summary(tmp_path, monkeypatch, "app/clean.py", "app/storage.py")
    assert verdict == "partial"
    assert reasons[-1] == "partial run: not looked at: files other than the 2 files named on the command line"
    assert summary(tmp_path, monkeypatch, "app")[0] == "at-risk"  # a folder is a tree: its verdict stands


def test_a_hook_run_over_clean_files_says_one_line_and_never_ready(tmp_path, monkeypatch):
    write_tree(tmp_path, AT_RISK_TREE)
    monkeypatch.setenv("PRE_COMMIT", "1")
    code, out, _ = run_cli(["check", "--force-exclude", "app/clean.py", "app/clean2.py"], tmp_path, monkeypatch)
    assert code == 0
    verdict_lines = [line for line in out.splitlines() if "erdict" in line or line.startswith("  - ")]
    assert verdict_lines == ["Verdict: partial: nothing that narrows trust in the files of this run; "
                             "run `ats-lint check` on the repository for its verdict"]
    assert "ready" not in out


def test_a_hook_run_with_a_risk_still_says_one_line(tmp_path, monkeypatch):
    write_tree(tmp_path, AT_RISK_TREE)
    monkeypatch.setenv("PRE_COMMIT", "1")
    code, out, _ = run_cli(["check", "--force-exclude", "app/pin.py", "app/storage.py"], tmp_path, monkeypatch)
    assert code == 1
    assert [line for line in out.splitlines() if "Verdict" in line or line.startswith("  - ")] == [
        "Verdict: at risk in the files of this run; run `ats-lint check` on the repository for its verdict"]


def test_files_that_could_not_be_read_are_named_as_not_looked_at(tmp_path, monkeypatch):
    write_tree(tmp_path, {"big.py": "X = 1\n" * 100, "small.py": "Y = 2\n"})
    verdict, reasons = summary(tmp_path, monkeypatch, "--max-file-size", "100")
    assert verdict == "partial"
    assert reasons[-1] == "partial run: not looked at: 1 file that could not be read (listed as errors)"


def test_a_full_audit_keeps_its_ready_verdict(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": "print('hi')\n"})
    assert summary(tmp_path, monkeypatch) == ("ready", [
        "no narrowed trust in the scanned files: no custom trust store, certificate pin or DigiCert fingerprint"])


def test_the_verdict_is_linear_in_the_number_of_findings():
    import time

    from ats_lint.model import Finding
    from ats_lint.report.verdict import assess

    findings = [Finding("ATS101", f"f{i % 5000}.py", i, 1, i, 2, "m", severity="warning") for i in range(100_000)]
    start = time.perf_counter()
    verdict = assess(findings)
    assert time.perf_counter() - start < 5
    assert verdict.reasons[-1].endswith("and 99995 more")
