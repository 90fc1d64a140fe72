"""ats-lint never modifies, executes or imports anything in the tree it scans.

The scanned tree is full of traps that leave a marker file if anything in it runs (a conftest,
a setup.py, a sitecustomize, a .pth, a module the scanner follows through an import, a YAML tag
that constructs objects, a git fsmonitor hook); the tree is hashed before and after each run.
"""
from __future__ import annotations

import ast
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import ats_lint

from helpers import run_cli, write_tree

S3 = "https://b.s3.us-west-2.amazonaws.com/k"


def marker_code(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('ran')\n"


def trap_tree(root: Path, marker: Path) -> None:
    run = marker_code(marker)
    write_tree(root, {
        "setup.py": run + "from setuptools import setup\nsetup()\n",
        "conftest.py": run,
        "sitecustomize.py": run,
        "usercustomize.py": run,
        "evil.pth": "import os; " + run,
        "app/__init__.py": run,
        "app/settings.py": run + 'CA_BUNDLE = "certs/corp.pem"\n',
        "app/main.py": "import requests\nfrom app.settings import CA_BUNDLE\nfrom . import settings\n"
                       "requests.get('u', verify=CA_BUNDLE)\nrequests.get('u', verify=settings.CA_BUNDLE)\n"
                       f'URL = "{S3}"\n',
        "app/__main__.py": run,
        "certs/corp.pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "deploy.sh": f"#!/bin/sh\ntouch {marker}\ncurl {S3}\n",
        "Makefile": f"all:\n\ttouch {marker}\n",
        "data.yaml": f"!!python/object/apply:os.system ['touch {marker}']\nurl: {S3}\n",
        "tox.ini": f"[testenv]\ncommands = touch {marker}\n",
        ".pre-commit-config.yaml": f"repos: [{{repo: local, hooks: [{{id: x, name: x, entry: touch {marker}, language: system}}]}}]\n",
        "py2.py": 'print "x"\n' + run + 'requests.get("u", verify="x.pem")\n',
    })


def digest(root: Path) -> dict[str, tuple]:
    """Every path under root (folders too) with its type, mode, size, mtime and content hash."""
    out = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            st = path.lstat()
            content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else None
            out[path.relative_to(root).as_posix()] = (st.st_mode, st.st_size, st.st_mtime_ns, content)
    return out


def run_subprocess(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ats_lint", "check", "--quiet", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("extra", [["--jobs", "1"], ["--jobs", "2"], ["--format", "sarif"], ["--format", "html"], ["--statistics"]],
                         ids=["jobs1", "jobs2", "sarif", "html", "statistics"])
def test_a_run_leaves_the_tree_untouched_and_runs_nothing(extra, tmp_path):
    repo, marker = tmp_path / "repo", tmp_path / "PWNED"
    trap_tree(repo, marker)
    for i in range(60):  # enough files for the process pool
        write_tree(repo, {f"pkg/m{i:02}.py": f'U = "{S3}"\n'})
    (repo / ".git").mkdir()
    before = digest(repo)
    proc = run_subprocess(repo, *extra, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not marker.exists()
    assert digest(repo) == before  # the cache, on by default, went to XDG_CACHE_HOME, outside the tree


def test_the_scanner_follows_imports_without_importing(tmp_path, monkeypatch):
    marker = tmp_path / "PWNED"
    trap_tree(tmp_path / "repo", marker)
    before_modules = set(sys.modules)
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", "--jobs", "1"], tmp_path / "repo", monkeypatch)
    assert code == 1, err
    assert '"custom-trust-store"' in out  # verify=CA_BUNDLE was resolved through app/settings.py
    assert not marker.exists()
    assert not {m for m in set(sys.modules) - before_modules if m.split(".")[0] in ("app", "settings", "setup", "conftest", "sitecustomize")}


def test_yaml_config_with_python_tags_is_refused_not_executed(tmp_path, monkeypatch):
    marker = tmp_path / "PWNED"
    write_tree(tmp_path, {".ats-lint.yaml": f"select: !!python/object/apply:os.system ['touch {marker}']\n",
                          "a.py": f'U = "{S3}"\n'})
    code, out, err = run_cli(["check", "--no-cache"], tmp_path, monkeypatch)
    assert code == 2 and not marker.exists()
    assert ".ats-lint.yaml: invalid YAML" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("key, value", [
    ("select", "['$(touch {m})']"), ("exclude", "['`touch {m}`', '; touch {m}']"), ("extend-exclude", "['$(touch {m})']"),
    ("per-file-ignores", "{{'$(touch {m})': [ATS101]}}"), ("baseline", "'$(touch {m})'"), ("max-file-size", "'1; touch {m}'"),
    ("cache-dir", "'$(touch {m})'"), ("jobs", "'$(touch {m})'"), ("scan-prose", "'$(touch {m})'"),
])
def test_no_configuration_value_runs_a_command(key, value, tmp_path, monkeypatch):
    marker = tmp_path / "PWNED"
    (tmp_path / "repo").mkdir()
    write_tree(tmp_path / "repo", {".ats-lint.yaml": f"{key}: {value.format(m=marker)}\n", "a.py": f'U = "{S3}"\n', ".git/x": ""})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, out, err = run_cli(["check"], tmp_path / "repo", monkeypatch)
    assert code in (0, 1, 2) and "Traceback" not in err
    assert not marker.exists()
    assert not list(tmp_path.rglob("PWNED"))


def test_git_config_of_the_scanned_repository_runs_nothing(tmp_path):
    """`--since` runs git in the scanned repository; its .git/config must not run commands."""
    repo, marker = tmp_path / "repo", tmp_path / "PWNED"
    repo.mkdir()
    env = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    git = ["git", "-c", "user.email=a@b", "-c", "user.name=n"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True, env={**os.environ, **env})
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "init"], cwd=repo, check=True, env={**os.environ, **env})
    write_tree(repo, {"a.py": f'U = "{S3}"\n'})
    subprocess.run(["git", "config", "core.fsmonitor", f"touch {marker}; echo"], cwd=repo, check=True)
    subprocess.run(["git", "config", "diff.external", f"touch {marker}"], cwd=repo, check=True)
    proc = run_subprocess(repo, "--since", "HEAD", "--no-cache", env=env)
    assert proc.returncode == 1, proc.stderr
    assert not marker.exists()


