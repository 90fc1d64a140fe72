"""`ats-lint probe` against a local TLS server on 127.0.0.1 with a CA hierarchy generated here: an
"ATS-like" root that signs the server's certificate and a "legacy" root that does not."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from helpers import run_cli, write_tree

from ats_lint.trust.fix import append_roots
from ats_lint.trust.probe import FAQ_TEST_URL

NOW = dt.datetime.now(dt.timezone.utc)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ats-lint tests")])


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()


def make_root(cn: str) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn)).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1)).not_valid_after(NOW + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(cert, key)


def make_leaf(issuer: Issued, names: list[str], ips: list[str], expired: bool = False) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    start, end = (NOW - dt.timedelta(days=30), NOW - dt.timedelta(days=1)) if expired else (NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=30))
    sans = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (x509.CertificateBuilder().subject_name(_name(names[0] if names else ips[0])).issuer_name(issuer.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
            .sign(issuer.key, hashes.SHA256()))
    return Issued(cert, key)


class LocalTLSServer:
    """Answers every request with `HTTP/1.1 200 OK` over TLS with the given certificate."""

    def __init__(self, leaf: Issued, tmp: Path):
        chain = tmp / "server-chain.pem"
        key = tmp / "server-key.pem"
        chain.write_text(leaf.pem)
        key.write_bytes(leaf.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(chain, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = tls.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    self.requests.append(data)
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            except (ssl.SSLError, OSError):
                continue  # the client rejected our certificate

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def pki():
    ats_like, legacy = make_root("ATS-like Test Root"), make_root("Legacy Test Root")
    return {"ats": ats_like, "legacy": legacy,
            "leaf": make_leaf(ats_like, ["localhost"], ["127.0.0.1"]),
            "expired": make_leaf(ats_like, ["localhost"], ["127.0.0.1"], expired=True),
            "other-name": make_leaf(ats_like, ["s3.example.test"], [])}


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(leaf: Issued) -> LocalTLSServer:
        folder = tmp_path / f"server{len(servers)}"
        folder.mkdir()
        servers.append(LocalTLSServer(leaf, folder))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def _probe(tmp_path, monkeypatch, server, bundle: str, *extra: str):
    code, out, err = run_cli(["probe", "--url", f"https://127.0.0.1:{server.port}/test.jpg", "--ca-bundle", bundle,
                              "--format", "json", "--timeout", "10", *extra], tmp_path, monkeypatch)
    return code, (json.loads(out) if out else None), err


def test_legacy_bundle_fails_then_passes_after_the_ats_like_root_is_added(tmp_path, monkeypatch, pki, serve):
    server = serve(pki["leaf"])
    write_tree(tmp_path, {"ca.pem": "# partner roots\n" + pki["legacy"].pem})
    code, doc, _ = _probe(tmp_path, monkeypatch, server, "ca.pem")
    assert code == 1
    assert (doc["verified"], doc["reason"], doc["verify_code"], doc["http_status"]) == (False, "unknown-issuer", 20, None)
    assert doc["verify_message"] == "unable to get local issuer certificate"

    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(append_roots(bundle.read_bytes(), [("ATS-like Test Root", pki["ats"].pem)]))  # what `bundle fix` does
    code, doc, _ = _probe(tmp_path, monkeypatch, server, "ca.pem")
    assert code == 0
    assert (doc["verified"], doc["reason"], doc["http_status"]) == (True, None, 200)
    assert doc["peer_issuer"] == "commonName=ATS-like Test Root,organizationName=ats-lint tests"
    assert server.requests[-1].startswith(b"GET /test.jpg HTTP/1.1\r\nHost: 127.0.0.1:")


def test_expired_certificate_is_reported_as_expired(tmp_path, monkeypatch, pki, serve):
    server = serve(pki["expired"])
    write_tree(tmp_path, {"ca.pem": pki["ats"].pem})
    code, doc, _ = _probe(tmp_path, monkeypatch, server, "ca.pem")
    assert (code, doc["verified"], doc["reason"], doc["verify_code"]) == (1, False, "expired", 10)


def test_certificate_for_another_name_is_a_hostname_mismatch(tmp_path, monkeypatch, pki, serve):
    server = serve(pki["other-name"])
    write_tree(tmp_path, {"ca.pem": pki["ats"].pem})
    code, doc, _ = _probe(tmp_path, monkeypatch, server, "ca.pem")
    assert (code, doc["verified"], doc["reason"]) == (1, False, "hostname-mismatch")


def test_text_output_says_why_verification_failed_and_what_to_do(tmp_path, monkeypatch, pki, serve):
    server = serve(pki["leaf"])
    write_tree(tmp_path, {"ca.pem": pki["legacy"].pem})
    code, out, err = run_cli(["probe", "--url", f"https://127.0.0.1:{server.port}/test.jpg", "--ca-bundle", "ca.pem"], tmp_path, monkeypatch)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"NOT verified: https://127.0.0.1:{server.port}/test.jpg with trust ca.pem",
        "  reason: unknown-issuer: unable to get local issuer certificate (OpenSSL verify code 20)",
        "  the certificate chains to a CA that this trust store does not hold: add the Amazon Trust Services roots "
        "(`ats-lint bundle fix BUNDLE`; FAQ \"What do I need to do?\", Resolution option 1)",
    ]


def test_unreachable_server_is_a_one_line_error_with_exit_2(tmp_path, monkeypatch, pki):
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    write_tree(tmp_path, {"ca.pem": pki["ats"].pem})
    code, out, err = run_cli(["probe", "--url", f"https://127.0.0.1:{port}/test.jpg", "--ca-bundle", "ca.pem"], tmp_path, monkeypatch)
    assert (code, out) == (2, "")
    assert err == f"ats-lint: error: could not connect to 127.0.0.1:{port}: Connection refused\n"


@pytest.mark.parametrize("args, message", [
    (["--url", "http://s3.amazonaws.com/x"], "http://s3.amazonaws.com/x: expected an https:// URL"),
    (["--ca-bundle", "missing.pem"], "missing.pem: no such file or folder"),
    (["--ca-bundle", "empty.pem"], "empty.pem: not a usable CA bundle"),
])
def test_bad_url_or_bundle_is_a_usage_error(tmp_path, monkeypatch, args, message):
    write_tree(tmp_path, {"empty.pem": "# nothing here\n"})
    code, out, err = run_cli(["probe", *args], tmp_path, monkeypatch)
    assert (code, out) == (2, "")
    assert err.startswith(f"ats-lint: error: {message}")


def test_default_url_is_the_faq_test_object():
    assert FAQ_TEST_URL == "https://s3-ats-migration-test.s3.eu-west-3.amazonaws.com/test.jpg"
