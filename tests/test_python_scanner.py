"""The Python scanner on small fixture trees: exact (path, line, rule) sets."""
from __future__ import annotations

import pytest
from helpers import check_json, triples, write_tree


def scan(tmp_path, monkeypatch, files):
    """Scan a fixture tree; findings in committed certificate files are left out (their own tests)."""
    write_tree(tmp_path, files)
    _, doc = check_json(tmp_path, monkeypatch, ".")
    doc["findings"] = [f for f in doc["findings"] if not f["path"].endswith(".pem")]
    return doc


# --------------------------------------------------------------------------- hosts

HOSTS = [
    # (literal, expected rule or None)
    ("https://b.s3.amazonaws.com/k", "ATS101"),
    ("https://b.s3.us-west-2.amazonaws.com/k", "ATS101"),
    ("https://b.s3-us-west-2.amazonaws.com/k", "ATS101"),
    ("https://s3.us-east-2.amazonaws.com/b/k", "ATS101"),
    ("https://s3.amazonaws.com/b/k", "ATS101"),
    ("https://s3-external-1.amazonaws.com/b", "ATS101"),
    ("https://b.s3.dualstack.eu-west-1.amazonaws.com", "ATS101"),
    ("https://b.s3-accelerate.amazonaws.com", "ATS101"),
    ("https://b.s3-accelerate.dualstack.amazonaws.com", "ATS101"),
    ("https://ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com", "ATS101"),
    ("https://b.s3-fips.us-gov-west-1.amazonaws.com", "ATS101"),
    ("b.s3.amazonaws.com", "ATS101"),
    ("wss://d111.cloudfront.net/socket", "ATS102"),
    ("https://d111111abcdef8.cloudfront.net/a.js", "ATS102"),
    ("//d111111abcdef8.cloudfront.net/a.js", "ATS102"),
    ("d111111abcdef8.cloudfront.net", "ATS102"),
    ("HTTPS://B.S3.AMAZONAWS.COM/K", "ATS101"),
    ("http://b.s3.amazonaws.com/k", None),
    ("http://d111111abcdef8.cloudfront.net", None),
    ("https://b.s3.eu-west-3.amazonaws.com", None),
    ("https://b.s3.eu-north-1.amazonaws.com", None),
    ("https://b.s3.me-south-1.amazonaws.com", None),
    ("https://b.s3.ap-northeast-3.amazonaws.com", None),
    ("https://b.s3.ap-east-1.amazonaws.com", None),
    ("https://b.s3.us-gov-east-1.amazonaws.com", None),
    ("https://s3-eu-west-3.amazonaws.com/b", None),
    ("https://b.s3.cn-north-1.amazonaws.com.cn", None),
    ("https://s3.cn-northwest-1.amazonaws.com.cn/b", None),
    ("http://b.s3-website-us-east-1.amazonaws.com", None),
    ("b.s3-website.us-east-2.amazonaws.com", None),
    ("https://sqs.us-west-2.amazonaws.com/1/q", None),
    ("https://sts.amazonaws.com", None),
    ("123456789012.dkr.ecr.us-west-2.amazonaws.com/app", None),
    ("https://cloudfront.amazonaws.com/2020-05-31/distribution", None),
    ("s3://bucket/key", None),
    ("arn:aws:s3:::bucket/*", None),
    ("https://b.s3.amazonaws.com.evil.example/", None),
    ("https://cdn.example.com", None),
    ("ftp://b.s3.amazonaws.com/k", None),
]


@pytest.mark.parametrize("literal, rule", HOSTS, ids=[h[0] for h in HOSTS])
def test_host_table(literal, rule, tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"m.py": f"URL = {literal!r}\n"})
    expected = {("m.py", 1, rule)} if rule else set()
    assert triples(doc) == expected


def test_http_scheme_is_not_a_risk(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"m.py": 'A = "http://b.s3.amazonaws.com"\nB = "http://" + "b.s3.amazonaws.com"\n'})
    assert triples(doc) == set()


def test_region_placeholder_is_reported_because_it_may_be_affected(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"m.py": 'def u(b, r):\n    return f"https://{b}.s3.{r}.amazonaws.com"\n'})
    assert triples(doc) == {("m.py", 2, "ATS101")}


def test_concatenation_reports_the_piece_where_the_url_starts(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"m.py": 'CSP = (\n    "default-src self; "\n    "img-src https://d1.cloudfront.net; "\n)\nX = ("https://b"\n     ".s3.amazonaws.com")\n'})
    assert triples(doc) == {("m.py", 3, "ATS102"), ("m.py", 5, "ATS101")}


