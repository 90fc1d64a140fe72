"""Hostile repositories (issue #17): a scanned tree is untrusted input.

No code of the scanned tree runs, no file outside what the command line names is written or
deleted, nothing outside the scanned root is read for values, and every pattern, resolution and
read is bounded in time and memory. Each test is one reproduction of an attack on the old tree.
Cases that could hang or kill the interpreter run in a subprocess with a timeout.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import check_json, run_cli, triples, write_tree

S3 = 'URL = "https://bucket.s3.amazonaws.com/key"\n'
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


@pytest.fixture(autouse=True)
def _cache_outside(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**GIT_ENV, "HOME": str(cwd)})


def ats_lint(cwd: Path, *args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m ats_lint ARGS` in a subprocess (the README's invocation), with a timeout guard."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(cwd.parent / "xdg-cache"), **(env or {})}
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])  # this checkout, not the cwd
    return subprocess.run([sys.executable, "-m", "ats_lint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=environment)


# --------------------------------------------------------------------------- code execution


def test_python_m_does_not_import_modules_of_the_scanned_tree(tmp_path):
    repo = write_tree(tmp_path / "repo", {"app.py": S3})
    for name in ("yaml", "libcst", "pathspec", "json", "tomllib", "ats_lint_plugin"):
        (repo / f"{name}.py").write_text(f"open({str(repo / 'PWNED')!r} + {name!r}, 'w').close()\n")
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", ".")
    assert proc.returncode == 1, proc.stderr
    assert not list(repo.glob("PWNED*"))


def test_since_runs_no_clean_or_smudge_filter_of_the_scanned_repository(tmp_path):
    repo = write_tree(tmp_path / "repo", {"a.py": S3, ".gitattributes": "*.py filter=x\n"})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    marker = tmp_path / "FILTER-RAN"
    git(repo, "config", "filter.x.clean", f"touch {marker}; cat")
    git(repo, "config", "filter.x.smudge", f"touch {marker}; cat")
    git(repo, "config", "filter.x.required", "true")
    (repo / "a.py").write_text(S3 + S3)
    os.utime(repo / "a.py", (1_000_000_000, 1_000_000_000))  # stat-dirty: git must read it to compare
    (repo / "b.py").write_text(S3)
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", "--since", "HEAD")
    assert proc.returncode == 1, proc.stderr
    assert {f["path"] for f in json.loads(proc.stdout)["findings"]} == {"a.py", "b.py"}
    assert not marker.exists()


# --------------------------------------------------------------------------- data loss


@pytest.mark.parametrize("name", ["--write-baseline=main.py", "--ignore=ATS", "--output=main.py", "--exit-zero"])
def test_a_file_name_that_looks_like_an_option_is_never_read_as_one(tmp_path, monkeypatch, name):
    write_tree(tmp_path, {"main.py": S3, name: "x = 1\n"})
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "main.py", name], tmp_path, monkeypatch)
    assert code == 2
    assert "is also the name of a file" in err and "\n" not in err.strip()
    assert (tmp_path / "main.py").read_text() == S3


def test_repository_config_cannot_aim_the_baseline_outside_the_repository(tmp_path, monkeypatch):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    repo = write_tree(tmp_path / "repo", {"app.py": S3, ".ats-lint.yaml": "baseline: ../notes.txt\n"})
    (repo / ".git").mkdir()
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--write-baseline"], repo, monkeypatch)
    assert code == 2
    assert "leaves the repository" in err and ".ats-lint.yaml" in err
    assert notes.read_text() == "my notes\n"


def test_repository_config_cannot_aim_the_cache_outside_the_repository(tmp_path, monkeypatch):
    repo = write_tree(tmp_path / "home" / "user" / "repo", {"app.py": S3, ".ats-lint.yaml": "cache-dir: ../..\n"})
    code, out, err = run_cli(["check", "--quiet"], repo, monkeypatch)
    assert code == 2 and "leaves the repository" in err
    assert not (tmp_path / "home" / "CACHEDIR.TAG").exists()
    code, out, err = run_cli(["clean"], repo, monkeypatch)
    assert code == 2 and "leaves the repository" in err


def test_clean_deletes_nothing_in_a_folder_ats_lint_did_not_create(tmp_path, monkeypatch):
    repo = write_tree(tmp_path, {"app.py": S3, ".ats-lint.yaml": "cache-dir: data\n",
                                 "data/results-2024.json": "{}", "data/results-x.json": "[1]"})
    code, out, err = run_cli(["clean"], repo, monkeypatch)
    assert code == 0
    assert sorted(p.name for p in (repo / "data").iterdir()) == ["results-2024.json", "results-x.json"]
    assert "not an ats-lint cache" in out


def test_the_cache_never_tags_an_existing_user_folder(tmp_path, monkeypatch):
    repo = write_tree(tmp_path, {"src/app.py": S3, ".ats-lint.yaml": "cache-dir: src\n"})
    os.utime(repo / "src" / "app.py", (1_000_000_000, 1_000_000_000))  # old enough to be cached
    for _ in range(2):
        code, doc = check_json(repo, monkeypatch, "--quiet")
        assert code == 1
        assert triples(doc) == {("src/app.py", 1, "ATS101")}
    assert sorted(p.name for p in (repo / "src").iterdir()) == ["app.py"]


def test_the_cache_works_in_a_folder_it_created_and_clean_empties_it(tmp_path, monkeypatch):
    repo = write_tree(tmp_path, {"app.py": S3, ".ats-lint.yaml": "cache-dir: .ats_lint_cache\n"})
    os.utime(repo / "app.py", (1_000_000_000, 1_000_000_000))
    check_json(repo, monkeypatch, "--quiet")
    assert list((repo / ".ats_lint_cache").glob("results-*.json"))
    code, out, err = run_cli(["clean"], repo, monkeypatch)
    assert code == 0 and "Removed 1 cache file" in out
    assert not list((repo / ".ats_lint_cache").glob("results-*.json"))


def test_write_baseline_refuses_a_symlink_or_a_device(tmp_path, monkeypatch):
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("precious\n")
    repo = write_tree(tmp_path / "repo", {"app.py": S3})
    (repo / "link.json").symlink_to(secret)
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--write-baseline", "link.json"], repo, monkeypatch)
    assert code == 2 and "not a regular file" in err
    assert secret.read_text() == "precious\n"
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--write-baseline", "/dev/null"], repo, monkeypatch)
    assert code == 2 and "not a regular file" in err


def test_write_baseline_uses_an_unpredictable_temporary_name(tmp_path, monkeypatch):
    repo = write_tree(tmp_path / "repo", {"app.py": S3})
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    for pid in range(os.getpid() - 2, os.getpid() + 3):
        (repo / f".base.json.tmp{pid}").symlink_to(victim)
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--write-baseline", "base.json"], repo, monkeypatch)
    assert code == 0, err
    assert victim.read_text() == "precious\n"
    assert json.loads((repo / "base.json").read_text())["tool"] == "ats-lint"
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith(".base")) == sorted(
        f".base.json.tmp{pid}" for pid in range(os.getpid() - 2, os.getpid() + 3))
