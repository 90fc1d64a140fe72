"""The command line: exit codes, JSON shape, configuration, selection, discovery, errors."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import check_json, run_cli, triples, write_tree

RISKY = {"app.py": 'URL = "https://b.s3.amazonaws.com/k"\nCDN = "https://d1.cloudfront.net"\n'}


def test_exit_code_is_1_with_findings_and_0_without(tmp_path, monkeypatch):
    write_tree(tmp_path / "risky", RISKY)
    write_tree(tmp_path / "clean", {"app.py": 'URL = "http://b.s3.amazonaws.com"\n'})
    assert run_cli(["check", "risky"], tmp_path, monkeypatch)[0] == 1
    assert run_cli(["check", "clean"], tmp_path, monkeypatch)[0] == 0
    assert run_cli(["check", "--exit-zero", "risky"], tmp_path, monkeypatch)[0] == 0


def test_json_document_has_the_spec_shape(tmp_path, monkeypatch):
    write_tree(tmp_path, {**RISKY, "bad.py": "def (:\n    verify=x\n"})
    code, doc = check_json(tmp_path, monkeypatch)
    assert code == 1
    assert set(doc) == {"tool", "version", "findings", "errors", "summary"}
    assert doc["tool"] == "ats-lint"
    finding = doc["findings"][0]
    assert set(finding) == {"rule", "category", "severity", "path", "line", "column", "end_line", "end_column",
                            "message", "remediation", "faq", "help_url", "fingerprint"}
    assert (finding["rule"], finding["category"], finding["path"], finding["line"], finding["column"]) == ("ATS101", "s3-endpoint", "app.py", 1, 7)
    assert "Resolution option 1" in finding["remediation"] and finding["faq"] and finding["help_url"].startswith("https://")
    assert doc["errors"] == [{"path": "bad.py", "kind": "parse-error", "message": doc["errors"][0]["message"]}]
    assert doc["summary"] == {"files_scanned": 2, "findings": 2, "by_category": {"s3-endpoint": 1, "cloudfront-domain": 1},
                              "verdict": "ready", "reasons": doc["summary"]["reasons"]}


def test_output_is_deterministic_and_sorted(tmp_path, monkeypatch):
    files = {f"pkg/m{i}.py": f'A = "https://b{i}.s3.amazonaws.com"\nB = "https://d{i}.cloudfront.net"\n' for i in range(60)}
    write_tree(tmp_path, files)
    _, one = check_json(tmp_path, monkeypatch, "--jobs", "1")
    _, two = run_cli(["check", "--format", "json", "--jobs", "2"], tmp_path, monkeypatch)[:2]
    assert json.loads(two) == one
    keys = [(f["path"], f["line"], f["column"], f["rule"]) for f in one["findings"]]
    assert keys == sorted(keys) and len(keys) == 120


def test_text_output_in_ruff_style_without_colour_in_a_pipe(tmp_path, monkeypatch):
    write_tree(tmp_path, RISKY)
    code, out, _ = run_cli(["check"], tmp_path, monkeypatch)
    lines = out.splitlines()
    assert lines[0].startswith("app.py:1:7: ATS101 ")
    assert lines[1].startswith("  help: ") and "Resolution option 1" in lines[1]
    assert lines[lines.index("Verdict: ready") - 1] == "Found 2 findings (2 warnings) in 1 of 1 scanned file."  # the verdict closes the output
    assert "\033[" not in out


def test_select_and_ignore_take_ids_and_prefixes(tmp_path, monkeypatch):
    write_tree(tmp_path, RISKY)
    assert {f["rule"] for f in check_json(tmp_path, monkeypatch, "--select", "ATS101")[1]["findings"]} == {"ATS101"}
    assert {f["rule"] for f in check_json(tmp_path, monkeypatch, "--ignore", "ATS10")[1]["findings"]} == set()
    assert {f["rule"] for f in check_json(tmp_path, monkeypatch, "--select", "ATS1", "--ignore", "ATS102")[1]["findings"]} == {"ATS101"}


@pytest.mark.parametrize("args, needle", [
    (["check", "--select", "ATS999"], "unknown rule id or prefix 'ATS999'"),
    (["check", "missing-folder"], "no such file or folder: missing-folder"),
    (["check", "--config", "nope.toml"], "nope.toml: configuration file not found"),
    (["check", "--format", "xml"], "invalid choice"),
    (["explain", "ATS999"], "unknown rule 'ATS999'"),
])
def test_usage_errors_exit_2_with_one_line(args, needle, tmp_path, monkeypatch):
    code, out, err = run_cli(args, tmp_path, monkeypatch)
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name, content, needle", [
    ("pyproject.toml", "[tool.ats-lint]\nselect = [\n", "invalid TOML"),
    (".ats-lint.yaml", "select: [ATS101\n", "invalid YAML"),
    (".ats-lint.yaml", "selekt: [ATS101]\n", "unknown key 'selekt'"),
    (".ats-lint.yaml", "respect-gitignore: maybe\n", "key 'respect-gitignore': expected true or false"),
    (".ats-lint.yaml", "select: [ATS777]\n", "unknown rule id or prefix 'ATS777'"),
    (".ats-lint.yaml", "max-file-size: huge\n", "key 'max-file-size': expected a size"),
    (".ats-lint.yaml", "- a\n- b\n", "expected a mapping"),
])
def test_configuration_errors_name_the_file_and_key(name, content, needle, tmp_path, monkeypatch):
    write_tree(tmp_path, {name: content, **RISKY})
    code, out, err = run_cli(["check"], tmp_path, monkeypatch)
    assert code == 2 and out == ""
    assert name in err and needle in err and len(err.strip().splitlines()) == 1


def test_config_discovered_from_pyproject_and_cli_flags_win(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pyproject.toml": '[tool.ats-lint]\nselect = ["ATS102"]\nextend-exclude = ["vendor/"]\n',
                          **RISKY, "vendor/lib.py": 'U = "https://d9.cloudfront.net"\n'})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("app.py", 2, "ATS102")}
    assert triples(check_json(tmp_path, monkeypatch, "--select", "ATS101")[1]) == {("app.py", 1, "ATS101")}
    # config is found from a sub-folder too
    write_tree(tmp_path, {"sub/x.py": 'U = "https://b.s3.amazonaws.com"\nC = "https://d2.cloudfront.net"\n'})
    assert triples(check_json(tmp_path / "sub", monkeypatch)[1]) == {("x.py", 2, "ATS102")}


def test_yaml_config_and_per_file_ignores(tmp_path, monkeypatch):
    write_tree(tmp_path, {".ats-lint.yaml": "per-file-ignores:\n  'tests/*': [ATS1]\n", **RISKY, "tests/t.py": RISKY["app.py"]})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("app.py", 1, "ATS101"), ("app.py", 2, "ATS102")}


def test_default_excluded_folders_and_gitignore(tmp_path, monkeypatch):
    risky = RISKY["app.py"]
    write_tree(tmp_path, {
        "src/app.py": risky, "node_modules/x/i.js": risky, ".venv/lib/m.py": risky, "build/m.py": risky,
        "dist/m.py": risky, ".tox/m.py": risky, "__pycache__/m.py": risky, "generated/g.py": risky,
        "ios/Pods/Alamofire/m.py": risky, "ios/Pods/Manifest.lock": "PODS:\n", "Carthage/Checkouts/m.py": risky,
        "deploy/Pods/m.py": risky,
        "src/local.py": risky, ".gitignore": "generated/\n", "src/.gitignore": "local.py\n",
    })
    # (a folder named `Pods` is CocoaPods' only with its `Manifest.lock`)
    assert {f["path"] for f in check_json(tmp_path, monkeypatch)[1]["findings"]} == {"src/app.py", "deploy/Pods/m.py"}
    paths = {f["path"] for f in check_json(tmp_path, monkeypatch, "--no-gitignore")[1]["findings"]}
    assert paths == {"src/app.py", "generated/g.py", "src/local.py", "deploy/Pods/m.py"}
    assert {f["path"] for f in check_json(tmp_path, monkeypatch, "--exclude", "src/app.py")[1]["findings"]} == {"deploy/Pods/m.py"}


def test_explicit_file_is_scanned_even_if_excluded_unless_force_exclude(tmp_path, monkeypatch):
    write_tree(tmp_path, {".ats-lint.yaml": "exclude: ['legacy/']\n", "legacy/a.py": RISKY["app.py"]})
    assert len(check_json(tmp_path, monkeypatch, "legacy/a.py")[1]["findings"]) == 2
    assert check_json(tmp_path, monkeypatch, "--force-exclude", "legacy/a.py")[1]["findings"] == []


def test_inline_suppressions(tmp_path, monkeypatch):
    code = (
        'A = "https://a.s3.amazonaws.com"  # ats-lint: ignore[ATS101]\n'
        'B = "https://b.s3.amazonaws.com"  # ats-lint: ignore\n'
        'C = "https://c.s3.amazonaws.com"  # noqa: ATS101\n'
        'D = "https://d.s3.amazonaws.com"  # ats-lint: ignore[ATS102]\n'
        'E = "https://e.s3.amazonaws.com"  # noqa\n'
    )
    write_tree(tmp_path, {"m.py": code})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("m.py", 4, "ATS101"), ("m.py", 5, "ATS101")}


def test_rules_and_explain(tmp_path, monkeypatch):
    code, out, _ = run_cli(["rules"], tmp_path, monkeypatch)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["ATS101", "ATS102", "ATS201", "ATS202", "ATS301", "ATS302"]
    code, out, _ = run_cli(["explain", "ats202"], tmp_path, monkeypatch)
    assert code == 0 and out.startswith("# ATS202 trust-store-missing-ats (trust-store-missing-ats)")
    assert "What do I need to do? - Resolution option 1" in out


def test_output_file(tmp_path, monkeypatch):
    write_tree(tmp_path / "src", RISKY)
    code, out, _ = run_cli(["check", "src", "--format", "json", "--output", "report.json"], tmp_path, monkeypatch)
    assert code == 1 and out == ""
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["findings"] == 2


def test_scan_never_modifies_the_tree(tmp_path, monkeypatch):
    write_tree(tmp_path, {**RISKY, "bad.py": "def (:\n", "certs/b.pem": "{{pem:DigiCert Global Root G2}}",
                          "c.py": "import requests\nrequests.get('u', verify='certs/b.pem')\n"})

    def digest():
        return {p.relative_to(tmp_path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(tmp_path.rglob("*")) if p.is_file()}

    before = digest()
    check_json(tmp_path, monkeypatch)
    assert digest() == before


def test_python_dash_m_entry_point(tmp_path):
    write_tree(tmp_path, RISKY)
    proc = subprocess.run([sys.executable, "-m", "ats_lint", "check", "--format", "json", "."], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["findings"] == 2


def test_an_internal_failure_is_one_line_and_exit_2(tmp_path, monkeypatch):
    import ats_lint.engine.run as engine

    def broken(*args, **kwargs):
        raise RuntimeError("worker pool died")

    monkeypatch.setattr(engine, "run", broken)
    write_tree(tmp_path, RISKY)
    code, out, err = run_cli(["check", "."], tmp_path, monkeypatch)
    assert code == 2 and out == ""
    assert err == "ats-lint: internal error: RuntimeError: worker pool died (please report it)\n"
