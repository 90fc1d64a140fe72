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
    environment.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1]))  # this checkout, not the cwd
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


# --------------------------------------------------------------------------- leaks


def test_values_are_never_resolved_from_modules_above_the_scanned_root(tmp_path, monkeypatch):
    write_tree(tmp_path, {"other/__init__.py": "", "other/settings.py": 'DB_PASSWORD = "hunter2"\n'})
    repo = write_tree(tmp_path / "repo", {
        ".git/HEAD": "",
        "pkg/__init__.py": "",
        "pkg/app.py": "import requests\nfrom ...other.settings import DB_PASSWORD\nrequests.get('https://x', verify=DB_PASSWORD)\n",
    })
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--format", "json", "--jobs", "1"], repo, monkeypatch)
    assert code == 1, err
    assert triples(json.loads(out)) == {("pkg/app.py", 3, "ATS201")}
    assert "hunter2" not in out


def test_values_are_never_resolved_through_a_symlinked_module_that_leaves_the_root(tmp_path, monkeypatch):
    write_tree(tmp_path, {"secret/settings.py": 'CA = "sk_live_SECRET"\n'})
    repo = write_tree(tmp_path / "repo", {
        ".git/HEAD": "",
        "app.py": "import requests\nfrom settings import CA\nrequests.get('https://x', verify=CA)\n",
    })
    (repo / "settings.py").symlink_to(tmp_path / "secret" / "settings.py")
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--format", "json", "--jobs", "1", "app.py"], repo, monkeypatch)
    assert code == 1, err
    assert triples(json.loads(out)) == {("app.py", 3, "ATS201")}
    assert "sk_live" not in out


def test_since_never_reads_a_committed_symlink_that_leaves_the_tree(tmp_path):
    secret = write_tree(tmp_path / "outside", {"keys.py": 'KEY = "sk_live_SECRET"\nURL = "https://b.s3.amazonaws.com/k"\n'})
    repo = write_tree(tmp_path / "repo", {"a.py": "x = 1\n"})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    (repo / "link.py").symlink_to(secret / "keys.py")
    git(repo, "add", "link.py")
    git(repo, "commit", "-qm", "link")
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", "--since", "HEAD~1")
    assert "sk_live" not in proc.stdout and "amazonaws" not in proc.stdout
    doc = json.loads(proc.stdout)
    assert {(e["path"], e["kind"]) for e in doc["errors"]} == {("link.py", "link-outside-root")}


def test_an_imported_module_over_the_size_limit_is_not_read(tmp_path, monkeypatch):
    repo = write_tree(tmp_path, {
        ".git/HEAD": "",
        "app.py": "import requests\nfrom conf import CA\nrequests.get('https://x', verify=CA)\n",
        "conf.py": 'CA = "certs/big-ca.pem"\n' + "# padding\n" * 20_000,
    })
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--format", "json", "--jobs", "1", "--max-file-size", "100KB", "app.py"],
                             repo, monkeypatch)
    assert code == 1, err
    assert "big-ca.pem" not in out  # the 200 kB module was not parsed for the value


# --------------------------------------------------------------------------- hangs and blow-ups


def test_a_referenced_bundle_that_is_a_fifo_does_not_block(tmp_path):
    repo = write_tree(tmp_path / "repo", {"app.py": "import requests\nrequests.get('https://x', verify='ca.pem')\n"})
    os.mkfifo(repo / "ca.pem")
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", "app.py", timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert {(f["path"], f["line"], f["rule"]) for f in json.loads(proc.stdout)["findings"]} == {("app.py", 2, "ATS201")}


def test_a_bundle_path_longer_than_a_file_name_keeps_the_files_findings(tmp_path, monkeypatch):
    long_name = "d" * 300 + "/ca.pem"
    write_tree(tmp_path, {".git/HEAD": "", "app.py": f"import requests\nrequests.get('https://b.s3.amazonaws.com/k', verify='{long_name}')\n"})
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert code == 1
    assert triples(doc) == {("app.py", 2, "ATS201"), ("app.py", 2, "ATS101")}
    assert doc["errors"] == []


