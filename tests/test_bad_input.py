"""The bad-input corpus: each hostile or broken input with its exact expected outcome.

Every file is either scanned or listed in `errors` with a kind and a one-line message; no input
ends the run in a traceback. Big files are generated here in tmp_path, never committed. Cases
that could kill the interpreter (native stack overflow in the parser) or hang it (a FIFO) run
`python -m ats_lint` in a subprocess with a timeout, so a regression fails one test instead of
taking pytest down with it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ats_lint.engine import run as engine
from ats_lint.engine.config import Settings
from ats_lint.model import ERROR_KINDS

from helpers import check_json, run_cli, write_tree

S3 = "https://b.s3.us-west-2.amazonaws.com/k"
CF = "https://d111111abcdef8.cloudfront.net/x"


def outcome(doc: dict) -> tuple[set, set]:
    """({(path, line, rule)}, {(path, kind)}) of a JSON report."""
    return ({(f["path"], f["line"], f["rule"]) for f in doc["findings"]}, {(e["path"], e["kind"]) for e in doc["errors"]})


def assert_well_formed(doc: dict) -> None:
    for e in doc["errors"]:
        assert e["kind"] in ERROR_KINDS, e
        assert e["message"] and "\n" not in e["message"] and "Traceback" not in e["message"], e


def subprocess_check(cwd: Path, *args: str, timeout: float = 120) -> tuple[int, dict, str]:
    """`python -m ats_lint check --format json` in a subprocess (a timeout guard, not a speed test)."""
    proc = subprocess.run([sys.executable, "-m", "ats_lint", "check", "--format", "json", "--no-cache", "--quiet", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "XDG_CACHE_HOME": str(cwd / ".." / "xdg-cache")})
    assert proc.returncode in (0, 1), f"exit {proc.returncode} (signal?): {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout)
    assert_well_formed(doc)
    return proc.returncode, doc, proc.stderr


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def run(tmp_path: Path, monkeypatch, *args: str) -> tuple[int, dict]:
    code, doc = check_json(tmp_path, monkeypatch, "--no-cache", *args)
    assert_well_formed(doc)
    return code, doc


# --------------------------------------------------------------------------- Python that does not parse


def test_python_2_code_is_a_parse_error_and_still_scanned_as_text(tmp_path, monkeypatch):
    write_tree(tmp_path, {"legacy/py2.py": f'print "hello"\nexec "x = 1"\nURL = "{S3}"\n'})
    code, doc = run(tmp_path, monkeypatch)
    assert code == 1
    assert outcome(doc) == ({("legacy/py2.py", 3, "ATS101")}, {("legacy/py2.py", "parse-error")})
    assert doc["errors"][0]["message"].endswith("scanned as text for URLs and fingerprints")
    assert doc["summary"]["files_scanned"] == 1


def test_syntax_error_is_a_parse_error_and_comments_stay_silent(tmp_path, monkeypatch):
    write_tree(tmp_path, {"broken.py": f'def (:\n# {CF}\nURL = "{S3}"\n'})
    assert outcome(run(tmp_path, monkeypatch)[1]) == ({("broken.py", 3, "ATS101")}, {("broken.py", "parse-error")})


# --------------------------------------------------------------------------- encodings


def test_coding_cookie_latin_1_python_is_read_without_error(tmp_path, monkeypatch):
    (tmp_path / "cookie.py").write_bytes(f'# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\nURL = "{S3}"\n'.encode("latin-1"))
    assert outcome(run(tmp_path, monkeypatch)[1]) == ({("cookie.py", 3, "ATS101")}, set())


def test_latin_1_without_cookie_is_a_decode_error_and_still_scanned(tmp_path, monkeypatch):
    (tmp_path / "conf.yaml").write_bytes(f"owner: Jos\xe9\nendpoint: {S3}\n".encode("latin-1"))
    (tmp_path / "mod.py").write_bytes(f'N = "Jos\xe9"\nURL = "{S3}"\n'.encode("latin-1"))
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("conf.yaml", 2, "ATS101"), ("mod.py", 2, "ATS101")},
                            {("conf.yaml", "decode-error"), ("mod.py", "decode-error")})
    assert all("not valid UTF-8 at byte" in e["message"] for e in doc["errors"])
    assert doc["summary"]["files_scanned"] == 2


def test_utf16_with_bom_is_decoded(tmp_path, monkeypatch):
    (tmp_path / "le.py").write_bytes(f'URL = "{S3}"\n'.encode("utf-16"))  # BOM + little endian
    (tmp_path / "be.yaml").write_bytes(b"\xfe\xff" + f"url: {CF}\n".encode("utf-16-be"))
    (tmp_path / "bom8.py").write_bytes(b"\xef\xbb\xbf" + f'URL = "{S3}"\n'.encode())
    assert outcome(run(tmp_path, monkeypatch)[1]) == (
        {("le.py", 1, "ATS101"), ("be.yaml", 1, "ATS102"), ("bom8.py", 1, "ATS101")}, set())


def test_invalid_utf8_is_a_decode_error_with_the_byte_offset(tmp_path, monkeypatch):
    (tmp_path / "bad.py").write_bytes(b'X = "\xff\xfe\xc3"\nURL = "' + S3.encode() + b'"\n')
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("bad.py", 2, "ATS101")}, {("bad.py", "decode-error")})
    assert doc["errors"][0]["message"] == "not valid UTF-8 at byte 5; read with replacement characters"


# --------------------------------------------------------------------------- bytes and line ends


def test_nul_bytes_in_source_are_reported_and_the_file_still_scanned(tmp_path, monkeypatch):
    (tmp_path / "nul.py").write_bytes(f'URL = "{S3}"\n\x00\x00\nX = 1\n'.encode())
    (tmp_path / "nul.env").write_bytes(f"ENDPOINT={CF}\x00\n".encode())
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("nul.py", 1, "ATS101"), ("nul.env", 1, "ATS102")},
                            {("nul.py", "decode-error"), ("nul.env", "decode-error")})
    assert all("NUL bytes" in e["message"] for e in doc["errors"])


def test_binary_files_are_skipped_silently(tmp_path, monkeypatch):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + S3.encode() + bytes(range(256)) * 4)
    (tmp_path / "root.crt").write_bytes(b"\x30\x82\x03\x00" + b"\x00" * 64)  # DER certificate
    code, doc = run(tmp_path, monkeypatch)
    assert (code, outcome(doc), doc["summary"]["files_scanned"]) == (0, (set(), set()), 0)


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "lone-cr"])
def test_crlf_and_lone_cr_line_ends_give_the_right_lines_and_columns(newline, tmp_path, monkeypatch):
    body = newline.join(["import os", "", f'URL = "{S3}"', "x = 1", ""])
    (tmp_path / "app.py").write_bytes(body.encode())
    (tmp_path / "conf.yaml").write_bytes(newline.join(["a: 1", "# " + CF, f"  url: {CF}", ""]).encode())
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("app.py", 3, "ATS101"), ("conf.yaml", 3, "ATS102")}, set())
    columns = {f["path"]: f["column"] for f in doc["findings"]}
    assert columns == {"app.py": 7, "conf.yaml": 8}  # Python: the string literal; YAML: the URL


# --------------------------------------------------------------------------- size


def test_fifty_megabyte_file_is_too_large_and_not_read_whole(tmp_path, monkeypatch):
    with open(tmp_path / "huge.js", "w") as fh:
        fh.write(f'var u = "{S3}";\n')
        block = "var x = 1; // padding padding padding\n" * 1024
        while fh.tell() < 50 * 1024 * 1024 - len(block):
            fh.write(block)
        fh.write("x" * (50 * 1024 * 1024 - fh.tell() - 1) + "\n")
    (tmp_path / "huge.bin").write_bytes(b"\x00" * 16)
    with open(tmp_path / "huge.bin", "r+b") as fh:
        fh.truncate(50 * 1024 * 1024)
    code, doc = run(tmp_path, monkeypatch)
    assert code == 0
    assert outcome(doc) == (set(), {("huge.js", "too-large")})  # the binary one is skipped silently
    assert doc["errors"][0]["message"] == f"{50 * 1024 * 1024} bytes is over the 2097152-byte limit; not scanned"


def test_five_megabyte_single_line(tmp_path, monkeypatch):
    line = 'var a = "' + "x" * (5 * 1024 * 1024) + f'"; var u = "{S3}";\n'
    (tmp_path / "one.js").write_text(line)
    py_line = 'a = "' + "x" * (5 * 1024 * 1024) + f'"; u = "{S3}"\n'
    (tmp_path / "one.py").write_text(py_line)
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == (set(), {("one.js", "too-large"), ("one.py", "too-large")})
    code, doc = run(tmp_path, monkeypatch, "--max-file-size", "8MiB")
    # Over the Python parser's own limit (memory): scanned as text, and said so.
    assert outcome(doc) == ({("one.js", 1, "ATS101"), ("one.py", 1, "ATS101")}, {("one.py", "too-large")})
    assert {f["path"]: f["column"] for f in doc["findings"]} == {"one.js": line.index("https") + 1,
                                                                 "one.py": py_line.index("https") + 1}


DEEP = {
    # CPython refuses all of these with an error; libcst's native parser overflows the C stack.
    "brackets.py": "x = " + "[" * 10_000 + "]" * 10_000 + "\n",
    "parens.py": "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n",
    "plus_chain.py": "x = " + "+".join(["a"] * 20_000) + "\n",
    "not_chain.py": "x = " + "not " * 20_000 + "y\n",
    "lambdas.py": "f = " + "lambda: " * 20_000 + "1\n",
    "calls.py": "x = f" + "()" * 20_000 + "\n",
    "indent.py": "".join(" " * i + "if x:\n" for i in range(300)) + " " * 300 + "pass\n",
    # CPython keeps these flat and accepts them; libcst nests them.
    "and_chain.py": "x = " + " and ".join(["a"] * 20_000) + "\n",
    "concat.py": "x = " + '"a" ' * 20_000 + "\n",
    # CPython stops at the syntax error on line 1 and never sees the depth below it.
    "py2_then_deep.py": 'print "x"\nx = ' + "[" * 10_000 + "]" * 10_000 + "\n",
    "py2_then_chain.py": 'print "x"\nx = ' + "+".join(["a"] * 20_000) + "\n",
}


def test_deep_nesting_never_kills_the_process(tmp_path):
    src = tmp_path / "src"
    files = {name: body + f'URL = "{S3}"\n' for name, body in DEEP.items()}
    write_tree(src, files)
    code, doc, _ = subprocess_check(src, "--jobs", "1")
    lines = {name: body.count("\n") + 1 for name, body in DEEP.items()}
    assert {(f["path"], f["rule"]) for f in doc["findings"]} == {(name, "ATS101") for name in DEEP}
    assert {(f["path"], f["line"]) for f in doc["findings"]} == set(lines.items())
    # The `and` chain parses, holds nothing to report and is neither walked nor generated for
    # positions (the URL's statement is generated alone): that file is scanned in full, no error.
    assert {e["path"] for e in doc["errors"]} == set(DEEP) - {"and_chain.py"}
    assert {e["kind"] for e in doc["errors"]} == {"parse-error"}
    too_deep = {e["path"] for e in doc["errors"] if e["message"].startswith("nesting too deep to parse")}
    assert too_deep >= {"brackets.py", "parens.py", "plus_chain.py", "not_chain.py", "lambdas.py", "calls.py",
                        "indent.py", "py2_then_deep.py"}


def test_a_deep_statement_that_holds_a_finding_is_scanned_as_text(tmp_path):
    src = tmp_path / "src"
    write_tree(src, {"and_chain.py": "x = " + " and ".join(["a"] * 20_000) + f' and "{S3}"\n'})
    code, doc, _ = subprocess_check(src, "--jobs", "1")
    assert {(f["path"], f["line"], f["rule"]) for f in doc["findings"]} == {("and_chain.py", 1, "ATS101")}
    assert [(e["path"], e["message"].split(";")[0]) for e in doc["errors"]] == [("and_chain.py", "nesting too deep to parse")]


def test_deep_nesting_in_a_process_pool(tmp_path):
    src = tmp_path / "src"
    files = {f"pkg/m{i:03}.py": f'U = "{S3}"\n' for i in range(60)}
    files["pkg/deep.py"] = DEEP["brackets.py"]
    files["pkg/chain.py"] = DEEP["and_chain.py"]
    write_tree(src, files)
    code, doc, _ = subprocess_check(src, "--jobs", "2")
    assert code == 1 and len(doc["findings"]) == 60
    assert {(e["path"], e["kind"]) for e in doc["errors"]} <= {("pkg/deep.py", "parse-error"), ("pkg/chain.py", "parse-error")}


def test_deeply_nested_module_reached_through_an_import(tmp_path):
    src = tmp_path / "src"
    write_tree(src, {"app/__init__.py": "", "app/settings.py": DEEP["plus_chain.py"] + 'CA = "ca.pem"\n',
                     "app/main.py": "import requests\nfrom app.settings import CA\nrequests.get('u', verify=CA)\n"})
    code, doc, _ = subprocess_check(src, "--jobs", "1")
    assert ("app/main.py", 3, "ATS201") in {(f["path"], f["line"], f["rule"]) for f in doc["findings"]}


# --------------------------------------------------------------------------- files that change or hide


def test_file_that_vanishes_between_discovery_and_read(tmp_path, monkeypatch):
    write_tree(tmp_path, {"gone.py": f'U = "{S3}"\n', "stays.py": f'U = "{CF}"\n'})
    real = engine.discover

    def discover_then_delete(*args, **kwargs):
        items = list(real(*args, **kwargs))
        (tmp_path / "gone.py").unlink()
        return iter(items)

    monkeypatch.setattr(engine, "discover", discover_then_delete)
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("stays.py", 1, "ATS102")}, {("gone.py", "vanished")})
    assert doc["errors"][0]["message"] == "file disappeared before it could be read"


def test_file_without_read_permission(tmp_path, monkeypatch):
    # The tests run as root, which may read anything: the permission error is simulated at the read.
    write_tree(tmp_path, {"secret.py": f'U = "{S3}"\n', "open.py": f'U = "{CF}"\n'})
    real_open = os.open

    def guarded_open(path, flags, *args, **kwargs):
        if os.fspath(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(engine.os, "open", guarded_open)
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("open.py", 1, "ATS102")}, {("secret.py", "unreadable")})
    assert doc["errors"][0]["message"] == "cannot read file: Permission denied"


def test_folder_that_cannot_be_listed(tmp_path, monkeypatch):
    write_tree(tmp_path, {"locked/a.py": f'U = "{S3}"\n', "b.py": f'U = "{CF}"\n'})
    from ats_lint.engine import discovery

    real_scandir = os.scandir

    def guarded_scandir(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", guarded_scandir)
    assert outcome(run(tmp_path, monkeypatch)[1]) == ({("b.py", 1, "ATS102")}, {("locked", "unreadable")})


def test_internal_error_in_one_file_is_reported_and_the_run_goes_on(tmp_path, monkeypatch):
    write_tree(tmp_path, {"boom.yaml": f"url: {S3}\n", "fine.py": f'U = "{CF}"\n'})
    from ats_lint.scan.text import scanner as text_scanner

    def explode(text, sink, kind):
        raise ValueError("simulated bug\nsecond line")

    monkeypatch.setattr(text_scanner, "scan_text_file", explode)
    code, doc = run(tmp_path, monkeypatch)
    assert code == 1
    assert outcome(doc) == ({("fine.py", 1, "ATS102")}, {("boom.yaml", "internal-error")})
    assert doc["errors"][0]["message"] == "ValueError: simulated bug"
    assert doc["summary"]["files_scanned"] == 1


def test_errors_alone_do_not_change_the_exit_code(tmp_path, monkeypatch):
    """A run with file errors and no findings exits 0: the errors are in the report; exit 2 is
    kept for a run that could not be done at all (usage, configuration)."""
    write_tree(tmp_path, {"py2.py": 'print "hi"\nrequests.get(u, verify=True)\n', "latin.yaml": b"a: \xe9\n"})
    code, doc = run(tmp_path, monkeypatch)
    assert code == 0 and {e["kind"] for e in doc["errors"]} == {"parse-error", "decode-error"}
    code, out, err = run_cli(["check", "--no-cache"], tmp_path, monkeypatch)
    assert code == 0 and "parse-error" in out and "decode-error" in out


# --------------------------------------------------------------------------- links and special files


def test_symlink_loops_are_reported(tmp_path, monkeypatch):
    write_tree(tmp_path, {"real.py": f'U = "{S3}"\n'})
    os.symlink("loop_b", tmp_path / "loop_a")
    os.symlink("loop_a", tmp_path / "loop_b")
    os.symlink("self", tmp_path / "self")
    os.symlink("missing.py", tmp_path / "dangling.py")
    os.symlink(".", tmp_path / "dir_loop")  # a folder link: not followed, so no infinite walk
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("real.py", 1, "ATS101")},
                            {("loop_a", "link-loop"), ("loop_b", "link-loop"), ("self", "link-loop"), ("dangling.py", "link-loop")})


def test_links_outside_the_scanned_root_are_not_followed(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.py": f'U = "{S3}"\n', "lib/x.py": f'U = "{S3}"\n'})
    repo = tmp_path / "repo"
    write_tree(repo, {"inside.py": f'U = "{CF}"\n', ".git/HEAD": ""})
    os.symlink(outside / "secret.py", repo / "linked.py")
    os.symlink(outside / "lib", repo / "linked_dir")
    os.symlink("inside.py", repo / "alias.py")  # inside the root: scanned
    code, doc = run(repo, monkeypatch)
    assert outcome(doc) == ({("inside.py", 1, "ATS102"), ("alias.py", 1, "ATS102")}, {("linked.py", "link-outside-root")})
    assert "not followed" in doc["errors"][0]["message"]


def test_fifo_is_skipped_without_hanging(tmp_path):
    src = tmp_path / "src"
    write_tree(src, {"a.py": f'U = "{S3}"\n'})
    os.mkfifo(src / "pipe.py")
    os.symlink("pipe.py", src / "to_pipe.py")
    code, doc, _ = subprocess_check(src, "--jobs", "1", timeout=60)
    assert outcome(doc) == ({("a.py", 1, "ATS101")}, set())  # a walk skips what is not a regular file
    code, doc, _ = subprocess_check(src, "--jobs", "1", "pipe.py", "to_pipe.py", "a.py", timeout=60)
    assert outcome(doc) == ({("a.py", 1, "ATS101")}, {("pipe.py", "unreadable"), ("to_pipe.py", "unreadable")})
    assert {e["message"] for e in doc["errors"]} == {"not a regular file (FIFO, socket or device); not read"}


def test_fifo_swapped_in_after_discovery_does_not_block(tmp_path):
    # The file is a regular file when listed and a FIFO when read: opening it must not wait for a writer.
    candidate = engine.Candidate(tmp_path / "p.py", "p.py", tmp_path)
    os.mkfifo(tmp_path / "p.py")
    code = ("import sys; from pathlib import Path; from ats_lint.engine import run as engine; "
            f"c = engine.Candidate(Path({str(candidate.file)!r}), 'p.py', Path({str(tmp_path)!r})); "
            "r = engine.scan_file(c, Path.cwd(), engine.ScanOptions(2_000_000)); print(r.errors[0].kind)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "unreadable", proc.stderr


# --------------------------------------------------------------------------- trees and names


def test_empty_repository(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    code, doc = run(tmp_path, monkeypatch)
    assert (code, doc["findings"], doc["errors"], doc["summary"]["files_scanned"]) == (0, [], [], 0)
    code, out, err = run_cli(["check", "--no-cache"], tmp_path, monkeypatch)
    assert code == 0 and err == ""


def test_empty_files(tmp_path, monkeypatch):
    write_tree(tmp_path, {"empty.py": "", "empty.yaml": "", "Dockerfile": "", ".env": ""})
    code, doc = run(tmp_path, monkeypatch)
    assert (code, outcome(doc), doc["summary"]["files_scanned"]) == (0, (set(), set()), 4)


def test_paths_with_spaces_and_non_ascii_names(tmp_path, monkeypatch):
    write_tree(tmp_path, {"my project/naïve ünïcode.py": f'U = "{S3}"\n', "日本語/設定.yaml": f"url: {CF}\n",
                          "with space.env": f"X={S3}\n"})
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("my project/naïve ünïcode.py", 1, "ATS101"), ("日本語/設定.yaml", 1, "ATS102"),
                             ("with space.env", 1, "ATS101")}, set())
    code, doc = run(tmp_path, monkeypatch, "my project/naïve ünïcode.py")
    assert outcome(doc) == ({("my project/naïve ünïcode.py", 1, "ATS101")}, set())


def test_file_name_that_is_not_utf8(tmp_path, monkeypatch):
    name = os.fsdecode(b"bad\xff name.py")
    (tmp_path / name).write_text(f'U = "{S3}"\n')
    for fmt in ("json", "text", "sarif", "github"):
        code, out, err = run_cli(["check", "--no-cache", "--format", fmt], tmp_path, monkeypatch)
        assert code == 1, err
        assert "bad\\xff name.py" in (json.loads(out)["findings"][0]["path"] if fmt == "json" else out.replace("\\\\", "\\"))
    code, doc = run(tmp_path, monkeypatch)
    assert outcome(doc) == ({("bad\\xff name.py", 1, "ATS101")}, set())


def test_engine_api_on_a_hostile_tree(tmp_path):
    """Everything at once through the engine API: nothing raises, every file is accounted for."""
    write_tree(tmp_path, {"ok.py": f'U = "{S3}"\n', "py2.py": 'print "x"\nrequests.get(u, verify=True)\n', "lat.yaml": b"a: \xe9\n",
                          "nul.py": b"x = 1\x00\n", "deep.py": "x = " + "[" * 300 + "]" * 300 + f'\nU = "{S3}"\n'})
    os.symlink("nowhere", tmp_path / "broken")
    os.mkfifo(tmp_path / "pipe")
    result = engine.run([Path(".")], Settings(jobs=1, project_root=tmp_path), cwd=tmp_path)
    listed = {e.path for e in result.errors}
    assert sorted(result.considered) == ["deep.py", "lat.yaml", "nul.py", "ok.py", "py2.py"]
    assert listed == {"broken", "deep.py", "lat.yaml", "nul.py", "py2.py"}
    assert result.files_scanned == 5


# --------------------------------------------------------------------------- configuration errors


@pytest.mark.parametrize("name, content, needle", [
    ("pyproject.toml", "[tool.ats-lint]\nselect = [\n", "pyproject.toml: invalid TOML"),
    ("pyproject.toml", "[tool.ats-lint]\nselct = ['ATS1']\n", "unknown key 'selct' (did you mean 'select'? known keys: "),
    ("pyproject.toml", "[tool.ats-lint]\nselect = 5\n", "key 'select': expected a list of strings, got 5"),
    ("pyproject.toml", "[tool.ats-lint]\njobs = 'many'\n", "key 'jobs': expected a non-negative integer, got 'many'"),
    ("pyproject.toml", "[tool.ats-lint]\nper-file-ignores = {'a.py' = ['NOPE1']}\n",
     "key 'per-file-ignores' pattern 'a.py': unknown rule id or prefix 'NOPE1'"),
    (".ats-lint.yaml", "select: [ATS101\n", ".ats-lint.yaml: invalid YAML"),
    (".ats-lint.yaml", "select: [ATS777]\n", "key 'select': unknown rule id or prefix 'ATS777' (known: ATS101"),
    (".ats-lint.yaml", "ignore: [ATS9]\n", "key 'ignore': unknown rule id or prefix 'ATS9'"),
    (".ats-lint.yaml", "ignore: ATS1\n", "key 'ignore': expected a list of strings, got the string 'ATS1'"),
    ("pyproject.toml", "[tool.ats-lint]\nselect = \"ATS1\"\n", "key 'select': expected a list of strings, got the string 'ATS1' (write ['ATS1'])"),
    (".ats-lint.yaml", "exclude: {a: 1}\n", "key 'exclude': expected a list of strings"),
    (".ats-lint.yaml", "scan-prose: 'yes'\n", "key 'scan-prose': expected true or false, got 'yes'"),
    (".ats-lint.yaml", "max-file-size: -3\n", "key 'max-file-size': expected a size"),
    (".ats-lint.yaml", "per-file-ignores: [a]\n", "key 'per-file-ignores': expected a mapping of glob pattern to a list of rule ids"),
    (".ats-lint.yaml", "42\n", ".ats-lint.yaml: expected a mapping of settings, got int"),
    (".ats-lint.yaml", b"select: [\xff]\n", ".ats-lint.yaml: cannot read configuration"),
])
def test_configuration_errors_name_file_key_and_expectation(name, content, needle, tmp_path, monkeypatch):
    write_tree(tmp_path, {name: content, "a.py": f'U = "{S3}"\n'})
    code, out, err = run_cli(["check", "--no-cache"], tmp_path, monkeypatch)
    assert code == 2 and out == ""
    assert name in err and needle in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