def test_yaml_is_loaded_only_with_the_safe_loader():
    """Every YAML load in the package uses safe_load or a SafeLoader."""
    calls = []
    for path in sorted(Path(ats_lint.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == "yaml" and node.func.attr.startswith(("load", "unsafe", "full", "safe_load")):
                calls.append((path.name, node.lineno, ast.unparse(node)))
    assert calls
    for name, line, text in calls:
        assert text.startswith(("yaml.safe_load", "yaml.safe_load_all")) or "SafeLoader" in text, f"{name}:{line}: {text}"


def test_the_config_loader_refuses_object_construction(tmp_path):
    from ats_lint.engine.config import ConfigError, _read

    path = tmp_path / ".ats-lint.yaml"
    path.write_text("!!python/object/apply:os.getcwd []\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        _read(path)


def test_nothing_in_the_package_executes_or_imports_scanned_code():
    """The only process ats-lint starts is git (for --since); nothing evaluates or imports by name."""
    forbidden = {"eval", "exec", "compile", "__import__", "execfile"}
    for path in sorted(Path(ats_lint.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in forbidden:
                # compile() is allowed only as an AST-only parse (flag 0x400, PyCF_ONLY_AST): it runs nothing
                assert node.func.id == "compile" and any(isinstance(a, ast.Constant) and a.value == 0x400 for a in node.args), \
                    f"{path.name}:{node.lineno}: {ast.unparse(node)}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                assert not {"runpy", "importlib", "pickle", "marshal", "shelve"} & {n.split(".")[0] for n in names if n}, \
                    f"{path.name}:{node.lineno}"
                if "subprocess" in names:
                    assert path.name == "gitdiff.py", f"{path.name}:{node.lineno}: only gitdiff.py may start a process"
