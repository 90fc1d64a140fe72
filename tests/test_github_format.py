"""--format github: GitHub Actions workflow commands, escaped."""
from __future__ import annotations

from ats_lint.model import Finding, RunResult, ScanError
from ats_lint.report.github import to_github
from ats_lint.rules import all_rules
from helpers import run_cli, write_tree


def test_one_annotation_per_finding(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": 'A = 1\nURL = "https://bucket.s3.amazonaws.com/key"\n'})
    code, out, _ = run_cli(["check", "--format", "github"], tmp_path, monkeypatch)
    assert code == 1
    lines = out.splitlines()
    rule = all_rules()["ATS101"]
    assert lines[0].startswith("::warning file=app.py,line=2,col=7,endLine=2,endColumn=44,title=ATS101::HTTPS to the default S3 endpoint `bucket.s3.amazonaws.com`")
    assert lines[0].endswith(f"%0Ahelp: {rule.help}%0A{rule.help_url}")
    assert lines[1] == "ats-lint: 1 finding in 1 file."


def test_commas_colons_newlines_and_percent_are_escaped():
    result = RunResult(
        findings=[Finding("ATS102", "a,b:c%d.py", 3, 5, 3, 9, "line one\nline two: 100% sure, really\r", severity="note", category="cloudfront-domain")],
        errors=[ScanError("x,y.py", "parse-error", "bad: token\nhere")],
        files_scanned=2,
    )
    lines = to_github(result).splitlines()
    help_text = all_rules()["ATS102"].help.replace("%", "%25")
    assert lines[0] == (
        "::notice file=a%2Cb%3Ac%25d.py,line=3,col=5,endLine=3,endColumn=9,title=ATS102::"
        f"line one\\nline two: 100%25 sure, really\\r%0Ahelp: {help_text}%0A{all_rules()['ATS102'].help_url}"
    )
    assert lines[1] == "::warning file=x%2Cy.py,title=ats-lint parse-error::bad: token\\nhere"
    assert lines[2] == "ats-lint: 1 finding in 2 files."
    assert len(lines) == 3


def test_error_severity_uses_the_error_command():
    result = RunResult(findings=[Finding("ATS202", "a.py", 1, 1, 2, 1, "m", severity="error")], files_scanned=1)
    assert to_github(result).splitlines()[0] == f"::error file=a.py,line=1,col=1,endLine=2,title=ATS202::m%0Ahelp: {all_rules()['ATS202'].help.replace('%', '%25')}%0A{all_rules()['ATS202'].help_url}"
