"""The text scanner: every file kind that is not Python, positives and the traps that stay silent."""
from __future__ import annotations

import re
import time

import pytest
from helpers import check_json, triples, write_tree

from ats_lint.scan.filekinds import text_kind
from ats_lint.scan.text.scanner import blank_comments, comment_regex, pinning_patterns, trust_patterns

PARTNER = {"certs/partner.pem": "{{pem:DigiCert Global Root G2}}"}
EGRESS = {"certs/egress.pem": "{{pem:DigiCert Global Root G2}}{{pem:Starfield Services Root Certificate Authority - G2}}"}


def scan(tmp_path, monkeypatch, files, *args):
    write_tree(tmp_path, files)
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", *args, ".")
    return doc


def found(tmp_path, monkeypatch, files, *args):
    return triples(scan(tmp_path, monkeypatch, files, *args))


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_env_continuation_reports_each_variable_on_its_own_line(tmp_path, monkeypatch):
    files = {
        "Dockerfile": """\
            FROM python:3.12
            ENV AWS_CA_BUNDLE=/app/certs/partner.pem \\
                REQUESTS_CA_BUNDLE=/app/certs/partner.pem \\
                PYTHONUNBUFFERED=1
            """
    }
    assert found(tmp_path, monkeypatch, files) == {("Dockerfile", 2, "ATS201"), ("Dockerfile", 3, "ATS201")}


def test_dockerfile_arg_and_legacy_env_forms_are_custom_stores(tmp_path, monkeypatch):
    files = {
        "Dockerfile": """\
            FROM node:20
            ARG NODE_EXTRA_CA_CERTS=certs/partner.pem
            ENV SSL_CERT_FILE /srv/ca.pem
            """,
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("Dockerfile", 2, "ATS201"),
        ("Dockerfile", 2, "ATS202"),
        ("Dockerfile", 3, "ATS201"),
    }


def test_dockerfile_comment_checksum_and_declared_arg_are_silent(tmp_path, monkeypatch):
    files = {
        "Dockerfile": """\
            # syntax=docker/dockerfile:1
            FROM python:3.12
            ARG TOOL_SHA256=6f53dc0394c605ee757d0e50408aeac5620e6f551d09fa590e5a1048f677a974
            ARG SSL_CERT_FILE
            # ENV SSL_CERT_FILE=/app/certs/egress.pem
            # RUN curl https://bucket.s3.amazonaws.com/tool.deb
            RUN curl -fsSL http://bucket.s3.amazonaws.com/tool.deb
            ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
            """
    }
    assert found(tmp_path, monkeypatch, files) == set()


def test_dockerfile_https_download_from_s3_is_an_endpoint(tmp_path, monkeypatch):
    files = {"Dockerfile": 'FROM debian\nRUN curl -o /x "https://artifacts.s3.amazonaws.com/vendor/x.deb"\n'}
    assert found(tmp_path, monkeypatch, files) == {("Dockerfile", 2, "ATS101")}


# --------------------------------------------------------------------------- .env


def test_dotenv_assignment_resolves_the_bundle_in_the_tree(tmp_path, monkeypatch):
    files = {".env": "# partner proxy\nREQUESTS_CA_BUNDLE=certs/partner.pem\n", **PARTNER}
    assert found(tmp_path, monkeypatch, files) == {(".env", 2, "ATS201"), (".env", 2, "ATS202")}


def test_dotenv_bundle_with_an_ats_root_is_a_note_without_ats202(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {".env.production": "export SSL_CERT_FILE=certs/egress.pem\n", **EGRESS})
    assert triples(doc) == {(".env.production", 1, "ATS201")}
    assert doc["findings"][0]["severity"] == "note"


