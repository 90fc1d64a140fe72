"""The baseline: write today's findings, fail only on new ones, list stale entries."""
from __future__ import annotations

import json
from pathlib import Path

from helpers import check_json, run_cli, triples, write_tree

S3 = 'URL = "https://bucket.s3.amazonaws.com/key"\n'
CDN = 'CDN = "https://d111.cloudfront.net/app.js"\n'
TRUST = 'import requests\nrequests.get("https://x.example", verify="/etc/ssl/corp.pem")\n'


def write_baseline(tmp_path, monkeypatch, *args: str, file: str = "baseline.json") -> dict:
    code, out, err = run_cli(["check", "--jobs", "1", "--write-baseline", file, *args], tmp_path, monkeypatch)
    assert code == 0, err
    return json.loads((tmp_path / file).read_text())


def test_write_baseline_records_every_current_finding_and_exits_0(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3 + CDN, "net.py": TRUST})
    doc = write_baseline(tmp_path, monkeypatch)
    assert doc["tool"] == "ats-lint" and doc["version"] == 1
    assert [(e["path"], e["rule"]) for e in doc["findings"]] == [("app.py", "ATS101"), ("app.py", "ATS102"), ("net.py", "ATS201")]
    _, report = check_json(tmp_path, monkeypatch)
    assert {e["fingerprint"] for e in doc["findings"]} == {f["fingerprint"] for f in report["findings"]}


def test_baseline_file_is_sorted_without_lines_or_timestamps_one_entry_per_line(tmp_path, monkeypatch):
    write_tree(tmp_path, {"b.py": S3, "a.py": CDN + S3})
    write_baseline(tmp_path, monkeypatch)
    text = (tmp_path / "baseline.json").read_text()
    entries = json.loads(text)["findings"]
    assert [(e["path"], e["rule"]) for e in entries] == [("a.py", "ATS101"), ("a.py", "ATS102"), ("b.py", "ATS101")]
    assert all(set(e) == {"path", "rule", "fingerprint"} for e in entries)
    assert sum(1 for line in text.splitlines() if '"fingerprint"' in line) == 3
    assert "amazonaws" not in text and "cloudfront" not in text  # the baseline itself is never a finding
    write_baseline(tmp_path, monkeypatch)
    assert (tmp_path / "baseline.json").read_text() == text  # deterministic


def test_baseline_hides_known_findings_and_exits_0(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3 + CDN, "net.py": TRUST})
    write_baseline(tmp_path, monkeypatch)
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json")
    assert code == 0
    assert doc["findings"] == []
    assert doc["baseline"] == {"file": "baseline.json", "matched": 3, "stale": []}


def test_baseline_survives_lines_inserted_above(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3 + CDN, "net.py": TRUST})
    write_baseline(tmp_path, monkeypatch)
    for name in ("app.py", "net.py"):
        path = tmp_path / name
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(["# added\n", "\n", "import os\n"] + [line + "x = 1\n" if i else line for i, line in enumerate(lines)]))
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json")
    assert code == 0, doc["findings"]
    assert doc["baseline"]["matched"] == 3 and doc["baseline"]["stale"] == []


def test_baseline_survives_lines_removed_above(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": "import os\n\n\n" + S3})
    write_baseline(tmp_path, monkeypatch)
    (tmp_path / "app.py").write_text(S3)
    assert check_json(tmp_path, monkeypatch, "--baseline", "baseline.json")[0] == 0


def test_new_finding_is_reported_and_fails(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3})
    write_baseline(tmp_path, monkeypatch)
    (tmp_path / "app.py").write_text(S3 + CDN)
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json")
    assert code == 1
    assert triples(doc) == {("app.py", 2, "ATS102")}
    assert doc["summary"]["findings"] == 1