def test_concatenation_with_ats_ready_region_is_silent_and_pieces_are_not_rechecked(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"m.py": 'def u(b, k):\n    return "https://" + b + ".s3.eu-west-3.amazonaws.com/" + k\n'})
    assert triples(doc) == set()


def test_docstrings_comments_and_bare_string_statements_are_not_findings(tmp_path, monkeypatch):
    code = '''\
    """Module docstring: https://b.s3.amazonaws.com/k."""
    # comment: https://d1.cloudfront.net
    class C:
        """Class docstring https://d1.cloudfront.net"""
        X = 1
        """Attribute docstring https://b.s3.amazonaws.com"""
    def f():
        "Function docstring {{sha256_hex:DigiCert Global Root G2}}"
    '''
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


def test_iam_service_principal_is_not_an_endpoint(tmp_path, monkeypatch):
    code = 'P = {"Principal": {"Service": "s3.amazonaws.com"}}\nQ = {"Service": ["s3.amazonaws.com"]}\nH = {"Host": "s3.amazonaws.com"}\n'
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {("m.py", 3, "ATS101")}


def test_one_finding_per_line_and_rule(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"m.py": 'URLS = ["https://a.s3.amazonaws.com", "https://b.s3.amazonaws.com"]\n'})
    assert [(f["line"], f["rule"]) for f in doc["findings"]] == [(1, "ATS101")]


# --------------------------------------------------------------------------- trust values


def test_verify_through_aliases_and_module_constants(tmp_path, monkeypatch):
    code = """\
    from requests import get as fetch
    import httpx as hx
    BUNDLE = "/etc/ssl/corp.pem"
    fetch("https://x", verify=BUNDLE)
    hx.Client(verify=BUNDLE)
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {("m.py", 4, "ATS201"), ("m.py", 5, "ATS201")}


def test_constants_resolving_to_defaults_are_not_custom_stores(tmp_path, monkeypatch):
    code = """\
    import certifi, requests, ssl
    A = True
    B = A
    C = certifi.where()
    D = None
    requests.get("u", verify=B)
    requests.get("u", verify=C)
    ssl.create_default_context(cafile=D)
    requests.get("u", verify=certifi.where() if A else False)
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


def test_parameter_passed_straight_through_is_plumbing(tmp_path, monkeypatch):
    code = """\
    import requests
    def get(url, verify=True, **kw):
        return requests.get(url, verify=verify)
    class Client:
        def __init__(self, verify=True):
            self.verify = verify
        def get(self, url):
            return requests.get(url, verify=self.verify)
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


def test_self_attribute_holding_a_path_is_a_custom_store(tmp_path, monkeypatch):
    code = """\
    import requests
    class Client:
        def __init__(self):
            self.bundle = "/etc/ssl/corp.pem"
        def get(self, url):
            return requests.get(url, verify=self.bundle)
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {("m.py", 6, "ATS201")}


def test_unresolvable_value_is_a_custom_store_of_unknown_content(tmp_path, monkeypatch):
    code = """\
    import requests
    def get(conf, url):
        return requests.get(url, verify=conf.ca_bundle)
    """
    doc = scan(tmp_path, monkeypatch, {"m.py": code})
    assert triples(doc) == {("m.py", 3, "ATS201")}
    assert "cannot resolve" in doc["findings"][0]["message"]


