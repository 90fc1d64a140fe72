"""The cryptography of PKCS#12: the RFC 7292 key derivation, decryption of encrypted contents
(PBES2 with PBKDF2 and AES/3DES-CBC, the PKCS#12 PBEs with 3DES/RC2) and the encryption new
contents get (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC, as JDK 17 and OpenSSL 3 write).
"""
from __future__ import annotations

import hashlib
import os
import warnings

from ats_lint.trust.stores.der import (
    HASHES,
    INTEGER,
    NULL,
    OBJECT_ID,
    OCTET_STRING,
    OID_DATA,
    OID_ENCRYPTED_DATA,
    SEQUENCE,
    children,
    encode,
    encode_int,
    encode_oid,
    encode_seq,
    expect,
    int_value,
    oid_str,
)
from ats_lint.trust.stores.model import StoreError, StorePasswordError, Unsupported

OID_PBES2 = "1.2.840.113549.1.5.13"
OID_PBKDF2 = "1.2.840.113549.1.5.12"
_PKCS12_PBE = {  # pbeWithSHAAnd...: (cipher, key bytes)
    "1.2.840.113549.1.12.1.3": ("3des", 24),
    "1.2.840.113549.1.12.1.4": ("3des", 16),
    "1.2.840.113549.1.12.1.5": ("rc2", 16),
    "1.2.840.113549.1.12.1.6": ("rc2", 5),
}
_AES_CBC = {"2.16.840.1.101.3.4.1.2": 16, "2.16.840.1.101.3.4.1.22": 24, "2.16.840.1.101.3.4.1.42": 32}
_DES_EDE3_CBC = "1.2.840.113549.3.7"


def bmp_password(password: str, empty_as_nothing: bool = False) -> bytes:
    """The PKCS#12 password: BMPString plus a NUL; an empty one is either 00 00 or no bytes at all."""
    if password == "" and empty_as_nothing:
        return b""
    return password.encode("utf-16-be", "surrogatepass") + b"\x00\x00"