def test_one_baseline_entry_does_not_hide_a_second_identical_finding(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3})
    write_baseline(tmp_path, monkeypatch)
    (tmp_path / "app.py").write_text(S3 + "x = 1\n" + S3)
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json")
    assert code == 1
    assert triples(doc) == {("app.py", 3, "ATS101")}
    assert doc["baseline"]["matched"] == 1


def test_same_text_in_another_file_is_new(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3})
    write_baseline(tmp_path, monkeypatch)
    write_tree(tmp_path, {"copy.py": S3})
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json")
    assert code == 1 and triples(doc) == {("copy.py", 1, "ATS101")}


def test_fixed_finding_is_listed_as_stale_without_failing(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3 + CDN})
    doc = write_baseline(tmp_path, monkeypatch)
    cdn_entry = next(e for e in doc["findings"] if e["rule"] == "ATS102")
    (tmp_path / "app.py").write_text(S3)
    code, report = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json")
    assert code == 0
    assert report["baseline"]["stale"] == [cdn_entry]
    code, out, _ = run_cli(["check", "--baseline", "baseline.json"], tmp_path, monkeypatch)
    assert f"stale baseline entry: app.py ATS102 {cdn_entry['fingerprint']}" in out


def test_entries_of_files_not_scanned_are_not_stale(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3, "b.py": CDN})
    write_baseline(tmp_path, monkeypatch)
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json", "a.py")  # as pre-commit passes files
    assert code == 0 and doc["baseline"] == {"file": "baseline.json", "matched": 1, "stale": []}
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json", "--select", "ATS102")
    assert code == 0 and doc["baseline"] == {"file": "baseline.json", "matched": 1, "stale": []}


def test_entry_of_deleted_file_is_stale(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3, "b.py": CDN})
    write_baseline(tmp_path, monkeypatch)
    (tmp_path / "b.py").unlink()
    code, doc = check_json(tmp_path, monkeypatch, "--baseline", "baseline.json", "a.py")
    assert code == 0 and [(e["path"], e["rule"]) for e in doc["baseline"]["stale"]] == [("b.py", "ATS102")]


def test_rewriting_with_some_files_keeps_entries_of_the_others(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3, "b.py": CDN})
    before = write_baseline(tmp_path, monkeypatch)
    after = write_baseline(tmp_path, monkeypatch, "a.py")
    assert after == before


def test_baseline_from_config_applies_without_flags_and_paths_are_relative_to_it(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.ats-lint]\nbaseline = ".ats-lint-baseline.json"\n',
        "src/app.py": S3,
    })
    code, _, err = run_cli(["check", "--jobs", "1", "--write-baseline"], tmp_path, monkeypatch)
    assert code == 0 and "wrote 1 baseline entry" in err
    entries = json.loads((tmp_path / ".ats-lint-baseline.json").read_text())["findings"]
    assert [e["path"] for e in entries] == ["src/app.py"]
    assert check_json(tmp_path, monkeypatch)[0] == 0
    assert check_json(tmp_path / "src", monkeypatch, "app.py")[0] == 0  # from a sub-folder too
    code, doc = check_json(tmp_path, monkeypatch, "--no-baseline")
    assert code == 1 and triples(doc) == {("src/app.py", 1, "ATS101")}


def test_missing_or_invalid_baseline_is_a_usage_error(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3, "bad.json": "[1, 2]\n"})
    code, _, err = run_cli(["check", "--baseline", "nope.json"], tmp_path, monkeypatch)
    assert code == 2 and "nope.json: baseline file not found" in err
    code, _, err = run_cli(["check", "--baseline", "bad.json"], tmp_path, monkeypatch)
    assert code == 2 and "bad.json: not an ats-lint baseline" in err
    code, _, err = run_cli(["check", "--baseline", "bad.json", "--write-baseline", "x.json"], tmp_path, monkeypatch)
    assert code == 2 and "cannot be used together" in err
    code, _, err = run_cli(["check", "--write-baseline"], tmp_path, monkeypatch)
    assert code == 2 and "give a FILE or set `baseline`" in err