def test_reading_an_env_var_is_not_a_custom_store(tmp_path, monkeypatch):
    code = """\
    import os, requests
    requests.get("u", verify=os.environ.get("REQUESTS_CA_BUNDLE", True))
    requests.get("u", verify=os.getenv("CA"))
    requests.get("u", verify=os.environ["CA"])
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


def test_cross_module_constants_are_followed(tmp_path, monkeypatch):
    files = {
        "app/__init__.py": "",
        "app/settings.py": 'import pathlib\nCA = "certs/partner.pem"\nEGRESS = pathlib.Path("certs") / "egress.pem"\nSAFE = True\n',
        "app/a.py": "import requests\nfrom . import settings\nrequests.get('u', verify=settings.CA)\nrequests.get('u', verify=settings.SAFE)\n",
        "app/b.py": "import requests\nfrom app.settings import EGRESS as E\nrequests.get('u', verify=E)\n",
        "app/sub/__init__.py": "",
        "app/sub/c.py": "import ssl\nfrom .. import settings\nssl.create_default_context(cafile=settings.CA)\n",
        "app/d.py": "import requests\nimport app.settings as s\nrequests.get('u', verify=s.CA)\n",
        "certs/partner.pem": "{{pem:DigiCert Global Root G2}}",
        "certs/egress.pem": "{{pem:DigiCert Global Root G2}}{{pem:Amazon Root CA 1}}",
    }
    doc = scan(tmp_path, monkeypatch, files)
    assert triples(doc) == {
        ("app/a.py", 3, "ATS201"), ("app/a.py", 3, "ATS202"),
        ("app/b.py", 3, "ATS201"),
        ("app/sub/c.py", 3, "ATS201"), ("app/sub/c.py", 3, "ATS202"),
        ("app/d.py", 3, "ATS201"), ("app/d.py", 3, "ATS202"),
    }
    egress = next(f for f in doc["findings"] if f["path"] == "app/b.py")
    assert egress["severity"] == "note" and "already trusts Amazon Trust Services" in egress["message"]


def test_bundle_paths_built_with_os_path_and_pathlib_and_fstrings_are_looked_up(tmp_path, monkeypatch):
    code = """\
    import os, pathlib, ssl, requests
    DIR = "certs"
    ssl.create_default_context(cafile=os.path.join("certs", "p.pem"))
    requests.get("u", verify=pathlib.Path(DIR, "p.pem"))
    requests.get("u", verify=f"{DIR}/p.pem")
    requests.get("u", verify=os.path.join(os.path.dirname(__file__), "certs", "p.pem"))
    """
    files = {"svc/m.py": code, "svc/certs/p.pem": "{{pem:Baltimore CyberTrust Root}}"}
    doc = scan(tmp_path, monkeypatch, files)
    assert triples(doc) == {("svc/m.py", n, r) for n in (3, 4, 5, 6) for r in ("ATS201", "ATS202")}


def test_absolute_and_missing_bundle_paths_are_not_looked_up(tmp_path, monkeypatch):
    files = {"m.py": "import requests\nrequests.get('u', verify='/app/certs/p.pem')\nrequests.get('u', verify='certs/none.pem')\n",
             "app/certs/p.pem": "{{pem:Baltimore CyberTrust Root}}"}
    assert triples(scan(tmp_path, monkeypatch, files)) == {("m.py", 2, "ATS201"), ("m.py", 3, "ATS201")}


def test_cross_signed_amazon_root_counts_as_ats(tmp_path, monkeypatch):
    from helpers import pem_of
    from ats_lint.trust.certs import knowledge

    cross = next(c for c in knowledge().certificates if c.label == "Amazon Root CA 1" and c.role == "intermediate")
    assert cross.source_file.endswith("ats-cross-signed.pem")
    import base64, re, hashlib
    from ats_lint.trust.certs import PEM_BLOCK_RE
    from ats_lint.resources import rules_dir

    text = (rules_dir() / cross.source_file).read_text()
    block = next(m.group(0) for m in PEM_BLOCK_RE.finditer(text)
                 if hashlib.sha256(base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", m.group("body")))).digest() == cross.sha256)
    files = {"m.py": "import requests\nrequests.get('u', verify='b.pem')\n", "b.pem": pem_of("DigiCert Global Root G2") + block + "\n"}
    doc = scan(tmp_path, monkeypatch, files)
    assert triples(doc) == {("m.py", 2, "ATS201")}
    assert doc["findings"][0]["severity"] == "note"


def test_trust_env_vars_being_set(tmp_path, monkeypatch):
    code = """\
    import os
    os.environ["REQUESTS_CA_BUNDLE"] = "/etc/ssl/a.pem"
    os.environ.setdefault("SSL_CERT_FILE", "/etc/ssl/a.pem")
    os.putenv("CURL_CA_BUNDLE", "/etc/ssl/a.pem")
    os.environ.update({"AWS_CA_BUNDLE": "/etc/ssl/a.pem"})
    os.environ.update(NODE_EXTRA_CA_CERTS="/etc/ssl/a.pem")
    def t(monkeypatch):
        monkeypatch.setenv("SSL_CERT_DIR", "/etc/ssl/corp-certs")
    os.environ["REQUESTS_CA_BUNDLE"] = ""
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
    del os.environ["SSL_CERT_FILE"]
    print(os.environ.get("AWS_CA_BUNDLE"))
    os.environ["OTHER"] = "/etc/ssl/a.pem"
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {("m.py", n, "ATS201") for n in (2, 3, 4, 5, 6, 8)}


