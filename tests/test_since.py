"""--since REF: only files changed since a git ref."""
from __future__ import annotations

import subprocess

from helpers import check_json, run_cli, triples, write_tree

S3 = 'URL = "https://bucket.s3.amazonaws.com/key"\n'


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin"})


def repo(tmp_path):
    write_tree(tmp_path, {"old.py": S3, "renamed.py": S3 + "X = 1\n", "deleted.py": S3, "same.py": S3})
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    git(tmp_path, "checkout", "-qb", "feature")
    return tmp_path


def test_only_added_modified_renamed_and_untracked_files_are_scanned(tmp_path, monkeypatch):
    repo(tmp_path)
    write_tree(tmp_path, {"old.py": S3 + S3, "added.py": S3, "untracked.py": S3, ".gitignore": "ignored.py\n", "ignored.py": S3})
    git(tmp_path, "mv", "renamed.py", "moved.py")
    git(tmp_path, "rm", "-q", "deleted.py")
    git(tmp_path, "add", "old.py", "added.py", ".gitignore")
    git(tmp_path, "commit", "-qm", "change")
    code, doc = check_json(tmp_path, monkeypatch, "--since", "main")
    assert code == 1
    assert {path for path, _, _ in triples(doc)} == {"old.py", "added.py", "untracked.py", "moved.py"}
    assert doc["summary"]["files_scanned"] == 5  # .gitignore is scanned too


def test_since_intersects_with_given_paths_and_reports_paths_relative_to_cwd(tmp_path, monkeypatch):
    repo(tmp_path)
    write_tree(tmp_path, {"sub/a.py": S3, "b.py": S3})
    code, doc = check_json(tmp_path, monkeypatch, "--since", "main", "sub")
    assert triples(doc) == {("sub/a.py", 1, "ATS101")}
    code, doc = check_json(tmp_path / "sub", monkeypatch, "--since", "main")
    assert triples(doc) == {("a.py", 1, "ATS101"), ("../b.py", 1, "ATS101")}


def test_nothing_changed_is_clean(tmp_path, monkeypatch):
    repo(tmp_path)
    code, doc = check_json(tmp_path, monkeypatch, "--since", "HEAD")
    assert code == 0 and doc["summary"]["files_scanned"] == 0


def test_changed_files_still_obey_excludes(tmp_path, monkeypatch):
    repo(tmp_path)
    write_tree(tmp_path, {"vendor/lib.py": S3, ".ats-lint.yaml": "exclude: [vendor/]\n"})
    code, doc = check_json(tmp_path, monkeypatch, "--since", "main")
    assert code == 0 and doc["findings"] == []


def test_unknown_ref_is_a_clear_error(tmp_path, monkeypatch):
    repo(tmp_path)
    code, _, err = run_cli(["check", "--since", "no-such-branch"], tmp_path, monkeypatch)
    assert code == 2
    assert err.startswith("ats-lint: error: --since no-such-branch: unknown git ref")


def test_outside_a_git_repository_is_a_clear_error(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": S3})
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = run_cli(["check", "--since", "main"], tmp_path, monkeypatch)
    assert code == 2
    assert err == f"ats-lint: error: --since main: {tmp_path} is not inside a git repository\n"