@pytest.mark.parametrize("where", ["gitignore", "exclude"])
def test_a_backtracking_glob_against_a_long_name_answers_quickly(tmp_path, where):
    repo = write_tree(tmp_path / "repo", {"app.py": S3, ("a" * 200) + ".py": S3})
    args = ["--exclude", "a*a*a*a*a*a*a*a*b"] if where == "exclude" else []
    if where == "gitignore":
        (repo / ".gitignore").write_text("a*a*a*a*a*a*a*a*b\n**/a*a*a*a*a*a*a*a*b/**\n")
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", *args, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert {f["path"] for f in json.loads(proc.stdout)["findings"]} == {"app.py", ("a" * 200) + ".py"}


def test_a_huge_one_line_gitignore_is_bounded_and_reported(tmp_path):
    repo = write_tree(tmp_path / "repo", {"app.py": S3, "skip.py": S3})
    (repo / ".gitignore").write_text("*a" * (2 * 1024 * 1024) + "\nskip.py\n")
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", timeout=60)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert {f["path"] for f in doc["findings"]} == {"app.py", "skip.py"}  # a .gitignore not used hides nothing
    assert {(e["path"], e["kind"]) for e in doc["errors"]} == {(".gitignore", "too-large")}


def test_a_gitignore_pattern_longer_than_a_path_is_dropped_and_reported(tmp_path):
    repo = write_tree(tmp_path / "repo", {"app.py": S3, "skip.py": S3})
    (repo / ".gitignore").write_text("*a" * 50_000 + "\nskip.py\n")
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", timeout=60)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert {f["path"] for f in doc["findings"]} == {"app.py"}
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [(".gitignore", "too-large")]
    assert "line 1" in doc["errors"][0]["message"]


def test_a_folder_chain_800_deep_is_walked_in_linear_time(tmp_path):
    repo = tmp_path / "repo"
    deep = repo.joinpath(*["d"] * 800)
    deep.mkdir(parents=True)
    (deep / "app.py").write_text(S3)
    (repo / ".gitignore").write_text("*.log\n")
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert [f["line"] for f in json.loads(proc.stdout)["findings"]] == [1]


def test_nested_path_joins_are_evaluated_in_time_linear_in_depth(tmp_path):
    lines = ["import os, requests", 'A0 = "certs"']
    lines += [f"A{i} = os.path.join({', '.join([f'A{i - 1}'] * 10)})" for i in range(1, 40)]
    lines += ["requests.get('https://x', verify=A39)"]
    repo = write_tree(tmp_path / "repo", {"app.py": "\n".join(lines) + "\n"})
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert {(f["line"], f["rule"]) for f in json.loads(proc.stdout)["findings"]} == {(42, "ATS201")}


def test_the_verdict_is_linear_in_the_number_of_findings():
    import time

    from ats_lint.model import Finding
    from ats_lint.report.verdict import assess

    findings = [Finding("ATS201", ".env", i, 1, i, 2, "m") for i in range(1, 100_001)]
    started = time.monotonic()
    verdict = assess(findings)
    assert time.monotonic() - started < 10
    assert any(".env:1, .env:2, .env:3, .env:4, .env:5 and 99995 more" in r for r in verdict.reasons)


