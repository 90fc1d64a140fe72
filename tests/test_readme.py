"""README stays true and short (issue #11): it starts with the two commands, its demo output is
what the demo prints, the install forms it shows exist, and every link it makes resolves."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from helpers import run_cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, re.S)


def test_readme_starts_with_the_two_commands_and_stays_short():
    first = _blocks(README)[0]
    assert first.splitlines()[0].startswith("pip install . && ats-lint check examples/demo")
    assert first.splitlines()[1].startswith("pip install -e '.[test]' && python -m pytest")
    assert README.index("```") < 80
    assert len(README.splitlines()) <= 160


def test_the_demo_output_in_readme_is_what_the_demo_prints(monkeypatch):
    _, out, _ = run_cli(["check", "--no-cache", "."], REPO / "examples" / "demo", monkeypatch)
    shown = next(b for b in _blocks(README) if "Verdict:" in b)
    for line in shown.splitlines():
        if line.strip() not in ("...",):
            assert line in out.splitlines(), line


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)


def test_the_install_forms_name_something_that_exists():
    docs = README + (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    refs = set(re.findall(r"^\s*rev: (\S+)", docs, re.M)) | set(re.findall(r"ats-lint/ats-lint@([\w.-]+)", docs))
    assert refs, "README shows how to install the hook and the action"
    for ref in refs:
        found = _git("rev-parse", "--verify", "-q", f"{ref}^{{commit}}").returncode == 0 or \
            _git("rev-parse", "--verify", "-q", f"origin/{ref}^{{commit}}").returncode == 0
        assert found, f"{ref} is neither a branch, a tag nor a commit of this repository"
    assert (REPO / "action.yml").is_file() and (REPO / ".pre-commit-hooks.yaml").is_file()


def test_every_relative_link_of_readme_and_docs_resolves():
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (doc.parent / target).exists(), f"{doc.name}: {target}"
