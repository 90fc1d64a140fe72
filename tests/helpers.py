"""Shared test helpers: fixture trees written in the test, runs of the engine and the CLI, and
certificate templates so that no fingerprint is ever typed by hand in a test or a rule example."""
from __future__ import annotations

import base64
import io
import json
import re
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from ats_lint.trust.certs import knowledge
from ats_lint.cli import main

_TEMPLATE_RE = re.compile(r"\{\{(?P<form>[a-z0-9_]+):(?P<label>[^}]+)\}\}")


def cert_value(form: str, label: str) -> str:
    """A spelling of a reference certificate's fingerprint, pin or PEM, derived from rules/certs."""
    cert = knowledge().by_label(label.strip())
    forms = {
        "sha256_hex": lambda: cert.sha256.hex(),
        "sha256_hex_upper": lambda: cert.sha256.hex().upper(),
        "sha256_colon": lambda: ":".join(f"{b:02X}" for b in cert.sha256),
        "sha256_spaced": lambda: " ".join(f"{b:02x}" for b in cert.sha256),
        "sha1_hex": lambda: cert.sha1.hex(),
        "sha1_hex_upper": lambda: cert.sha1.hex().upper(),
        "sha1_colon": lambda: ":".join(f"{b:02X}" for b in cert.sha1),
        "spki_b64": lambda: base64.b64encode(cert.spki_sha256).decode(),
        "spki_hex": lambda: cert.spki_sha256.hex(),
        "spki_sha1_b64": lambda: base64.b64encode(cert.spki_sha1).decode(),
        "pem": lambda: pem_of(label.strip()),
        "der_b64": lambda: "".join(pem_of(label.strip()).split("-----")[2].split()),  # bare base64 DER
        "der_b64_wrapped": lambda: "\n".join(pem_of(label.strip()).split("-----")[2].split()),  # wrapped at 64
    }
    return forms[form]()


def pem_of(label: str) -> str:
    from ats_lint.trust.certs import PEM_BLOCK_RE
    from ats_lint.resources import rules_dir

    kb = knowledge()
    cert = kb.by_label(label)
    text = (rules_dir() / cert.source_file).read_text(encoding="utf-8")
    import hashlib

    for m in PEM_BLOCK_RE.finditer(text):
        der = base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", m.group("body")))
        if hashlib.sha256(der).digest() == cert.sha256:
            return m.group(0) + "\n"
    raise KeyError(label)


def expand(text: str) -> str:
    return _TEMPLATE_RE.sub(lambda m: cert_value(m.group("form"), m.group("label")), text)


_FIXTURE_RE = re.compile(r"\{\{fixture:(?P<path>[A-Za-z0-9_./-]+)\}\}")
DATA = Path(__file__).resolve().parent / "data"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: content} under root; str content is dedented and template-expanded;
    a content of exactly `{{fixture:stores/x.jks}}` is a copy of that file of tests/data (binary stores)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fixture = _FIXTURE_RE.fullmatch(content.strip()) if isinstance(content, str) else None
        if fixture:
            path.write_bytes((DATA / fixture.group("path")).read_bytes())
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(expand(textwrap.dedent(content)), encoding="utf-8")
    return root


def run_cli(args: list[str], cwd: Path, monkeypatch) -> tuple[int, str, str]:
    """Run `ats-lint ARGS` in-process with cwd as the working directory."""
    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:  # argparse exits on usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def check_json(cwd: Path, monkeypatch, *args: str) -> tuple[int, dict]:
    code, out, err = run_cli(["check", "--format", "json", "--jobs", "1", *args], cwd, monkeypatch)
    assert code != 2, err
    return code, json.loads(out)


def triples(doc: dict) -> set[tuple[str, int, str]]:
    """{(path, line, rule)} of a JSON report."""
    return {(f["path"], f["line"], f["rule"]) for f in doc["findings"]}


def same_with_switch_on_and_off(root: Path, monkeypatch, switch: str) -> list[tuple]:
    """Findings (path, line, column, rule, message) of a cold check of `root` with the environment
    switch `switch` unset and set to 1; asserts both runs give the same ones."""
    runs = []
    for value in (None, "1"):
        if value is None:
            monkeypatch.delenv(switch, raising=False)
        else:
            monkeypatch.setenv(switch, value)
        _, doc = check_json(root, monkeypatch, "--no-cache", "--no-gitignore", "--exit-zero", ".")
        runs.append(sorted((f["path"], f["line"], f["column"], f["rule"], f["message"]) for f in doc["findings"]))
    monkeypatch.delenv(switch, raising=False)
    assert runs[0] == runs[1]
    return runs[0]
