"""The result cache: a second run on an unchanged tree reuses results; any change to the file,
a bundle it read, a module it imported, the rules or the options invalidates them."""
from __future__ import annotations

import os
import time
from pathlib import Path

from helpers import write_tree

from ats_lint.engine import cache as cache_module
from ats_lint.engine.config import Settings
from ats_lint.engine.run import run


def _age(root: Path, seconds: float = 10) -> None:
    """Move files written in the last moments out of the cache's 'modified just now' window."""
    now = time.time()
    for p in root.rglob("*"):
        if p.is_file() and now - p.stat().st_mtime < 5:
            os.utime(p, (now - seconds, now - seconds))


def _run(root: Path, **options):
    settings = Settings(project_root=root, jobs=1, **options)
    return run([root], settings, cwd=root)


def _triples(result):
    return sorted((f.path, f.line, f.rule, f.severity) for f in result.findings)


def _count_scans(monkeypatch):
    import ats_lint.engine.run as engine

    calls = []
    original = engine.scan_file

    def counting(candidate, **kw):
        calls.append(candidate.display)
        return original(candidate, **kw)

    monkeypatch.setattr(engine, "scan_file", counting)
    return calls


FILES = {
    "app/__init__.py": "",
    "app/settings.py": 'CA = "certs/b.pem"\n',
    "app/client.py": "import requests\nfrom app.settings import CA\nrequests.get('https://x.s3.amazonaws.com', verify=CA)\n",
    "certs/b.pem": "{{pem:DigiCert Global Root G2}}",
}


