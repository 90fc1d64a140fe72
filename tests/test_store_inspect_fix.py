"""`bundle inspect`, `bundle fix` and `check --fix` on JKS, JCEKS, PKCS#12, DER and PKCS#7 stores.

Fixtures come from tests/data/stores (made by keytool and openssl, see generate.sh). A fixed store
is read back by our reader, by cryptography (PKCS#12), and by the JDK's keytool when it is installed.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from helpers import check_json, pem_of, run_cli, triples, write_tree

from ats_lint.trust.certs import fix_roots
from ats_lint.trust.stores import TRUSTED_CERT, read_store

DATA = Path(__file__).resolve().parent / "data" / "stores"
KEYTOOL = shutil.which("keytool")
FIVE = [cert.label for cert, _ in fix_roots()]
FIVE_ALIASES = ["amazon-root-ca-1", "amazon-root-ca-2", "amazon-root-ca-3", "amazon-root-ca-4",
                "starfield-services-root-certificate-authority-g2"]
DIGICERT3 = "no ATS root (3 certificates, 3 from DigiCert)"


def _copy(tmp_path: Path, *names: str) -> None:
    for name in names:
        shutil.copyfile(DATA / name, tmp_path / name)


def _inspect(tmp_path, monkeypatch, *args):
    code, out, err = run_cli(["bundle", "inspect", "--format", "json", *args], tmp_path, monkeypatch)
    return code, json.loads(out)["bundles"], err


def _keytool_aliases(path: Path, password: str) -> list[tuple[str, str]]:
    out = subprocess.run([KEYTOOL, "-list", "-keystore", str(path), "-storepass", password],
                         capture_output=True, text=True, check=True).stdout
    return sorted(re.findall(r"^([^,\n]+), [^,\n]+, [^,\n]+, (trustedCertEntry|PrivateKeyEntry)", out, re.M))


# --------------------------------------------------------------------------- inspect


@pytest.mark.parametrize("name, fmt, code, verdict", [
    ("digicert-only.jks", "jks", 1, f"does not trust Amazon Trust Services: {DIGICERT3}; fix with `ats-lint bundle fix digicert-only.jks`"),
    ("digicert-only.jceks", "jceks", 1, f"does not trust Amazon Trust Services: {DIGICERT3}; fix with `ats-lint bundle fix digicert-only.jceks`"),
    ("digicert-only.p12", "pkcs12", 1, f"does not trust Amazon Trust Services: {DIGICERT3}; fix with `ats-lint bundle fix digicert-only.p12`"),
    ("with-amazon-root-1.p12", "pkcs12", 0, "trusts Amazon Trust Services (Amazon Root CA 1)"),
    ("digicert-global-root-g2.der", "der", 1,
     "does not trust Amazon Trust Services: no ATS root (1 certificate, 1 from DigiCert); ats-lint does not rewrite a "
     "DER certificate file: trust the ATS roots next to it (another trust anchor, or a PEM bundle that holds them)"),
    ("digicert.p7b", "pkcs7-der", 1,
     f"does not trust Amazon Trust Services: {DIGICERT3}; ats-lint does not rewrite a PKCS#7 file: trust the ATS "
     "roots next to it (another trust anchor, or a PEM bundle that holds them)"),
])
def test_inspect_lists_every_certificate_of_each_format_with_the_verdict(tmp_path, monkeypatch, name, fmt, code, verdict):
    _copy(tmp_path, name)
    got, [bundle], err = _inspect(tmp_path, monkeypatch, name)
    assert (got, err, bundle["format"], bundle["verdict"]) == (code, "", fmt, verdict)
    expected = [(e.der, e.alias) for e in read_store((DATA / name).read_bytes()).entries]
    assert [(e["sha256"], e.get("alias")) for e in bundle["entries"]] == [(hashlib.sha256(d).hexdigest(), a) for d, a in expected]


def test_inspect_text_names_entries_by_alias_and_marks_key_entries(tmp_path, monkeypatch):
    _copy(tmp_path, "with-key.jks")
    code, out, _ = run_cli(["bundle", "inspect", "with-key.jks"], tmp_path, monkeypatch)
    lines = [ln for ln in out.splitlines() if not ln.startswith("      ")]
    assert (code, lines) == (1, [
        "with-key.jks (JKS)",
        "  entry 1, chain certificate 1 (fixture-key): CN=ats-lint test fixture (throwaway key)  [key entry]",
        "  entry 2 (baltimore-cybertrust-root): Baltimore CyberTrust Root  [DigiCert, EXPIRED]",
        "  entry 3 (digicert-global-root-g2): DigiCert Global Root G2  [DigiCert]",
        "  verdict: does not trust Amazon Trust Services: no ATS root (3 certificates, 2 from DigiCert); "
        "fix with `ats-lint bundle fix with-key.jks`",
    ])


@pytest.mark.parametrize("content, problem", [
    ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "PRIVATE KEY block: not a certificate (ignored)"),
    ("", "empty file: no certificate"),
    (bytes(range(256)) * 4, "binary data: not a trust store (PEM, DER, PKCS#7, PKCS#12, JKS or JCEKS)"),
])
def test_inspect_never_suggests_fix_for_what_is_not_a_trust_store(tmp_path, monkeypatch, content, problem):
    write_tree(tmp_path, {"thing": content})
    code, [bundle], _ = _inspect(tmp_path, monkeypatch, "thing")
    assert code == 1
    assert [e["problem"] for e in bundle["entries"]] == [problem]
    assert bundle["verdict"] == "does not trust Amazon Trust Services: holds no certificate (not a trust store)"
    assert "bundle fix" not in bundle["verdict"]


def test_inspect_a_store_needing_a_password_says_so_and_storepass_opens_it(tmp_path, monkeypatch):
    _copy(tmp_path, "s3cret.p12", "with-amazon-root-1.p12")
    code, bundles, err = _inspect(tmp_path, monkeypatch, "s3cret.p12", "with-amazon-root-1.p12")
    assert code == 2
    assert err == ("ats-lint: error: s3cret.p12: could not read without a password: 1 encrypted part(s) do not open "
                   "with `changeit` or an empty password (give it with --storepass)\n")
    assert [b["trusts_ats"] for b in bundles] == [False, True]  # the other store is still inspected
    code, [bundle], err = _inspect(tmp_path, monkeypatch, "--storepass", "s3cret", "s3cret.p12")
    assert (code, err, bundle["certificates"]) == (1, "", 1)
    assert bundle["verdict"].endswith("fix with `ats-lint bundle fix s3cret.p12 --storepass PASSWORD`")


def test_inspect_a_store_that_does_not_parse_is_a_one_line_error(tmp_path, monkeypatch):
    _copy(tmp_path, "truncated.p12", "digicert-only.jks")
    code, bundles, err = _inspect(tmp_path, monkeypatch, "truncated.p12", "digicert-only.jks")
    assert code == 2
    assert err.startswith("ats-lint: error: truncated.p12: a PKCS#12 store that cannot be read: ")
    assert err.count("\n") == 1
    assert bundles[1]["certificates"] == 3


# --------------------------------------------------------------------------- fix


@pytest.mark.parametrize("name, password", [("digicert-only.jks", "changeit"), ("digicert-only.jceks", "changeit"),
                                            ("digicert-only.p12", "changeit"), ("s3cret.jks", "s3cret"),
                                            ("with-key.p12", "changeit")])
def test_fix_adds_the_five_roots_as_trusted_entries_keeping_format_entries_and_password(tmp_path, monkeypatch, name, password):
    _copy(tmp_path, name)
    store = tmp_path / name
    before = read_store(store.read_bytes(), (password,))
    code, out, err = run_cli(["bundle", "fix", "--storepass", password, name], tmp_path, monkeypatch)
    assert (code, out, err) == (0, f"{name}: added {', '.join(FIVE)}\n", "")
    after = read_store(store.read_bytes(), (password,))
    assert (after.format, after.integrity, after.password) == (before.format, "verified", password)
    assert after.entries[:len(before.entries)] == before.entries  # every entry kept, in its place
    added = after.entries[len(before.entries):]
    assert [(e.alias, e.kind) for e in added] == [(a, TRUSTED_CERT) for a in FIVE_ALIASES]
    assert [e.sha256 for e in added] == [cert.sha256 for cert, _ in fix_roots()]
    if KEYTOOL:
        listed = _keytool_aliases(store, password)
        assert {a for a, kind in listed if kind == "trustedCertEntry"} >= set(FIVE_ALIASES)
        assert len(listed) == len({e.alias for e in before.entries}) + 5


def test_fix_is_idempotent_and_check_and_dry_run_change_nothing(tmp_path, monkeypatch):
    _copy(tmp_path, "digicert-only.jks")
    store = tmp_path / "digicert-only.jks"
    original = store.read_bytes()
    code, out, err = run_cli(["bundle", "fix", "--check", "digicert-only.jks"], tmp_path, monkeypatch)
    assert (code, out, err) == (1, f"digicert-only.jks: would add {', '.join(FIVE)}\n", "")
    code, out, err = run_cli(["bundle", "fix", "--dry-run", "digicert-only.jks"], tmp_path, monkeypatch)
    assert code == 1
    assert out.splitlines() == [
        f"digicert-only.jks (JKS): + trusted certificate entry `{alias}`: {cert.label} (SHA-256 {cert.sha256.hex()})"
        for alias, (cert, _) in zip(FIVE_ALIASES, fix_roots())]
    assert store.read_bytes() == original
    assert run_cli(["bundle", "fix", "digicert-only.jks"], tmp_path, monkeypatch)[0] == 0
    fixed = store.read_bytes()
    code, out, _ = run_cli(["bundle", "fix", "digicert-only.jks"], tmp_path, monkeypatch)
    assert (code, out) == (0, "digicert-only.jks: already holds the Amazon Trust Services roots; nothing to do\n")
    assert store.read_bytes() == fixed
    assert run_cli(["bundle", "inspect", "digicert-only.jks"], tmp_path, monkeypatch)[0] == 0


def test_a_store_that_already_trusts_some_roots_gets_only_the_missing_ones(tmp_path, monkeypatch):
    _copy(tmp_path, "with-amazon-root-1.p12")
    code, out, _ = run_cli(["bundle", "fix", "with-amazon-root-1.p12"], tmp_path, monkeypatch)
    assert (code, out) == (0, f"with-amazon-root-1.p12: added {', '.join(FIVE[1:])}\n")
    from cryptography.hazmat.primitives.serialization import pkcs12

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = pkcs12.load_pkcs12((tmp_path / "with-amazon-root-1.p12").read_bytes(), b"changeit")
    assert len(loaded.additional_certs) == 6  # an independent reader sees every certificate


def test_fix_keeps_the_permission_bits_and_refuses_a_wrong_password(tmp_path, monkeypatch):
    _copy(tmp_path, "digicert-only.p12", "s3cret.jks")
    os.chmod(tmp_path / "digicert-only.p12", 0o640)
    assert run_cli(["bundle", "fix", "digicert-only.p12"], tmp_path, monkeypatch)[0] == 0
    assert (tmp_path / "digicert-only.p12").stat().st_mode & 0o777 == 0o640
    original = (tmp_path / "s3cret.jks").read_bytes()
    code, out, err = run_cli(["bundle", "fix", "s3cret.jks"], tmp_path, monkeypatch)
    assert (code, out) == (2, "")
    assert err == ("ats-lint: error: s3cret.jks: the JKS store does not open with the store password `changeit`; "
                   "give it with --storepass\n")
    assert (tmp_path / "s3cret.jks").read_bytes() == original


def test_der_pkcs7_and_broken_stores_are_refused_one_line_each_and_the_rest_is_fixed(tmp_path, monkeypatch):
    _copy(tmp_path, "digicert.p7b", "truncated.jks", "digicert-only.jks")
    code, out, err = run_cli(["bundle", "fix", "digicert.p7b", "truncated.jks", "digicert-only.jks"], tmp_path, monkeypatch)
    assert code == 2
    assert out == f"digicert-only.jks: added {', '.join(FIVE)}\n"
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("ats-lint: error: digicert.p7b: a PKCS#7 bundle; ats-lint does not rewrite it")
    assert lines[1].startswith("ats-lint: error: truncated.jks: a JKS store that cannot be read: truncated at byte ")


def test_hard_links_are_not_split(tmp_path, monkeypatch):
    _copy(tmp_path, "digicert-only.jks")
    os.link(tmp_path / "digicert-only.jks", tmp_path / "linked.jks")
    code, _, err = run_cli(["bundle", "fix", "digicert-only.jks"], tmp_path, monkeypatch)
    assert code == 2
    assert err.startswith("ats-lint: error: digicert-only.jks: has 2 hard links; ats-lint does not rewrite a hard-linked keystore")
    assert (tmp_path / "digicert-only.jks").read_bytes() == (DATA / "digicert-only.jks").read_bytes()
    # a PEM fix only appends: it is done in place, and both names see it
    write_tree(tmp_path, {"ca.pem": "{{pem:DigiCert Global Root G2}}"})
    os.link(tmp_path / "ca.pem", tmp_path / "ca-link.pem")
    assert run_cli(["bundle", "fix", "ca.pem"], tmp_path, monkeypatch)[0] == 0
    assert (tmp_path / "ca.pem").stat().st_ino == (tmp_path / "ca-link.pem").stat().st_ino
    assert (tmp_path / "ca-link.pem").read_text().startswith(pem_of("DigiCert Global Root G2"))
    assert (tmp_path / "ca-link.pem").read_text().count("BEGIN CERTIFICATE") == 6


def test_check_fix_fixes_flagged_keystores_and_reports_what_it_cannot(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "run.sh": ("java -Djavax.net.ssl.trustStore=certs/partner.jks -jar a.jar\n"
                   "java -Djavax.net.ssl.trustStore=certs/partner.p12 -jar b.jar\n"
                   "java -Djavax.net.ssl.trustStore=certs/partner.der -jar c.jar\n"),
        "certs/partner.jks": "{{fixture:stores/digicert-only.jks}}",
        "certs/partner.p12": "{{fixture:stores/digicert-only.p12}}",
        "certs/partner.der": "{{fixture:stores/digicert-global-root-g2.der}}",
    })
    code, out, err = run_cli(["check", "--format", "json", "--jobs", "1", "--no-gitignore", "--fix", "."], tmp_path, monkeypatch)
    doc = json.loads(out)
    assert {t for t in triples(doc) if t[2] == "ATS202"} == {("run.sh", 3, "ATS202")}
    assert "ats-lint: fix: certs/partner.jks: added Amazon Root CA 1" in err
    assert "ats-lint: fix: cannot fix certs/partner.der (flagged at run.sh:3): " in err
    _, again = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {t for t in triples(again) if t[2] == "ATS202"} == {("run.sh", 3, "ATS202")}
    if KEYTOOL:
        assert {a for a, _ in _keytool_aliases(tmp_path / "certs/partner.jks", "changeit")} >= set(FIVE_ALIASES)
