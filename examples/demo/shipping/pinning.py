"""Certificate pinning the demo service does, and a DigiCert fingerprint it still carries."""
import hashlib
import ssl

import urllib3

# SHA-256 of Baltimore CyberTrust Root, the DigiCert root S3 used to chain to.
OLD_S3_ROOT_SHA256 = "16af57a9f676b0ab126095aa5ebadef22ab31119d644ac95cd4b93dbf3f26aeb"
GATEWAY_LEAF_SHA256 = "0f3a1c5e9b7d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a"


def pinned_pool(host: str) -> urllib3.HTTPSConnectionPool:
    return urllib3.HTTPSConnectionPool(host, 443, assert_fingerprint=GATEWAY_LEAF_SHA256)


def check_peer(conn: ssl.SSLSocket) -> None:
    der = conn.getpeercert(binary_form=True)
    if hashlib.sha256(der).hexdigest() != GATEWAY_LEAF_SHA256:
        raise ssl.SSLError("certificate pin mismatch")
