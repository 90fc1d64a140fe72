"""`ats-lint bundle fix`: appends the missing ATS roots, keeps every existing byte, is idempotent,
writes atomically with the same permissions, and refuses what is not a PEM bundle."""
from __future__ import annotations

import os
import stat

import pytest
from helpers import pem_of, run_cli, write_tree

from ats_lint.trust.fix import BundleFixError, plan
from ats_lint.trust.certs import analyze_bundle_text, fix_roots

FIVE = ["Amazon Root CA 1", "Amazon Root CA 2", "Amazon Root CA 3", "Amazon Root CA 4",
        "Starfield Services Root Certificate Authority - G2"]
DIGICERT = pem_of("DigiCert Global Root G2") + pem_of("Baltimore CyberTrust Root")


def _labels_in(data: bytes) -> list[str]:
    return [c.known.label for c in analyze_bundle_text(data.decode("utf-8")).certificates if c.known]


def test_the_roots_to_add_come_from_rules_data_in_the_faq_order():
    assert [cert.label for cert, _ in fix_roots()] == FIVE
    assert all(cert.role == "root" and cert.source_file == "certs/ats-roots.pem" for cert, _ in fix_roots())


def test_fix_appends_the_five_roots_each_after_a_comment_naming_it(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": "# partner roots\n{{pem:DigiCert Global Root G2}}"})
    old = (tmp_path / "ca.pem").read_bytes()
    code, out, err = run_cli(["bundle", "fix", "ca.pem"], tmp_path, monkeypatch)
    assert (code, err) == (0, "")
    assert out == f"ca.pem: added {', '.join(FIVE)}\n"
    new = (tmp_path / "ca.pem").read_bytes()
    assert new[:len(old)] == old
    added = new[len(old):].decode("ascii")
    expected = "".join(f"# {label} (Amazon Trust Services root, added by ats-lint bundle fix)\n{pem_of(label)}" for label in FIVE)
    assert added == expected
    assert _labels_in(new) == ["DigiCert Global Root G2", *FIVE]


def test_fix_is_idempotent(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": DIGICERT})
    assert run_cli(["bundle", "fix", "ca.pem"], tmp_path, monkeypatch)[0] == 0
    once = (tmp_path / "ca.pem").read_bytes()
    code, out, _ = run_cli(["bundle", "fix", "ca.pem"], tmp_path, monkeypatch)
    assert (code, out) == (0, "ca.pem: already holds the Amazon Trust Services roots; nothing to do\n")
    assert (tmp_path / "ca.pem").read_bytes() == once


def test_only_the_missing_roots_are_added_matched_by_public_key(tmp_path):
    # The cross-signed Amazon Root CA 1 has the self-signed root's key: it counts as present.
    write_tree(tmp_path, {"ca.pem": DIGICERT + pem_of("Amazon Root CA 3") + cross_signed("Amazon Root CA 1")})
    fix = plan(tmp_path / "ca.pem")
    assert fix.added == ["Amazon Root CA 2", "Amazon Root CA 4", "Starfield Services Root Certificate Authority - G2"]


def cross_signed(label: str) -> str:
    from ats_lint.trust.certs import PEM_BLOCK_RE, knowledge
    from ats_lint.resources import rules_dir

    cert = next(c for c in knowledge().certificates if c.label == label and c.source_file == "certs/ats-cross-signed.pem")
    text = (rules_dir() / cert.source_file).read_text(encoding="utf-8")
    blocks = [m.group(0) for m in PEM_BLOCK_RE.finditer(text)]
    return next(b for b in blocks if _labels_in((b + "\n").encode()) == [label]) + "\n"


def test_crlf_bundle_gets_crlf_lines_and_keeps_its_bytes(tmp_path):
    old = DIGICERT.replace("\n", "\r\n").encode()
    write_tree(tmp_path, {"ca.pem": old})
    fix = plan(tmp_path / "ca.pem")
    assert fix.new[:len(old)] == old
    tail = fix.new[len(old):]
    assert tail.count(b"\r\n") == tail.count(b"\n") and tail.endswith(b"-----END CERTIFICATE-----\r\n")
    assert _labels_in(fix.new) == ["DigiCert Global Root G2", "Baltimore CyberTrust Root", *FIVE]


def test_bundle_without_trailing_newline_gets_one_before_the_first_comment(tmp_path):
    old = DIGICERT.rstrip("\n").encode()
    write_tree(tmp_path, {"ca.pem": old})
    fix = plan(tmp_path / "ca.pem")
    assert fix.new[:len(old)] == old
    assert fix.new[len(old):].startswith(b"\n# Amazon Root CA 1 (Amazon Trust Services root, added by ats-lint bundle fix)\n-----BEGIN")


def test_utf8_bom_stays_first_and_is_not_repeated(tmp_path):
    old = b"\xef\xbb\xbf" + DIGICERT.encode()
    write_tree(tmp_path, {"ca.pem": old})
    fix = plan(tmp_path / "ca.pem")
    assert fix.new[:len(old)] == old and fix.new.count(b"\xef\xbb\xbf") == 1
    assert fix.added == FIVE


def test_der_file_is_refused_with_a_clear_error_and_left_alone(tmp_path, monkeypatch):
    import base64
    import re

    der = base64.b64decode(re.sub(r"-----[A-Z ]+-----|\s", "", pem_of("DigiCert Global Root G2")))
    write_tree(tmp_path, {"ca.der": der})
    code, out, err = run_cli(["bundle", "fix", "ca.der"], tmp_path, monkeypatch)
    assert (code, out) == (2, "")
    assert err.startswith("ats-lint: error: ca.der: a DER (binary) certificate, not a PEM bundle; ats-lint does not convert it")
    assert (tmp_path / "ca.der").read_bytes() == der


@pytest.mark.parametrize("content, message", [
    ("just some notes\n", "holds no PEM certificate"),
    (b"\xff\xfe\x00-----BEGIN CERTIFICATE-----", "binary content"),
])
def test_files_that_are_not_pem_bundles_are_refused(tmp_path, content, message):
    write_tree(tmp_path, {"ca.pem": content})
    with pytest.raises(BundleFixError, match=message):
        plan(tmp_path / "ca.pem")


def test_folder_and_missing_file_are_refused(tmp_path, monkeypatch):
    (tmp_path / "capath").mkdir()
    code, _, err = run_cli(["bundle", "fix", "capath", "nope.pem"], tmp_path, monkeypatch)
    assert code == 2
    assert err.splitlines() == [
        "ats-lint: error: capath: is a folder (capath); add the roots as files of their own and run c_rehash",
        "ats-lint: error: nope.pem: no such file",
    ]


def test_check_exits_1_when_a_fix_is_needed_and_changes_nothing(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": DIGICERT, "ok.pem": DIGICERT + "".join(pem_of(label) for label in FIVE)})
    before = (tmp_path / "ca.pem").read_bytes()
    code, out, _ = run_cli(["bundle", "fix", "--check", "ca.pem"], tmp_path, monkeypatch)
    assert (code, out) == (1, f"ca.pem: would add {', '.join(FIVE)}\n")
    assert (tmp_path / "ca.pem").read_bytes() == before
    assert run_cli(["bundle", "fix", "--check", "ok.pem"], tmp_path, monkeypatch)[0] == 0


def test_dry_run_prints_the_diff_and_changes_nothing(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": DIGICERT})
    before = (tmp_path / "ca.pem").read_bytes()
    code, out, err = run_cli(["bundle", "fix", "--dry-run", "ca.pem"], tmp_path, monkeypatch)
    assert code == 1
    assert (tmp_path / "ca.pem").read_bytes() == before
    lines = out.splitlines()
    assert lines[:2] == ["--- a/ca.pem", "+++ b/ca.pem"]
    assert "+# Starfield Services Root Certificate Authority - G2 (Amazon Trust Services root, added by ats-lint bundle fix)" in lines
    assert not [ln for ln in lines[2:] if ln.startswith("-")]
    assert err == f"ca.pem: would add {', '.join(FIVE)}\n"


def test_write_is_atomic_and_keeps_the_permission_bits(tmp_path, monkeypatch):
    write_tree(tmp_path, {"ca.pem": DIGICERT})
    os.chmod(tmp_path / "ca.pem", 0o640)
    inode = (tmp_path / "ca.pem").stat().st_ino
    assert run_cli(["bundle", "fix", "ca.pem"], tmp_path, monkeypatch)[0] == 0
    st = (tmp_path / "ca.pem").stat()
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert st.st_ino != inode  # replaced by rename, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ca.pem"]  # no temporary file left


def test_a_symlinked_bundle_keeps_its_link_and_the_target_is_fixed(tmp_path, monkeypatch):
    write_tree(tmp_path, {"real/ca.pem": DIGICERT})
    (tmp_path / "link.pem").symlink_to("real/ca.pem")
    assert run_cli(["bundle", "fix", "link.pem"], tmp_path, monkeypatch)[0] == 0
    assert (tmp_path / "link.pem").is_symlink()
    assert _labels_in((tmp_path / "real" / "ca.pem").read_bytes())[-1] == FIVE[-1]


def test_bundle_without_an_action_is_a_usage_error(tmp_path, monkeypatch):
    assert run_cli(["bundle"], tmp_path, monkeypatch) == (2, "", "ats-lint: error: bundle: give an action: `bundle inspect FILE...` or `bundle fix FILE...`\n")


def test_an_empty_file_gets_the_five_roots(tmp_path):
    write_tree(tmp_path, {"ca.pem": b""})
    fix = plan(tmp_path / "ca.pem")
    assert fix.added == FIVE and fix.new.startswith(b"# Amazon Root CA 1 ")


def test_a_bundle_ending_in_a_truncated_block_is_refused_so_the_roots_are_not_swallowed(tmp_path, monkeypatch):
    truncated = "\n".join(pem_of("DigiCert Global Root CA").splitlines()[:5]) + "\n"
    write_tree(tmp_path, {"ca.pem": pem_of("DigiCert Global Root G2") + truncated})
    before = (tmp_path / "ca.pem").read_bytes()
    code, out, err = run_cli(["bundle", "fix", "ca.pem"], tmp_path, monkeypatch)
    line = len(pem_of("DigiCert Global Root G2").splitlines()) + 1
    assert (code, out) == (2, "")
    assert err == (f"ats-lint: error: ca.pem:{line}: truncated CERTIFICATE block: no END line; repair the bundle first "
                   "(`ats-lint bundle inspect ca.pem`), then fix it\n")
    assert (tmp_path / "ca.pem").read_bytes() == before
