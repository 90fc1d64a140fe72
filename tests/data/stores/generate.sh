#!/bin/sh
# Regenerate the trust-store fixtures of tests/test_stores.py.
#
# Made with the JDK's keytool (JKS, JCEKS, PKCS#12 as Java writes it) and openssl (DER, PKCS#7,
# PKCS#12 as OpenSSL writes it, legacy and empty-password variants), from the public
# certificates shipped in rules/certs/ (digicert.pem, ats-roots.pem), split one per file.
#
#   sh tests/data/stores/generate.sh          # from the repository root; needs keytool, openssl
#
# Deterministic: which certificates go into which store, their aliases and the passwords.
# Not deterministic (so regenerating changes the bytes, not what the tests check): keytool's
# entry timestamps, the random salts and IVs of PKCS#12 encryption and MACs, and the throwaway
# EC key pair of the key-entry stores (generated here; it protects nothing, so it is committed).
#
# Fixtures (store password `changeit` unless said otherwise):
#   digicert-only.jks        JKS, trusted entries digicert-global-root-ca, -g2, -g3
#   digicert-only.jceks      JCEKS, the same three trusted entries
#   with-secret.jceks        JCEKS: trusted entry digicert-global-root-g2 and a secret (AES) key
#                            entry fixture-secret (a Java-serialized object ats-lint cannot skip)
#   digicert-only.p12        PKCS#12 written by keytool, the same three trusted entries
#   with-amazon-root-1.p12   PKCS#12 (keytool): digicert-global-root-g2, amazon-root-ca-1
#   s3cret.jks               JKS, password s3cret: digicert-global-root-g2
#   s3cret.p12               PKCS#12 (keytool), password s3cret: digicert-global-root-g2
#   with-key.jks             JKS: private key entry fixture-key (self-signed EC cert) and
#                            trusted entries digicert-global-root-g2, baltimore-cybertrust-root
#   with-key.p12             PKCS#12 (keytool), the same entries as with-key.jks
#   openssl-ca.p12           PKCS#12 written by openssl: key + cert "fixture-key", CA certs
#                            digicert-global-root-g2 and baltimore-cybertrust-root (no Java
#                            trusted-certificate attribute: keytool does not list them)
#   openssl-empty-pass.p12   PKCS#12 written by openssl with an empty password: CA cert
#                            digicert-global-root-g2 only (-nokeys)
#   openssl-legacy.p12       PKCS#12 written by openssl -legacy (RC2-40 / 3DES, SHA-1 MAC):
#                            key + cert fixture-key, CA cert digicert-global-root-g2
#   digicert-global-root-g2.der   a single DER certificate
#   digicert.p7b             PKCS#7 (DER) of the three DigiCert Global roots
#   digicert-pem.p7b         the same PKCS#7 in PEM
#   truncated.jks            digicert-only.jks cut to 700 bytes
#   truncated.p12            digicert-only.p12 cut to 900 bytes
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
certs="$root/rules/certs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"
rm -f ./*.jks ./*.jceks ./*.p12 ./*.der ./*.p7b

# Split a PEM bundle into one file per certificate, named after its "# Label:" comment:
# lower case, runs of other characters as one dash ("DigiCert Global Root G2" -> digicert-global-root-g2).
split_bundle() {
    awk -v dir="$work" '
        /^# Label:/ { label = $0; sub(/^# Label: *"?/, "", label); sub(/"? *$/, "", label)
                      name = tolower(label); gsub(/[^a-z0-9]+/, "-", name); sub(/-$/, "", name) }
        /-----BEGIN CERTIFICATE-----/ { out = dir "/" name ".pem" }
        out != "" { print > out }
        /-----END CERTIFICATE-----/ { close(out); out = "" }
    ' "$1"
}
split_bundle "$certs/digicert.pem"
split_bundle "$certs/ats-roots.pem"

import() {  # import STORE TYPE PASS ALIAS...
    store=$1 type=$2 pass=$3; shift 3
    for alias in "$@"; do
        keytool -importcert -noprompt -storetype "$type" -keystore "$store" -storepass "$pass" \
            -alias "$alias" -file "$work/$alias.pem" >/dev/null 2>&1
    done
}
DIGICERT3="digicert-global-root-ca digicert-global-root-g2 digicert-global-root-g3"

import digicert-only.jks JKS changeit $DIGICERT3
import digicert-only.jceks JCEKS changeit $DIGICERT3
import digicert-only.p12 PKCS12 changeit $DIGICERT3
import with-amazon-root-1.p12 PKCS12 changeit digicert-global-root-g2 amazon-root-ca-1
import s3cret.jks JKS s3cret digicert-global-root-g2
import s3cret.p12 PKCS12 s3cret digicert-global-root-g2
import with-secret.jceks JCEKS changeit digicert-global-root-g2
keytool -genseckey -storetype JCEKS -keystore with-secret.jceks -storepass changeit -keypass changeit \
    -alias fixture-secret -keyalg AES -keysize 128 >/dev/null 2>&1

# The throwaway key pair of the key-entry stores.
keytool -genkeypair -noprompt -storetype PKCS12 -keystore "$work/key.p12" -storepass changeit \
    -alias fixture-key -keyalg EC -groupname secp256r1 -validity 36500 \
    -dname "CN=ats-lint test fixture (throwaway key)" >/dev/null 2>&1
for type in JKS PKCS12; do
    ext=$(echo $type | tr A-Z a-z | sed 's/pkcs12/p12/')
    keytool -importkeystore -noprompt -srckeystore "$work/key.p12" -srcstoretype PKCS12 \
        -srcstorepass changeit -destkeystore "with-key.$ext" -deststoretype $type \
        -deststorepass changeit >/dev/null 2>&1
    import "with-key.$ext" $type changeit digicert-global-root-g2 baltimore-cybertrust-root
done

# PKCS#12 as OpenSSL writes it (CA certificates without the Java trusted-certificate attribute).
openssl pkcs12 -in "$work/key.p12" -passin pass:changeit -nodes -out "$work/key.pem" 2>/dev/null
cat "$work/digicert-global-root-g2.pem" "$work/baltimore-cybertrust-root.pem" > "$work/ca2.pem"
openssl pkcs12 -export -in "$work/key.pem" -name fixture-key -certfile "$work/ca2.pem" \
    -caname digicert-global-root-g2 -caname baltimore-cybertrust-root \
    -passout pass:changeit -out openssl-ca.p12
openssl pkcs12 -export -nokeys -in "$work/digicert-global-root-g2.pem" \
    -name digicert-global-root-g2 -passout pass: -out openssl-empty-pass.p12
openssl pkcs12 -export -legacy -in "$work/key.pem" -name fixture-key \
    -certfile "$work/digicert-global-root-g2.pem" -caname digicert-global-root-g2 \
    -passout pass:changeit -out openssl-legacy.p12

openssl x509 -in "$work/digicert-global-root-g2.pem" -outform DER -out digicert-global-root-g2.der
cat "$work/digicert-global-root-ca.pem" "$work/digicert-global-root-g2.pem" \
    "$work/digicert-global-root-g3.pem" > "$work/digicert3.pem"
openssl crl2pkcs7 -nocrl -certfile "$work/digicert3.pem" -outform DER -out digicert.p7b
openssl crl2pkcs7 -nocrl -certfile "$work/digicert3.pem" -outform PEM -out digicert-pem.p7b

head -c 700 digicert-only.jks > truncated.jks
head -c 900 digicert-only.p12 > truncated.p12

ls -l
