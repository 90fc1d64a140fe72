"""PKCS#12 / PFX: read certificate bags (with the Java trust attribute and key links), add trusted ones.

Each password given is tried against the MAC and the encrypted contents; a store none opens is
`password_needed`, never guessed at. What this structural reader does not implement (signed or
enveloped PKCS#12, an exotic cipher) falls back to cryptography's loader. Adding certificates keeps
every existing content byte for byte, appends one SafeContents (cert bags with the friendly name and
the Java "trusted for any purpose" attribute, without which keytool ignores a certificate) and
recomputes the MAC with the same algorithm, iteration count and password.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import warnings
from dataclasses import dataclass

from ats_lint.trust.stores.der import (
    BMP_STRING,
    HASHES,
    INTEGER,
    NULL,
    OBJECT_ID,
    OCTET_STRING,
    OID_ANY_EXTENDED_KEY_USAGE,
    OID_CERT_BAG,
    OID_DATA,
    OID_ENCRYPTED_DATA,
    OID_ENVELOPED_DATA,
    OID_FRIENDLY_NAME,
    OID_JAVA_TRUSTED_KEY_USAGE,
    OID_KEY_BAG,
    OID_LOCAL_KEY_ID,
    OID_SAFE_CONTENTS_BAG,
    OID_SHROUDED_KEY_BAG,
    OID_SIGNED_DATA,
    OID_X509_CERT,
    SEQUENCE,
    SET,
    children,
    encode,
    encode_int,
    encode_oid,
    encode_seq,
    encode_set,
    expect,
    int_value,
    oid_str,
)
from ats_lint.trust.stores.model import (
    CA_CERT,
    KEY_ENTRY_CHAIN,
    TRUSTED_CERT,
    Store,
    StoreEntry,
    StoreError,
    StorePasswordError,
    Unsupported,
    describe_passwords,
    parses_as_certificate,
)
from ats_lint.trust.stores.pkcs12_crypto import MAX_ITERATIONS, bmp_password, decrypt, encrypted_content, pkcs12_kdf

@dataclass
class _Pfx:
    auth_safe_items: list[bytes]  # each ContentInfo of the AuthenticatedSafe, as encoded
    auth_safe_content: bytes  # the DER the MAC covers
    mac_hash: str | None
    mac_salt: bytes
    mac_iterations: int
    mac_digest: bytes
    mac_oid: str | None


def parse_pfx(data: bytes) -> _Pfx:
    s, e = expect(data, 0, len(data), SEQUENCE, "PKCS#12 (PFX)")
    if e != len(data):
        raise StoreError(f"{len(data) - e} bytes after the PKCS#12 structure")
    kids = children(data, s, e)
    if len(kids) not in (2, 3) or kids[0][0] != INTEGER or int_value(data[kids[0][1]:kids[0][2]]) != 3:
        raise StoreError("malformed PKCS#12 (PFX version)")
    _, cs, ce, _ = kids[1]
    ci = children(data, cs, ce)
    if len(ci) != 2 or ci[0][0] != OBJECT_ID:
        raise StoreError("malformed PKCS#12 authSafe")
    oid = oid_str(data[ci[0][1]:ci[0][2]])
    if oid == OID_SIGNED_DATA:
        raise Unsupported("public-key integrity mode (signed PKCS#12)")
    if oid != OID_DATA or ci[1][0] != 0xA0:
        raise StoreError("malformed PKCS#12 authSafe")
    os_s, os_e = expect(data, ci[1][1], ci[1][2], OCTET_STRING, "PKCS#12 authSafe content")
    content = data[os_s:os_e]
    as_s, as_e = expect(content, 0, len(content), SEQUENCE, "PKCS#12 AuthenticatedSafe")
    items = [content[start:ee] for _, _, ee, start in children(content, as_s, as_e)]
    mac_hash, salt, iterations, digest, mac_oid = None, b"", 1, b"", None
    if len(kids) == 3:
        md = children(data, kids[2][1], kids[2][2])
        if len(md) not in (2, 3) or md[0][0] != SEQUENCE or md[1][0] != OCTET_STRING:
            raise StoreError("malformed PKCS#12 MAC")
        di = children(data, md[0][1], md[0][2])
        if len(di) != 2 or di[0][0] != SEQUENCE or di[1][0] != OCTET_STRING:
            raise StoreError("malformed PKCS#12 MAC digest")
        alg = children(data, di[0][1], di[0][2])
        if not alg or alg[0][0] != OBJECT_ID:
            raise StoreError("malformed PKCS#12 MAC algorithm")
        mac_oid = oid_str(data[alg[0][1]:alg[0][2]])
        mac_hash = HASHES.get(mac_oid)
        digest = data[di[1][1]:di[1][2]]
        salt = data[md[1][1]:md[1][2]]
        if len(md) == 3:
            if md[2][0] != INTEGER:
                raise StoreError("malformed PKCS#12 MAC iterations")
            iterations = int_value(data[md[2][1]:md[2][2]])
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise StoreError(f"PKCS#12 MAC iteration count {iterations} out of range")
    if as_e != len(content):
        raise StoreError("bytes after the PKCS#12 AuthenticatedSafe")
    return _Pfx(items, content, mac_hash, salt, iterations, digest, mac_oid)


def _mac_password_form(pfx: _Pfx, password: str) -> bytes | None:
    """The password bytes (BMP form) that verify the MAC, or None."""
    assert pfx.mac_hash is not None
    size = hashlib.new(pfx.mac_hash).digest_size
    forms = [bmp_password(password)] + ([b""] if password == "" else [])
    for pw in forms:
        key = pkcs12_kdf(pw, pfx.mac_salt, 3, pfx.mac_iterations, size, pfx.mac_hash)
        if hmac.compare_digest(hmac.new(key, pfx.auth_safe_content, pfx.mac_hash).digest(), pfx.mac_digest):
            return pw
    return None


@dataclass
class _Bag:
    oid: str
    der: bytes | None  # certificate DER for cert bags
    friendly_name: str | None
    local_key_id: bytes | None
    java_trusted: bool
    encrypted: bool


def _safe_contents(buf: bytes, encrypted: bool, depth: int = 0) -> list[_Bag]:
    if depth > 4:
        raise StoreError("PKCS#12 safe contents nested too deeply")
    s, e = expect(buf, 0, len(buf), SEQUENCE, "PKCS#12 SafeContents")
    bags = []
    for _, bs, be, _ in children(buf, s, e):
        parts = children(buf, bs, be)
        if len(parts) not in (2, 3) or parts[0][0] != OBJECT_ID or parts[1][0] != 0xA0:
            raise StoreError("malformed PKCS#12 SafeBag")
        oid = oid_str(buf[parts[0][1]:parts[0][2]])
        value = buf[parts[1][1]:parts[1][2]]
        if oid == OID_SAFE_CONTENTS_BAG:
            bags.extend(_safe_contents(value, encrypted, depth + 1))
            continue
        name, key_id, trusted = None, None, False
        if len(parts) == 3:
            for _, as_, ae, _ in children(buf, parts[2][1], parts[2][2]):
                attr = children(buf, as_, ae)
                if len(attr) != 2 or attr[0][0] != OBJECT_ID or attr[1][0] != SET:
                    raise StoreError("malformed PKCS#12 bag attribute")
                aoid = oid_str(buf[attr[0][1]:attr[0][2]])
                vals = children(buf, attr[1][1], attr[1][2])
                if aoid == OID_FRIENDLY_NAME and vals and vals[0][0] == BMP_STRING:
                    name = buf[vals[0][1]:vals[0][2]].decode("utf-16-be", "replace")
                elif aoid == OID_LOCAL_KEY_ID and vals and vals[0][0] == OCTET_STRING:
                    key_id = buf[vals[0][1]:vals[0][2]]
                elif aoid == OID_JAVA_TRUSTED_KEY_USAGE:
                    trusted = True
        der = None
        if oid == OID_CERT_BAG:
            cb = children(value, *expect(value, 0, len(value), SEQUENCE, "PKCS#12 CertBag"))
            if len(cb) != 2 or cb[0][0] != OBJECT_ID or cb[1][0] != 0xA0:
                raise StoreError("malformed PKCS#12 CertBag")
            if oid_str(value[cb[0][1]:cb[0][2]]) == OID_X509_CERT:
                der = value[slice(*expect(value, cb[1][1], cb[1][2], OCTET_STRING, "PKCS#12 certificate"))]
        bags.append(_Bag(oid, der, name, key_id, trusted, encrypted))
    return bags


def _content_info(item: bytes) -> tuple[str, bytes, int, int]:
    """(content type OID, item, start, end of the [0] content) of one AuthenticatedSafe ContentInfo."""
    s, e = expect(item, 0, len(item), SEQUENCE, "PKCS#12 ContentInfo")
    kids = children(item, s, e)
    if len(kids) != 2 or kids[0][0] != OBJECT_ID or kids[1][0] != 0xA0:
        raise StoreError("malformed PKCS#12 ContentInfo")
    return oid_str(item[kids[0][1]:kids[0][2]]), item, kids[1][1], kids[1][2]


def _open_content(item: bytes, password: str | None) -> tuple[list[_Bag] | None, bool]:
    """(bags, encrypted) of one ContentInfo; bags None when it is encrypted and no password is given."""
    oid, buf, s, e = _content_info(item)
    if oid == OID_DATA:
        os_ = expect(buf, s, e, OCTET_STRING, "PKCS#12 data")
        return _safe_contents(buf[slice(*os_)], False), False
    if oid == OID_ENCRYPTED_DATA:
        if password is None:
            return None, True
        ed = children(buf, *expect(buf, s, e, SEQUENCE, "PKCS#12 EncryptedData"))
        if len(ed) < 2 or ed[1][0] != SEQUENCE:
            raise StoreError("malformed PKCS#12 EncryptedData")
        eci = children(buf, ed[1][1], ed[1][2])
        if len(eci) != 3 or eci[1][0] != SEQUENCE:
            raise StoreError("malformed PKCS#12 EncryptedContentInfo")
        if eci[2][0] == 0xA0:
            raise Unsupported("constructed (BER) encrypted content")
        if eci[2][0] != 0x80:
            raise StoreError("malformed PKCS#12 encrypted content")
        plain = decrypt(buf[eci[1][3]:eci[1][2]], buf[eci[2][1]:eci[2][2]], password)
        try:
            return _safe_contents(plain, True), True
        except (StoreError, Unsupported):
            raise StorePasswordError("decrypted content is not PKCS#12 bags (wrong password)") from None
    if oid == OID_ENVELOPED_DATA:
        raise Unsupported("public-key privacy mode (envelopedData)")
    raise StoreError(f"unknown PKCS#12 content type {oid}")


@dataclass
class _P12Read:
    pfx: _Pfx
    bags: list[_Bag]
    locked: int  # encrypted contents not opened
    password: str | None
    mac_form: bytes | None
    integrity: str
    opaque: list[str]  # why some encrypted contents (password verified by the MAC) were not decrypted here


def _open_pkcs12(data: bytes, passwords: tuple[str, ...]) -> _P12Read:
    pfx = parse_pfx(data)
    if pfx.mac_oid is not None and pfx.mac_hash is None:
        raise Unsupported(f"PKCS#12 MAC algorithm {pfx.mac_oid}")
    mac_form, used = None, None
    if pfx.mac_hash is not None:
        for p in passwords:
            form = _mac_password_form(pfx, p)
            if form is not None:
                mac_form, used = form, p
                break
    bags: list[_Bag] = []
    locked = 0
    opaque: list[str] = []
    for item in pfx.auth_safe_items:
        if _content_info(item)[0] != OID_ENCRYPTED_DATA:
            bags.extend(_open_content(item, None)[0] or [])
            continue
        for p in (used,) if used is not None else passwords:
            try:
                opened, _ = _open_content(item, p)
            except StorePasswordError:
                if mac_form is not None:  # the MAC says the password is right: the content is broken
                    raise StoreError("encrypted PKCS#12 content does not decrypt with the MAC's password") from None
                continue
            except Unsupported as why:
                if mac_form is None:
                    raise
                opaque.append(str(why))  # the MAC vouches for the password; the content stays as it is
                used = p
                break
            bags.extend(opened or [])
            used = p
            break
        else:
            locked += 1
    integrity = "absent" if pfx.mac_oid is None else ("verified" if mac_form is not None else "unverified")
    return _P12Read(pfx, bags, locked, used, mac_form, integrity, opaque)


def read_pkcs12(data: bytes, passwords: tuple[str, ...]) -> Store:
    try:
        opened = _open_pkcs12(data, passwords)
    except Unsupported as why:
        return read_pkcs12_with_cryptography(data, passwords, str(why))
    if opened.opaque:
        return read_pkcs12_with_cryptography(data, passwords, opened.opaque[0])
    key_ids = {b.local_key_id for b in opened.bags if b.oid in (OID_KEY_BAG, OID_SHROUDED_KEY_BAG) and b.local_key_id}
    entries, problems = [], []
    index = 0
    for bag in opened.bags:
        if bag.oid != OID_CERT_BAG:
            continue
        index += 1
        if bag.der is None:
            problems.append(f"entry {index}: a certificate bag that is not X.509, skipped")
            continue
        if bag.local_key_id is not None and bag.local_key_id in key_ids:
            kind = KEY_ENTRY_CHAIN
        elif bag.java_trusted:
            kind = TRUSTED_CERT
        else:
            kind = CA_CERT
        if not parses_as_certificate(bag.der):
            problems.append(f"entry {index} ({bag.friendly_name}): not a parseable certificate")
        entries.append(StoreEntry(bag.der, bag.friendly_name, kind, index))
    needed = opened.locked > 0
    if needed:
        problems.append(
            f"could not read without a password: {opened.locked} encrypted part(s) do not open with "
            f"{describe_passwords(passwords)}"
        )
    elif opened.integrity == "unverified":
        problems.append(f"MAC does not match {describe_passwords(passwords)}: certificates read without verifying the store")
    keys = sum(1 for b in opened.bags if b.oid in (OID_KEY_BAG, OID_SHROUDED_KEY_BAG))
    return Store("pkcs12", tuple(entries), tuple(problems), password_needed=needed, password=opened.password,
                 integrity=opened.integrity, key_entries=keys)


def read_pkcs12_with_cryptography(data: bytes, passwords: tuple[str, ...], why: str) -> Store:
    """Fallback for what the structural reader does not implement: cryptography's loader (no attributes)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    note = f"read with cryptography's PKCS#12 loader ({why}): Java trusted-certificate attributes not visible"
    for p in passwords:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loaded = pkcs12.load_pkcs12(data, p.encode("utf-8") if p else None)
        except Exception:  # noqa: BLE001 - wrong password or unreadable: try the next
            continue
        entries = []
        certs = ([(loaded.cert, KEY_ENTRY_CHAIN if loaded.key else CA_CERT)] if loaded.cert else []) + [
            (c, CA_CERT) for c in loaded.additional_certs
        ]
        for i, (c, kind) in enumerate(certs, 1):
            name = c.friendly_name.decode("utf-8", "replace") if c.friendly_name else None
            entries.append(StoreEntry(c.certificate.public_bytes(serialization.Encoding.DER), name, kind, i))
        return Store("pkcs12", tuple(entries), (note,), password=p, integrity="verified",
                     key_entries=1 if loaded.key else 0)
    return Store("pkcs12", (), (f"could not read without a password: it does not open with {describe_passwords(passwords)} ({why})",),
                 password_needed=True, integrity="unverified")