def test_ssl_context_objects_are_not_custom_stores(tmp_path, monkeypatch):
    code = "import ssl, httpx\nctx = ssl.create_default_context()\nhttpx.Client(verify=ctx)\nhttpx.Client(verify=ssl.create_default_context())\n"
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


def test_load_verify_locations_positional_and_keyword(tmp_path, monkeypatch):
    code = "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nctx.load_verify_locations('/etc/a.pem')\nctx.load_verify_locations(capath='/etc/ssl/x')\n"
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {("m.py", 3, "ATS201"), ("m.py", 4, "ATS201")}


def test_inline_cadata_with_only_digicert_is_missing_ats(tmp_path, monkeypatch):
    code = 'import ssl\nROOT = """\\\n{{pem:DigiCert Global Root G2}}"""\nctx = ssl.create_default_context(cadata=ROOT)\n'
    doc = scan(tmp_path, monkeypatch, {"m.py": code})
    last = (tmp_path / "m.py").read_text().count("\n")
    # the PEM is reported on its own line inside the multi-line string (line 3), not where the string opens
    assert triples(doc) == {("m.py", 3, "ATS302"), ("m.py", last, "ATS201"), ("m.py", last, "ATS202")}


# --------------------------------------------------------------------------- pinning and fingerprints


def test_pinning_forms(tmp_path, monkeypatch):
    code = """\
    import hashlib, hmac, urllib3, pycurl
    from aiohttp import Fingerprint
    from pycurl import PINNEDPUBLICKEY as PIN
    pool = urllib3.PoolManager(assert_fingerprint="AA")
    fp = Fingerprint(b"x" * 32)
    c = pycurl.Curl()
    c.setopt(pycurl.PINNEDPUBLICKEY, "sha256//x")
    c.setopt(PIN, "sha256//x")
    def check(sock, expected):
        der = sock.getpeercert(True)
        digest = hashlib.sha256(der).hexdigest()
        if digest not in {"a", "b"}:
            raise ValueError
        return hmac.compare_digest(hashlib.sha256(sock.getpeercert(binary_form=True)).digest(), expected)
    def not_a_pin(sock, blob, expected):
        der = sock.getpeercert(binary_form=True)
        if der is None:
            return False
        return hashlib.sha256(blob).hexdigest() == expected
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {
        ("m.py", 4, "ATS301"), ("m.py", 5, "ATS301"), ("m.py", 7, "ATS301"), ("m.py", 8, "ATS301"),
        ("m.py", 12, "ATS301"),  # line 14 compares with the `expected` parameter: plumbing, not a pin here
    }


def test_digicert_fingerprint_spellings(tmp_path, monkeypatch):
    code = """\
    A = "{{sha256_hex:Baltimore CyberTrust Root}}"
    B = "{{sha256_colon:Baltimore CyberTrust Root}}"
    C = "{{sha256_spaced:Baltimore CyberTrust Root}}"
    D = "{{sha1_hex_upper:DigiCert Global Root CA}}"
    E = "sha256/{{spki_b64:DigiCert Global Root G2}}"
    F = "pin-sha256=\\"{{spki_b64:DigiCert Global Root G2}}\\""
    G = "{{spki_hex:DigiCert Global Root G2}}"
    H = b"{{sha1_colon:DigiCert Global Root CA}}"
    I = "sha1/{{spki_sha1_b64:DigiCert Global Root G2}}"
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {("m.py", n, "ATS302") for n in range(1, 10)}


def test_raw_digest_bytes_are_recognised(tmp_path, monkeypatch):
    from helpers import cert_value

    raw = bytes.fromhex(cert_value("sha256_hex", "DigiCert Global Root G2"))
    literal = "b'" + "".join(f"\\x{b:02x}" for b in raw) + "'"
    assert triples(scan(tmp_path, monkeypatch, {"m.py": f"ROOT = {literal}\n"})) == {("m.py", 1, "ATS302")}