def test_dotenv_comments_empty_values_and_reads_are_silent(tmp_path, monkeypatch):
    files = {
        ".env": """\
            # SSL_CERT_FILE=certs/partner.pem
            CURL_CA_BUNDLE=
            AWS_CA_BUNDLE=""
            REQUESTS_CA_BUNDLE=${REQUESTS_CA_BUNDLE}
            MEDIA=https://media.example.com
            EU=https://s3.eu-west-3.amazonaws.com
            CN=https://b.s3.cn-north-1.amazonaws.com.cn
            STATUS=http://status.s3-website-us-east-1.amazonaws.com
            """,
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == set()


def test_dotenv_cloudfront_url_is_a_finding(tmp_path, monkeypatch):
    assert found(tmp_path, monkeypatch, {".env": "CDN=https://d111111abcdef8.cloudfront.net\n"}) == {(".env", 1, "ATS102")}


# --------------------------------------------------------------------------- compose, Kubernetes, Actions (YAML)


def test_compose_map_form_env_var_is_a_custom_store(tmp_path, monkeypatch):
    files = {
        "docker-compose.yml": """\
            services:
              api:
                environment:
                  FLASK_APP: app
                  SSL_CERT_FILE: certs/partner.pem
                  CDN: https://d111111abcdef8.cloudfront.net
                  OLD_CDN: http://d111111abcdef8.cloudfront.net
            """,
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("docker-compose.yml", 5, "ATS201"),
        ("docker-compose.yml", 5, "ATS202"),
        ("docker-compose.yml", 6, "ATS102"),
    }


def test_compose_list_form_env_var_is_a_custom_store(tmp_path, monkeypatch):
    files = {
        "compose.yaml": """\
            services:
              web:
                environment:
                  - NODE_ENV=development
                  - NODE_EXTRA_CA_CERTS=/srv/certs/partner.pem
                  - REQUESTS_CA_BUNDLE
            """
    }
    assert found(tmp_path, monkeypatch, files) == {("compose.yaml", 5, "ATS201")}


def test_kubernetes_name_value_pair_is_reported_on_the_name_line(tmp_path, monkeypatch):
    files = {
        "k8s/deploy.yaml": """\
            spec:
              containers:
                - name: app
                  env:
                    - name: AWS_REGION
                      value: us-west-2
                    - name: SSL_CERT_DIR
                      value: /etc/ssl/partner
                    - name: AWS_CA_BUNDLE
                      valueFrom:
                        configMapKeyRef: {name: ca, key: bundle}
            """
    }
    assert found(tmp_path, monkeypatch, files) == {("k8s/deploy.yaml", 7, "ATS201"), ("k8s/deploy.yaml", 9, "ATS201")}


def test_kubernetes_name_value_pair_pointing_at_system_store_is_silent(tmp_path, monkeypatch):
    files = {"deploy.yaml": "env:\n  - name: SSL_CERT_FILE\n    value: /etc/ssl/certs/ca-certificates.crt\n"}
    assert found(tmp_path, monkeypatch, files) == set()


def test_actions_env_resolves_relative_to_the_scan_root(tmp_path, monkeypatch):
    files = {
        ".github/workflows/ci.yml": """\
            jobs:
              test:
                env:
                  AWS_CA_BUNDLE: certs/partner.pem
                steps:
                  - uses: actions/checkout@923ed0ace311be27a51adbfb7ffc905fa4a55b5d # v4
                  - run: curl -fsS https://d111111abcdef8.cloudfront.net/healthz
                  - run: aws s3 sync dist s3://web-assets/ --delete
                  - name: Unit tests
                    env:
                      REQUESTS_CA_BUNDLE: certs/egress.pem
                    run: pytest
            """,
        **PARTNER,
        **EGRESS,
    }
    assert found(tmp_path, monkeypatch, files) == {
        (".github/workflows/ci.yml", 4, "ATS201"),
        (".github/workflows/ci.yml", 4, "ATS202"),
        (".github/workflows/ci.yml", 7, "ATS102"),
        (".github/workflows/ci.yml", 11, "ATS201"),
    }


def test_http_url_in_yaml_is_not_a_risk(tmp_path, monkeypatch):
    files = {
        "values.yaml": """\
            image: 123456789012.dkr.ecr.us-west-2.amazonaws.com/app
            tag: "7b2f396d350b4d89ba8c2f3b5af7e0ff823c3a9b"
            legacy: http://bucket.s3.amazonaws.com
            eu: https://bucket.s3.eu-west-3.amazonaws.com
            site: bucket.s3-website.us-east-2.amazonaws.com
            # cdn: d2x0ld9q8w7e6r.cloudfront.net
            color: "#fff"  # https://bucket.s3.amazonaws.com in a trailing comment
            """
    }
    assert found(tmp_path, monkeypatch, files) == set()


def test_yaml_url_with_a_fragment_is_not_cut_at_the_hash(tmp_path, monkeypatch):
    files = {"values.yaml": "docs: https://d111111abcdef8.cloudfront.net/guide#setup\n"}
    assert found(tmp_path, monkeypatch, files) == {("values.yaml", 1, "ATS102")}


def test_yaml_digicert_fingerprint_is_reported(tmp_path, monkeypatch):
    files = {"values.yaml": "upstreamRootSha1: {{sha1_hex:DigiCert Global Root CA}}\nother: {{sha256_hex:Amazon Root CA 1}}\n"}
    assert found(tmp_path, monkeypatch, files) == {("values.yaml", 1, "ATS302")}


# --------------------------------------------------------------------------- shell


def test_shell_export_is_a_custom_store_and_unset_or_read_is_not(tmp_path, monkeypatch):
    files = {
        "scripts/sync.sh": """\
            #!/usr/bin/env bash
            export CURL_CA_BUNDLE=certs/partner.pem
            echo "trust: ${AWS_CA_BUNDLE:-system default}"
            unset REQUESTS_CA_BUNDLE
            # export SSL_CERT_FILE=certs/partner.pem
            curl -fsS "https://s3.amazonaws.com/drop/$day.csv"
            aws s3 cp x "s3://bucket/raw/$day.csv" --endpoint-url https://s3.us-west-1.amazonaws.com
            curl http://status.s3-website-us-east-1.amazonaws.com/heartbeat
            curl https://nordics.s3.eu-north-1.amazonaws.com/x
            # Old drop: https://old.s3.amazonaws.com/raw/
            """,
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("scripts/sync.sh", 2, "ATS201"),
        ("scripts/sync.sh", 2, "ATS202"),
        ("scripts/sync.sh", 6, "ATS101"),
        ("scripts/sync.sh", 7, "ATS101"),
    }


def test_script_without_extension_is_read_by_its_shebang(tmp_path, monkeypatch):
    files = {"bin/deploy": "#!/bin/sh\nSSL_CERT_FILE=certs/partner.pem aws s3 ls\n", **PARTNER}
    assert found(tmp_path, monkeypatch, files) == {("bin/deploy", 2, "ATS201"), ("bin/deploy", 2, "ATS202")}


def test_shell_command_line_ca_options_are_custom_stores(tmp_path, monkeypatch):
    files = {
        "run.sh": """\
            curl --cacert certs/partner.pem https://x.example
            aws s3 ls --ca-bundle /etc/corp/ca.pem
            pip install --cert certs/partner.pem -r requirements.txt
            git config --global http.sslCAInfo certs/partner.pem
            java -Djavax.net.ssl.trustStore=certs/truststore.jks -jar app.jar
            export REQUESTS_CA_BUNDLE=$(python -m certifi)
            curl --pinnedpubkey "sha256//{{spki_b64:DigiCert Global Root G2}}" https://x.example
            """,
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("run.sh", 1, "ATS201"),
        ("run.sh", 1, "ATS202"),
        ("run.sh", 2, "ATS201"),
        ("run.sh", 3, "ATS201"),
        ("run.sh", 3, "ATS202"),
        ("run.sh", 4, "ATS201"),
        ("run.sh", 4, "ATS202"),
        ("run.sh", 5, "ATS201"),
        ("run.sh", 7, "ATS301"),
        ("run.sh", 7, "ATS302"),
    }


# --------------------------------------------------------------------------- config files


def test_aws_config_ca_bundle_lines(tmp_path, monkeypatch):
    files = {
        "deploy/aws/config": """\
            [profile prod]
            region = us-west-2
            ca_bundle = certs/partner.pem

            [profile paris]
            ca_bundle = certs/egress.pem

            [profile ci]
            ca_bundle = /opt/certs/partner.pem
            # ca_bundle = certs/partner.pem
            ; ca_bundle = certs/partner.pem
            """,
        **PARTNER,
        **EGRESS,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("deploy/aws/config", 3, "ATS201"),
        ("deploy/aws/config", 3, "ATS202"),
        ("deploy/aws/config", 6, "ATS201"),
        ("deploy/aws/config", 9, "ATS201"),
    }


def test_pip_npm_curl_and_git_configs_name_ca_bundles(tmp_path, monkeypatch):
    files = {
        "pip.conf": "[global]\ncert = certs/partner.pem\n",
        ".npmrc": "registry=https://registry.npmjs.org/\ncafile=certs/partner.pem\n",
        ".curlrc": "# corp proxy\ncacert = certs/partner.pem\n",
        ".gitconfig": "[http]\n\tsslCAInfo = certs/partner.pem\n",
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == {
        (path, 2, rule) for path in ("pip.conf", ".npmrc", ".curlrc", ".gitconfig") for rule in ("ATS201", "ATS202")
    }


def test_cert_key_outside_pip_config_is_not_a_trust_store(tmp_path, monkeypatch):
    files = {"nginx.ini": "[tls]\ncert = certs/partner.pem\n", "app.toml": 'cert = "certs/partner.pem"\n', **PARTNER}
    assert found(tmp_path, monkeypatch, files) == set()


def test_toml_and_hcl_env_blocks_set_the_variable(tmp_path, monkeypatch):
    files = {
        "netlify.toml": '[build.environment]\nNODE_EXTRA_CA_CERTS = "certs/partner.pem"\n',
        "main.tf": """\
            resource "aws_lambda_function" "f" {
              environment {
                variables = {
                  # SSL_CERT_FILE = "certs/partner.pem"
                  SSL_CERT_FILE = "/var/task/ca.pem"
                }
              }
              // https://b.s3.amazonaws.com
              source = "https://b.s3.us-west-2.amazonaws.com/f.zip"
            }
            """,
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("netlify.toml", 2, "ATS201"),
        ("netlify.toml", 2, "ATS202"),
        ("main.tf", 5, "ATS201"),
        ("main.tf", 9, "ATS101"),
    }


def test_json_env_keys_and_ecs_name_value_pairs(tmp_path, monkeypatch):
    files = {
        "task.json": """\
            {"containerDefinitions": [{"environment": [
              {"name": "AWS_CA_BUNDLE", "value": "/app/ca.pem"},
              {"name": "AWS_REGION", "value": "us-west-2"}
            ]}],
             "containerEnv": {"SSL_CERT_FILE": "certs/partner.pem"},
             "cdn": "https://d111111abcdef8.cloudfront.net",
             "legacy": "http://d111111abcdef8.cloudfront.net"}
            """,
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("task.json", 2, "ATS201"),
        ("task.json", 5, "ATS201"),
        ("task.json", 5, "ATS202"),
        ("task.json", 6, "ATS102"),
    }


def test_a_bare_word_as_the_bundle_is_a_stand_in_in_test_code_only(tmp_path, monkeypatch):
    table = """\
        package session

        var cases = map[int]map[string]string{
        \t10: {"AWS_CA_BUNDLE": "custom_ca_bundle"},
        \t11: {"AWS_CA_BUNDLE": "testdata/ca.pem"},
        }
        """
    files = {"aws/env_config_test.go": table, "aws/env_defaults.go": table}
    assert found(tmp_path, monkeypatch, files) == {
        ("aws/env_config_test.go", 5, "ATS201"),
        ("aws/env_defaults.go", 4, "ATS201"),
        ("aws/env_defaults.go", 5, "ATS201"),
    }


def test_stores_in_a_test_of_parsing_are_its_input_not_configuration(tmp_path, monkeypatch):
    fixture = """\
        export const cases = [
          {
            connectionString: "kurrentdb://host?tlsCAFile=/home/user/dev/cert.ca",
            expected: { tlsCAFile: "/home/user/dev/cert.ca" },
          },
        ];
        """
    files = {"packages/test/src/connection/parseConnectionStringMockups.ts": fixture,
             "packages/test/src/connection/connectWithCa.ts": fixture}
    assert found(tmp_path, monkeypatch, files) == {
        ("packages/test/src/connection/connectWithCa.ts", 3, "ATS201"),
        ("packages/test/src/connection/connectWithCa.ts", 4, "ATS201"),
    }


def test_quarkus_tls_registry_trust_stores_but_not_the_servers(tmp_path, monkeypatch):
    files = {"src/main/resources/application.properties": """\
        quarkus.http.ssl.certificate.trust-store-file=server-truststore.jks
        quarkus.tls.pipeline-client.trust-store.jks.path=target/dev-certs/client-truststore.jks
        quarkus.tls.trust-store.pem.certs=certs/ca.pem
        quarkus.tls.pipeline-client.trust-store.jks.password=secret
        quarkus.rest-client."org.acme.Api".trust-store=classpath:/truststore.p12
        """}
    assert found(tmp_path, monkeypatch, files) == {
        ("src/main/resources/application.properties", 2, "ATS201"),
        ("src/main/resources/application.properties", 3, "ATS201"),
        ("src/main/resources/application.properties", 5, "ATS201"),
    }


def test_kafka_client_trust_stores_but_not_the_brokers(tmp_path, monkeypatch):
    files = {
        "scripts/destKafkaClient_ssl.properties": "security.protocol=SSL\nssl.truststore.location=/etc/kafka/secrets/client.truststore.jks\n",
        "config/server.properties": "broker.id=1\nlisteners=SSL://:9093\nssl.truststore.location=/etc/kafka/secrets/broker.truststore.jks\n",
        "docker-compose.yml": """\
            services:
              connect:
                environment:
                  CONNECT_SSL_TRUSTSTORE_LOCATION: /etc/kafka/secrets/kafka.connect.truststore.jks
                  CONNECT_PRODUCER_SSL_TRUSTSTORE_LOCATION: /etc/kafka/secrets/kafka.connect.truststore.jks
              broker:
                environment:
                  KAFKA_SSL_TRUSTSTORE_LOCATION: /etc/kafka/secrets/kafka.broker.truststore.jks
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("scripts/destKafkaClient_ssl.properties", 2, "ATS201"),
        ("docker-compose.yml", 4, "ATS201"), ("docker-compose.yml", 5, "ATS201"),
    }


def test_cloudformation_yaml_endpoint_and_env(tmp_path, monkeypatch):
    files = {
        "template.yaml": """\
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Environment:
                    Variables:
                      REQUESTS_CA_BUNDLE: /var/task/certs/corp.pem
                      ORIGIN: !Sub "https://${Bucket}.s3.us-west-2.amazonaws.com"
            """
    }
    assert found(tmp_path, monkeypatch, files) == {("template.yaml", 7, "ATS201"), ("template.yaml", 8, "ATS101")}


# --------------------------------------------------------------------------- JS / TS


def test_node_ca_option_read_from_a_file_is_a_custom_store(tmp_path, monkeypatch):
    files = {
        "web/src/config.ts": """\
            import fs from "node:fs";
            export const agent = new https.Agent({
              ca: fs.readFileSync("certs/partner.pem"),
            });
            export const other = new https.Agent({ ca: readFileSync(process.env.CA_PATH) });
            """,
        **PARTNER,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("web/src/config.ts", 3, "ATS201"),
        ("web/src/config.ts", 3, "ATS202"),
        ("web/src/config.ts", 5, "ATS201"),
    }


def test_js_comments_and_http_urls_are_silent(tmp_path, monkeypatch):
    files = {
        "web/src/a.js": """\
            // Staging assets: https://d111111abcdef8.cloudfront.net/staging/
            /* process.env.NODE_EXTRA_CA_CERTS = "certs/x.pem";
               https://b.s3.amazonaws.com */
            export const LEGACY = "http://b.s3.amazonaws.com";
            const country = { ca: "Canada" };
            const url = "https://example.com//path";
            """
    }
    assert found(tmp_path, monkeypatch, files) == set()


def test_js_urls_in_strings_survive_comment_blanking(tmp_path, monkeypatch):
    files = {
        "web/src/b.ts": """\
            export const CDN = "https://d111111abcdef8.cloudfront.net"; // main CDN
            const tpl = `https://${bucket}.s3.us-west-2.amazonaws.com/${key}`;
            process.env.NODE_EXTRA_CA_CERTS = "/srv/ca.pem";
            export const PINS = ["{{sha256_colon:DigiCert Global Root G2}}"];
            """
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("web/src/b.ts", 1, "ATS102"),
        ("web/src/b.ts", 2, "ATS101"),
        ("web/src/b.ts", 3, "ATS201"),
        ("web/src/b.ts", 4, "ATS301"),  # a list named PINS holding a digest: pins written as data
        ("web/src/b.ts", 4, "ATS302"),
    }


def test_ca_options_handed_to_a_child_process_from_javascript(tmp_path, monkeypatch):
    # the same file is tree-parsed as TypeScript; these text rules still run on it
    files = {
        "test/e2e-proxy.spec.ts": """\
            const shell = startTestShell(this, {
              args: [await testServer.connectionString(), '--tlsCAFile', CA_CERT],
              env: {
                ...process.env,
                SSL_CERT_DIR: path.join(tmpdir.path, 'certs'),
              },
            });
            const other = startTestShell(this, { args: ['--host', host, `--tlsCAFile=${CA_CERT}`] });
            const help = '--cacert <file>  trust only this CA';
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("test/e2e-proxy.spec.ts", 2, "ATS201"), ("test/e2e-proxy.spec.ts", 5, "ATS201"), ("test/e2e-proxy.spec.ts", 8, "ATS201"),
    }


# --------------------------------------------------------------------------- Android, OkHttp, iOS, TrustKit


NSC = "android/app/src/main/res/xml/network_security_config.xml"


def test_android_pin_set_is_pinning_and_digicert_pins_are_fingerprints(tmp_path, monkeypatch):
    files = {
        NSC: """\
            <?xml version="1.0" encoding="utf-8"?>
            <network-security-config>
                <domain-config>
                    <domain includeSubdomains="false">d111111abcdef8.cloudfront.net</domain>
                    <pin-set expiration="2026-06-30">
                        <pin digest="SHA-256">{{spki_b64:DigiCert Global Root G2}}</pin>
                        <!-- backup pin -->
                        <pin digest="SHA-256">{{spki_b64:Amazon Root CA 1}}</pin>
                    </pin-set>
                </domain-config>
                <!-- Retired:
                <domain-config>
                    <domain>d2222222abcdef.cloudfront.net</domain>
                    <pin-set><pin digest="SHA-256">{{spki_b64:DigiCert Global Root CA}}</pin></pin-set>
                </domain-config>
                -->
            </network-security-config>
            """
    }
    assert found(tmp_path, monkeypatch, files) == {(NSC, 4, "ATS102"), (NSC, 5, "ATS301"), (NSC, 6, "ATS302")}


def test_android_raw_trust_anchor_alone_is_a_custom_store(tmp_path, monkeypatch):
    files = {
        NSC: """\
            <network-security-config>
                <base-config><trust-anchors><certificates src="system" /></trust-anchors></base-config>
                <domain-config>
                    <domain>rates.partner.example</domain>
                    <trust-anchors>
                        <certificates src="@raw/partner_ca" />
                    </trust-anchors>
                </domain-config>
                <domain-config>
                    <domain>other.example</domain>
                    <trust-anchors>
                        <certificates src="system" />
                        <certificates src="@raw/extra_ca" />
                    </trust-anchors>
                </domain-config>
            </network-security-config>
            """,
        "android/app/src/main/res/raw/partner_ca.pem": "{{pem:DigiCert Global Root G2}}",
    }
    assert found(tmp_path, monkeypatch, files) == {
        (NSC, 6, "ATS201"),
        (NSC, 6, "ATS202"),
    }


def test_android_raw_trust_anchor_with_ats_root_has_no_ats202(tmp_path, monkeypatch):
    files = {
        NSC: '<trust-anchors>\n  <certificates src="@raw/corp" />\n</trust-anchors>\n',
        "android/app/src/main/res/raw/corp.crt": "{{pem:Amazon Root CA 1}}",
    }
    assert found(tmp_path, monkeypatch, files) == {(NSC, 2, "ATS201")}


def test_okhttp_certificate_pinner_kotlin(tmp_path, monkeypatch):
    files = {
        "app/ApiClient.kt": """\
            /**
             * Calls https://d111111abcdef8.cloudfront.net.
             */
            object ApiClient {
                // Beta used http://d111111abcdef8.cloudfront.net
                private const val LEGACY = "http://d111111abcdef8.cloudfront.net/status"
                private val pinner = CertificatePinner.Builder()
                    .add("d111111abcdef8.cloudfront.net",
                         "sha256/{{spki_b64:DigiCert Global Root CA}}") // DigiCert
                    .build()
                val http = OkHttpClient.Builder().certificatePinner(pinner).build()
            }
            """
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("app/ApiClient.kt", 7, "ATS301"),
        ("app/ApiClient.kt", 8, "ATS102"),
        ("app/ApiClient.kt", 9, "ATS302"),
    }


def test_okhttp_pinner_used_from_another_file_is_reported_at_the_use_java(tmp_path, monkeypatch):
    files = {"Client.java": "class C {\n  OkHttpClient c = new OkHttpClient.Builder()\n      .certificatePinner(Pins.PINNER).build();\n}\n"}
    assert found(tmp_path, monkeypatch, files) == {("Client.java", 3, "ATS301")}


def test_java_truststore_property_and_silent_comment(tmp_path, monkeypatch):
    files = {
        "Main.java": """\
            class Main {
              // System.setProperty("javax.net.ssl.trustStore", "old.jks");
              static { System.setProperty("javax.net.ssl.trustStore", "certs/corp.jks"); }
              String u = "https://b.s3.us-east-2.amazonaws.com/x";
            }
            """,
        "gradle.properties": "systemProp.javax.net.ssl.trustStore=/etc/corp.jks\n",
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("Main.java", 3, "ATS201"),
        ("Main.java", 4, "ATS101"),
        ("gradle.properties", 1, "ATS201"),
    }


def test_java_trust_manager_comparing_a_digest_is_pinning(tmp_path, monkeypatch):
    files = {
        "PinningTrustManager.java": """\
            class P implements X509TrustManager {
              public void checkServerTrusted(X509Certificate[] chain, String authType) {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
                if (!Arrays.equals(d, PIN)) throw new CertificateException();
              }
            }
            """,
        "Delegating.java": "class D { public void checkServerTrusted(X509Certificate[] c, String a) { inner.checkServerTrusted(c, a); } }\n",
    }
    # the syntax-tree scanner reports the comparison itself
    assert found(tmp_path, monkeypatch, files) == {("PinningTrustManager.java", 4, "ATS301")}


def test_dotnet_validation_callback_comparing_thumbprint_is_pinning(tmp_path, monkeypatch):
    files = {
        "Client.cs": """\
            var handler = new HttpClientHandler {
                ServerCertificateCustomValidationCallback = (msg, cert, chain, errors) =>
                    cert.GetCertHashString() == "{{sha1_hex_upper:DigiCert Global Root CA}}"
            };
            """,
        "Lenient.cs": "var h = new HttpClientHandler { ServerCertificateCustomValidationCallback = (m, c, ch, e) => e == SslPolicyErrors.None };\n",
    }
    # the syntax-tree scanner reports the comparison itself (line 3), and the DigiCert thumbprint in it
    assert found(tmp_path, monkeypatch, files) == {("Client.cs", 3, "ATS301"), ("Client.cs", 3, "ATS302")}


def test_ios_pinned_identities_in_info_plist(tmp_path, monkeypatch):
    files = {
        "ios/Info.plist": """\
            <plist version="1.0"><dict>
              <key>NSAppTransportSecurity</key>
              <dict>
                <key>NSPinnedDomains</key>
                <dict>
                  <key>d111111abcdef8.cloudfront.net</key>
                  <dict>
                    <key>NSPinnedCAIdentities</key>
                    <array><dict><key>SPKI-SHA256-BASE64</key>
                      <string>{{spki_b64:DigiCert Global Root G2}}</string></dict></array>
                  </dict>
                </dict>
              </dict>
              <!-- <key>NSPinnedLeafIdentities</key> -->
            </dict></plist>
            """
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("ios/Info.plist", 6, "ATS102"),
        ("ios/Info.plist", 8, "ATS301"),
        ("ios/Info.plist", 10, "ATS302"),
    }


def test_trustkit_public_key_hashes_in_swift(tmp_path, monkeypatch):
    files = {
        "App/AppDelegate.swift": """\
            let config: [String: Any] = [kTSKPinnedDomains: ["d111111abcdef8.cloudfront.net": [
                kTSKPublicKeyHashes: ["{{spki_b64:Amazon Root CA 1}}", "{{spki_b64:Amazon Root CA 2}}"],
            ]]]
            // kTSKPublicKeyHashes in a comment
            """
    }
    assert found(tmp_path, monkeypatch, files) == {("App/AppDelegate.swift", 1, "ATS102"), ("App/AppDelegate.swift", 2, "ATS301")}


def test_trustkit_key_in_javascript_is_a_pin_only_next_to_the_digests(tmp_path, monkeypatch):
    files = {
        "app/pinning.js": """\
            TrustKit.initializeWithConfiguration({
              kTSKPinnedDomains: { 'api.example.com': {
                kTSKPublicKeyHashes: ['{{spki_b64:Amazon Root CA 1}}', '{{spki_b64:Amazon Root CA 2}}'],
              } },
            });
            """,
        # a generator writing the pins it read into an Info.plist
        "cli/gen.js": """\
            function writePlist(iosDomain, pinArray) {
              iosDomain['TSKPublicKeyHashes'] = pinArray;
              return plist.build(iosDomain);
            }
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {("app/pinning.js", 3, "ATS301")}


# --------------------------------------------------------------------------- embedded C/C++ (Arduino, Azure IoT C)


def test_arduino_sketch_pins_and_trust_anchors_are_reported_once_per_store(tmp_path, monkeypatch):
    files = {
        "sketch/sketch.ino": """\
            #include <WiFiClientSecure.h>
            const char fingerprint[] PROGMEM = "AB CD EF 01 23 45 67 89 AB CD EF 01 23 45 67 89 AB CD EF 01";
            BearSSL::X509List cert(root_ca);
            void setup() {
              client.setFingerprint(fingerprint);
              client.setTrustAnchors(&cert);
              // client.setFingerprint(old_fingerprint);
              client.setInsecure();
            }
            void again() {
              client.setTrustAnchors(&cert);
              secure.setCACert(root_ca);
              https.begin(client, "https://device.example.com/fw.bin");
              http.begin(url, kHostFingerprint);
              if (!tls.verify(host_fingerprint, host)) { return; }
              session.validators.pin(sha1Fingerprint);
            }
            """,
        "esp32/main.cpp": """\
            void connect() {
              client->setCACert(AWS_ROOT_CA);
              client->setKnownKey(&pubKey);
            }
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("sketch/sketch.ino", 5, "ATS301"), ("sketch/sketch.ino", 6, "ATS201"), ("sketch/sketch.ino", 12, "ATS201"),
        ("sketch/sketch.ino", 14, "ATS301"), ("sketch/sketch.ino", 15, "ATS301"), ("sketch/sketch.ino", 16, "ATS301"),
        ("esp32/main.cpp", 2, "ATS201"), ("esp32/main.cpp", 3, "ATS301"),
    }


def test_arduino_library_plumbing_declarations_and_null_fingerprints_stay_silent(tmp_path, monkeypatch):
    files = {
        "src/SecureClient.h": """\
            class SecureClient {
            public:
              void setFingerprint(const char* fp) {
                this->client->setFingerprint(fp);
              }
              void setTrustAnchors(X509List* certs) { this->client->setTrustAnchors(certs); }
              void config(const char* auth, const char* fingerprint = NULL) {
                if (fingerprint) {
                  this->conn.setFingerprint(fingerprint);
                }
              }
              bool connect() {
                client->setCACert(this->_optional_ca_cert);
                return true;
              }
              void setCACert(const char *rootCA);
            };
            """,
        "examples/Secure/Secure.ino": """\
            const char * fingerprint = NULL; // set one to pin
            void setup() {
              if (fingerprint != NULL) {
                client.setFingerprint(fingerprint);
              } else {
                client.setInsecure();
              }
              client.setCACert(NULL);
            }
            """,
    }
    assert found(tmp_path, monkeypatch, files) == set()


def test_c_client_ca_fields_fingerprint_constants_and_bearssl_anchors(tmp_path, monkeypatch):
    files = {
        "main/app_main.c": """\
            static const golioth_client_config_t config = {
                .ca_cert = ca_pem_start,
                .client_cert_pem = client_pem_start,
            };
            void start(void) {
                mqtt_config.cert_pem = (const char *)ca_pem;
                pNetworkContext->pcServerRootCA = root_cert_auth_start;
                opts.ssl->trustStore = NULL;
                br_ssl_client_init_full(&sc, &xc, TAs, TAs_NUM);
                http.begin(url, root_ca_github);
            }
            static void configure(mqtt_cfg_t *cfg, const char *ca) {
                cfg->cert_pem = ca;
            }
            """,
        "include/secrets.h": """\
            #define OTA_GITHUB_FP "CA:06:F5:6B:25:8B:7A:0D:4F:2B:05:47:09:39:47:86:51:A2:E3:CC"
            #define MQTT_SERVER_FINGERPRINT {0x7e, 0x36, 0x22, 0x01, 0xf9, 0x7e, 0x99, 0x2f, 0xc5, 0xdb,
                                             0x3d, 0xbe, 0xac, 0x48, 0x67, 0x5b, 0x5d, 0x47, 0x94, 0xd2}
            const char* fingerprint_note = "see the README";
            """,
        # a sketch that installs the constant: reported at the install
        "sketch/sketch.ino": """\
            const char* fingerprint = "B4 58 91 74 C9 33 52 18 1A A5 A1 81 32 6B 1C 8E 5C 4F 2A 11";
            void setup() { client.setFingerprint(fingerprint); }
            """,
        # an HTTPS server's configuration checks its clients
        "server/https_server.c": """\
            httpd_ssl_config_t conf = HTTPD_SSL_CONFIG_DEFAULT();
            void start(void) { conf.cacert_pem = cacert_start; }
            """,
        # a PEM in a C++ raw string holds `//` and `/*`: it is no comment
        "src/root_ca.h": "const char* root_ca = R\"ROOT_CA(\n{{pem:DigiCert Global Root CA}})ROOT_CA\";\n",
    }
    found_now = found(tmp_path, monkeypatch, files)
    assert {t for t in found_now if t[0] != "src/root_ca.h"} == {
        ("main/app_main.c", 2, "ATS201"), ("main/app_main.c", 6, "ATS201"), ("main/app_main.c", 7, "ATS201"),
        ("main/app_main.c", 9, "ATS201"), ("main/app_main.c", 10, "ATS201"),
        ("include/secrets.h", 1, "ATS301"), ("include/secrets.h", 2, "ATS301"),
        ("sketch/sketch.ino", 2, "ATS301"),
    }
    assert ("src/root_ca.h", 2, "ATS302") in found_now


def test_azure_iot_c_trusted_cert_option_is_a_custom_trust_store(tmp_path, monkeypatch):
    files = {
        "samples/telemetry.c": """\
            #include "iothub.h"
            int main(void) {
                IoTHubDeviceClient_LL_SetOption(device_ll_handle, OPTION_TRUSTED_CERT, certificates);
                IoTHubDeviceClient_LL_SetOption(device_ll_handle, OPTION_X509_CERT, x509certificate);
                return 0;
            }
            """,
        "inc/options.h": '#define OPTION_TRUSTED_CERT "TrustedCerts"\n',
        # a unit test's expectations of mocked calls; an assertion around a real one
        "tests/blob_ut.c": """\
            TEST_FUNCTION(upload_sets_options)
            {
                STRICT_EXPECTED_CALL(HTTPAPIEX_SetOption(TEST_HTTPAPIEX_HANDLE, OPTION_TRUSTED_CERT, IGNORED_ARG));
                ASSERT_ARE_EQUAL(int, IOTHUB_CLIENT_OK, IoTHubDeviceClient_SetOption(h, OPTION_TRUSTED_CERT, certificates), "Cannot set");
            }
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {("samples/telemetry.c", 3, "ATS201"), ("tests/blob_ut.c", 4, "ATS201")}


def test_libcurl_ca_file_options_in_c_objective_c_and_php_are_custom_trust_stores(tmp_path, monkeypatch):
    files = {
        "net/HTTPSConnection.m": """\
            #import "HTTPSConnection.h"
            @implementation HTTPSConnection
            - (void)send {
                // curl uses its default bundle unless CURLOPT_CAINFO is set
                curl_easy_setopt(curl, CURLOPT_CAINFO, cacert.UTF8String);
                curl_easy_setopt(curl, CURLOPT_PROXY_CAINFO, proxyCa);
            }
            @end
            """,
        "lib/fetch.php": """\
            <?php
            curl_setopt_array($ch, [CURLOPT_URL => $url, CURLOPT_CAINFO => __DIR__ . '/certs/ca.pem']);
            """,
        # curl.h defining the option
        "include/curl/curl.h": "  CURLOPT(CURLOPT_CAINFO, CURLOPTTYPE_STRINGPOINT, 65),\n",
        "src/transfer.c": """\
            static void configure(CURL *curl, const char *ca_path) {
                curl_easy_setopt(curl, CURLOPT_CAPATH, ca_path);
            }
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {("net/HTTPSConnection.m", 5, "ATS201"), ("lib/fetch.php", 2, "ATS201")}


def test_connection_profile_tls_ca_certs_are_custom_trust_stores(tmp_path, monkeypatch):
    files = {
        "profiles/network.yaml": """\
            orderers:
              orderer.example.com:
                url: grpcs://localhost:7050
                tlsCACerts:
                  path: crypto/orderer/tlsca.example.com-cert.pem
            peers:
              peer0.org1.example.com:
                url: grpcs://localhost:7051
                tlsCACerts:
                  pem: |
                    -----BEGIN CERTIFICATE-----
                    MIIB
                    -----END CERTIFICATE-----
            """,
        "profiles/ccp.json": """\
            {"peers": {"peer0": {"url": "grpcs://localhost:7051",
              "tlsCACerts": {
                "path": "crypto/peer0/tls/ca.crt"
              }}}}
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("profiles/network.yaml", 4, "ATS201"), ("profiles/network.yaml", 9, "ATS201"), ("profiles/ccp.json", 2, "ATS201"),
    }


def test_yaml_client_ca_file_and_trust_store_path_are_custom_trust_stores(tmp_path, monkeypatch):
    files = {
        "blackbox.yml": """\
            modules:
              https_2xx:
                prober: http
                http:
                  tls_config:
                    ca_file: "/certs/my_cert.crt"
                    insecure_skip_verify: false
            """,
        "hono.yml": """\
            hono:
              messaging:
                host: amqp.example.com
                trustStorePath: /run/secrets/trusted-certs.pem
            """,
        "server.yml": """\
            tls_server_config:
              client_ca_file: /certs/clients.pem
              cert_file: /certs/server.crt
            values:
              caFile: "{{ .Values.tls.caFile }}"
              ca_file: ""
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {("blackbox.yml", 6, "ATS201"), ("hono.yml", 4, "ATS201")}


# --------------------------------------------------------------------------- Go, Ruby, PHP, XML, HTML, SQL


def test_go_custom_cert_pool_is_a_custom_store(tmp_path, monkeypatch):
    files = {
        "main.go": """\
            package main
            // https://b.s3.amazonaws.com is the old bucket
            var raw = `https://b.s3.us-west-2.amazonaws.com/x`
            func client() {
                pool := x509.NewCertPool()
                pool.AppendCertsFromPEM(mustRead("certs/partner.pem")); cfg := &tls.Config{RootCAs: pool}
                os.Setenv("SSL_CERT_FILE", "/etc/corp/ca.pem")
            }
            """,
        "other.go": "package x\nfunc f(p *x509.CertPool) { p.AppendCertsFromPEM(b) }\n",
    }
    assert found(tmp_path, monkeypatch, files) == {("main.go", 3, "ATS101"), ("main.go", 6, "ATS201"), ("main.go", 7, "ATS201")}


def test_ruby_and_php_env_setting_and_comments(tmp_path, monkeypatch):
    files = {
        "config/boot.rb": "# ENV['SSL_CERT_FILE'] = 'x'\nENV['SSL_CERT_FILE'] = '/etc/corp/ca.pem'\nURL = 'https://d111111abcdef8.cloudfront.net'\n",
        "index.php": "<?php\n# https://b.s3.amazonaws.com\nputenv('AWS_CA_BUNDLE=/etc/corp/ca.pem');\n$u = \"https://b.s3.amazonaws.com/x\";\n",
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("config/boot.rb", 2, "ATS201"),
        ("config/boot.rb", 3, "ATS102"),
        ("index.php", 3, "ATS201"),
        ("index.php", 4, "ATS101"),
    }


def test_html_template_url_outside_comment(tmp_path, monkeypatch):
    files = {
        "templates/base.html": """\
            <!-- <script src="https://d2222222abcdef.cloudfront.net/old.js"></script> -->
            <script src="https://d111111abcdef8.cloudfront.net/widget.js"></script>
            <img src="//d111111abcdef8.cloudfront.net/a.png">
            <a href="http://d111111abcdef8.cloudfront.net/">x</a>
            """
    }
    assert found(tmp_path, monkeypatch, files) == {("templates/base.html", 2, "ATS102"), ("templates/base.html", 3, "ATS102")}


def test_xml_embedded_digicert_pem_is_a_fingerprint(tmp_path, monkeypatch):
    files = {"conf/trust.xml": "<trust>\n<cert>\n{{pem:DigiCert Global Root G2}}</cert>\n</trust>\n"}
    assert found(tmp_path, monkeypatch, files) == {("conf/trust.xml", 3, "ATS302")}


def test_sql_dash_dash_comment_is_silent(tmp_path, monkeypatch):
    files = {"db/seed.sql": "-- https://b.s3.amazonaws.com\nINSERT INTO cdn VALUES ('https://d111111abcdef8.cloudfront.net');\n"}
    assert found(tmp_path, monkeypatch, files) == {("db/seed.sql", 2, "ATS102")}


# --------------------------------------------------------------------------- committed bundles


def test_committed_bundle_is_judged_where_it_is_referenced_not_on_its_own(tmp_path, monkeypatch):
    files = {"certs/partner.pem": "# partner roots\n{{pem:DigiCert Global Root G2}}{{pem:DigiCert Global Root CA}}"}
    assert found(tmp_path, monkeypatch, files) == set()


def test_committed_bundle_that_contains_an_ats_root_is_silent(tmp_path, monkeypatch):
    assert found(tmp_path, monkeypatch, EGRESS) == set()


# --------------------------------------------------------------------------- prose, lock files, minified, file handling


def test_prose_is_not_scanned_by_default_and_scan_prose_turns_it_on(tmp_path, monkeypatch):
    files = {"README.md": "Labels: https://labels.s3.amazonaws.com/x\n`REQUESTS_CA_BUNDLE=/etc/corp.pem`\n", "notes.txt": "https://d111111abcdef8.cloudfront.net\n"}
    assert found(tmp_path, monkeypatch, files) == set()
    (tmp_path / ".ats-lint.yaml").write_text("scan-prose: true\n")
    got = found(tmp_path, monkeypatch, {})
    assert {("README.md", 1, "ATS101"), ("notes.txt", 1, "ATS102")} <= got


def test_requirements_txt_is_not_prose_and_its_hashes_are_silent(tmp_path, monkeypatch):
    files = {
        "requirements.txt": """\
            --index-url https://pypi.example.com/simple
            --find-links https://wheels.s3.amazonaws.com/index.html
            requests==2.31.0 \\
                --hash=sha256:82ecb47b05a49bf4cc9577a7b5fe69ae2d6836ac13e1bf334133244ec5df744e
            """
    }
    assert found(tmp_path, monkeypatch, files) == {("requirements.txt", 2, "ATS101")}


def test_lock_files_and_minified_bundles_are_skipped_unless_configured(tmp_path, monkeypatch):
    files = {"package-lock.json": '{"resolved": "https://b.s3.amazonaws.com/x.tgz"}\n', "static/app.min.js": 'var u="https://d111111abcdef8.cloudfront.net";\n'}
    assert found(tmp_path, monkeypatch, files) == set()
    (tmp_path / ".ats-lint.yaml").write_text("skip-lockfiles: false\nskip-minified: false\n")
    assert found(tmp_path, monkeypatch, {}) == {("package-lock.json", 1, "ATS101"), ("static/app.min.js", 1, "ATS102")}


def test_binary_file_is_skipped_silently(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"blob.bin": b"\x00\x01https://b.s3.amazonaws.com\x00"})
    assert doc["findings"] == [] and doc["errors"] == []


def test_file_over_the_size_limit_is_reported_as_too_large(tmp_path, monkeypatch):
    (tmp_path / ".ats-lint.yaml").write_text("max-file-size: 1KiB\n")
    doc = scan(tmp_path, monkeypatch, {"big.yaml": "a: https://b.s3.amazonaws.com\n" + "x: y\n" * 400})
    assert doc["findings"] == []
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("big.yaml", "too-large")]


def test_undecodable_text_is_still_scanned(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"app.yaml": b"name: caf\xe9\ncdn: https://d111111abcdef8.cloudfront.net\n"})
    assert triples(doc) == {("app.yaml", 2, "ATS102")}
    assert [e["kind"] for e in doc["errors"]] == ["decode-error"]


def test_columns_point_at_the_key_and_the_literal(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"compose.yml": "env:\n  SSL_CERT_FILE: /etc/x.pem\n  CDN: https://d111111abcdef8.cloudfront.net\n"})
    cols = {(f["line"], f["rule"]): (f["column"], f["end_column"]) for f in doc["findings"]}
    assert cols[(2, "ATS201")] == (3, 16)
    assert cols[(3, "ATS102")] == (8, 8 + len("https://d111111abcdef8.cloudfront.net"))