def test_warm_run_reuses_results_and_reports_the_same(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    cold = _triples(_run(tmp_path))
    calls = _count_scans(monkeypatch)
    warm = _triples(_run(tmp_path))
    assert warm == cold and calls == []
    assert ("app/client.py", 3, "ATS202", "error") in cold


def test_editing_a_file_rescans_it_and_its_importers_only(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    _run(tmp_path)
    (tmp_path / "app/settings.py").write_text('CA = "certs/b.pem"\nX = "https://d1.cloudfront.net"\n')
    _age(tmp_path)
    calls = _count_scans(monkeypatch)
    result = _triples(_run(tmp_path))
    assert sorted(calls) == ["app/client.py", "app/settings.py"]  # client.py imports a constant of settings.py
    assert ("app/settings.py", 2, "ATS102", "warning") in result


def test_changing_a_bundle_invalidates_the_files_that_read_it(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    assert ("app/client.py", 3, "ATS202", "error") in _triples(_run(tmp_path))
    write_tree(tmp_path, {"certs/b.pem": "{{pem:DigiCert Global Root G2}}{{pem:Amazon Root CA 1}}"})
    _age(tmp_path)
    result = _triples(_run(tmp_path))
    assert ("app/client.py", 3, "ATS201", "note") in result and not any(r == "ATS202" for _, _, r, _ in result)


def test_changing_an_imported_constant_invalidates_the_importer(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    _run(tmp_path)
    (tmp_path / "app/settings.py").write_text("CA = True\n")
    _age(tmp_path)
    assert [r for _, _, r, _ in _triples(_run(tmp_path))] == ["ATS101"]


def test_a_bundle_that_appears_later_is_seen(tmp_path):
    write_tree(tmp_path, {k: v for k, v in FILES.items() if not k.endswith(".pem")})
    _age(tmp_path)
    assert "ATS202" not in [r for _, _, r, _ in _triples(_run(tmp_path))]
    write_tree(tmp_path, {"certs/b.pem": "{{pem:DigiCert Global Root G2}}"})
    _age(tmp_path)
    assert "ATS202" in [r for _, _, r, _ in _triples(_run(tmp_path))]


def test_different_options_or_rules_use_a_different_cache(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    _run(tmp_path)
    calls = _count_scans(monkeypatch)
    _run(tmp_path, max_file_size=1024)
    assert len(calls) == 4
    calls.clear()
    monkeypatch.setattr(cache_module, "_rules_digest", lambda: "other rules")
    _run(tmp_path)
    assert len(calls) == 4


def test_files_modified_just_now_are_not_trusted_from_the_cache(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)  # mtimes are "now"
    _run(tmp_path)
    calls = _count_scans(monkeypatch)
    _run(tmp_path)
    assert len(calls) == 4


def test_cache_is_outside_the_tree_by_default_and_never_in_reports(tmp_path):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    _run(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before
    assert list(cache_module.default_directory(tmp_path).glob("results-*.json"))


def test_project_cache_dir_is_skipped_by_the_scan(tmp_path):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    first = _triples(_run(tmp_path, cache_dir=".ats_lint_cache"))
    assert (tmp_path / ".ats_lint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    second = _run(tmp_path, cache_dir=".ats_lint_cache")
    assert _triples(second) == first and second.files_scanned == 4


def test_damaged_cache_is_ignored(tmp_path):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    first = _triples(_run(tmp_path))
    for f in cache_module.default_directory(tmp_path).glob("results-*.json"):
        f.write_text("{not json")
    assert _triples(_run(tmp_path)) == first


def test_no_cache_option_neither_reads_nor_writes(tmp_path):
    write_tree(tmp_path, FILES)
    _age(tmp_path)
    _run(tmp_path, cache=False)
    assert not cache_module.default_directory(tmp_path).exists()


def test_cli_no_cache_cache_dir_and_clean(tmp_path, monkeypatch):
    from helpers import run_cli

    write_tree(tmp_path, FILES)
    _age(tmp_path)
    code, _, _ = run_cli(["check", "--no-cache", "."], tmp_path, monkeypatch)
    assert code == 1 and not cache_module.default_directory(tmp_path).exists()
    run_cli(["check", "--cache-dir", "cache-here", "."], tmp_path, monkeypatch)
    assert list((tmp_path / "cache-here").glob("results-*.json"))
    run_cli(["check", "."], tmp_path, monkeypatch)
    code, out, _ = run_cli(["clean"], tmp_path, monkeypatch)
    assert code == 0 and out.startswith("Removed 1 cache file from ")
    assert not list(cache_module.default_directory(tmp_path).glob("results-*.json"))


def test_a_cache_dir_inside_the_tree_with_any_name_is_never_scanned(tmp_path, monkeypatch):
    from helpers import check_json

    write_tree(tmp_path, FILES)
    _age(tmp_path)
    _, first = check_json(tmp_path, monkeypatch, "--cache-dir", "my-cache", ".")
    assert (tmp_path / "my-cache" / "CACHEDIR.TAG").is_file()
    _, second = check_json(tmp_path, monkeypatch, "--no-cache", ".")
    assert second["findings"] == first["findings"] and second["summary"]["files_scanned"] == 4


def test_scanner_code_is_part_of_the_cache_key(monkeypatch):
    cache_module._rules_digest.cache_clear()
    first = cache_module._rules_digest()
    package = Path(cache_module.__file__).resolve().parent.parent
    real_read = Path.read_bytes

    def read(path):
        data = real_read(path)
        return data + b"# changed" if path == package / "scan" / "hosts.py" else data

    monkeypatch.setattr(Path, "read_bytes", read)
    cache_module._rules_digest.cache_clear()
    try:
        assert cache_module._rules_digest() != first
    finally:
        monkeypatch.undo()
        cache_module._rules_digest.cache_clear()


TREE = {
    ".gitignore": "*.log\ngenerated/\n!keep.log\n",
    "app/settings.py": 'CA = "certs/b.pem"\n',
    "app/client.py": "import requests\nfrom app.settings import CA\nrequests.get('https://x.s3.amazonaws.com', verify=CA)\n",
    "app/.gitignore": "local_*.yaml\n",
    "app/local_dev.yaml": "url: https://b.s3.amazonaws.com/k\n",
    "deploy/a/b/c.yaml": "url: https://d1.cloudfront.net/x\n",
    "deploy/a/b/d.sh": "curl https://b.s3.amazonaws.com/k\n",
    "deploy/debug.log": "https://b.s3.amazonaws.com/k\n",
    "deploy/keep.log": "https://b.s3.amazonaws.com/k\n",
    "generated/out.yaml": "url: https://b.s3.amazonaws.com/k\n",
    "node_modules/x/index.js": 'const u = "https://b.s3.amazonaws.com/k";\n',
    "certs/b.pem": "{{pem:DigiCert Global Root G2}}",
}


def test_a_warm_run_after_touching_one_file_rescans_exactly_that_file(tmp_path, monkeypatch):
    write_tree(tmp_path, TREE)
    _age(tmp_path)
    cold = _run(tmp_path)
    assert sorted(cold.considered) == [".gitignore", "app/.gitignore", "app/client.py", "app/settings.py", "certs/b.pem", "deploy/a/b/c.yaml", "deploy/a/b/d.sh", "deploy/keep.log"]
    write_tree(tmp_path, {"deploy/a/b/c.yaml": "url: https://d2.cloudfront.net/y\n"})
    _age(tmp_path)
    calls = _count_scans(monkeypatch)
    warm = _run(tmp_path)
    assert calls == ["deploy/a/b/c.yaml"]
    assert _triples(warm) == _triples(_run(tmp_path, cache=False))
    calls.clear()
    _run(tmp_path)
    assert calls == []  # and nothing at all once it is cached again


def test_a_warm_run_imports_no_scanner(tmp_path):
    """An unchanged tree is answered from the cache: no parser, grammar or certificate library is loaded."""
    import json
    import subprocess
    import sys

    write_tree(tmp_path, TREE)
    _age(tmp_path)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    script = ("import json, sys; from ats_lint.cli import main; main(['check', '--quiet', '--format', 'json', '-o', 'out.json', '.']); "
              "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'tree_sitter', 'cryptography') "
              "or m.startswith(('ats_lint.scan.python', 'ats_lint.scan.tree', 'ats_lint.scan.text', 'ats_lint.trust', "
              "'ats_lint.report.sarif', 'ats_lint.report.html')))))")
    loaded = []
    for _ in range(2):  # the first run fills the cache, the second reads it
        proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
        loaded.append(json.loads(proc.stdout))
    assert "libcst" in loaded[0]
    assert loaded[1] == []
