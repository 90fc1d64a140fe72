"""The conventions of ruff and pre-commit (issue #11): option spellings, environment variables,
stdin, `rule ID`, -q, help text, config type errors, did-you-mean, concise/full formats,
--fix --diff, file-level suppression and unknown directives, probe JSON on failure."""
from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pytest

from ats_lint import __version__
from ats_lint.cli.commands import build_parser
from helpers import run_cli, write_tree

S3 = 'URL = "https://labels.s3.amazonaws.com/a.pdf"\n'
S3_2 = 'URL2 = "https://thumbs.s3.amazonaws.com/b.png"\n'
DIGICERT = "{{pem:DigiCert Global Root G2}}"
BUNDLE_TREE = {
    "certs/partner.pem": DIGICERT,
    "app/net.py": 'import requests\nrequests.get("https://x.example", verify="../certs/partner.pem")\n',
    "Dockerfile": "FROM python:3.12\nENV REQUESTS_CA_BUNDLE=certs/partner.pem\n",
}


def test_every_option_of_every_command_has_help_text():
    parser = build_parser()
    missing = []

    def walk(p: argparse.ArgumentParser, where: str) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{where} {name}")
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{where}: {'/'.join(action.option_strings) or action.dest}")
    walk(parser, "ats-lint")
    assert missing == []


@pytest.mark.parametrize("args", [["-V"], ["--version"]])
def test_version_flags(args, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(args)
    assert exc.value.code == 0 and capsys.readouterr().out == f"ats-lint {__version__}\n"


def test_ruff_spellings_of_format_output_file_exit_zero_and_no_cache(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3})
    code, out, _ = run_cli(["check", "--output-format", "json", "--output-file", "r.json", "-e", "-n"], tmp_path, monkeypatch)
    assert code == 0 and out == ""
    assert [f["rule"] for f in json.loads((tmp_path / "r.json").read_text())["findings"]] == ["ATS101"]


def test_the_output_format_comes_from_the_environment_unless_given(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3})
    monkeypatch.setenv("ATS_LINT_OUTPUT_FORMAT", "json")
    assert json.loads(run_cli(["check"], tmp_path, monkeypatch)[1])["findings"][0]["rule"] == "ATS101"
    assert run_cli(["check", "--output-format", "concise"], tmp_path, monkeypatch)[1].startswith("a.py:1:7: ATS101 ")
    monkeypatch.setenv("ATS_LINT_OUTPUT_FORMAT", "yaml")
    code, out, err = run_cli(["check"], tmp_path, monkeypatch)
    assert code == 2 and "ATS_LINT_OUTPUT_FORMAT='yaml' is not an output format" in err


def test_extend_select_adds_to_the_configured_selection(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pyproject.toml": '[tool.ats-lint]\nselect = ["ATS102"]\n', "a.py": S3 + 'C = "https://d1.cloudfront.net/x"\n'})
    _, out, _ = run_cli(["check", "--output-format", "concise"], tmp_path, monkeypatch)
    assert [line.split()[1] for line in out.splitlines()[:-1]] == ["ATS102"]
    _, out, _ = run_cli(["check", "--output-format", "concise", "--extend-select", "ATS101"], tmp_path, monkeypatch)
    assert [line.split()[1] for line in out.splitlines()[:-1]] == ["ATS101", "ATS102"]


def test_exclude_replaces_and_extend_exclude_adds(tmp_path, monkeypatch):
    write_tree(tmp_path, {".ats-lint.yaml": "exclude: [legacy/]\n", "legacy/a.py": S3, "vendor/b.py": S3, "app/c.py": S3})
    paths = lambda *a: {line.split(":")[0] for line in run_cli(["check", "--output-format", "concise", *a], tmp_path, monkeypatch)[1].splitlines()[:-1]}
    assert paths() == {"app/c.py", "vendor/b.py"}
    assert paths("--extend-exclude", "vendor/") == {"app/c.py"}
    assert paths("--exclude", "vendor/") == {"app/c.py", "legacy/a.py"}


def test_respect_gitignore_can_be_turned_off_and_on(tmp_path, monkeypatch):
    write_tree(tmp_path, {".gitignore": "gen/\n", "gen/a.py": S3, ".ats-lint.yaml": "respect-gitignore: false\n"})
    count = lambda *a: len(run_cli(["check", "--output-format", "concise", *a], tmp_path, monkeypatch)[1].splitlines()) - 1
    assert count() == 1
    assert count("--respect-gitignore") == 0
    assert count("--no-respect-gitignore") == 1


@pytest.mark.parametrize("flag, env, colored", [
    ("always", {}, True), ("never", {"FORCE_COLOR": "1"}, False), ("auto", {}, False),
    ("auto", {"FORCE_COLOR": "1"}, True), ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
])
def test_color_follows_the_flag_then_no_color_and_force_color(flag, env, colored, tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3})
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = run_cli(["check", "--color", flag], tmp_path, monkeypatch)[1]
    assert ("\033[" in out) is colored


def test_stdin_is_scanned_as_the_named_file(tmp_path, monkeypatch):
    write_tree(tmp_path, {"certs/partner.pem": DIGICERT, "app/__init__.py": ""})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'import requests\nrequests.get("https://x.example", verify="../certs/partner.pem")\n')))
    code, out, err = run_cli(["check", "-", "--stdin-filename", "app/net.py", "--output-format", "concise"], tmp_path, monkeypatch)
    assert code == 1, err
    assert [line.split(": ")[0] + " " + line.split()[1] for line in out.splitlines()[:-1]] == ["app/net.py:2:35 ATS201", "app/net.py:2:35 ATS202"]
    assert not (tmp_path / "app/net.py").exists()  # nothing written


