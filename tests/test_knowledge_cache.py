"""Certificate knowledge is derived from rules/certs once and kept as plain JSON in the user's
cache folder: a later start reads it without `cryptography`; a change to the shipped certificates
(or a damaged file) derives again."""
from __future__ import annotations

import json
import subprocess
import sys

from ats_lint.trust import certs


def _fresh():
    certs.knowledge.cache_clear()
    return certs.knowledge()


def test_the_second_load_reads_the_cache_and_agrees_with_the_derivation(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    derived = _fresh()
    files = list((tmp_path / "ats-lint" / "knowledge").glob("certificates-*.json"))
    assert len(files) == 1
    doc = json.loads(files[0].read_text())
    assert doc["format"] == 1 and len(doc["certificates"]) == len(derived.certificates)
    monkeypatch.setattr(certs, "describe_der", lambda der: (_ for _ in ()).throw(AssertionError("parsed again")))
    cached = _fresh()
    assert cached.certificates == derived.certificates
    assert cached.by_digest == derived.by_digest and cached.ats_spki == derived.ats_spki
    certs.knowledge.cache_clear()


def test_a_damaged_or_foreign_cache_file_is_derived_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    derived = _fresh()
    (path,) = (tmp_path / "ats-lint" / "knowledge").glob("certificates-*.json")
    for damage in ("{not json", json.dumps({"format": 1, "key": "other", "certificates": []}),
                   json.dumps({"format": 1, "key": path.stem.split("-", 1)[1], "certificates": [{"label": 1}]})):
        path.write_text(damage)
        assert _fresh().certificates == derived.certificates
        assert json.loads(path.read_text())["certificates"]  # written again
    certs.knowledge.cache_clear()


def test_a_change_to_the_shipped_certificates_changes_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key, sources = certs._knowledge_key()
    original = certs.Path.read_bytes

    def edited(path):
        data = original(path)
        return data + b"\n# edited\n" if path.name == "digicert.pem" else data

    monkeypatch.setattr(certs.Path, "read_bytes", edited)
    assert certs._knowledge_key()[0] != key


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _fresh().certificates
    certs.knowledge.cache_clear()


def test_a_cached_start_does_not_import_cryptography(tmp_path):
    code = ("import sys; from ats_lint.trust.certs import knowledge; assert knowledge().certificates; "
            "print('cryptography' in sys.modules)")
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert (first.stdout.strip(), second.stdout.strip()) == ("True", "False")


def test_the_knowledge_cache_inside_a_scanned_tree_is_never_scanned(tmp_path, monkeypatch):
    """XDG_CACHE_HOME inside the audited tree: the cached fingerprints are not reported as ATS302."""
    from ats_lint.trust import certs
    from helpers import check_json, triples, write_tree

    write_tree(tmp_path, {"app.py": 'URL = "https://bucket.s3.amazonaws.com/key"\n'})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    certs.knowledge.cache_clear()
    certs.knowledge()
    assert (tmp_path / "xdg" / "ats-lint" / "knowledge" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    code, doc = check_json(tmp_path, monkeypatch, "--quiet", "--no-cache")
    assert triples(doc) == {("app.py", 1, "ATS101")}