def pkcs12_kdf(password: bytes, salt: bytes, ident: int, iterations: int, n: int, hash_name: str) -> bytes:
    """RFC 7292 appendix B.2."""
    h = hashlib.new(hash_name)
    u, v = h.digest_size, h.block_size
    d = bytes([ident]) * v

    def stretch(b: bytes) -> bytes:  # b repeated to the next multiple of v bytes
        if not b:
            return b""
        length = v * -(-len(b) // v)
        return (b * (length // len(b) + 1))[:length]

    i = stretch(salt) + stretch(password)
    out = b""
    while len(out) < n:
        a = d + i
        for _ in range(iterations):
            a = hashlib.new(hash_name, a).digest()
        out += a
        if len(out) >= n:
            break
        b = int.from_bytes((a * (v // u + 1))[:v], "big") + 1
        blocks = [int.from_bytes(i[k:k + v], "big") for k in range(0, len(i), v)]
        i = b"".join(((blk + b) % (1 << (8 * v))).to_bytes(v, "big") for blk in blocks)
    return out[:n]


MAX_ITERATIONS = 1_000_000  # bounds the work a hostile file can ask for (the JDK's own cap is 5,000,000)


def _legacy_cipher(name: str):
    """TripleDES or RC2: in cryptography's `decrepit` module since 43, TripleDES in `algorithms` before."""
    try:
        from cryptography.hazmat.decrepit.ciphers import algorithms as decrepit
        return getattr(decrepit, name)
    except (ImportError, AttributeError):
        from cryptography.hazmat.primitives.ciphers import algorithms
        if hasattr(algorithms, name):
            return getattr(algorithms, name)
    raise Unsupported(f"{name} is not available in this cryptography")


def decrypt(alg: bytes, ciphertext: bytes, password: str) -> bytes:
    """Decrypt PKCS#12 encryptedData content with PBES2 (PBKDF2 + AES/3DES-CBC) or the PKCS#12 PBEs."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    a = children(alg, *expect(alg, 0, len(alg), SEQUENCE, "encryption algorithm"))
    if not a or a[0][0] != OBJECT_ID:
        raise StoreError("malformed encryption algorithm")
    oid = oid_str(alg[a[0][1]:a[0][2]])
    params = alg[a[1][3]:a[1][2]] if len(a) > 1 else b""
    if oid == OID_PBES2:
        ps = children(params, *expect(params, 0, len(params), SEQUENCE, "PBES2 parameters"))
        if len(ps) != 2:
            raise StoreError("malformed PBES2 parameters")
        kdf = children(params, ps[0][1], ps[0][2])
        enc = children(params, ps[1][1], ps[1][2])
        if len(kdf) != 2 or len(enc) != 2 or oid_str(params[kdf[0][1]:kdf[0][2]]) != OID_PBKDF2:
            raise Unsupported("PBES2 key derivation other than PBKDF2")
        kp = children(params, kdf[1][1], kdf[1][2])
        if len(kp) < 2 or kp[0][0] != OCTET_STRING or kp[1][0] != INTEGER:
            raise StoreError("malformed PBKDF2 parameters")
        salt = params[kp[0][1]:kp[0][2]]
        iterations = int_value(params[kp[1][1]:kp[1][2]])
        prf = "sha1"
        for t, s, e, _ in kp[2:]:
            if t == SEQUENCE:
                pa = children(params, s, e)
                prf = HASHES.get(oid_str(params[pa[0][1]:pa[0][2]]) if pa else "", "")
                if not prf:
                    raise Unsupported("PBKDF2 pseudo-random function")
        if not 1 <= iterations <= MAX_ITERATIONS:
            raise StoreError(f"PBKDF2 iteration count {iterations} out of range")
        enc_oid = oid_str(params[enc[0][1]:enc[0][2]])
        if enc[1][0] != OCTET_STRING:
            raise Unsupported("PBES2 cipher parameters")
        iv = params[enc[1][1]:enc[1][2]]
        if enc_oid in _AES_CBC:
            key_len, algo = _AES_CBC[enc_oid], algorithms.AES
        elif enc_oid == _DES_EDE3_CBC:
            key_len, algo = 24, _legacy_cipher("TripleDES")
        else:
            raise Unsupported(f"PBES2 cipher {enc_oid}")
        key = hashlib.pbkdf2_hmac(prf, password.encode("utf-8"), salt, iterations, key_len)
        block = 128 if algo is algorithms.AES else 64
    elif oid in _PKCS12_PBE:
        cipher, key_len = _PKCS12_PBE[oid]
        pp = children(params, *expect(params, 0, len(params), SEQUENCE, "PBE parameters"))
        if len(pp) != 2 or pp[0][0] != OCTET_STRING or pp[1][0] != INTEGER:
            raise StoreError("malformed PBE parameters")
        salt = params[pp[0][1]:pp[0][2]]
        iterations = int_value(params[pp[1][1]:pp[1][2]])
        if not 1 <= iterations <= MAX_ITERATIONS:
            raise StoreError(f"PBE iteration count {iterations} out of range")
        pw = bmp_password(password)
        key = pkcs12_kdf(pw, salt, 1, iterations, key_len, "sha1")
        iv = pkcs12_kdf(pw, salt, 2, iterations, 8, "sha1")
        if cipher == "3des":
            algo = _legacy_cipher("TripleDES")
            if key_len == 16:
                key = key + key[:8]
        elif key_len != 16:  # cryptography's RC2 takes 128-bit keys only
            raise Unsupported(f"RC2 with a {8 * key_len}-bit key")
        else:
            algo = _legacy_cipher("RC2")
        block = 64
    else:
        raise Unsupported(f"encryption algorithm {oid}")
    if len(ciphertext) % (block // 8) or len(iv) != block // 8:
        raise StorePasswordError("encrypted content has a bad length")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dec = Cipher(algo(key), modes.CBC(iv)).decryptor()
            plain = dec.update(ciphertext) + dec.finalize()
            unpad = padding.PKCS7(block).unpadder()
            return unpad.update(plain) + unpad.finalize()
    except ValueError:
        raise StorePasswordError("decryption failed (wrong password)") from None


_PBES2_ITERATIONS = 10000  # the JDK 17 default (keystore.pkcs12.certPbeIterationCount)


def encrypted_content(plain: bytes, password: str) -> bytes:
    """An encryptedData ContentInfo: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC (what JDK 17 and OpenSSL 3 write)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    salt, iv = os.urandom(16), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBES2_ITERATIONS, 32)
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = enc.update(padder.update(plain) + padder.finalize()) + enc.finalize()
    alg = encode_seq(
        encode_oid(OID_PBES2),
        encode_seq(
            encode_seq(encode_oid(OID_PBKDF2), encode_seq(encode(OCTET_STRING, salt), encode_int(_PBES2_ITERATIONS), encode_int(32),
                                        encode_seq(encode_oid("1.2.840.113549.2.9"), encode(NULL, b"")))),
            encode_seq(encode_oid("2.16.840.1.101.3.4.1.42"), encode(OCTET_STRING, iv)),
        ),
    )
    encrypted_data = encode_seq(encode_int(0), encode_seq(encode_oid(OID_DATA), alg, encode(0x80, ciphertext)))
    return encode_seq(encode_oid(OID_ENCRYPTED_DATA), encode(0xA0, encrypted_data))