def test_inline_suppression_in_yaml_comment(tmp_path, monkeypatch):
    files = {"values.yaml": "cdn: https://d111111abcdef8.cloudfront.net  # ats-lint: ignore[ATS102]\n"}
    assert found(tmp_path, monkeypatch, files) == set()


# --------------------------------------------------------------------------- kinds and data


@pytest.mark.parametrize(
    "name, head, kind",
    [
        ("Dockerfile", b"", "dockerfile"),
        ("Dockerfile.prod", b"", "dockerfile"),
        ("api.dockerfile", b"", "dockerfile"),
        (".env", b"", "dotenv"),
        (".env.local", b"", "dotenv"),
        ("deploy/aws/config", b"", "aws-config"),
        ("tools/run", b"#!/usr/bin/env bash\n", "shell"),
        ("res/xml/network_security_config.xml", b"", "android-network-config"),
        ("Info.plist", b"", "xml"),
        ("main.tf", b"", "hcl"),
        ("App.kt", b"", "jvm"),
        ("requirements-dev.txt", b"", "pip-requirements"),
        ("README.md", b"", "prose"),
        ("website/docs/ssl.mdx", b"", "prose"),
        ("certs/ca.crt", b"", "certificate-bundle"),
        ("LICENSE", b"", "text"),
    ],
)
def test_file_kind_from_name_extension_path_and_shebang(name, head, kind):
    from pathlib import PurePosixPath

    assert text_kind(PurePosixPath("/repo") / name, head) == kind


