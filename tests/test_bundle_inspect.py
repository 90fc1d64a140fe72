"""`ats-lint bundle inspect`: every certificate with its facts, problems per block, a verdict."""
from __future__ import annotations

import base64
import json
import re

from helpers import cert_value, pem_of, run_cli, write_tree

STARFIELD = "Starfield Services Root Certificate Authority - G2"


def _inspect_json(tmp_path, monkeypatch, *files):
    code, out, err = run_cli(["bundle", "inspect", "--format", "json", *files], tmp_path, monkeypatch)
    return code, json.loads(out), err


def test_each_certificate_is_listed_with_its_facts_and_the_bundle_trusts_ats(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": "# egress\n{{pem:DigiCert Global Root G2}}{{pem:Starfield Services Root Certificate Authority - G2}}"})
    code, doc, err = _inspect_json(tmp_path, monkeypatch, "ca.pem")
    assert (code, err) == (0, "")
    [bundle] = doc["bundles"]
    assert (bundle["path"], bundle["certificates"], bundle["problems"], bundle["trusts_ats"]) == ("ca.pem", 2, 0, True)
    assert bundle["verdict"] == f"trusts Amazon Trust Services ({STARFIELD})"
    digicert, starfield = bundle["entries"]
    assert digicert == {
        "file": "ca.pem", "line": 2,
        "subject": "CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US",
        "issuer": "CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US",
        "self_signed": True, "not_before": "2013-08-01T12:00:00Z", "not_after": "2038-01-15T12:00:00Z",
        "sha256": cert_value("sha256_hex", "DigiCert Global Root G2"), "label": "DigiCert Global Root G2",
        "ats_root": False, "digicert": True, "expired": False,
    }
    assert (starfield["label"], starfield["ats_root"], starfield["digicert"], starfield["sha256"]) == (
        STARFIELD, True, False, cert_value("sha256_hex", STARFIELD))
    assert starfield["line"] == 2 + len(pem_of("DigiCert Global Root G2").splitlines())


def test_a_bundle_without_ats_fails_with_exit_1_and_says_how_to_fix(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": "{{pem:DigiCert Global Root G2}}{{pem:Baltimore CyberTrust Root}}"})
    code, doc, _ = _inspect_json(tmp_path, monkeypatch, "ca.pem")
    assert code == 1
    bundle = doc["bundles"][0]
    assert bundle["trusts_ats"] is False
    assert bundle["verdict"] == ("does not trust Amazon Trust Services: no ATS root (2 certificates, 2 from DigiCert); "
                                 "fix with `ats-lint bundle fix ca.pem`")
    assert [e["expired"] for e in bundle["entries"]] == [False, True]  # Baltimore CyberTrust Root ended 2025-05-12


def test_garbage_is_reported_per_block_and_the_rest_is_still_read(tmp_path, monkeypatch):
    truncated = "\n".join(pem_of("Amazon Root CA 4").splitlines()[:-1]) + "\n"
    write_tree(tmp_path, {"ca.pem": (
        "this is not PEM\nneither is this\n"                                          # 1-2
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"      # 3-5
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"             # 6-8
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"             # 9-11
        + pem_of("Amazon Root CA 3")                                                 # 12-
        + truncated
    )})
    code, doc, _ = _inspect_json(tmp_path, monkeypatch, "ca.pem")
    amazon3_lines = len(pem_of("Amazon Root CA 3").splitlines())
    entries = doc["bundles"][0]["entries"]
    assert [(e["line"], e.get("problem", e.get("label"))) for e in entries] == [
        (1, "2 lines of text outside PEM blocks (ignored)"),
        (3, "CERTIFICATE block with invalid base64"),
        (6, "CERTIFICATE block that does not parse as a certificate"),
        (9, "PRIVATE KEY block: not a certificate (ignored)"),
        (12, "Amazon Root CA 3"),
        (12 + amazon3_lines, "truncated CERTIFICATE block: no END line"),
    ]
    assert (code, doc["bundles"][0]["trusts_ats"], doc["bundles"][0]["problems"]) == (0, True, 5)


def test_a_der_certificate_is_read_and_other_binary_is_a_problem(tmp_path, monkeypatch):
    der = base64.b64decode(re.sub(r"-----[A-Z ]+-----|\s", "", pem_of("Amazon Root CA 1")))
    write_tree(tmp_path, {"root.der": der, "junk.bin": b"\x30\x03\x01\x02\x03", "notes.txt": "hello\n"})
    code, doc, _ = _inspect_json(tmp_path, monkeypatch, "root.der", "junk.bin", "notes.txt")
    assert code == 1
    der_entry = doc["bundles"][0]["entries"][0]
    assert (der_entry["line"], der_entry["label"], der_entry["ats_root"]) == (1, "Amazon Root CA 1", True)
    assert doc["bundles"][1]["entries"] == [{"file": "junk.bin", "line": 1, "problem": "binary data that is neither PEM nor a DER certificate"}]
    assert doc["bundles"][2]["entries"] == [{"file": "notes.txt", "line": 1, "problem": "no PEM block: not a certificate bundle"}]


def test_a_folder_of_pem_files_is_one_bundle(tmp_path, monkeypatch):
    write_tree(tmp_path, {"capath/a.pem": "{{pem:DigiCert Global Root G2}}", "capath/b.pem": "{{pem:Amazon Root CA 2}}"})
    code, doc, _ = _inspect_json(tmp_path, monkeypatch, "capath")
    assert code == 0
    assert [(e["file"], e["label"]) for e in doc["bundles"][0]["entries"]] == [
        ("capath/a.pem", "DigiCert Global Root G2"), ("capath/b.pem", "Amazon Root CA 2")]


def test_a_missing_file_is_an_error_with_exit_2_and_other_files_are_still_inspected(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": "{{pem:Amazon Root CA 1}}"})
    code, doc, err = _inspect_json(tmp_path, monkeypatch, "ca.pem", "missing.pem")
    assert code == 2
    assert err == "ats-lint: error: missing.pem: no such file or folder\n"
    assert [b["trusts_ats"] for b in doc["bundles"]] == [True, False]


def test_text_output_names_each_certificate_and_ends_with_the_verdict(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": "{{pem:Baltimore CyberTrust Root}}"})
    code, out, _ = run_cli(["bundle", "inspect", "ca.pem"], tmp_path, monkeypatch)
    assert code == 1
    assert out.splitlines() == [
        "ca.pem",
        "  line 1: Baltimore CyberTrust Root  [DigiCert, EXPIRED]",
        "      subject: CN=Baltimore CyberTrust Root,OU=CyberTrust,O=Baltimore,C=IE",
        "      issuer:  (self-signed)",
        "      valid:   2000-05-12T18:46:00Z to 2025-05-12T23:59:00Z",
        f"      sha256:  {cert_value('sha256_colon', 'Baltimore CyberTrust Root')}",
        "  verdict: does not trust Amazon Trust Services: no ATS root (1 certificate, 1 from DigiCert); fix with `ats-lint bundle fix ca.pem`",
    ]


def test_a_folder_gets_a_verdict_per_file_and_one_for_the_folder(tmp_path, monkeypatch):
    write_tree(tmp_path, {"capath/a.pem": "{{pem:DigiCert Global Root G2}}", "capath/b.pem": "{{pem:Amazon Root CA 2}}",
                          "capath/README": "certificates for the partner API\n"})
    code, doc, _ = _inspect_json(tmp_path, monkeypatch, "capath")
    assert code == 0  # the folder as a capath trusts ATS
    files = {f["path"]: (f["trusts_ats"], f["verdict"]) for f in doc["bundles"][0]["files"]}
    assert files == {
        "capath/README": (False, "does not trust Amazon Trust Services: holds no certificate (not a trust store)"),
        "capath/a.pem": (False, "does not trust Amazon Trust Services: no ATS root (1 certificate, 1 from DigiCert); "
                                "fix with `ats-lint bundle fix capath/a.pem`"),
        "capath/b.pem": (True, "trusts Amazon Trust Services (Amazon Root CA 2)"),
    }
    code, out, _ = run_cli(["bundle", "inspect", "capath"], tmp_path, monkeypatch)
    assert "  capath/README: does not trust Amazon Trust Services: holds no certificate (not a trust store)\n" in out
    assert "bundle fix capath/README" not in out
    assert out.rstrip().endswith("verdict of the folder (as an OpenSSL capath): trusts Amazon Trust Services (Amazon Root CA 2)")
