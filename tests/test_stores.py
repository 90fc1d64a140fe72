"""ats_lint.trust.stores: trust-store formats, read by content, written so that keytool still reads them.

Fixtures in tests/data/stores were made by tests/data/stores/generate.sh with keytool and openssl.
Every expected alias comes from generate.sh's naming rule and every expected fingerprint is
computed here from rules/certs/*.pem; none is written down.
"""
from __future__ import annotations

import hashlib
import random
import re
import shutil
import struct
import subprocess
import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ats_lint.trust import stores
from ats_lint.trust.stores import (
    CA_CERT,
    KEY_ENTRY_CHAIN,
    TRUSTED_CERT,
    StoreError,
    StorePasswordError,
    add_certificates,
    detect_format,
    pem_certificates,
    read_store,
    read_store_file,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "stores"
KEYTOOL = shutil.which("keytool")


def _slug(label: str) -> str:  # generate.sh: lower case, runs of other characters as one dash
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _reference() -> dict[str, bytes]:
    """alias -> DER of every certificate of rules/certs/digicert.pem and ats-roots.pem (as generate.sh splits them)."""
    out = {}
    for name in ("digicert.pem", "ats-roots.pem"):
        text = (ROOT / "rules" / "certs" / name).read_text(encoding="utf-8")
        label = None
        for m in re.finditer(r'^# Label: "(.*?)"$|(-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----)', text, re.S | re.M):
            if m.group(1) is not None:
                label = m.group(1)
                continue
            with warnings.catch_warnings():  # one DigiCert root has a negative serial number
                warnings.simplefilter("ignore")
                cert = x509.load_pem_x509_certificate(m.group(2).encode())
            out[_slug(label)] = cert.public_bytes(serialization.Encoding.DER)
    return out


REF = _reference()
SHA = {alias: hashlib.sha256(der).digest() for alias, der in REF.items()}
DIGICERT3 = ("digicert-global-root-ca", "digicert-global-root-g2", "digicert-global-root-g3")
FIXTURE_KEY = "fixture-key"


def _fixture_key_sha() -> bytes:
    """The throwaway key entry's certificate, from the PKCS#12 fixture via cryptography (not our reader)."""
    loaded = pkcs12.load_pkcs12((DATA / "with-key.p12").read_bytes(), b"changeit")
    return hashlib.sha256(loaded.cert.certificate.public_bytes(serialization.Encoding.DER)).digest()


def _summary(store) -> set[tuple[str | None, str, bytes]]:
    return {(e.alias, e.kind, e.sha256) for e in store.entries}


def _trusted(*aliases: str) -> set[tuple[str, str, bytes]]:
    return {(a, TRUSTED_CERT, SHA[a]) for a in aliases}


# --------------------------------------------------------------------------- detection

FORMATS = {
    "digicert-only.jks": "jks",
    "s3cret.jks": "jks",
    "with-key.jks": "jks",
    "truncated.jks": "jks",
    "digicert-only.jceks": "jceks",
    "with-secret.jceks": "jceks",
    "digicert-only.p12": "pkcs12",
    "with-amazon-root-1.p12": "pkcs12",
    "with-key.p12": "pkcs12",
    "openssl-ca.p12": "pkcs12",
    "openssl-empty-pass.p12": "pkcs12",
    "openssl-legacy.p12": "pkcs12",
    "digicert-global-root-g2.der": "der",
    "digicert.p7b": "pkcs7-der",
    "digicert-pem.p7b": "pkcs7-pem",
}


@pytest.mark.parametrize("name,fmt", sorted(FORMATS.items()))
def test_detect_format_by_content(name, fmt):
    assert detect_format((DATA / name).read_bytes()) == fmt


def test_detect_pem_and_unknown():
    assert detect_format((ROOT / "rules" / "certs" / "digicert.pem").read_bytes()) == "pem"
    assert detect_format(b"") == "unknown"
    assert detect_format(b"hello world\n") == "unknown"
    assert detect_format(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") == "unknown"
    assert detect_format(b"\x30\x03\x02\x01\x05") == "unknown"  # a SEQUENCE that is none of them


@pytest.mark.parametrize("name,fmt", [("with-key.jks", "jks"), ("digicert-only.p12", "pkcs12"),
                                      ("digicert.p7b", "pkcs7-der"), ("digicert-global-root-g2.der", "der")])
def test_renamed_store_is_read_by_content(tmp_path, name, fmt):
    renamed = tmp_path / "bundle.pem"
    shutil.copyfile(DATA / name, renamed)
    store = read_store_file(renamed)
    assert store.format == fmt
    assert store.entries


# --------------------------------------------------------------------------- reading


def test_read_jks():
    store = read_store((DATA / "digicert-only.jks").read_bytes())
    assert store.format == "jks"
    assert _summary(store) == _trusted(*DIGICERT3)
    assert store.password == "changeit" and store.integrity == "verified"
    assert not store.password_needed and store.problems == ()
    assert sorted(e.index for e in store.entries) == [1, 2, 3]


def test_read_jceks():
    store = read_store((DATA / "digicert-only.jceks").read_bytes())
    assert store.format == "jceks"
    assert _summary(store) == _trusted(*DIGICERT3)
    assert store.integrity == "verified"


def test_read_jks_with_key_entry():
    store = read_store((DATA / "with-key.jks").read_bytes())
    assert _summary(store) == _trusted("digicert-global-root-g2", "baltimore-cybertrust-root") | {
        (FIXTURE_KEY, KEY_ENTRY_CHAIN, _fixture_key_sha())
    }
    assert store.key_entries == 1
    chain = [e for e in store.entries if e.kind == KEY_ENTRY_CHAIN]
    assert chain[0].chain_index == 1 and "chain certificate 1" in chain[0].location


def test_jks_password_not_needed_for_certificates():
    data = (DATA / "s3cret.jks").read_bytes()
    store = read_store(data)  # changeit, then empty: neither is the password
    assert _summary(store) == _trusted("digicert-global-root-g2")
    assert not store.password_needed
    assert store.password is None and store.integrity == "unverified"
    assert len(store.problems) == 1 and "integrity digest does not match" in store.problems[0]
    assert "\n" not in store.problems[0]
    good = read_store(data, ("s3cret",))
    assert good.password == "s3cret" and good.integrity == "verified" and good.problems == ()


def test_jceks_secret_key_entry():
    store = read_store((DATA / "with-secret.jceks").read_bytes())
    # keytool writes the secret key last (JceKeyStore's Hashtable order for these two aliases):
    # it runs up to the digest, so every entry is read; the non-last case is the synthetic test below
    assert _summary(store) == _trusted("digicert-global-root-g2")
    assert store.problems == () and store.integrity == "verified"
    assert store.key_entries == 1


def _jceks(entries: list[bytes], password: str = "changeit") -> bytes:
    body = struct.pack(">IIi", stores.JCEKS_MAGIC, 2, len(entries)) + b"".join(entries)
    return body + stores.jks.jks_digest(password, body)


def _trusted_entry(alias: str, der: bytes) -> bytes:
    return struct.pack(">i", 2) + stores.jks.java_utf(alias) + bytes(8) + stores.jks.java_utf("X.509") + struct.pack(">i", len(der)) + der


def test_jceks_secret_key_before_other_entries_is_reported():
    secret = struct.pack(">i", 3) + stores.jks.java_utf("k") + bytes(8) + b"\xac\xed\x00\x05serialized"
    data = _jceks([secret, _trusted_entry("digicert-global-root-g2", REF["digicert-global-root-g2"])])
    store = read_store(data)
    assert store.entries == ()
    assert any("secret key" in p and "1 entries after it were not read" in p for p in store.problems)
    with pytest.raises(StoreError, match="secret key"):
        add_certificates(data, [("amazon-root-ca-1", REF["amazon-root-ca-1"])], "changeit")


def test_read_pkcs12_written_by_keytool():
    store = read_store((DATA / "digicert-only.p12").read_bytes())
    assert store.format == "pkcs12"
    assert _summary(store) == _trusted(*DIGICERT3)
    assert store.password == "changeit" and store.integrity == "verified" and store.problems == ()
    amazon = read_store((DATA / "with-amazon-root-1.p12").read_bytes())
    assert _summary(amazon) == _trusted("digicert-global-root-g2", "amazon-root-ca-1")


def test_read_pkcs12_with_key_entry():
    store = read_store((DATA / "with-key.p12").read_bytes())
    assert _summary(store) == _trusted("digicert-global-root-g2", "baltimore-cybertrust-root") | {
        (FIXTURE_KEY, KEY_ENTRY_CHAIN, _fixture_key_sha())
    }
    assert store.key_entries == 1


def test_read_pkcs12_written_by_openssl():
    store = read_store((DATA / "openssl-ca.p12").read_bytes())
    assert _summary(store) == {
        (FIXTURE_KEY, KEY_ENTRY_CHAIN, _fixture_key_sha()),
        ("digicert-global-root-g2", CA_CERT, SHA["digicert-global-root-g2"]),
        ("baltimore-cybertrust-root", CA_CERT, SHA["baltimore-cybertrust-root"]),
    }


def test_read_pkcs12_legacy_encryption_falls_back_to_cryptography():
    store = read_store((DATA / "openssl-legacy.p12").read_bytes())
    assert {(e.alias, e.sha256) for e in store.entries} == {
        (FIXTURE_KEY, _fixture_key_sha()), ("digicert-global-root-g2", SHA["digicert-global-root-g2"])
    }
    assert store.password == "changeit"
    assert any("cryptography's PKCS#12 loader" in p for p in store.problems)


def test_read_pkcs12_empty_password():
    store = read_store((DATA / "openssl-empty-pass.p12").read_bytes())
    assert store.password == "" and store.integrity == "verified"
    assert [e.sha256 for e in store.entries] == [SHA["digicert-global-root-g2"]]


@pytest.mark.parametrize("name", ["digicert-only.p12", "with-key.p12", "openssl-ca.p12", "openssl-legacy.p12"])
def test_pkcs12_wrong_password_is_reported_not_guessed(name):
    store = read_store((DATA / name).read_bytes(), ("wrong-1", "wrong-2"))
    assert store.password_needed
    assert store.password is None
    assert store.entries == ()  # all their certificates are encrypted
    assert any(p.startswith("could not read without a password") for p in store.problems)
    assert all("\n" not in p for p in store.problems)


def test_pkcs12_empty_password_store_with_defaults_excluded():
    store = read_store((DATA / "openssl-empty-pass.p12").read_bytes(), ("changeit",))
    assert store.password_needed and store.entries == ()


def test_read_single_der():
    store = read_store((DATA / "digicert-global-root-g2.der").read_bytes())
    assert store.format == "der"
    assert [(e.alias, e.kind, e.sha256) for e in store.entries] == [(None, TRUSTED_CERT, SHA["digicert-global-root-g2"])]


@pytest.mark.parametrize("name,fmt", [("digicert.p7b", "pkcs7-der"), ("digicert-pem.p7b", "pkcs7-pem")])
def test_read_pkcs7(name, fmt):
    store = read_store((DATA / name).read_bytes())
    assert store.format == fmt
    assert [e.sha256 for e in store.entries] == [SHA[a] for a in DIGICERT3]  # the order of the -certfile


def test_pkcs7_structural_reader_matches_cryptography():
    data = (DATA / "digicert.p7b").read_bytes()
    assert [hashlib.sha256(d).digest() for d in stores.certfiles.pkcs7_certificates(data)] == [SHA[a] for a in DIGICERT3]


def test_read_pem_bundle_lines():
    path = ROOT / "rules" / "certs" / "digicert.pem"
    lines = path.read_text(encoding="utf-8").splitlines()
    store = read_store(path.read_bytes())
    assert store.format == "pem"
    assert len(store.entries) == 17
    for entry in store.entries:
        assert lines[entry.line - 1] == "-----BEGIN CERTIFICATE-----"
        assert entry.location == f"line {entry.line}"
    assert {e.sha256 for e in store.entries} == {SHA[a] for a in REF if a not in _ats_aliases()}
    assert [line for line, _ in pem_certificates(path.read_bytes())] == [e.line for e in store.entries]


def _ats_aliases() -> set[str]:
    text = (ROOT / "rules" / "certs" / "ats-roots.pem").read_text(encoding="utf-8")
    return {_slug(label) for label in re.findall(r'# Label: "(.*?)"', text)}


# --------------------------------------------------------------------------- writing

NEW = ("amazon-root-ca-1", "amazon-root-ca-3", "starfield-services-root-certificate-authority-g2")


def _new_certs() -> list[tuple[str, bytes]]:
    return [(a, REF[a]) for a in NEW]


def keytool_list(path: Path, storepass: str) -> dict[str, tuple[str, bytes | None]]:
    """alias -> (entry type, SHA-256 of its first certificate) from `keytool -list -v`."""
    run = subprocess.run([KEYTOOL, "-J-Duser.language=en", "-list", "-v", "-keystore", str(path), "-storepass", storepass],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    out = {}
    for block in run.stdout.split("Alias name: ")[1:]:
        alias = block.split("\n", 1)[0].strip()
        kind = re.search(r"^Entry type: (\w+)", block, re.M).group(1)
        sha = re.search(r"^\s*SHA256: ([0-9A-F:]+)", block, re.M)
        out[alias] = (kind, bytes.fromhex(sha.group(1).replace(":", "")) if sha else None)
    m = re.search(r"contains (\d+) entr", run.stdout)
    assert m and int(m.group(1)) == len(out), run.stdout
    return out


WRITE_CASES = [
    # fixture, password, what keytool lists before the change (alias -> entry type)
    ("digicert-only.jks", "changeit", {a: "trustedCertEntry" for a in DIGICERT3}),
    ("s3cret.jks", "s3cret", {"digicert-global-root-g2": "trustedCertEntry"}),
    ("with-key.jks", "changeit", {FIXTURE_KEY: "PrivateKeyEntry", "digicert-global-root-g2": "trustedCertEntry",
                                  "baltimore-cybertrust-root": "trustedCertEntry"}),
    ("digicert-only.jceks", "changeit", {a: "trustedCertEntry" for a in DIGICERT3}),
    ("with-secret.jceks", "changeit", {"digicert-global-root-g2": "trustedCertEntry", "fixture-secret": "SecretKeyEntry"}),
    ("digicert-only.p12", "changeit", {a: "trustedCertEntry" for a in DIGICERT3}),
    ("with-amazon-root-1.p12", "changeit", None),  # holds amazon-root-ca-1 already: see the duplicate test
    ("with-key.p12", "changeit", {FIXTURE_KEY: "PrivateKeyEntry", "digicert-global-root-g2": "trustedCertEntry",
                                  "baltimore-cybertrust-root": "trustedCertEntry"}),
    ("openssl-ca.p12", "changeit", {FIXTURE_KEY: "PrivateKeyEntry"}),  # keytool ignores CA certs without the trust attribute
    ("openssl-legacy.p12", "changeit", {FIXTURE_KEY: "PrivateKeyEntry"}),
    ("openssl-empty-pass.p12", "", {}),
]


@pytest.mark.parametrize("name,password,before", [c for c in WRITE_CASES if c[2] is not None])
def test_add_certificates_keeps_entries_and_keytool_reads_it(tmp_path, name, password, before):
    data = (DATA / name).read_bytes()
    original = read_store(data, (password,))
    out = add_certificates(data, _new_certs(), password)
    assert detect_format(out) == detect_format(data)
    again = read_store(out, (password,))
    assert again.password == password and again.integrity in ("verified", "absent")
    assert not again.password_needed
    # every original certificate is still there, with its alias and kind
    assert _summary(original) <= _summary(again)
    added = {(e.alias, e.sha256) for e in again.entries} - {(e.alias, e.sha256) for e in original.entries}
    assert added == {(a, SHA[a]) for a in NEW}
    assert again.key_entries == original.key_entries
    if "legacy" not in name:  # the fallback reader cannot see the Java trust attribute
        assert {e.alias for e in again.entries if e.kind == TRUSTED_CERT} >= set(NEW)
    if KEYTOOL is None:
        pytest.skip("keytool not installed: the JDK check is skipped")
    path = tmp_path / name
    path.write_bytes(out)
    listed = keytool_list(path, password)
    expected = dict(before) | {a: "trustedCertEntry" for a in NEW}
    assert {alias: kind for alias, (kind, _) in listed.items()} == expected
    for alias in NEW:
        assert listed[alias][1] == SHA[alias]


def test_add_jks_keeps_bytes_and_recomputes_digest():
    data = (DATA / "with-key.jks").read_bytes()
    out = add_certificates(data, _new_certs(), "changeit", timestamp_ms=1_700_000_000_000)
    assert out[:8] == data[:8] and out[12:len(data) - 20] == data[12:-20]
    assert struct.unpack(">i", out[8:12])[0] == struct.unpack(">i", data[8:12])[0] + len(NEW)
    assert out[-20:] == stores.jks.jks_digest("changeit", out[:-20])
    assert out == add_certificates(data, _new_certs(), "changeit", timestamp_ms=1_700_000_000_000)  # deterministic


def test_add_pkcs12_keeps_contents_and_key():
    data = (DATA / "with-key.p12").read_bytes()
    out = add_certificates(data, _new_certs(), "changeit")
    for item in stores.pkcs12.parse_pfx(data).auth_safe_items:
        assert item in out  # each original SafeContents, byte for byte
    with warnings.catch_warnings():  # Baltimore CyberTrust Root's serial number draws a deprecation warning
        warnings.simplefilter("ignore")
        before = pkcs12.load_pkcs12(data, b"changeit")
        after = pkcs12.load_pkcs12(out, b"changeit")  # an independent reader checks MAC and encryption
    raw = serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    assert after.key.private_bytes(*raw) == before.key.private_bytes(*raw)
    assert after.cert.friendly_name == before.cert.friendly_name == FIXTURE_KEY.encode()
    names = {c.friendly_name for c in after.additional_certs}
    assert {a.encode() for a in NEW} <= names


def test_add_keeps_pkcs12_mac_algorithm_and_iterations():
    data = (DATA / "digicert-only.p12").read_bytes()
    out = add_certificates(data, _new_certs(), "changeit")
    old, new = stores.pkcs12.parse_pfx(data), stores.pkcs12.parse_pfx(out)
    assert (new.mac_oid, new.mac_iterations) == (old.mac_oid, old.mac_iterations)


@pytest.mark.parametrize("name", ["digicert-only.jks", "digicert-only.jceks", "digicert-only.p12",
                                  "openssl-ca.p12", "openssl-legacy.p12", "s3cret.jks"])
def test_add_with_wrong_password_raises(name):
    with pytest.raises(StorePasswordError, match="wrong store password"):
        add_certificates((DATA / name).read_bytes(), _new_certs(), "not-the-password")


@pytest.mark.parametrize("name", ["with-amazon-root-1.p12", "digicert-only.jks"])
def test_add_existing_alias_raises(name):
    alias = "amazon-root-ca-1" if name.endswith(".p12") else "DigiCert-Global-Root-G2"
    with pytest.raises(StoreError, match="already in the store"):
        add_certificates((DATA / name).read_bytes(), [(alias, REF["amazon-root-ca-1"])], "changeit")


def test_add_twice_keeps_everything():
    data = (DATA / "with-key.p12").read_bytes()
    once = add_certificates(data, _new_certs()[:1], "changeit")
    twice = add_certificates(once, _new_certs()[1:], "changeit")
    assert _summary(read_store(data)) | _trusted(*NEW) == _summary(read_store(twice))


def test_add_jks_alias_lower_case_and_modified_utf8():
    data = (DATA / "digicert-only.jks").read_bytes()
    out = add_certificates(data, [("Zertifikät \U0001F600 A", REF["amazon-root-ca-1"])], "changeit")
    assert "zertifikät \U0001F600 a" in read_store(out).aliases


@pytest.mark.parametrize("name", ["digicert-global-root-g2.der", "digicert.p7b"])
def test_add_to_unwritable_format_raises(name):
    with pytest.raises(StoreError, match="cannot add"):
        add_certificates((DATA / name).read_bytes(), _new_certs(), "changeit")


def test_add_rejects_non_certificate():
    with pytest.raises(StoreError, match="not a parseable DER certificate"):
        add_certificates((DATA / "digicert-only.jks").read_bytes(), [("x", b"\x30\x00")], "changeit")


# --------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize("name", ["truncated.jks", "truncated.p12"])
def test_truncated_fixture_is_one_line_store_error(name):
    with pytest.raises(StoreError) as info:
        read_store((DATA / name).read_bytes())
    assert "\n" not in str(info.value) and str(info.value)


def test_size_limit():
    data = (DATA / "digicert-only.jks").read_bytes()
    with pytest.raises(StoreError, match="larger than"):
        read_store(data, max_bytes=len(data) - 1)
    with pytest.raises(StoreError, match="larger than"):
        read_store_file(DATA / "digicert-only.jks", max_bytes=100)
    with pytest.raises(StoreError, match="larger than"):
        add_certificates(data, _new_certs(), "changeit", max_bytes=100)


def test_unknown_content_is_store_error():
    with pytest.raises(StoreError, match="not a recognised trust store"):
        read_store(b"just text\n")


def _outcome(data: bytes, passwords=("changeit",)):
    try:
        return read_store(data, passwords)
    except StoreError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None


FUZZ = ["digicert-only.jks", "with-key.jks", "with-secret.jceks", "digicert-only.p12", "openssl-ca.p12",
        "openssl-empty-pass.p12", "digicert.p7b", "digicert-pem.p7b", "digicert-global-root-g2.der"]


@pytest.mark.parametrize("name", FUZZ)
def test_fuzz_truncations(name):
    data = (DATA / name).read_bytes()
    for n in sorted({*range(0, 64), *range(0, len(data), max(1, len(data) // 60)), len(data) - 1}):
        _outcome(data[:n])


@pytest.mark.parametrize("name", FUZZ)
def test_fuzz_mutations(name):
    data = (DATA / name).read_bytes()
    rng = random.Random(f"stores-{name}")
    for _ in range(60):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(mutated))
            mutated[pos] = rng.choice([0x00, 0xFF, 0x80, 0x30, 0x84, rng.randrange(256)])
        _outcome(bytes(mutated))
        try:
            add_certificates(bytes(mutated), _new_certs()[:1], "changeit")
        except StoreError as exc:
            assert "\n" not in str(exc)


def test_fuzz_huge_lengths():
    # JKS: a certificate claiming 2 GiB; PKCS#12: an element claiming 4 GiB; neither allocates or hangs
    jks = bytearray((DATA / "digicert-only.jks").read_bytes())
    pos = jks.find(b"X.509") + 5
    jks[pos:pos + 4] = b"\x7f\xff\xff\xff"
    with pytest.raises(StoreError):
        read_store(bytes(jks))
    jks[8:12] = b"\x7f\xff\xff\xff"  # entry count
    with pytest.raises(StoreError):
        read_store(bytes(jks))
    with pytest.raises(StoreError):
        read_store(b"\x30\x84\xff\xff\xff\xff\x02\x01\x03\x30\x00")