def test_one_suppression_in_a_file_of_continued_lines_is_linear(tmp_path):
    body = "# ats-lint: ignore[ATS101]\n" + "echo https://b.s3.amazonaws.com/k \\\n" * 60_000 + "done\n"
    repo = write_tree(tmp_path / "repo", {"app.sh": body})
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--format", "json", "--max-file-size", "10MiB", timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_workers_do_not_outlive_a_terminated_parent(tmp_path):
    import signal
    import time

    repo = tmp_path / "repo"
    for i in range(400):
        write_tree(repo, {f"m{i}.py": "import requests\n" + "requests.get('https://x', verify='ca.pem')\n" * 300})
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1]), **os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    proc = subprocess.Popen([sys.executable, "-m", "ats_lint", "check", "--no-cache", "--quiet", "--jobs", "2", "."],
                            cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(children) < 2:
        time.sleep(0.2)
        try:
            children = {int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()}
        except OSError:
            break
    assert children, "no worker started"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{c}").exists() for c in children):
        time.sleep(0.2)
    alive = [c for c in children if Path(f"/proc/{c}").exists() and "Z" not in Path(f"/proc/{c}/stat").read_text().split()[2]]
    for c in alive:
        os.kill(c, signal.SIGKILL)
    assert alive == []


def test_ctrl_c_in_a_single_process_run_exits_130(tmp_path):
    import signal
    import time

    repo = tmp_path / "repo"
    for i in range(300):
        write_tree(repo, {f"m{i}.py": "import requests\n" + "requests.get('https://x', verify=f'{a}{b}' + c)\n" * 600})
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1]), **os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    # a shell that starts the test run in the background leaves SIGINT ignored, and children inherit
    # that: give the run the default disposition, as an interactive terminal would
    proc = subprocess.Popen([sys.executable, "-m", "ats_lint", "check", "--no-cache", "--quiet", "--jobs", "1", "."],
                            cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Fatal Python error" not in err and "Traceback" not in err


def test_repository_config_cannot_start_hundreds_of_workers(tmp_path, monkeypatch):
    from ats_lint.engine.run import worker_count

    cpus = os.cpu_count() or 1
    assert worker_count(200, 60) == min(cpus, 7)
    assert worker_count(200, 3) == 1
    assert worker_count(0, 10_000) == cpus


# --------------------------------------------------------------------------- memory and crashes


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin", "fifo"])
def test_a_baseline_that_is_a_device_or_fifo_is_refused_without_blocking(tmp_path, target):
    repo = write_tree(tmp_path / "repo", {"app.py": S3})
    if target == "fifo":
        os.mkfifo(repo / "base.json")
    else:
        (repo / "base.json").symlink_to(target)
    proc = ats_lint(repo, "check", "--no-cache", "--quiet", "--baseline", "base.json", timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("not a regular file (a FIFO, device or folder)"), proc.stderr


def test_a_baseline_entry_with_a_name_longer_than_the_os_allows_is_stale_not_fatal(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3})
    entries = [{"path": "x" * 256 + ".py", "rule": "ATS101", "fingerprint": "0" * 16}]
    (tmp_path / "base.json").write_text(json.dumps({"tool": "ats-lint", "version": 1, "findings": entries}))
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet", "--baseline", "base.json")
    assert code == 1
    assert triples(doc) == {("app.py", 1, "ATS101")}


def test_a_yaml_alias_bomb_in_the_config_is_refused_in_one_line(tmp_path, monkeypatch):
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f'{k}: &{k} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n' for p, k in zip("abcdefgh", "bcdefghi"))
    bomb += "exclude: *i\n"
    write_tree(tmp_path, {"app.py": S3, ".ats-lint.yaml": bomb})
    proc = ats_lint(tmp_path, "check", "--no-cache", "--quiet", timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and len(proc.stderr) < 500
    assert "aliases (*name) are not allowed" in proc.stderr


@pytest.mark.parametrize("config", ["[tool]\nats-lint = 1\n", "tool = 3\n"])
def test_a_malformed_pyproject_is_a_clear_error_not_an_internal_one(tmp_path, monkeypatch, config):
    write_tree(tmp_path, {"app.py": S3, "pyproject.toml": config})
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--config", "pyproject.toml"], tmp_path, monkeypatch)
    assert "internal error" not in err
    assert code == 2 if "ats-lint = 1" in config else code == 1


def test_an_absurd_max_file_size_is_refused(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3})
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--max-file-size", "64GiB"], tmp_path, monkeypatch)
    assert code == 2 and "over the limit of 256MiB" in err
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--max-file-size", "9" * 400], tmp_path, monkeypatch)
    assert code == 2 and len(err) < 300


def test_a_cache_file_of_the_wrong_shape_is_discarded(tmp_path, monkeypatch):
    from ats_lint.engine.cache import ResultCache, cache_key  # noqa: F401 - the file name comes from a first run

    write_tree(tmp_path, {"app.py": S3, ".ats-lint.yaml": "cache-dir: .ats_lint_cache\n"})
    os.utime(tmp_path / "app.py", (1_000_000_000, 1_000_000_000))
    check_json(tmp_path, monkeypatch, "--quiet")
    (cache_file,) = (tmp_path / ".ats_lint_cache").glob("results-*.json")
    app = str(tmp_path / "app.py")
    size, mtime = json.loads(cache_file.read_text())["entries"][app][:2]  # the file's true stat: only the rest is damaged
    for entry in ("oops", {"stat": None, "deps": 5}, [size, mtime, [[1, 2, 3]], 1], [size, mtime, [], []],
                  [size, mtime, [], 7], [size, mtime, [], {"findings": 1}], [size, mtime, 5, 1], [size, mtime, [], "1"]):
        damaged = {"format": 2, "entries": {app: entry}}
        cache_file.write_text(json.dumps(damaged))
        code, doc = check_json(tmp_path, monkeypatch, "--quiet")
        assert code == 1
        assert triples(doc) == {("app.py", 1, "ATS101")}