def test_the_first_kind_in_rule_order_names_a_file_whatever_test_matches():
    import fnmatch
    from pathlib import PurePosixPath

    from ats_lint.scan.filekinds import kind_specs

    def first_kind(path, head):  # the definition: kinds in order, each test in turn
        name, ext = path.name, path.name.rsplit(".", 1)[1].lower() if "." in path.name.lstrip(".") else ""
        shebang = re.match(rb"^#![ \t]*(?:\S*/)?(?:env[ \t]+(?:-\S+[ \t]+)*)?([A-Za-z0-9_.+-]{1,40})", head)
        interpreter = shebang.group(1).decode() if shebang else None
        for spec in kind_specs():
            if (name in spec.names or ext and ext in spec.extensions or any(fnmatch.fnmatchcase(name, g) for g in spec.globs)
                    or any(fnmatch.fnmatchcase(path.as_posix(), g) for g in spec.path_globs)
                    or spec.shebang is not None and interpreter and spec.shebang.match(interpreter)
                    or spec.head is not None and "." not in name and spec.head.search(head)):
                return spec.kind
        return "text"

    names = {"noext", "config", "credentials", "Dockerfile.prod", "a.tar.gz", ".bashrc", "X.Json", "requirements.yaml", ".env.yaml"}
    for spec in kind_specs():
        names |= set(spec.names) | {f"x.{e}" for e in spec.extensions} | {g.rsplit("/", 1)[-1].replace("*", "ab") for g in spec.globs + spec.path_globs}
    heads = [b"", b"#!/bin/bash\n", b"#!/usr/bin/env -S node\n", b"[default]\nregion = x\n", b"#!/bin/zsh5.1\n"]
    for folder in ("/r", "/r/.aws", "/r/x/.git", "/r/aws"):
        for name in names:
            for head in heads:
                path = PurePosixPath(folder) / name
                assert text_kind(path, head) == first_kind(path, head), (path, head)


