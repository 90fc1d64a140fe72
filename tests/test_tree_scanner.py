"""The syntax-tree scanner's own behaviour: the prefilter (no trigger, no parse, no import),
positions in characters on non-ASCII lines, comments never reported, and the text fallback
with a `parse-error` entry when the tree is mostly ERROR nodes."""
from __future__ import annotations

import subprocess
import sys

from helpers import check_json, pem_of, write_tree

from ats_lint.scan.tree import scanner
from ats_lint.scan.tree.conditional import first_branches


def _found(doc):
    return {(f["path"], f["line"], f["column"], f["rule"]) for f in doc["findings"]}


def test_a_file_without_a_trigger_is_never_parsed(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "Plain.kt": "fun main() {\n    println(\"hello\")\n}\n",
        "util.go": "package util\n\nfunc Add(a, b int) int { return a + b }\n",
        "Pin.kt": "val p = CertificatePinner.Builder().add(\"h\", \"sha256/c1LGq17Q+ET9JaWhR6gft+7Yj99i/9mD+BGT4yN77Nc=\").build()\n",
    })
    before = scanner.PARSE_COUNT[0]
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", "--jobs", "1", ".")
    assert scanner.PARSE_COUNT[0] - before == 1  # Pin.kt only
    assert {(f["path"], f["rule"]) for f in doc["findings"]} == {("Pin.kt", "ATS301")}