# --------------------------------------------------------------------------- probe


def test_probe_timeout_bounds_the_whole_probe_not_each_read(tmp_path, monkeypatch):
    import socket
    import threading
    import time

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def trickle() -> None:  # a TLS record header announcing 16 KiB, then one byte every 0.2 s
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"\x16\x03\x03\x40\x00")
            until = time.monotonic() + 6  # then hang up: a per-read timeout would have waited all along
            while not stop.is_set() and time.monotonic() < until:
                try:
                    conn.sendall(b"\x00")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        code, out, err = run_cli(["probe", "--url", f"https://127.0.0.1:{port}/x", "--timeout", "1"], tmp_path, monkeypatch)
    finally:
        stop.set()
        server.close()
    assert time.monotonic() - started < 5
    assert code == 2 and "timed out after 1 s" in err


@pytest.mark.parametrize("url, message", [
    ("https://127.0.0.1:0/x", "invalid port 0"),
    ("https://[::1/x", "not a valid URL"),
    ("https://exa\x00mple.com/x", "expected an https:// URL"),
])
def test_probe_input_errors_are_one_line_usage_errors(tmp_path, monkeypatch, url, message):
    code, out, err = run_cli(["probe", "--url", url, "--timeout", "1"], tmp_path, monkeypatch)
    assert code == 2 and message in err and "internal error" not in err


@pytest.mark.parametrize("timeout", ["-1", "nan", "0"])
def test_probe_rejects_a_timeout_that_is_not_a_positive_number(tmp_path, monkeypatch, timeout):
    code, out, err = run_cli(["probe", "--url", "https://127.0.0.1:9/x", "--timeout", timeout], tmp_path, monkeypatch)
    assert code == 2 and "--timeout" in err and "internal error" not in err


def test_probe_refuses_a_fifo_bundle_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "ca.pem")
    proc = ats_lint(tmp_path, "probe", "--url", "https://127.0.0.1:9/x", "--ca-bundle", "ca.pem", timeout=30)
    assert proc.returncode == 2 and "not a regular file or folder" in proc.stderr


def test_bundle_inspect_refuses_a_fifo_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "ca.pem")
    proc = ats_lint(tmp_path, "bundle", "inspect", "ca.pem", timeout=30)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr


# --------------------------------------------------------------------------- wrong results


def test_a_link_to_a_non_utf8_name_outside_the_tree_still_writes_the_report(tmp_path, monkeypatch):
    outside = tmp_path / os.fsdecode(b"caf\xe9.py")
    outside.write_text(S3)
    repo = write_tree(tmp_path / "repo", {".git/HEAD": "", "app.py": S3})
    (repo / "link.py").symlink_to(outside)
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--format", "json", "--output", "report.json"], repo, monkeypatch)
    assert code == 1, err
    doc = json.loads((repo / "report.json").read_text(encoding="utf-8"))
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("link.py", "link-outside-root")]
    assert "caf\\xe9.py" in doc["errors"][0]["message"]


def test_an_empty_or_foreign_cachedir_tag_does_not_hide_a_folder(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a/app.py": S3, "a/CACHEDIR.TAG": "", "b/app.py": S3, "b/CACHEDIR.TAG": "hello\n",
                          "c/app.py": S3, "c/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"})
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert triples(doc) == {("a/app.py", 1, "ATS101"), ("b/app.py", 1, "ATS101")}


