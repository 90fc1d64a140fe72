"""Inline suppressions: same line, any line of a multi-line statement, the comment line above,
and unused suppressions under --strict-suppressions."""
from __future__ import annotations

from helpers import check_json, run_cli, triples, write_tree

S3 = "https://bucket.s3.amazonaws.com/key"


def test_same_line_ignore_and_noqa(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": f'A = "{S3}"  # ats-lint: ignore[ATS101]\nB = "{S3}"  # noqa: E501, ATS101\nC = "{S3}"  # noqa\n'})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("app.py", 3, "ATS101")}


def test_suppression_on_any_line_of_a_multi_line_statement(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": f"""\
        import requests
        requests.get(  # ats-lint: ignore[ATS201]
            "https://x.example",
            verify="/etc/ssl/corp.pem",
        )
        requests.get(
            "https://x.example",
            verify="/etc/ssl/corp.pem",
        )  # ats-lint: ignore[ATS201]
        requests.get(
            "https://x.example",
            verify="/etc/ssl/corp.pem",
        )
        """})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("app.py", 12, "ATS201")}


def test_suppression_on_the_comment_line_above(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": f"""\
        # ats-lint: ignore[ATS101]
        # the legacy mirror; tracked in OPS-12
        A = "{S3}"
        B = "{S3}"
        """})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("app.py", 4, "ATS101")}


def test_trailing_suppression_on_a_code_line_does_not_cover_the_next_line(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": f'A = "{S3}"  # ats-lint: ignore\nB = "{S3}"\n'})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("app.py", 2, "ATS101")}


def test_directive_inside_a_python_string_is_not_a_suppression(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": f'A = "{S3}" + "# ats-lint: ignore"\n'})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("app.py", 1, "ATS101")}


def test_other_rule_code_does_not_suppress(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": f'A = "{S3}"  # ats-lint: ignore[ATS102]\n'})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("app.py", 1, "ATS101")}


def test_text_files_use_the_line_above_and_backslash_continuations(tmp_path, monkeypatch):
    write_tree(tmp_path, {"deploy.sh": f"""\
        # ats-lint: ignore[ATS101]
        curl {S3}
        curl -o out \\
          {S3}  # ats-lint: ignore
        curl {S3}
        """})
    assert triples(check_json(tmp_path, monkeypatch)[1]) == {("deploy.sh", 5, "ATS101")}


def test_unused_suppressions_are_not_reported_by_default(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": "X = 1  # ats-lint: ignore[ATS101]\n"})
    code, doc = check_json(tmp_path, monkeypatch)
    assert code == 0 and "unused_suppressions" not in doc


def test_unused_suppression_is_reported_and_fails_with_strict_suppressions(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": f"""\
        X = 1  # ats-lint: ignore[ATS101]
        Y = 2  # ats-lint: ignore
        A = "{S3}"  # noqa: ATS101, ATS102
        B = 3  # noqa: E501
        """})
    code, doc = check_json(tmp_path, monkeypatch, "--strict-suppressions")
    assert code == 1
    assert doc["findings"] == []
    assert doc["unused_suppressions"] == [
        {"path": "app.py", "line": 1, "column": 10, "codes": ["ATS101"], "message": "unused suppression: no ATS101 finding here"},
        {"path": "app.py", "line": 2, "column": 10, "codes": ["*"], "message": "unused suppression: `ats-lint: ignore` silences no finding here"},
        {"path": "app.py", "line": 3, "column": 46, "codes": ["ATS102"], "message": "unused suppression: no ATS102 finding here"},
    ]
    code, out, _ = run_cli(["check", "--strict-suppressions"], tmp_path, monkeypatch)
    assert "app.py:1:10: unused-suppression unused suppression: no ATS101 finding here" in out


def test_strict_suppressions_from_config(tmp_path, monkeypatch):
    write_tree(tmp_path, {".ats-lint.yaml": "strict-suppressions: true\n", "app.py": "X = 1  # ats-lint: ignore\n"})
    code, doc = check_json(tmp_path, monkeypatch)
    assert code == 1 and [u["line"] for u in doc["unused_suppressions"]] == [1]


def test_used_suppression_is_not_reported_even_when_the_rule_is_not_selected(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": f'A = "{S3}"  # ats-lint: ignore[ATS101]\n'})
    code, doc = check_json(tmp_path, monkeypatch, "--strict-suppressions", "--select", "ATS2")
    assert code == 0 and "unused_suppressions" not in doc


def test_noqa_for_other_linters_is_not_read_as_a_suppression_and_costs_no_tokenization(tmp_path, monkeypatch):
    from ats_lint.engine import suppression

    layouts: list[str] = []
    original = suppression._Layout.__init__

    def counting(self, text, kind):
        layouts.append(text.splitlines()[0])
        original(self, text, kind)

    monkeypatch.setattr(suppression._Layout, "__init__", counting)
    write_tree(tmp_path, {
        "lint.py": f'import os  # noqa: F401\nA = "{S3}"  # noqa: E501\nB = "{S3}"  # NOQA\n',
        "lower.py": f'# lower-case codes count\nA = "{S3}"  # noqa: e501,ats101\nB = "{S3}"  # noqa:ATS1\n',
        "notes.yaml": f"# noqa: ATS102 is only a ruff-style note here\nurl: {S3}\n",
    })
    code, doc = check_json(tmp_path, monkeypatch, "--strict-suppressions", "--jobs", "1")
    assert triples(doc) == {("lint.py", 2, "ATS101"), ("lint.py", 3, "ATS101"), ("notes.yaml", 2, "ATS101")}
    assert doc["unused_suppressions"] == [
        {"path": "notes.yaml", "line": 1, "column": 3, "codes": ["ATS102"], "message": "unused suppression: no ATS102 finding here"}]
    assert sorted(layouts) == ["# lower-case codes count", "# noqa: ATS102 is only a ruff-style note here"]
