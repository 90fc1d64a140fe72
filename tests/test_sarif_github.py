"""SARIF that GitHub code scanning always accepts and maps correctly (issue #11): within the
documented limits with the most severe results kept, paths relative to the repository root with
a matching %SRCROOT%, and notes that are not security alerts."""
from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

from ats_lint.model import Finding, RunResult
from ats_lint.report.sarif import MAX_RESULTS, sarif_report
from helpers import run_cli, write_tree
from test_sarif import validate

ATS_BUNDLE = "{{pem:DigiCert Global Root G2}}{{pem:Starfield Services Root Certificate Authority - G2}}"


def _findings(count: int, severity: str, rule: str, prefix: str) -> list[Finding]:
    return [Finding(rule, f"{prefix}{i // 100}.py", i % 100 + 1, 1, i % 100 + 1, 9, f"m{i}", severity=severity,
                    category="s3-endpoint", fingerprint=f"{prefix}{i:032d}"[-32:]) for i in range(count)]


def test_more_results_than_github_accepts_keep_the_most_severe_and_say_so(tmp_path):
    findings = _findings(24_000, "warning", "ATS101", "w") + _findings(2_000, "error", "ATS202", "e")
    report = sarif_report(RunResult(findings=findings, files_scanned=260), tmp_path)
    log = json.loads(report.text)
    run = log["runs"][0]
    assert len(run["results"]) == MAX_RESULTS == 25_000 and report.omitted == 1_000
    assert [r["level"] for r in run["results"][:2000]] == ["error"] * 2000  # the most severe first, all kept
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["results-truncated"]
    assert notes[0]["message"]["text"].startswith("1000 of 26000 results left out (1000 warning)")


def test_the_compressed_size_limit_is_kept_too(tmp_path):
    import hashlib

    noise = lambda i: "".join(hashlib.sha256(f"{i}-{j}".encode()).hexdigest() for j in range(24))  # incompressible
    findings = [Finding("ATS101", f"f{i}.py", 1, 1, 1, 2, noise(i), severity="warning", fingerprint=f"{i:032d}")
                for i in range(400)]
    report = sarif_report(RunResult(findings=findings, files_scanned=400), tmp_path, max_gzip_bytes=20_000)
    assert report.omitted > 0 and report.kept + report.omitted == 400
    assert len(gzip.compress(report.text.encode())) <= 20_000


def test_the_cli_says_on_stderr_what_sarif_left_out(tmp_path, monkeypatch):
    import ats_lint.report.sarif as sarif

    write_tree(tmp_path, {"a.py": "".join(f'U{i} = "https://b{i}.s3.amazonaws.com/k"\n' for i in range(5))})
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    monkeypatch.setattr(sarif.sarif_report, "__defaults__", (None, None, 3, sarif.MAX_GZIP_BYTES))
    code, out, err = run_cli(["check", "--output-format", "sarif", "--jobs", "1"], tmp_path, monkeypatch)
    assert len(json.loads(out)["runs"][0]["results"]) == 3
    assert "ats-lint: SARIF: 2 of 5 results left out to stay within GitHub code scanning's limits" in err


def _git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def test_paths_are_relative_to_the_repository_root_from_a_subfolder(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app/settings.py": 'U = "https://b.s3.amazonaws.com/k"\n', "lib/x.py": 'U = "https://c.s3.amazonaws.com/k"\n'})
    _git_init(tmp_path)
    code, out, err = run_cli(["check", "--output-format", "sarif", "--jobs", "1", ".", "../lib"], tmp_path / "app", monkeypatch)
    run = json.loads(out)["runs"][0]
    validate(json.loads(out))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert sorted(u["uri"] for u in uris) == ["app/settings.py", "lib/x.py"]  # not `settings.py` and `../lib/x.py`
    assert {u["uriBaseId"] for u in uris} == {"%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


def test_without_git_paths_are_relative_to_the_scan_root(tmp_path, monkeypatch):
    write_tree(tmp_path, {"proj/app/settings.py": 'U = "https://b.s3.amazonaws.com/k"\n'})
    code, out, err = run_cli(["check", "--output-format", "sarif", "--jobs", "1", "proj"], tmp_path, monkeypatch)
    run = json.loads(out)["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/settings.py"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "proj").resolve().as_uri() + "/"


def test_github_annotations_are_relative_to_the_repository_root_too(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app/settings.py": 'U = "https://b.s3.amazonaws.com/k"\n'})
    _git_init(tmp_path)
    code, out, err = run_cli(["check", "--output-format", "github", "--jobs", "1"], tmp_path / "app", monkeypatch)
    assert out.startswith("::warning file=app/settings.py,line=1,")


def test_a_note_is_not_a_security_alert(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "certs/egress.pem": ATS_BUNDLE,
        "app/net.py": 'import requests\ns = requests.Session()\ns.verify = "certs/egress.pem"\n',
        "app/other.py": 'import requests\nrequests.get("https://x.example", verify="/etc/ssl/corp.pem")\n',
    })
    code, out, err = run_cli(["check", "--output-format", "sarif", "--jobs", "1"], tmp_path, monkeypatch)
    log = json.loads(out)
    validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_level = {r["level"]: r for r in run["results"]}
    note, warning = by_level["note"], by_level["warning"]
    assert warning["ruleId"] == "ATS201" and rules[warning["ruleIndex"]]["properties"]["security-severity"] == "5.0"
    assert note["ruleId"] == "ATS201/note"
    descriptor = rules[note["ruleIndex"]]
    assert descriptor["id"] == "ATS201/note" and descriptor["defaultConfiguration"]["level"] == "note"
    assert "security-severity" not in descriptor["properties"] and "security" not in descriptor["properties"]["tags"]
    assert all(len(r["properties"].get("tags", [])) <= 10 for r in rules)
