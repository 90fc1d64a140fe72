"""Certificate knowledge is derived from the PEM files in rules/certs and agrees with the
independently generated reference table (tests/data/reference-fingerprints.yaml, produced by
../shared/certs/make_table.py with openssl cross-checks)."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from helpers import cert_value, pem_of

from ats_lint.trust.certs import analyze_bundle_text, knowledge, normalize_fingerprint

REFERENCE = yaml.safe_load((Path(__file__).parent / "data" / "reference-fingerprints.yaml").read_text())["certificates"]


def test_every_reference_certificate_is_loaded_with_the_same_digests():
    kb = knowledge()
    assert len(kb.certificates) == len(REFERENCE)
    for cert, ref in zip(kb.certificates, REFERENCE):
        assert (cert.label, cert.side, cert.role) == (ref["label"], ref["side"], ref["role"])
        assert cert.sha256.hex() == ref["sha256_hex"]
        assert cert.sha1.hex() == ref["sha1_hex"]
        assert base64.b64encode(cert.spki_sha256).decode() == ref["spki_sha256_base64"]
        assert base64.b64encode(cert.spki_sha1).decode() == ref["spki_sha1_base64"]


def test_cross_certificates_share_their_twins_public_key_pin():
    kb = knowledge()
    twins = [c for c in kb.certificates if c.label == "Amazon Root CA 1"]
    assert len(twins) == 2 and twins[0].spki_sha256 == twins[1].spki_sha256 and twins[0].sha256 != twins[1].sha256


@pytest.mark.parametrize("form", ["sha256_hex", "sha256_hex_upper", "sha256_colon", "sha256_spaced", "sha1_hex", "sha1_colon", "spki_b64", "spki_hex", "spki_sha1_b64"])
def test_normalizer_accepts_every_common_spelling(form):
    raw = normalize_fingerprint(cert_value(form, "DigiCert Global Root G2"))
    hit = knowledge().identify_digest(raw)
    assert hit is not None and hit[0].label == "DigiCert Global Root G2"


@pytest.mark.parametrize("text", ["", "zz", "a" * 39, "a" * 41, "sha256/", "!!!!", "AB:CD", "=" * 44])
def test_normalizer_rejects_what_is_not_a_digest(text):
    assert normalize_fingerprint(text) is None or len(normalize_fingerprint(text)) in (20, 32)


def test_bundle_analysis_finds_ats_by_public_key():
    without = analyze_bundle_text(pem_of("DigiCert Global Root G2") + pem_of("Baltimore CyberTrust Root"))
    assert not without.trusts_ats and [c.is_digicert for c in without.certificates] == [True, True]
    with_ats = analyze_bundle_text(pem_of("DigiCert Global Root G2") + pem_of("Starfield Services Root Certificate Authority - G2"))
    assert with_ats.trusts_ats and with_ats.ats_labels == ["Starfield Services Root Certificate Authority - G2"]


def test_garbage_in_a_bundle_is_reported_per_block_not_fatal():
    analysis = analyze_bundle_text("-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"
                                   "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" + pem_of("Amazon Root CA 3"))
    assert [c.problem is None for c in analysis.certificates] == [False, False, True]
    assert analysis.trusts_ats


def test_generated_docs_are_up_to_date():
    from ats_lint.docs import main

    assert main(["--check"]) == 0, "run: python -m ats_lint.docs"
