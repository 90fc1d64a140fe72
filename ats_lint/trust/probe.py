"""`ats-lint probe`: the FAQ's Test option 1, automated.

Open a TLS connection to the FAQ's test object with a given trust configuration (a CA bundle
file or folder, or the system default store), say whether the server's certificate verifies and
why not, then GET the object over the verified connection and report the HTTP status. Uses only
`ssl` and `socket`. Returns data; never prints.
"""
from __future__ import annotations

import math
import socket
import ssl
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

FAQ_TEST_URL = "https://s3-ats-migration-test.s3.eu-west-3.amazonaws.com/test.jpg"

# OpenSSL X509_V_ERR_* codes -> the reason ats-lint reports.
_REASONS = {
    2: "unknown-issuer",  # UNABLE_TO_GET_ISSUER_CERT
    20: "unknown-issuer",  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: "unknown-issuer",  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    18: "self-signed",  # DEPTH_ZERO_SELF_SIGNED_CERT
    19: "unknown-issuer",  # SELF_SIGNED_CERT_IN_CHAIN: the chain ends at a root the store does not hold
    9: "not-yet-valid",  # CERT_NOT_YET_VALID
    10: "expired",  # CERT_HAS_EXPIRED
    62: "hostname-mismatch",  # HOSTNAME_MISMATCH
    64: "hostname-mismatch",  # IP_ADDRESS_MISMATCH
    23: "revoked",  # CERT_REVOKED
}
_EXPLANATIONS = {
    "unknown-issuer": "the certificate chains to a CA that this trust store does not hold: add the Amazon Trust Services roots "
                      "(`ats-lint bundle fix BUNDLE`; FAQ \"What do I need to do?\", Resolution option 1)",
    "self-signed": "the server sent a self-signed certificate that this trust store does not hold",
    "expired": "a certificate of the chain has expired (or the local clock is wrong)",
    "not-yet-valid": "a certificate of the chain is not valid yet (or the local clock is wrong)",
    "hostname-mismatch": "the certificate does not name the host in the URL",
    "revoked": "a certificate of the chain is revoked",
    "other": "the certificate did not verify",
}


class ProbeError(Exception):
    """The probe could not run: bad URL or bundle, or no TLS connection (offline, refused...)."""


@dataclass
class ProbeResult:
    url: str
    host: str
    port: int
    trust: str  # what the client trusted: the bundle path or "system default"
    verified: bool
    reason: str | None = None  # a key of _EXPLANATIONS when not verified
    verify_code: int | None = None
    verify_message: str | None = None
    peer_subject: str | None = None
    peer_issuer: str | None = None
    tls_version: str | None = None
    http_status: int | None = None
    http_error: str | None = None

    @property
    def explanation(self) -> str | None:
        return _EXPLANATIONS.get(self.reason or "") if self.reason else None

    def to_json(self) -> dict:
        return {
            "url": self.url,
            "host": self.host,
            "port": self.port,
            "trust": self.trust,
            "verified": self.verified,
            "reason": self.reason,
            "verify_code": self.verify_code,
            "verify_message": self.verify_message,
            "explanation": self.explanation,
            "peer_subject": self.peer_subject,
            "peer_issuer": self.peer_issuer,
            "tls_version": self.tls_version,
            "http_status": self.http_status,
            "http_error": self.http_error,
        }


MAX_BUNDLE_SIZE = 64 * 1024 * 1024


def context_for(ca_bundle: Path | None) -> ssl.SSLContext:
    if ca_bundle is None:
        return ssl.create_default_context()
    try:
        st = ca_bundle.stat()
    except (OSError, ValueError):
        raise ProbeError(f"{ca_bundle}: no such file or folder") from None
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):  # OpenSSL would block on a FIFO or read a device forever
        raise ProbeError(f"{ca_bundle}: not a regular file or folder (a FIFO, socket or device)")
    if stat.S_ISREG(st.st_mode) and st.st_size > MAX_BUNDLE_SIZE:
        raise ProbeError(f"{ca_bundle}: over the {MAX_BUNDLE_SIZE}-byte limit; not a CA bundle")
    try:
        if ca_bundle.is_dir():
            return ssl.create_default_context(capath=str(ca_bundle))
        return ssl.create_default_context(cafile=str(ca_bundle))
    except ssl.SSLError as exc:
        raise ProbeError(f"{ca_bundle}: not a usable CA bundle ({exc.reason or exc}); see `ats-lint bundle inspect {ca_bundle}`") from None
    except OSError as exc:
        raise ProbeError(f"{ca_bundle}: cannot read: {exc.strerror or exc}") from None