def test_ats_fingerprints_checksums_and_git_shas_are_not_digicert(tmp_path, monkeypatch):
    code = """\
    A = "{{sha256_hex:Amazon Root CA 1}}"
    B = "sha256/{{spki_b64:Starfield Services Root Certificate Authority - G2}}"
    C = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    D = "7b2f396d350b4d89ba8c2f3b5af7e0ff823c3a9b"
    E = "3b454358a4957ca1477609af83a2879d"
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


# --------------------------------------------------------------------------- robustness


def test_unparseable_python_is_scanned_as_text_and_reported(tmp_path, monkeypatch):
    code = 'print "legacy"\nURL = "https://b.s3.amazonaws.com"\n# https://d1.cloudfront.net\nFP = "{{sha256_hex:Baltimore CyberTrust Root}}"\n'
    doc = scan(tmp_path, monkeypatch, {"py2.py": code})
    assert triples(doc) == {("py2.py", 2, "ATS101"), ("py2.py", 4, "ATS302")}
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("py2.py", "parse-error")]


BACKSLASH_ONLY = "import requests\nwith open(x) as fh:\n\\\n    x = x\n"  # CPython accepts it, libcst does not


def test_valid_python_libcst_refuses_is_read_with_ast_for_trust_arguments(tmp_path, monkeypatch):
    code = BACKSLASH_ONLY + 'requests.get(u, verify="certs/ca.pem")\n'
    doc = scan(tmp_path, monkeypatch, {"app.py": code, "certs/ca.pem": "{{pem:DigiCert Global Root G2}}"})
    assert triples(doc) == {("app.py", 5, "ATS201"), ("app.py", 5, "ATS202")}
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("app.py", "parse-error")]
    assert "read with Python's own parser" in doc["errors"][0]["message"]


def test_ast_fallback_resolves_module_constants_and_reports_env_attributes_and_pins(tmp_path, monkeypatch):
    code = BACKSLASH_ONLY + (
        'CA = "certs/ca.pem"\n'
        "s.verify = CA\n"
        'os.environ["REQUESTS_CA_BUNDLE"] = CA\n'
        'os.environ.setdefault("SSL_CERT_FILE", other)\n'
        'urllib3.PoolManager(assert_fingerprint="AA:BB")\n'
        "import os\n"
    )
    doc = scan(tmp_path, monkeypatch, {"app.py": code, "certs/ca.pem": "{{pem:DigiCert Global Root G2}}"})
    assert triples(doc) == {("app.py", 6, "ATS201"), ("app.py", 6, "ATS202"), ("app.py", 7, "ATS201"),
                            ("app.py", 7, "ATS202"), ("app.py", 8, "ATS201"), ("app.py", 9, "ATS301")}


def test_ast_fallback_skips_defaults_and_parameters_passed_through(tmp_path, monkeypatch):
    code = BACKSLASH_ONLY + (
        "import certifi\n"
        "def get(u, ca, pin=None):\n"
        "    requests.get(u, verify=False)\n"
        "    requests.get(u, verify=ca)\n"
        "    requests.get(u, verify=certifi.where(), assert_fingerprint=pin)\n"
        "    requests.get(u, verify=None, cafile=os.environ.get('CA'))\n"
    )
    doc = scan(tmp_path, monkeypatch, {"app.py": code})
    assert triples(doc) == set()
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("app.py", "parse-error")]


def test_python_cpython_also_refuses_keeps_the_text_only_scan(tmp_path, monkeypatch):
    code = 'print "legacy"\nrequests.get("https://b.s3.amazonaws.com", verify="certs/ca.pem")\n'
    doc = scan(tmp_path, monkeypatch, {"py2.py": code, "certs/ca.pem": "{{pem:DigiCert Global Root G2}}"})
    assert triples(doc) == {("py2.py", 2, "ATS101")}
    assert [(e["path"], e["kind"]) for e in doc["errors"]] == [("py2.py", "parse-error")]
    assert "scanned as text for URLs and fingerprints" in doc["errors"][0]["message"]


def test_files_without_trigger_tokens_are_not_parsed(tmp_path, monkeypatch):
    import ats_lint.scan.python.visitor as ps

    calls = []
    original = ps.scan_python
    monkeypatch.setattr(ps, "scan_python", lambda *a, **k: calls.append(a) or original(*a, **k))
    doc = scan(tmp_path, monkeypatch, {"plain.py": "def add(a, b):\n    return a + b\n", "risky.py": 'U = "https://b.s3.amazonaws.com"\n'})
    assert triples(doc) == {("risky.py", 1, "ATS101")}
    assert len(calls) == 1


# --------------------------------------------------------------------------- precision traps from real code


def test_reassigned_parameter_is_still_plumbing(tmp_path, monkeypatch):
    code = """\
    def load(ctx, cafile=None, capath=None):
        if cafile is not None:
            cafile = cafile.encode("utf-8")
        ctx.load_verify_locations(cafile, capath)
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