def test_comment_blanking_keeps_offsets_and_newlines():
    text = 'a = "https://x" // c1\n/* b\n c */ d # e\n'
    out = blank_comments(text, "c-like")
    assert len(out) == len(text) and out.count("\n") == text.count("\n")
    assert "https://x" in out and "c1" not in out and " b" not in out and " d " in out


def test_every_pattern_is_linear_on_a_one_megabyte_line():
    line = "a" * 200_000 + ' "' + "=" * 200_000 + " name: " + "x" * 200_000 + "/*" + "`" + "-" * 200_000 + "\n"
    for syntax in ("hash", "c-like", "c-like-hash", "hcl", "markup", "dash-dash", "ini"):
        start = time.perf_counter()
        blank_comments(line, syntax)
        assert time.perf_counter() - start < 2, syntax
        assert comment_regex(syntax) is not None
    for pattern in (*trust_patterns(), *pinning_patterns()):
        start = time.perf_counter()
        list(pattern.regex.finditer(line))
        assert time.perf_counter() - start < 2, pattern.id


# --------------------------------------------------------------------------- cost of large data files


def _blank_every_match(text: str, syntax: str) -> str:
    """Comments blanked by one scan of the whole text, match after match (the definition)."""
    regex = comment_regex(syntax)
    if regex is None:
        return text
    out = list(text)
    for m in regex.finditer(text):
        if m.group("c") is not None:
            for i in range(m.start(), m.end()):
                if out[i] not in "\r\n":
                    out[i] = " "
    return "".join(out)


