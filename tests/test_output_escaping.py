"""Scanned text cannot forge output (issue #17): control characters, newlines, finding lines,
GitHub workflow commands, terminal escapes and Markdown are neutralised in every format."""
from __future__ import annotations

import json
import re

import pytest

from helpers import run_cli, write_tree

# A trust-store path whose value holds a newline + a forged workflow command and an OSC title
# sequence: ATS201 quotes the path back in its message.
HOSTILE_PY = 'import requests\nrequests.get("https://a.example", verify="/etc/\\n::error file=README.md::Forged\\x1b]0;pwned\\x07.pem")\n'
FORGED_NAME = "a.py:1:1: ATS999 forged"
MARKDOWN_BAIT = "![t](https://evil.example/p.png) [click](https://evil.example) @octocat"


def verify(value: str) -> str:
    return f'import requests\nrequests.get("https://a.example", verify="{value}")\n'


@pytest.fixture
def hostile(tmp_path):
    write_tree(tmp_path, {
        "app.py": HOSTILE_PY,
        FORGED_NAME: 'URL = "https://y.s3.amazonaws.com/b"\n',
        "bait.py": verify(f"/etc/{MARKDOWN_BAIT}.pem"),
    })
    return tmp_path


def test_text_output_has_no_control_character_and_no_forged_line(hostile, monkeypatch):
    code, out, _ = run_cli(["check", "--jobs", "1", "--no-cache"], hostile, monkeypatch)
    assert code == 1
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
    lines = out.splitlines()
    assert not any(line.startswith("::") for line in lines)
    assert not any(line.startswith("a.py:1:1:") for line in lines)  # the file name does not forge a finding
    assert "'a.py:1:1: ATS999 forged':1:8: ATS101 " in out  # it is quoted, as ls quotes it
    assert "\\n::error file=README.md::Forged\\x1b]0;pwned\\x07" in out  # shown, escaped


def test_concise_output_quotes_the_forged_name_too(hostile, monkeypatch):
    _, out, _ = run_cli(["check", "--jobs", "1", "--no-cache", "--output-format", "concise"], hostile, monkeypatch)
    assert [line.split(":")[0] for line in out.splitlines()[:-1]] == ["'a.py", "app.py", "bait.py"]


def test_github_format_cannot_be_given_a_second_command(hostile, monkeypatch):
    _, out, _ = run_cli(["check", "--jobs", "1", "--no-cache", "--output-format", "github"], hostile, monkeypatch)
    lines = out.splitlines()
    assert sum(1 for line in lines if line.startswith("::")) == 3  # one annotation per finding, nothing forged
    assert not any(line.startswith("::error file=README.md") for line in lines)
    assert "\\n::error file=README.md::Forged" in out  # visible in the message, not a command
    assert "\x1b" not in out and "\x07" not in out


def test_markdown_renders_no_image_link_or_mention(hostile, monkeypatch):
    _, out, _ = run_cli(["check", "--jobs", "1", "--no-cache", "--output-format", "markdown"], hostile, monkeypatch)
    assert "\x1b" not in out
    assert "/etc/" in out  # the bait is in the report
    for syntax in ("![t]", "(https://evil", "[click]", "@octocat", "https://evil"):
        assert syntax not in out, syntax
    assert "@\u2060octocat" in out and "&#91;click&#93;" in out  # the characters are there, as text


def test_json_and_sarif_escape_what_json_dumps_leaves_raw(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": verify("/etc/a\\x9b31m\\u2028b.pem")})
    for fmt in ("json", "sarif"):
        _, out, _ = run_cli(["check", "--jobs", "1", "--no-cache", "--output-format", fmt], tmp_path, monkeypatch)
        assert "\x9b" not in out and "\u2028" not in out
        json.loads(out)  # still valid JSON
        assert "\\u009b" in out


def test_html_report_shows_control_characters_as_escapes(hostile, monkeypatch):
    out_file = hostile / "report.html"
    run_cli(["check", "--jobs", "1", "--no-cache", "--output-format", "html", "--output-file", str(out_file)], hostile, monkeypatch)
    page = out_file.read_text(encoding="utf-8")
    assert "\x1b" not in page and "\x07" not in page
