"""Trust stores in every format are judged like PEM bundles wherever they are referenced.

JKS, PKCS#12, DER and PKCS#7 stores (the keytool/openssl fixtures of tests/data/stores) behind
JVM flags, `System.setProperty`, Maven and Spring settings and Android `@raw/` trust anchors:
ATS202 when the store holds no ATS root, a note when it does, a plain statement when its content
cannot be known (a password ats-lint does not have, a store that does not parse).
"""
from __future__ import annotations

from helpers import check_json, triples, write_tree

DIGICERT_JKS = "{{fixture:stores/digicert-only.jks}}"
DIGICERT_P12 = "{{fixture:stores/digicert-only.p12}}"
AMAZON_P12 = "{{fixture:stores/with-amazon-root-1.p12}}"
DIGICERT_DER = "{{fixture:stores/digicert-global-root-g2.der}}"


def _messages(doc: dict) -> dict[tuple[str, int, str], str]:
    return {(f["path"], f["line"], f["rule"]): f["message"] for f in doc["findings"]}


def test_the_issue_tree_three_digicert_only_stores_and_one_with_ats(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "Dockerfile": "FROM eclipse-temurin:21\nCOPY . /app\n"
                      "CMD [\"java\", \"-Djavax.net.ssl.trustStore=certs/partner-truststore.jks\", \"-jar\", \"/app/app.jar\"]\n",
        "certs/partner-truststore.jks": DIGICERT_JKS,
        "src/main/java/com/example/Legacy.java": (
            "package com.example;\n"
            "class Legacy {\n"
            "  static void init() {\n"
            "    System.setProperty(\"javax.net.ssl.trustStore\", \"certs/legacy-truststore.p12\");\n"
            "  }\n"
            "}\n"),
        "certs/legacy-truststore.p12": DIGICERT_P12,
        "src/main/kotlin/Egress.kt": "fun main() {\n    System.setProperty(\"javax.net.ssl.trustStore\", \"certs/egress.p12\")\n}\n",
        "certs/egress.p12": AMAZON_P12,
        "app/src/main/res/xml/network_security_config.xml": (
            "<network-security-config>\n  <base-config>\n    <trust-anchors>\n"
            "      <certificates src=\"@raw/partner_ca\" />\n    </trust-anchors>\n  </base-config>\n</network-security-config>\n"),
        "app/src/main/res/raw/partner_ca.der": DIGICERT_DER,
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    found = {t for t in triples(doc) if t[2] in ("ATS201", "ATS202")}
    assert found == {
        ("Dockerfile", 3, "ATS201"), ("Dockerfile", 3, "ATS202"),
        ("src/main/java/com/example/Legacy.java", 4, "ATS201"), ("src/main/java/com/example/Legacy.java", 4, "ATS202"),
        ("src/main/kotlin/Egress.kt", 2, "ATS201"),
        ("app/src/main/res/xml/network_security_config.xml", 4, "ATS201"),
        ("app/src/main/res/xml/network_security_config.xml", 4, "ATS202"),
    }
    severity = {(f["path"], f["rule"]): f["severity"] for f in doc["findings"]}
    assert severity[("src/main/kotlin/Egress.kt", "ATS201")] == "note"
    assert severity[("Dockerfile", "ATS201")] == "warning"
    messages = _messages(doc)
    assert messages[("Dockerfile", 3, "ATS202")] == (
        "The CA bundle `certs/partner-truststore.jks` holds no Amazon Trust Services root "
        "(JKS, 3 certificates, 3 from DigiCert): HTTPS to S3 and CloudFront fails with it")
    assert messages[("src/main/java/com/example/Legacy.java", 4, "ATS202")] == (
        "The CA bundle `certs/legacy-truststore.p12` holds no Amazon Trust Services root "
        "(PKCS#12, 3 certificates, 3 from DigiCert): HTTPS to S3 and CloudFront fails with it")
    assert messages[("app/src/main/res/xml/network_security_config.xml", 4, "ATS202")] == (
        "The CA bundle `app/src/main/res/raw/partner_ca.der` holds no Amazon Trust Services root "
        "(DER certificate, 1 certificate, 1 from DigiCert): HTTPS to S3 and CloudFront fails with it")
    assert messages[("src/main/kotlin/Egress.kt", 2, "ATS201")] == (
        "`javax.net.ssl.trustStore` uses the custom PKCS#12 trust store `certs/egress.p12`, which already trusts "
        "Amazon Trust Services (Amazon Root CA 1)")
    assert doc["errors"] == []


def test_jvm_flags_in_build_and_launch_files(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "certs/partner.jks": DIGICERT_JKS,
        "gradle.properties": "org.gradle.jvmargs=-Xmx2g\nsystemProp.javax.net.ssl.trustStore=certs/partner.jks\n",
        ".mvn/jvm.config": "-Xmx1g -Djavax.net.ssl.trustStore=certs/partner.jks\n",
        "deploy/env.sh": "export JAVA_TOOL_OPTIONS=\"-Djavax.net.ssl.trustStore=certs/partner.jks -Djavax.net.ssl.trustStorePassword=changeit\"\n",
        "pom.xml": ("<project>\n  <build><plugins><plugin>\n    <artifactId>maven-surefire-plugin</artifactId>\n"
                    "    <configuration><systemPropertyVariables>\n"
                    "      <javax.net.ssl.trustStore>${project.basedir}/certs/partner.jks</javax.net.ssl.trustStore>\n"
                    "    </systemPropertyVariables></configuration>\n  </plugin></plugins></build>\n</project>\n"),
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {t for t in triples(doc) if t[2] == "ATS202"} == {
        ("gradle.properties", 2, "ATS202"), (".mvn/jvm.config", 1, "ATS202"),
        ("deploy/env.sh", 1, "ATS202"), ("pom.xml", 5, "ATS202"),
    }


def test_spring_ssl_bundles_resolve_classpath_to_the_resources_folder(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "service/src/main/resources/application.properties": (
            "spring.application.name=reports\n"
            "spring.ssl.bundle.jks.s3.truststore.location=classpath:certs/partner.jks\n"
            "spring.ssl.bundle.jks.s3.truststore.password=changeit\n"),
        "service/src/main/resources/certs/partner.jks": DIGICERT_JKS,
        "service/config/application.yml": (
            "spring:\n  ssl:\n    bundle:\n      jks:\n        egress:\n          truststore:\n"
            "            password: changeit\n            location: \"classpath:egress.p12\"\n"),
        "service/src/main/resources/egress.p12": AMAZON_P12,
        "service/src/main/resources/server.properties": "server.ssl.trust-store=classpath:certs/partner.jks\n",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {t for t in triples(doc) if t[2] in ("ATS201", "ATS202")} == {
        ("service/src/main/resources/application.properties", 2, "ATS201"),
        ("service/src/main/resources/application.properties", 2, "ATS202"),
        ("service/config/application.yml", 8, "ATS201"),
    }
    assert _messages(doc)[("service/config/application.yml", 8, "ATS201")].endswith(
        "`service/src/main/resources/egress.p12`, which already trusts Amazon Trust Services (Amazon Root CA 1)")


def test_a_store_that_needs_a_password_is_stated_not_guessed(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "run.sh": "java -Djavax.net.ssl.trustStore=certs/locked.p12 -jar app.jar\n",
        "certs/locked.p12": "{{fixture:stores/s3cret.p12}}",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert triples(doc) == {("run.sh", 1, "ATS201")}
    assert doc["findings"][0]["message"] == (
        "`javax.net.ssl.trustStore` replaces the default trust store with `certs/locked.p12`, a PKCS#12 store that "
        "ats-lint could not read without a password (it does not open with `changeit` or an empty password): "
        "make sure the store includes the Amazon Trust Services roots")


def test_a_jks_with_another_password_is_still_judged(tmp_path, monkeypatch):
    # JKS certificates are not encrypted: only the integrity digest needs the password
    write_tree(tmp_path, {
        "run.sh": "java -Djavax.net.ssl.trustStore=certs/other.jks -jar app.jar\n",
        "certs/other.jks": "{{fixture:stores/s3cret.jks}}",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert triples(doc) == {("run.sh", 1, "ATS201"), ("run.sh", 1, "ATS202")}


def test_a_store_that_does_not_parse_is_one_clear_statement_and_the_run_goes_on(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "run.sh": ("java -Djavax.net.ssl.trustStore=certs/broken.jks -jar a.jar\n"
                   "java -Djavax.net.ssl.trustStore=certs/partner.jks -jar b.jar\n"),
        "certs/broken.jks": "{{fixture:stores/truncated.jks}}",
        "certs/partner.jks": DIGICERT_JKS,
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert triples(doc) == {("run.sh", 1, "ATS201"), ("run.sh", 2, "ATS201"), ("run.sh", 2, "ATS202")}
    message = _messages(doc)[("run.sh", 1, "ATS201")]
    assert message.startswith("`javax.net.ssl.trustStore` replaces the default trust store with `certs/broken.jks`, "
                              "a JKS store that ats-lint cannot read (truncated at byte ")
    assert "\n" not in message
    assert doc["errors"] == []


def test_pkcs7_bundles_are_judged(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        ".env": "SSL_CERT_FILE=certs/digicert.p7b\nNODE_EXTRA_CA_CERTS=certs/digicert-pem.p7b\n",
        "certs/digicert.p7b": "{{fixture:stores/digicert.p7b}}",
        "certs/digicert-pem.p7b": "{{fixture:stores/digicert-pem.p7b}}",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {t for t in triples(doc) if t[2] == "ATS202"} == {(".env", 1, "ATS202"), (".env", 2, "ATS202")}