@pytest.mark.parametrize("syntax", ["c-like", "c-like-hash", "hash", "hash-line-start", "ini", "hcl", "markup", "dash-dash"])
def test_comments_blanked_over_marked_lines_only_are_the_comments_of_the_whole_text(syntax):
    import random

    rng = random.Random(syntax)
    pieces = ["//", "/*", "*/", "#", ";", "--", "<!--", "-->", '"', "'", "`", "\\", "\n", "\n", "\r\n", " ", "x", "don't", "https://h",
              "a # b", '"x // y"', "'/*'", "`\n//\n`", "\t"]
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert blank_comments(text, syntax) == _blank_every_match(text, syntax), repr(text)


def test_json_prose_values_are_blanked_whatever_their_length():
    from ats_lint.scan.text.scanner import blank_json_prose

    long_value = "see https://b.s3.amazonaws.com/k " * 7000  # 231,000 characters: longer than a prose value can be
    text = ('{"documentation": "read https://b.s3.amazonaws.com/k",\n "url": "https://c.s3.amazonaws.com/k",\n'
            ' "description":\n  "with \\"escapes\\" and \\\\ https://d.s3.amazonaws.com/k",\n'
            f' "summary": "{long_value}",\n "help": "unterminated https://e.s3.amazonaws.com/k\n"}}')
    out = blank_json_prose(text)
    assert len(out) == len(text) and out.count("\n") == text.count("\n")
    assert [h for h in ("b.s3", "c.s3", "d.s3", "e.s3") if h in out] == ["b.s3", "c.s3", "e.s3"]  # b: in the over-long summary
    assert "read https" not in out and "escapes" not in out