def test_paths_under_the_default_store_are_not_custom(tmp_path, monkeypatch):
    code = """\
    import ssl, certifi
    from pathlib import Path
    ssl.create_default_context(capath=Path(certifi.where()).parent)
    ssl.create_default_context(capath=str(Path(certifi.where()).parent))
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


def test_relative_import_of_a_certs_where_helper_is_the_default_store(tmp_path, monkeypatch):
    files = {"pkg/__init__.py": "", "pkg/certs.py": "from certifi import where\n",
             "pkg/adapters.py": "from . import certs\nclass A:\n    def f(self, conn):\n        conn.ca_certs = certs.where()\n"}
    assert triples(scan(tmp_path, monkeypatch, files)) == set()


def test_file_relative_path_is_resolved_from_the_defining_module(tmp_path, monkeypatch):
    files = {
        "pkg/__init__.py": "",
        "pkg/paths.py": "import os\nCERTS = os.path.join(os.path.dirname(__file__), 'certs')\nCA = os.path.join(CERTS, 'ca.pem')\n",
        "pkg/certs/ca.pem": "{{pem:Baltimore CyberTrust Root}}",
        "tests/test_x.py": "import ssl\nfrom pkg.paths import CA\nssl.create_default_context(cafile=CA)\n",
    }
    doc = scan(tmp_path, monkeypatch, files)
    assert triples(doc) == {("tests/test_x.py", 3, "ATS201"), ("tests/test_x.py", 3, "ATS202")}
    assert "`pkg/certs/ca.pem`" in doc["findings"][1]["message"]


def test_inline_cadata_that_is_not_pem_is_a_store_without_readable_certificates(tmp_path, monkeypatch):
    doc = scan(tmp_path, monkeypatch, {"m.py": "import urllib3\nurllib3.PoolManager(ca_cert_data='TOTALLY PEM DATA')\n"})
    assert triples(doc) == {("m.py", 2, "ATS201")}
    assert "no readable certificate" in doc["findings"][0]["message"]


def test_builtin_names_do_not_break_resolution(tmp_path, monkeypatch):
    code = "import requests\nrequests.get('u', verify=bool)\nrequests.get('u', verify=str)\n"
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {("m.py", 2, "ATS201"), ("m.py", 3, "ATS201")}


def test_helper_applied_to_a_parameter_is_plumbing_but_attribute_of_a_parameter_is_not(tmp_path, monkeypatch):
    code = """\
    import requests
    def get_cert_path(path):
        return path
    def send(conn, verify, conf):
        conn.ca_certs = get_cert_path(verify)
        requests.get("u", verify=conf.ca_bundle)
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {("m.py", 6, "ATS201")}


def test_system_store_paths_keep_the_default_store(tmp_path, monkeypatch):
    code = "import requests, ssl\nrequests.get('u', verify='/etc/ssl/certs/ca-certificates.crt')\nssl.create_default_context(capath='/etc/ssl/certs/')\n"
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == set()


def test_lexical_shortcuts_agree_with_scopes(tmp_path, monkeypatch):
    code = """\
    import requests
    CA = "/etc/ssl/corp.pem"
    def a(verify=True):
        return requests.get("u", verify=verify)
    def b(verify=True):
        verify = "/etc/ssl/other.pem"
        return requests.get("u", verify=verify)
    def c():
        return requests.get("u", verify=CA)
    def d():
        CA = True
        return requests.get("u", verify=CA)
    def outer(CA=True):
        def inner():
            return requests.get("u", verify=CA)
        return inner
    def e():
        global CA
        return requests.get("u", verify=CA)
    for CB in ("/etc/a.pem",):
        requests.get("u", verify=CB)
    """
    assert triples(scan(tmp_path, monkeypatch, {"m.py": code})) == {
        ("m.py", 7, "ATS201"), ("m.py", 9, "ATS201"), ("m.py", 19, "ATS201"), ("m.py", 21, "ATS201"),
    }


def test_invalid_escapes_in_scanned_code_print_no_warning(tmp_path, monkeypatch):
    import warnings

    write_tree(tmp_path, {"m.py": 'P = "\\\\p{L}"\nU = "https://b.s3.amazonaws.com/\\\\d"\n'.replace("\\\\", "\\")})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, doc = check_json(tmp_path, monkeypatch, ".")
    assert [str(w.message) for w in caught] == []
    assert triples(doc) == {("m.py", 2, "ATS101")}