def test_tree_sitter_is_not_imported_for_a_repository_without_triggers(tmp_path):
    write_tree(tmp_path, {"App.kt": "fun main() = println(\"hi\")\n", "main.go": "package main\n\nfunc main() {}\n"})
    code = (
        "import sys\nfrom ats_lint.cli.commands import main\n"
        "try:\n    main(['check', '--no-cache', '--jobs', '1', '--format', 'json', '.'])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('IMPORTED' if 'tree_sitter' in sys.modules else 'NOT-IMPORTED')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.stderr.strip().endswith("NOT-IMPORTED"), run.stderr


def test_columns_count_characters_not_utf8_bytes(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "Api.kt": "val s = \"é😀\"; val u = \"https://bucket.s3.amazonaws.com/x\"\n",
        "api.ts": "const note = 'ça'; const u = `https://d111111abcdef8.cloudfront.net/${p}`;\n",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    # in UTF-8 bytes these would be 28 and 32
    assert _found(doc) == {("Api.kt", 1, 24, "ATS101"), ("api.ts", 1, 31, "ATS102")}


def test_comments_are_never_findings(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "Client.java": "class C {\n  // https://bucket.s3.amazonaws.com/x\n  /* new CertificatePinner.Builder().add(\"h\", \"sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\") */\n  String u = \"http://example.com\";\n}\n",
        "main.go": "package main\n\n// tls.Config{RootCAs: pool} with InsecureSkipVerify: true\nvar u = \"http://example.com\"\n",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert doc["findings"] == [] and doc["errors"] == []


def test_a_file_the_grammar_cannot_read_falls_back_to_the_text_scanner(tmp_path, monkeypatch):
    garbage = "}}} ))) ((( {{{ ;;; <<< >>> @@@ ### $$$ %%% ^^^\n" * 40
    write_tree(tmp_path, {
        "Broken.kt": garbage + "val pinner = CertificatePinner.Builder()\n",
        "Local.kt": "val x = )\nval p = CertificatePinner.Builder().add(\"h\", \"sha256/c1LGq17Q+ET9JaWhR6gft+7Yj99i/9mD+BGT4yN77Nc=\").build()\n" + "fun f() = 1\n" * 20,
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {(f["path"], f["line"], f["rule"]) for f in doc["findings"]} == {("Broken.kt", 41, "ATS301"), ("Local.kt", 2, "ATS301")}
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("Broken.kt", "parse-error")]
    assert "scanned as text" in doc["errors"][0]["message"]


def test_store_paths_built_by_a_join_call_are_looked_up_for_ats202(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "test/node/client.js": "const client = new Client(url, {\n  connect: {\n    ca: fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'ca.pem'))\n  }\n})\n",
        "test/fixtures/ca.pem": "{{pem:Baltimore CyberTrust Root}}",
        "cmd/dial.go": "package main\n\nfunc creds() credentials.TransportCredentials {\n\tc, _ := credentials.NewClientTLSFromFile(filepath.Join(\"certs\", \"ca.pem\"), \"\")\n\treturn c\n}\n",
        "cmd/certs/ca.pem": "{{pem:DigiCert Global Root G2}}",
        # a part that is not a constant: not joined (looked up as before, by its last string)
        "lib/agent.js": "function agent(dir) {\n  return new https.Agent({ ca: fs.readFileSync(path.join(dir, 'agent-ca.pem')) })\n}\n",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    found = {(f["path"], f["line"], f["rule"]) for f in doc["findings"] if not f["path"].endswith(".pem")}
    assert found == {
        ("test/node/client.js", 3, "ATS201"), ("test/node/client.js", 3, "ATS202"),
        ("cmd/dial.go", 4, "ATS201"), ("cmd/dial.go", 4, "ATS202"),
        ("lib/agent.js", 2, "ATS201"),
    }


def test_a_store_read_with_a_required_module_is_looked_up_by_its_path(tmp_path, monkeypatch):
    # `fs` (bound to `require('fs')`) and the encoding are strings the value leads to too; the path wins
    write_tree(tmp_path, {
        "client.js": "const https = require('https');\nconst fs = require('fs');\n"
                     "const agent = new https.Agent({ ca: fs.readFileSync('certs/ca.pem', 'utf8') });\n",
        "certs/ca.pem": "{{pem:DigiCert Global Root G2}}",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    found = {(f["path"], f["line"], f["rule"]) for f in doc["findings"] if not f["path"].endswith(".pem")}
    assert found == {("client.js", 3, "ATS201"), ("client.js", 3, "ATS202")}
    ats201 = next(f for f in doc["findings"] if f["rule"] == "ATS201")
    assert "certs/ca.pem" in ats201["message"]



def test_each_store_is_judged_by_its_own_file_when_one_module_reads_several(tmp_path, monkeypatch):
    # `fs` is bound to `require('fs')` and every `fs.readFileSync(...)` of the file is a call on it: each
    # agent's own path decides, not the last file the module reads
    write_tree(tmp_path, {
        "client.js": "const https = require('https');\nconst fs = require('fs');\n"
                     "const internal = new https.Agent({ ca: fs.readFileSync('certs/internal.pem') });\n"
                     "const aws = new https.Agent({ ca: fs.readFileSync('certs/amazon.pem') });\n",
        "certs/internal.pem": "{{pem:DigiCert Global Root G2}}",
        "certs/amazon.pem": "{{pem:Amazon Root CA 1}}",
        # a format name next to the store is not its path
        "src/main/java/Tls.java": "class Tls {\n  SSLContext ctx(KeyStore trustStore) throws Exception {\n"
                                  "    KeyStore ks = KeyStore.getInstance(\"pkcs12\");\n"
                                  "    return SSLContexts.custom().loadTrustMaterial(ks, null).build();\n  }\n}\n",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    found = {(f["path"], f["line"], f["rule"]) for f in doc["findings"] if not f["path"].endswith(".pem")}
    assert found == {("client.js", 3, "ATS201"), ("client.js", 3, "ATS202"), ("client.js", 4, "ATS201"),
                     ("src/main/java/Tls.java", 4, "ATS201")}
    java = next(f for f in doc["findings"] if f["path"].endswith(".java"))
    assert "pkcs12" not in java["message"]

def _split_pem(label: str, quote: str, plus: str = " +\n") -> str:
    """A PEM written as string literals joined with `+`, one base64 line per literal."""
    lines = pem_of(label).strip().splitlines()
    return plus.join(f"{quote}{line}\\n{quote}" for line in lines)


def _pem_list(label: str, indent: str = "    ") -> str:
    """A PEM written as a list of string literals, one line per element."""
    return ",\n".join(f'{indent}"{line}"' for line in pem_of(label).strip().splitlines())


def test_a_pem_written_one_line_per_list_element_is_reported_where_the_list_starts(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "lib/store.js": "var store = [\n  [\n" + _pem_list("DigiCert Global Root CA") + "\n  ].join('\\n'),\n];\n",
        "Roots.kt": "val ROOT = listOf(\n" + _pem_list("DigiCert Global Root G2") + "\n).joinToString(\"\\n\")\n",
        # an ATS root the same way, and a list holding other values too
        "ats.js": "var s = [\n" + _pem_list("Amazon Root CA 1") + "\n].join('\\n');\n",
        "mixed.js": "var s = [\n  '-----BEGIN CERTIFICATE-----',\n  body,\n  '-----END CERTIFICATE-----',\n].join('\\n');\n",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {(f["path"], f["line"], f["rule"]) for f in doc["findings"]} == {
        ("lib/store.js", 3, "ATS302"), ("Roots.kt", 2, "ATS302"),
    }


def test_a_pem_split_over_string_literals_joined_with_plus_is_reported_where_the_chain_starts(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "src/pinningData.ts": "// roots\nexport const ROOT: string =\n  " + _split_pem("DigiCert Global Root G2", "'") + ";\n",
        "roots.go": "package roots\n\nconst root = " + _split_pem("DigiCert Global Root CA", '"') + "\n",
        "Roots.cs": "class Roots {\n  const string Root = (" + _split_pem("DigiCert Global Root G2", '"') + ");\n}\n",
        # an ATS root split the same way, and parts joined with a name: not a literal chain
        "ats.js": "const r = " + _split_pem("Amazon Root CA 1", "'") + ";\n",
        "mixed.js": "const r = '-----BEGIN CERTIFICATE-----\\n' + body + '-----END CERTIFICATE-----';\n",
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {(f["path"], f["line"], f["rule"]) for f in doc["findings"]} == {
        ("src/pinningData.ts", 3, "ATS302"), ("roots.go", 3, "ATS302"), ("Roots.cs", 2, "ATS302"),
    }


def test_configuration_a_test_expects_to_be_rejected_is_not_reported(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "src/test/java/ClientBuilderTest.java": (
            "class ClientBuilderTest {\n  void conflict() {\n"
            "    Assert.expectThrows(ClientMisconfigurationException.class, () -> new Client.Builder()\n"
            "        .setSSLTrustStore(\"containers/certs/truststore.jks\")\n        .build());\n"
            "    assertThrows(IllegalArgumentException.class, () -> System.setProperty(\"javax.net.ssl.trustStore\", \"certs/t.jks\"));\n"
            "  }\n  void ok() {\n"
            "    Client c = new Client.Builder().setSSLTrustStore(\"containers/certs/truststore.jks\").build();\n  }\n}\n"),
        # the wrong file of the rejected agent does not make the next agent's file a wrong one
        "test/opts.test.js": (
            "const fs = require('fs');\ntest('rejects', () => {\n"
            "  expect(() => new https.Agent({ ca: fs.readFileSync('certs/bad.pem') })).toThrow();\n"
            "  const a = new https.Agent({ ca: fs.readFileSync('certs/ca.pem') });\n});\n"),
        "Tests/TlsTests.cs": (
            "class TlsTests {\n  void Rejects() {\n"
            "    Assert.Throws<ArgumentException>(() => new NatsTlsOpts { CaFile = \"certs/ca.pem\" });\n"
            "    var ok = new NatsTlsOpts { CaFile = \"certs/ca.pem\" };\n  }\n}\n"),
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {(f["path"], f["line"], f["rule"]) for f in doc["findings"]} == {
        ("src/test/java/ClientBuilderTest.java", 9, "ATS201"), ("test/opts.test.js", 4, "ATS201"),
        ("Tests/TlsTests.cs", 4, "ATS201")}


def test_a_text_pattern_inside_what_an_assertion_expects_is_not_reported(tmp_path, monkeypatch):
    body = """\
class DataSourceConfigTest {
  fun buildsTheUrl() {
    assertEquals(
      "jdbc:mysql://db:3306/app?sslMode=VERIFY_CA&" +
        "trustCertificateKeyStoreUrl=file:///etc/ssl/truststore.jks&trustCertificateKeyStorePassword=x",
      config.buildJdbcUrl(),
    )
    val url = "jdbc:mysql://db:3306/app?trustCertificateKeyStoreUrl=file:///etc/ssl/truststore.jks"
  }
}
"""
    write_tree(tmp_path, {"src/test/kotlin/DataSourceConfigTest.kt": body})
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {(f["path"], f["line"], f["rule"]) for f in doc["findings"]} == {
        ("src/test/kotlin/DataSourceConfigTest.kt", 8, "ATS201")}


def test_a_file_that_parses_only_with_the_first_branch_of_each_if_is_read_as_that_tree(tmp_path, monkeypatch):
    # both branches together do not parse (two `{` for one `}`); with the first branch alone the file
    # is a tree (the comparison is found by the C# rule, at the comparison), and the second branch
    # is still read, as text (its S3 URL)
    write_tree(tmp_path, {
        "Handler.cs": (
            "class Handler\n{\n    void Configure(HttpClientHandler handler, NSError error)\n    {\n"
            "#if WATCH\n        if (error.Domain == NSError.NSUrlErrorDomain) {\n"
            "#else\n        if (error.Domain == NSError.NSUrlErrorDomain || error.Domain == NSError.CFNetworkErrorDomain) {\n"
            "            var mirror = \"https://assets.s3.amazonaws.com/app.zip\";\n#endif\n"
            "            handler.ServerCertificateCustomValidationCallback = (message, cert, chain, errors) =>\n"
            "                cert.GetCertHashString() == \"A1B2C3D4E5F60718293A4B5C6D7E8F9012345678\";\n"
            "        }\n    }\n}\n"),
        # a directive where the grammar takes none (Swift's `#if` around `case` labels): read without it
        "Delegate.swift": (
            "extension Network: URLSessionDelegate {\n  func handle(_ challenge: URLAuthenticationChallenge) {\n"
            "    switch challenge.protectionSpace.authenticationMethod {\n    #if canImport(Security)\n"
            "    case NSURLAuthenticationMethodServerTrust:\n      evaluate(challenge)\n    #endif\n"
            "    default:\n      skip(challenge)\n    }\n  }\n}\n"
            "let manager = ServerTrustManager(evaluators: [\"api.example.com\": PinnedCertificatesTrustEvaluator()])\n"),
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {(f["path"], f["line"], f["rule"]) for f in doc["findings"]} == {
        ("Handler.cs", 9, "ATS101"), ("Handler.cs", 12, "ATS301"), ("Delegate.swift", 13, "ATS301")}
    assert doc["errors"] == []


def _blanked(text: str) -> str:
    return "".join(c if c == "\n" else " " for c in text)


def test_only_balanced_conditionals_with_another_branch_are_split():
    first, other = "a\n#if X\nif (a) {\n", "#elif Y\nif (b) {\n#else\nif (c) {\n"
    kept, others = first_branches(first + other + "#endif\n}\n")
    assert kept == "a\n" + _blanked("#if X\n") + "if (a) {\n" + _blanked(other + "#endif\n") + "}\n"
    assert others == _blanked(first) + other + _blanked("#endif\n}\n")
    # nested: an inner conditional inside a left-out branch is left out whole
    kept, _ = first_branches("#if A\nx\n#else\n#if B\ny\n#endif\n#endif\n")
    assert kept == _blanked("#if A\n") + "x\n" + _blanked("#else\n#if B\ny\n#endif\n#endif\n")
    # no other branch: only the directives go (Swift's `#if` around `case` labels)
    assert first_branches("#if A\n  case .a:\n#endif\n") == (_blanked("#if A\n") + "  case .a:\n" + _blanked("#endif\n"), _blanked("#if A\n  case .a:\n#endif\n"))
    # C's `#ifdef` / `#ifndef` open a conditional, Swift's `#elseif` is another branch
    kept, _ = first_branches("#ifdef DEBUG\nif (a) {\n#else\nif (b) {\n#endif\n}\n")
    assert kept == _blanked("#ifdef DEBUG\n") + "if (a) {\n" + _blanked("#else\nif (b) {\n#endif\n") + "}\n"
    kept, _ = first_branches("#if os(iOS)\nif a {\n#elseif os(macOS)\nif b {\n#endif\n}\n")
    assert kept == _blanked("#if os(iOS)\n") + "if a {\n" + _blanked("#elseif os(macOS)\nif b {\n#endif\n") + "}\n"
    assert first_branches("x\n") is None  # no conditional: nothing to try
    assert first_branches("x\n#else\ny\n#endif\n") is None  # unbalanced: not guessed at
    assert first_branches("#if A\nx\n#else\ny\n") is None


def test_what_a_logging_call_writes_is_not_configuration(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "client.go": (
            "package client\n\nimport \"log\"\n\n"
            "func run(caFile string) {\n"
            "\tlog.Printf(\"connecting with -Djavax.net.ssl.trustStore=/etc/pki/app.jks\")\n"
            "\tos.Setenv(\"JAVA_TOOL_OPTIONS\", \"-Djavax.net.ssl.trustStore=/etc/pki/app.jks\")\n"
            "}\n"),
    })
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert {(f["path"], f["line"], f["rule"]) for f in doc["findings"]} == {("client.go", 7, "ATS201")}