def test_ruby_client_ca_files_written_as_paths_are_custom_trust_stores(tmp_path, monkeypatch):
    files = {
        "config/initializers/aws.rb": """\
            Aws.config.update(region: 'us-east-1', ssl_ca_bundle: Rails.root.join('config', 'certs', 'proxy-ca.pem').to_s)
            s3 = Aws::S3::Client.new(ssl_ca_directory: '/etc/corp/ca.d')
            """,
        "lib/fetcher.rb": """\
            http = Net::HTTP.new(uri.host, uri.port)
            http.use_ssl = true
            http.ca_file = File.expand_path('../certs/ca.pem', __dir__)
            conn = Faraday.new(url: base, ssl: { ca_file: CA_BUNDLE })
            conn2 = Faraday.new(url: base, :ssl => { :ca_path => "/etc/corp/certs" })
            """,
        # the caller's value, the system's file, a comparison, an unrelated key
        "lib/client.rb": """\
            def connect(ca_file)
              http.ca_file = ca_file
              http.ca_file = OpenSSL::X509::DEFAULT_CERT_FILE
              return if http.ca_file == 'x.pem'
              opts = { client_ca_file: 'certs/clients.pem' }
              # http.ca_file = 'certs/ca.pem'
            end
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("config/initializers/aws.rb", 1, "ATS201"), ("config/initializers/aws.rb", 2, "ATS201"),
        ("lib/fetcher.rb", 3, "ATS201"), ("lib/fetcher.rb", 4, "ATS201"), ("lib/fetcher.rb", 5, "ATS201")}


def test_php_client_ca_bundles_written_as_paths_are_custom_trust_stores(tmp_path, monkeypatch):
    files = {
        "src/Storage.php": """\
            <?php
            $s3 = new Aws\\S3\\S3Client(['region' => 'us-east-1', 'http' => ['verify' => __DIR__ . '/certs/proxy-ca.pem']]);
            $client = new GuzzleHttp\\Client([RequestOptions::VERIFY => '/etc/corp/ca.pem']);
            $ctx = stream_context_create(['ssl' => ['cafile' => "/etc/corp/ca.pem", 'verify_peer' => true]]);
            """,
        # the default store on or off, a variable, a comment
        "src/Http.php": """\
            <?php
            $a = new Client(['verify' => true]);
            $b = new Client(['verify' => false, 'timeout' => 3]);
            $c = new Client(['verify' => $this->caBundle]);
            // $d = new Client(['verify' => '/etc/corp/ca.pem']);
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("src/Storage.php", 2, "ATS201"), ("src/Storage.php", 3, "ATS201"), ("src/Storage.php", 4, "ATS201")}