def _cert_bag(alias: str, der: bytes) -> bytes:
    cert_bag = encode_seq(encode_oid(OID_X509_CERT), encode(0xA0, encode(OCTET_STRING, der)))
    attrs = encode_set(
        encode_seq(encode_oid(OID_FRIENDLY_NAME), encode_set(encode(BMP_STRING, alias.encode("utf-16-be", "surrogatepass")))),
        encode_seq(encode_oid(OID_JAVA_TRUSTED_KEY_USAGE), encode_set(encode_oid(OID_ANY_EXTENDED_KEY_USAGE))),
    )
    return encode_seq(encode_oid(OID_CERT_BAG), encode(0xA0, cert_bag), attrs)


def add_pkcs12(data: bytes, certs: list[tuple[str, bytes]], password: str) -> bytes:
    try:
        pfx = parse_pfx(data)
        if pfx.mac_oid is not None and pfx.mac_hash is None:
            raise Unsupported(f"MAC algorithm {pfx.mac_oid}")
        if pfx.mac_hash is not None and _mac_password_form(pfx, password) is None:
            raise StorePasswordError("wrong store password: the PKCS#12 MAC does not match it")
        opened = _open_pkcs12(data, (password,))
    except Unsupported as why:
        raise StoreError(f"cannot add to this PKCS#12: {why}") from None
    if opened.locked:
        raise StorePasswordError("wrong store password: encrypted PKCS#12 content does not open with it")
    existing = {b.friendly_name.lower() for b in opened.bags if b.friendly_name}
    if opened.opaque:  # names inside contents this reader cannot decrypt: ask cryptography's loader
        existing |= {a.lower() for a in read_pkcs12_with_cryptography(data, (password,), "").aliases}
    bags = []
    for alias, der in certs:
        if alias.lower() in existing:
            raise StoreError(f"alias {alias!r} is already in the store")
        existing.add(alias.lower())
        bags.append(_cert_bag(alias, der))
    safe_contents = encode_seq(*bags)
    cert_bags = [b for b in opened.bags if b.oid == OID_CERT_BAG]
    encrypt = password != "" and (not cert_bags or any(b.encrypted for b in cert_bags))
    new_item = encrypted_content(safe_contents, password) if encrypt else encode_seq(
        encode_oid(OID_DATA), encode(0xA0, encode(OCTET_STRING, safe_contents)))
    auth_safe = encode_seq(*pfx.auth_safe_items, new_item)
    content_info = encode_seq(encode_oid(OID_DATA), encode(0xA0, encode(OCTET_STRING, auth_safe)))
    parts = [encode_int(3), content_info]
    if pfx.mac_hash is not None:
        assert opened.mac_form is not None and pfx.mac_oid is not None
        salt = os.urandom(max(len(pfx.mac_salt), 8))
        size = hashlib.new(pfx.mac_hash).digest_size
        key = pkcs12_kdf(opened.mac_form, salt, 3, pfx.mac_iterations, size, pfx.mac_hash)
        digest = hmac.new(key, auth_safe, pfx.mac_hash).digest()
        mac = encode_seq(encode_seq(encode_seq(encode_oid(pfx.mac_oid), encode(NULL, b"")), encode(OCTET_STRING, digest)),
                   encode(OCTET_STRING, salt), encode_int(pfx.mac_iterations))
        parts.append(mac)
    return encode_seq(*parts)