def test_stdin_needs_a_file_name(tmp_path, monkeypatch):
    code, out, err = run_cli(["check", "-"], tmp_path, monkeypatch)
    assert code == 2 and "--stdin-filename" in err


def test_rule_is_a_spelling_of_explain(tmp_path, monkeypatch):
    assert run_cli(["rule", "ATS202"], tmp_path, monkeypatch)[1] == run_cli(["explain", "ATS202"], tmp_path, monkeypatch)[1] != ""


def test_quiet_prints_the_findings_and_nothing_else(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3, "b.py": "X = 1\n"})
    code, out, err = run_cli(["check", "-q"], tmp_path, monkeypatch)
    assert code == 1 and err == ""
    assert out.splitlines() == ["a.py:1:7: ATS101 HTTPS to the default S3 endpoint `labels.s3.amazonaws.com`: its certificate now chains to Amazon Trust Services"]
    assert run_cli(["check", "-q", "b.py"], tmp_path, monkeypatch)[1] == ""


@pytest.mark.parametrize("args, hint", [
    (["chek"], "did you mean 'check'?"),
    (["check", "--output-format", "jsn"], "did you mean 'json'?"),
])
def test_unknown_subcommands_and_values_suggest_the_closest(args, hint, tmp_path, monkeypatch):
    code, out, err = run_cli(args, tmp_path, monkeypatch)
    assert code == 2 and hint in err and len(err.splitlines()) == 1


def test_full_format_prints_each_rules_help_once_and_counts_files(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3 + S3_2, "b.py": S3, "c.py": "X = 1\n"})
    _, out, _ = run_cli(["check"], tmp_path, monkeypatch)
    assert out.count("help:") == 1
    assert "Found 3 findings (3 warnings) in 2 of 3 scanned files." in out


def test_concise_format_is_one_line_per_finding(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3 + S3_2})
    _, out, _ = run_cli(["check", "--output-format", "concise"], tmp_path, monkeypatch)
    lines = out.splitlines()
    assert [line[:18] for line in lines] == ["a.py:1:7: ATS101 H", "a.py:2:8: ATS101 H", "Found 2 findings."]


def test_full_format_says_how_many_findings_fix_would_fix(tmp_path, monkeypatch):
    write_tree(tmp_path, BUNDLE_TREE)
    _, out, _ = run_cli(["check"], tmp_path, monkeypatch)
    assert "2 fixable with `ats-lint check --fix` (preview: `ats-lint check --fix --diff`)." in out


@pytest.mark.parametrize("flag", ["--diff", "--dry-run"])
def test_fix_diff_shows_the_change_and_writes_nothing(flag, tmp_path, monkeypatch):
    write_tree(tmp_path, BUNDLE_TREE)
    before = (tmp_path / "certs/partner.pem").read_bytes()
    code, out, err = run_cli(["check", "--fix", flag], tmp_path, monkeypatch)
    assert code == 1
    assert out.startswith("--- a/certs/partner.pem\n+++ b/certs/partner.pem\n") and "+# Amazon Root CA 1" in out
    assert (tmp_path / "certs/partner.pem").read_bytes() == before
    assert err.splitlines() == ["ats-lint: fix: certs/partner.pem: would add Amazon Root CA 1, Amazon Root CA 2, Amazon Root CA 3, "
                                "Amazon Root CA 4, Starfield Services Root Certificate Authority - G2 (flagged at Dockerfile:2, app/net.py:2)"]


def test_fix_names_the_bundle_by_its_normalised_path_and_every_place(tmp_path, monkeypatch):
    write_tree(tmp_path, BUNDLE_TREE)
    code, out, err = run_cli(["check", "--fix", "--output-format", "concise"], tmp_path, monkeypatch)
    assert "ats-lint: fix: certs/partner.pem: added Amazon Root CA 1" in err
    assert err.rstrip().endswith("(flagged at Dockerfile:2, app/net.py:2)")
    assert "../" not in err
    assert run_cli(["check", "--diff"], tmp_path, monkeypatch)[0] == 0  # nothing left to fix


def test_ignore_file_silences_a_whole_file(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": "# ats-lint: ignore-file[ATS101]\n" + S3 + 'C = "https://d1.cloudfront.net/x"\n',
                          "b.py": "# ats-lint: ignore-file\n" + S3})
    code, out, _ = run_cli(["check", "--output-format", "concise"], tmp_path, monkeypatch)
    assert out.splitlines()[:-1] == ["a.py:3:5: ATS102 HTTPS to the default CloudFront domain `d1.cloudfront.net`: its certificate now chains to Amazon Trust Services"]


def test_an_unknown_directive_is_reported_and_suppresses_nothing(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3.rstrip("\n") + "  # ats-lint: ignore-next-line\n", "b.yaml": "# ats-lint: disable\nurl: https://b.s3.amazonaws.com/x\n"})
    code, out, _ = run_cli(["check", "--output-format", "json"], tmp_path, monkeypatch)
    doc = json.loads(out)
    assert {(f["path"], f["rule"]) for f in doc["findings"]} == {("a.py", "ATS101"), ("b.yaml", "ATS101")}
    assert [(e["path"], e["kind"], e["message"].split(":")[0]) for e in doc["errors"]] == [
        ("a.py", "unknown-directive", "line 1, column 50"), ("b.yaml", "unknown-directive", "line 1, column 3")]
    assert "`ats-lint: ignore-next-line`" in doc["errors"][0]["message"]


def test_probe_json_is_json_also_when_the_probe_cannot_run(tmp_path, monkeypatch):
    code, out, err = run_cli(["probe", "--format", "json", "--ca-bundle", "missing.pem"], tmp_path, monkeypatch)
    assert code == 2
    doc = json.loads(out)
    assert doc["verified"] is False and "no such file" in doc["error"] and doc["trust"] == "missing.pem"