def test_a_gitignore_with_a_lone_bang_hides_nothing(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": S3, "sub/app.py": S3, ".gitignore": "!\n"})
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert triples(doc) == {("app.py", 1, "ATS101"), ("sub/app.py", 1, "ATS101")}


CA_ENV = "REQUESTS_CA_BUNDLE=/etc/ssl/certs/digicert.pem\n"
TRACKED_IGNORED = {".gitignore": "*.env\nbuild-config/\n", "prod.env": CA_ENV, "build-config/app.py": S3,
                   "node_modules/pkg/index.py": S3, "excluded.env": CA_ENV}
UNTRACKED_IGNORED = {"local.env": CA_ENV, "build-config/local.py": S3, "build-config/old/app.py": S3}


def _tracked_ignored_repo(top: Path, project: Path | None = None) -> None:
    """A git repository at `top` whose `project` folder (top itself by default) holds tracked files
    that its .gitignore lists, and untracked ones it lists too."""
    project = project or top
    write_tree(project, TRACKED_IGNORED)
    git(top, "init", "-q")
    git(top, "add", "--force", ".")
    git(top, "commit", "-q", "-m", "tracked files that .gitignore lists")
    write_tree(project, UNTRACKED_IGNORED)


def test_tracked_files_are_scanned_even_when_gitignore_lists_them(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    _tracked_ignored_repo(repo)
    code, doc = check_json(repo, monkeypatch, "--no-cache", "--quiet", "--exclude", "excluded.env")
    # git never ignores a tracked file; untracked files in an ignored folder stay ignored; an explicit
    # exclude and the default vendored folders still win over "tracked".
    assert triples(doc) == {("prod.env", 1, "ATS201"), ("build-config/app.py", 1, "ATS101")}
    assert doc["errors"] == []


def test_tracked_ignored_files_are_scanned_from_a_project_root_below_the_git_top(tmp_path, monkeypatch):
    _tracked_ignored_repo(tmp_path / "top", tmp_path / "top" / "svc")
    code, doc = check_json(tmp_path / "top" / "svc", monkeypatch, "--no-cache", "--quiet", "--exclude", "excluded.env")
    assert triples(doc) == {("prod.env", 1, "ATS201"), ("build-config/app.py", 1, "ATS101")}


def test_outside_git_gitignore_hides_the_files_it_lists(tmp_path, monkeypatch):
    write_tree(tmp_path, {**TRACKED_IGNORED, **UNTRACKED_IGNORED, "app.py": S3})
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert triples(doc) == {("app.py", 1, "ATS101")}


def test_no_gitignore_scans_untracked_ignored_files_too(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    _tracked_ignored_repo(repo)
    code, doc = check_json(repo, monkeypatch, "--no-cache", "--quiet", "--no-respect-gitignore")
    assert triples(doc) == {("prod.env", 1, "ATS201"), ("build-config/app.py", 1, "ATS101"), ("excluded.env", 1, "ATS201"),
                            ("local.env", 1, "ATS201"), ("build-config/local.py", 1, "ATS101"), ("build-config/old/app.py", 1, "ATS101")}


@pytest.mark.parametrize("source", [
    'URL = "https://b.s3.\\x61mazonaws.com/k"\n',
    'URL = "https://b.s3.\\u0061mazonaws.com/k"\n',
    'URL = "https://b.s3.amazonaws" ".com/k"\n',
    'URL = ("https://b.s3.amazonaws"\n       ".com/k")\n',
    "URL = 'https://b.s3.amazonaws' \\\n    '.com/k'\n",
])
def test_the_prefilter_sees_through_escapes_and_implicit_concatenation(tmp_path, monkeypatch, source):
    write_tree(tmp_path, {"app.py": source})
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert triples(doc) == {("app.py", 1, "ATS101")}


@pytest.mark.parametrize("fmt, name", [("json", "report.json"), ("sarif", "report.sarif"), ("html", "report.html"), ("markdown", "summary.md")])
def test_a_report_written_into_the_tree_is_not_scanned_by_the_next_run(tmp_path, monkeypatch, fmt, name):
    write_tree(tmp_path, {"app.py": S3})
    code, out, err = run_cli(["check", "--no-cache", "--quiet", "--jobs", "1", "--format", fmt, "--output", name], tmp_path, monkeypatch)
    assert code == 1, err
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert triples(doc) == {("app.py", 1, "ATS101")}
    assert doc["summary"]["files_scanned"] == 1


def test_two_files_never_share_a_display_path(tmp_path, monkeypatch):
    (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text(S3)
    (tmp_path / "caf\\xe9.py").write_text("\n" + S3)
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert triples(doc) == {("caf\\xe9.py", 1, "ATS101"), ("caf\\\\xe9.py", 2, "ATS101")}


def test_files_importing_more_modules_than_the_cache_holds_parse_each_module_once(tmp_path, monkeypatch):
    from ats_lint.scan.python import project as project_module

    count = project_module.MODULE_CACHE_SIZE + 8
    files = {f"conf{i}.py": f'CA{i} = "certs/ca{i}.pem"\n' for i in range(count)}
    imports = "".join(f"from conf{i} import CA{i}\n" for i in range(count))
    calls = "".join(f"requests.get('https://x', verify=CA{i})\n" for i in range(count))
    for n in range(6):
        files[f"app{n}.py"] = "import requests\n" + imports + calls
    write_tree(tmp_path, {".git/HEAD": "", **files})
    parsed: list[str] = []
    original = project_module.ParsedModule.__init__

    def counting(self, file, source, **options):
        parsed.append(file.name)
        original(self, file, source, **options)

    monkeypatch.setattr(project_module.ParsedModule, "__init__", counting)
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert len(triples(doc)) == 6 * count
    conf_parses = [name for name in parsed if name.startswith("conf")]
    assert len(conf_parses) <= count + 6 * (8 + 2)  # at most the overflow (and the slot of the scanned file) per file, not all


def test_valid_python_with_many_and_or_words_in_text_keeps_its_trust_findings(tmp_path, monkeypatch):
    prose = " ".join(["x and y or z"] * 26_000)  # 52,000 operators in a docstring, 338 kB
    write_tree(tmp_path, {"app.py": f'"""{prose}"""\nimport requests\nrequests.get("https://x", verify="ca.pem")\n'})
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet", "--max-file-size", "10MiB")
    assert triples(doc) == {("app.py", 3, "ATS201")}
    assert doc["errors"] == []


def test_valid_python_libcst_cannot_parse_is_read_with_pythons_own_parser(tmp_path, monkeypatch):
    import libcst

    def refuse(source, *args, **kwargs):
        raise libcst.ParserSyntaxError("unsupported syntax", lines=["x"], raw_line=1, raw_column=0)

    monkeypatch.setattr(libcst, "parse_module", refuse)
    write_tree(tmp_path, {"app.py": 'import requests\nrequests.get("https://x", verify="ca.pem")\n'})
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("app.py", "parse-error")]
    assert "read with Python's own parser" in doc["errors"][0]["message"]
    assert triples(doc) == {("app.py", 2, "ATS201")}


def test_a_python_file_too_large_for_the_parser_is_scanned_as_text_and_said_so(tmp_path, monkeypatch):
    body = "import requests\n" + "X = 1\n" * 100_000 + 'URL = "https://b.s3.amazonaws.com/k"\nrequests.get(URL, verify="ca.pem")\n'
    write_tree(tmp_path, {"gen.py": body})
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", "--quiet")
    assert triples(doc) == {("gen.py", 100_002, "ATS101")}
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("gen.py", "too-large")]
    assert "trust arguments (verify=, cafile=, pins) were NOT checked" in doc["errors"][0]["message"]


def test_a_full_disk_leaves_no_temporary_cache_or_baseline_file(tmp_path, monkeypatch):
    import errno

    write_tree(tmp_path, {"app.py": S3, ".ats-lint.yaml": "cache-dir: .ats_lint_cache\n"})
    os.utime(tmp_path / "app.py", (1_000_000_000, 1_000_000_000))
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            pass

        def fileno(self):
            return self.fh.fileno()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k)))
    code, doc = check_json(tmp_path, monkeypatch, "--quiet")
    assert triples(doc) == {("app.py", 1, "ATS101")}
    code, out, err = run_cli(["check", "--quiet", "--write-baseline", "base.json"], tmp_path, monkeypatch)
    assert code == 2 and "No space left on device" in err
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or ".tmp" in p.name]
    assert leftovers == []
    assert not (tmp_path / "base.json").exists()


def test_a_full_disk_keeps_the_previous_report_whole_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    import errno

    write_tree(tmp_path, {"app.py": S3, "report.json": "the previous report\n"})
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k)))
    code, out, err = run_cli(["check", "--quiet", "--no-cache", "--format", "json", "--output", "report.json", "app.py"],
                             tmp_path, monkeypatch)
    assert code == 2 and err.strip() == "ats-lint: error: report.json: cannot write report: No space left on device"
    assert (tmp_path / "report.json").read_text() == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "report.json"]


def test_bundle_fix_refuses_a_fifo_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "ca.pem")
    proc = ats_lint(tmp_path, "bundle", "fix", "ca.pem", timeout=60)
    assert proc.returncode == 2
    assert "ca.pem: not a regular file (a FIFO, socket or device); not a CA bundle" in proc.stderr
