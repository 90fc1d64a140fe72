"""End to end with the real pre-commit (from PyPI, in the `test` extra).

A temporary git repository uses this checkout as a hook repository: `repo:` the local path,
`rev:` the commit under test (HEAD). pre-commit clones that commit and builds a virtualenv that
installs ats-lint from it, so the test needs PyPI and takes about a minute; it is marked
`precommit` and runs in the default test run (deselect with `-m "not precommit"`).

`rev: HEAD` tests what is committed. `pre-commit try-repo` tests the working tree (tracked
files, committed or not), as a developer would before committing; new untracked files of the
checkout are not part of it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.precommit

CHECKOUT = Path(__file__).resolve().parents[1]
RISKY = 'URL = "https://bucket.s3.amazonaws.com/key"\n'
SUPPRESSED = 'URL = "https://bucket.s3.amazonaws.com/key"  # ats-lint: ignore[ATS101]\n'
CLEAN = 'URL = "https://example.com/key"\n'


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", NO_COLOR="1")
    return env


def _run(cmd: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _pre_commit(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd, env)


def _git(cwd: Path, env: dict, *args: str) -> str:
    proc = _run(["git", *args], cwd, env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    pytest.importorskip("pre_commit", reason="pre-commit is in the `test` extra: pip install -e '.[test]'")
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture()
def project(tmp_path, home) -> tuple[Path, dict]:
    env = _env(home)
    work = tmp_path / "project"
    work.mkdir()
    _git(work, env, "init", "-q")
    (work / ".ats-lint.yaml").write_text("exclude: [legacy/]\n")
    return work, env


def _commit_under_test(env: dict) -> str:
    if _run(["git", "rev-parse", "--git-dir"], CHECKOUT, env).returncode != 0:
        pytest.skip(f"{CHECKOUT} is not a git checkout")
    if _run(["git", "cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"], CHECKOUT, env).returncode != 0:
        pytest.skip(".pre-commit-hooks.yaml is not committed yet: nothing for `rev:` to point at")
    return _git(CHECKOUT, env, "rev-parse", "HEAD")


def _stage(work: Path, env: dict, files: dict[str, str]) -> None:
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    _git(work, env, "add", *files)


def test_pre_commit_run_fails_on_a_staged_risky_file_and_passes_clean_suppressed_and_excluded(project):
    work, env = project
    rev = _commit_under_test(env)
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {CHECKOUT}\n    rev: {rev}\n    hooks:\n      - id: ats-lint\n"
    )
    _stage(work, env, {".pre-commit-config.yaml": (work / ".pre-commit-config.yaml").read_text(), ".ats-lint.yaml": "exclude: [legacy/]\n"})

    _stage(work, env, {"clean.py": CLEAN})
    proc = _pre_commit(["run"], work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ats-lint (Amazon Trust Services readiness)" in proc.stdout and "Passed" in proc.stdout

    _stage(work, env, {"risky.py": RISKY})
    proc = _pre_commit(["run"], work, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Failed" in proc.stdout
    assert "risky.py:1:7: ATS101 HTTPS to the default S3 endpoint `bucket.s3.amazonaws.com`" in proc.stdout

    _stage(work, env, {"risky.py": SUPPRESSED})
    proc = _pre_commit(["run"], work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # pre-commit names the file on the command line; the configured exclude still applies (hook mode)
    _stage(work, env, {"legacy/old.py": RISKY})
    proc = _pre_commit(["run", "--files", "legacy/old.py"], work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # a baseline named in the configuration is used without flags
    _stage(work, env, {"other.py": RISKY, ".ats-lint.yaml": "exclude: [legacy/]\nbaseline: .ats-lint-baseline.json\n"})
    write = _run([sys.executable, "-m", "ats_lint", "check", "--write-baseline"], work, env)
    assert write.returncode == 0, write.stderr
    _git(work, env, "add", ".ats-lint-baseline.json")
    proc = _pre_commit(["run", "--all-files"], work, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_try_repo_uses_the_working_tree(project):
    work, env = project
    if _run(["git", "rev-parse", "--git-dir"], CHECKOUT, env).returncode != 0:
        pytest.skip(f"{CHECKOUT} is not a git checkout")
    if not (CHECKOUT / ".pre-commit-hooks.yaml").is_file():
        pytest.fail(".pre-commit-hooks.yaml is missing from the checkout")
    _stage(work, env, {"risky.py": RISKY, "clean.py": CLEAN})
    proc = _pre_commit(["try-repo", str(CHECKOUT), "ats-lint", "--files", "risky.py", "clean.py"], work, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "risky.py:1:7: ATS101" in proc.stdout
    assert "clean.py" not in proc.stdout.split("Using config:")[-1].split("=" * 79)[-1]