def parse_url(url: str) -> tuple[str, int, str]:
    shown = url if url.isprintable() else repr(url)
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:
        raise ProbeError(f"{shown}: not a valid URL") from None
    if parts.scheme != "https" or not hostname or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise ProbeError(f"{shown}: expected an https:// URL")
    if port == 0:
        raise ProbeError(f"{shown}: invalid port 0")  # `parts.port or 443` would quietly connect to 443
    port = 443 if port is None else port
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname, port, path


def _name(cert_field) -> str | None:
    if not cert_field:
        return None
    return ",".join(f"{k}={v}" for rdn in cert_field for k, v in rdn)


def probe(url: str = FAQ_TEST_URL, ca_bundle: Path | None = None, timeout: float = 10.0) -> ProbeResult:
    """Connect to `url` trusting `ca_bundle` (or the system store) and GET it over verified TLS."""
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise ProbeError(f"--timeout: expected a positive number of seconds, got {timeout!r}")
    host, port, path = parse_url(url)
    context = context_for(ca_bundle)
    result = ProbeResult(url, host, port, ca_bundle.as_posix() if ca_bundle else "system default", verified=False)
    deadline = time.monotonic() + timeout  # for the whole probe, not per read: a server trickling bytes cannot stretch it

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out")
        return left

    try:
        raw = socket.create_connection((host, port), timeout=remaining())
    except (OSError, ValueError, UnicodeError) as exc:
        reason = _os_reason(exc) if isinstance(exc, OSError) else "invalid host name"
        raise ProbeError(f"could not connect to {host}:{port}: {reason}") from None
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (raw,))
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            raw.settimeout(remaining())
            tls = context.wrap_socket(raw, server_hostname=host)
        except ssl.SSLCertVerificationError as exc:
            result.verify_code = exc.verify_code
            result.verify_message = exc.verify_message
            result.reason = _REASONS.get(exc.verify_code, "other")
            return result
        except ssl.SSLError as exc:
            if time.monotonic() >= deadline:
                raise ProbeError(f"TLS handshake with {host}:{port} failed: timed out after {timeout:g} s") from None
            raise ProbeError(f"TLS handshake with {host}:{port} failed before verification: {exc.reason or exc}") from None
        except OSError as exc:
            reason = f"timed out after {timeout:g} s" if time.monotonic() >= deadline else _os_reason(exc)
            raise ProbeError(f"TLS handshake with {host}:{port} failed: {reason}") from None
        with tls:
            result.verified = True
            peer = tls.getpeercert() or {}
            result.peer_subject = _name(peer.get("subject"))
            result.peer_issuer = _name(peer.get("issuer"))
            result.tls_version = tls.version()
            try:
                result.http_status = _http_get(tls, host, port, path, remaining)
            except (OSError, ValueError) as exc:
                result.http_error = _os_reason(exc) if isinstance(exc, OSError) else str(exc)
        return result
    finally:
        watchdog.cancel()
        raw.close()


def _cut(sock: socket.socket) -> None:
    """At the deadline: shut the connection down, which ends a read blocked in another thread."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _http_get(tls: ssl.SSLSocket, host: str, port: int, path: str, remaining=lambda: None) -> int:
    from ats_lint import __version__

    host_header = host if port == 443 else f"{host}:{port}"
    if ":" in host and not host.startswith("["):  # IPv6 literal
        host_header = f"[{host}]" if port == 443 else f"[{host}]:{port}"
    request = (f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: ats-lint/{__version__} probe\r\n"
               "Accept: */*\r\nConnection: close\r\n\r\n")
    tls.settimeout(remaining())
    tls.sendall(request.encode("ascii", "strict"))
    buffer = b""
    while b"\r\n" not in buffer and len(buffer) < 8192:
        tls.settimeout(remaining())
        chunk = tls.recv(4096)
        if not chunk:
            break
        buffer += chunk
    status_line = buffer.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"no HTTP status line in the response ({status_line[:60]!r})")
    return int(parts[1])


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, socket.timeout) or isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc.strerror or exc}); offline?"
    return exc.strerror or str(exc) or type(exc).__name__