def test_client_ca_files_in_connection_strings_are_custom_trust_stores(tmp_path, monkeypatch):
    files = {
        "src/Db.cs": """\
            public static class Db {
                public static NpgsqlConnection Pg() => new NpgsqlConnection("Host=db;SSL Mode=VerifyFull;Root Certificate=certs/rds-ca.pem");
                public static MySqlConnection My() => new MySqlConnection("Server=db;SslMode=VerifyCA;SslCa=certs/rds-ca.pem");
                public static string Plain() => "Host=db;SSL Mode=Require;Trust Server Certificate=true";
            }
            """,
        "config/app.env": "DATABASE_URL=postgres://app@db:5432/app?sslmode=verify-full&sslrootcert=certs/rds-ca.pem\n",
        "src/main/java/Db.java": """\
            class Db {
              static final String URL = "jdbc:mysql://db:3306/app?sslMode=VERIFY_CA&trustCertificateKeyStoreUrl=file:certs/truststore.jks";
              static final String PROPS = "sslMode=VERIFY_CA,trustCertificateKeyStoreUrl=file:src/test/config/ca-truststore,";
              String url(String path) { return baseUrl + "&sslMode=VERIFY_CA&serverSslCert=" + path; }
              String empty(File emptyTrustStore) { return url + ";SSLTrustStore=" + emptyTrustStore.getAbsolutePath(); }
              String avatica = "jdbc:avatica:remote:url=https://h:8765;serialization=PROTOBUF;truststore=" + ks.getAbsolutePath();
              String amqp = "amqps://localhost:5671?transport.trustStoreLocation=" + CLIENT_JKS_TRUSTSTORE;
            }
            """,
        # a command-line option (not a connection string) and prose
        "scripts/dump.sh": "mysqldump --ssl-ca=/etc/mysql/ca.pem app > app.sql\n",
    }
    assert found(tmp_path, monkeypatch, files) == {
        ("src/Db.cs", 2, "ATS201"), ("src/Db.cs", 3, "ATS201"), ("config/app.env", 1, "ATS201"),
        ("src/main/java/Db.java", 2, "ATS201"), ("src/main/java/Db.java", 3, "ATS201"),
        ("src/main/java/Db.java", 4, "ATS201"), ("src/main/java/Db.java", 6, "ATS201"),
        ("src/main/java/Db.java", 7, "ATS201")}


def test_trust_variables_given_a_name_in_a_js_env_object_are_custom_trust_stores(tmp_path, monkeypatch):
    files = {
        "test/extra-certs.spec.ts": """\
            const child = spawn(process.execPath, [cli], {
              env: { NODE_EXTRA_CA_CERTS: caCertsPath, PATH: process.env.PATH },
            });
            const other = spawn(cmd, [], { env: { ...process.env, SSL_CERT_FILE: fixtures.caFile } });
            """,
        # the parent's own setting handed on, nothing set
        "scripts/run.js": """\
            spawn(cmd, [], { env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } });
            spawn(cmd, [], { env: { SSL_CERT_FILE: undefined } });
            """,
    }
    assert found(tmp_path, monkeypatch, files) == {("test/extra-certs.spec.ts", 2, "ATS201"), ("test/extra-certs.spec.ts", 4, "ATS201")}


def test_the_kind_prefilter_is_case_blind_and_keeps_no_hint_that_contains_another():
    from ats_lint.scan.text.scanner import _kind_hints, may_have_findings

    hints = _kind_hints("yaml")
    assert hints and all(h == h.lower() for h in hints)
    assert not [h for h in hints if any(o != h and o in h for o in hints)]
    assert may_have_findings("env:\n  AWS_CA_BUNDLE: /etc/ssl/corp.pem\n", "yaml")
    assert may_have_findings("env:\n  aws_ca_bundle: x\n", "yaml")  # admitted; the patterns decide
    assert not may_have_findings("name: build\nsteps: [checkout]\n", "yaml")


def test_a_yaml_ca_file_under_a_listener_is_a_servers_with_any_line_endings(tmp_path, monkeypatch):
    config = ("services:\n  - name: proxy\n    listener:\n      tls:\n        caFile: clients-ca.pem\n"
              "chains:\n  - hops:\n      - dialer:\n          tls:\n            caFile: upstream-ca.pem\n")
    write_tree(tmp_path, {"lf/gost.yml": config, "crlf/gost.yml": config.replace("\n", "\r\n")})
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert triples(doc) == {("lf/gost.yml", 10, "ATS201"), ("crlf/gost.yml", 10, "ATS201")}
