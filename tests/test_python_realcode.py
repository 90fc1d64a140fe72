"""The Python scanner on shapes of real code: trust through dicts and `**`, verification turned
off in the same call, booleans, more real APIs, hosts that are data or prose, positions inside
multi-line strings. Exact (path, line, rule) sets."""
from __future__ import annotations

from helpers import check_json, triples, write_tree


def scan(tmp_path, monkeypatch, files):
    write_tree(tmp_path, files)
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    return doc


def found(tmp_path, monkeypatch, files):
    return triples(scan(tmp_path, monkeypatch, files))


# --------------------------------------------------------------------------- dicts and **


def test_dict_literal_splatted_is_reported_where_the_value_is_put(tmp_path, monkeypatch):
    code = """\
    import urllib3
    def pool(host):
        kw = {
            "ca_certs": "/etc/corp/ca.pem",
            "timeout": 3,
        }
        return urllib3.HTTPSConnectionPool(host, **kw)
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == {("m.py", 4, "ATS201")}


def test_subscript_update_setdefault_and_dict_call_reach_the_call(tmp_path, monkeypatch):
    code = """\
    import requests, urllib3
    CA = "/etc/corp/ca.pem"
    def a(url):
        kwargs = {}
        kwargs["verify"] = CA
        return requests.get(url, **kwargs)
    def b(host):
        kw = {"timeout": 3}
        kw.update({"ca_certs": CA, "assert_fingerprint": "AB:CD"})
        return urllib3.HTTPSConnectionPool(host, **kw)
    def c(host):
        options = dict(retries=2)
        options.setdefault("ca_certs", CA)
        return urllib3.PoolManager(**options)
    def d(url):
        return requests.get(url, **dict(verify=CA))
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == {
        ("m.py", 5, "ATS201"), ("m.py", 9, "ATS201"), ("m.py", 9, "ATS301"), ("m.py", 13, "ATS201"), ("m.py", 16, "ATS201"),
    }


def test_helper_returning_a_dict_and_a_method_of_the_same_class(tmp_path, monkeypatch):
    code = """\
    import requests
    def tls_options():
        return {"verify": "certs/corp.pem"}
    class Client:
        def _kw(self):
            opts = {"timeout": 5}
            opts["verify"] = "certs/other.pem"
            return opts
        def get(self, url):
            return requests.get(url, **self._kw())
    def fetch(url):
        kw = tls_options()
        return requests.get(url, **kw)
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == {("m.py", 3, "ATS201"), ("m.py", 7, "ATS201")}


def test_sslopt_mapping_and_module_level_dict(tmp_path, monkeypatch):
    code = """\
    import websocket
    SSLOPT = {"ca_certs": "/etc/corp/ca.pem"}
    def connect(url):
        ws = websocket.WebSocket(sslopt=SSLOPT)
        ws2 = websocket.create_connection(url, sslopt={"cert_reqs": 0, "ca_cert_path": "/etc/x"})
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == {("m.py", 2, "ATS201")}


def test_a_mapping_the_caller_passes_in_is_plumbing(tmp_path, monkeypatch):
    code = """\
    import requests, urllib3
    def get(url, **kwargs):
        return requests.get(url, **kwargs)
    def pool(host, options):
        options["ca_certs"] = options.get("ca_certs")
        return urllib3.PoolManager(**options)
    def make(host, ca_certs=None, fp=None):
        kw = {"ca_certs": ca_certs, "assert_fingerprint": fp}
        return urllib3.HTTPSConnectionPool(host, **kw)
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == set()


def test_a_dict_that_never_reaches_a_call_is_not_reported(tmp_path, monkeypatch):
    code = """\
    DEFAULTS = {"verify": "/etc/corp/ca.pem"}
    def show():
        print(DEFAULTS)
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == set()


# --------------------------------------------------------------------------- verification off


def test_verification_off_in_the_same_call_or_dict_is_not_a_store_that_breaks(tmp_path, monkeypatch):
    code = """\
    import ssl, urllib3
    from opensearchpy import Urllib3HttpConnection
    a = Urllib3HttpConnection(ca_certs="/etc/ca.pem", verify_certs=False)
    b = urllib3.PoolManager(ca_certs="/etc/ca.pem", cert_reqs="CERT_NONE")
    c = urllib3.PoolManager(ca_certs="/etc/ca.pem", cert_reqs=ssl.CERT_NONE)
    kw = {"ca_certs": "/etc/ca.pem", "cert_reqs": "CERT_NONE"}
    d = urllib3.PoolManager(**kw)
    e = urllib3.PoolManager(ca_certs="/etc/ca.pem", cert_reqs="CERT_REQUIRED")
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == {("m.py", 8, "ATS201")}


# --------------------------------------------------------------------------- booleans, digests


def test_names_that_only_hold_booleans_are_flags_not_stores(tmp_path, monkeypatch):
    code = """\
    import os, requests
    def get(url, ca=None):
        tls_verify = False
        if ca:
            tls_verify = ca is not None
        return requests.get(url, verify=tls_verify)
    INSECURE = os.environ.get("INSECURE") == "1"
    VERIFY = not INSECURE
    def get2(url):
        return requests.get(url, verify=VERIFY)
    def get3(url, flag):
        return requests.get(url, verify=bool(flag))
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == set()


def test_digest_length_and_parameter_comparisons_are_not_pins(tmp_path, monkeypatch):
    code = """\
    import hashlib
    def check(sock, expected):
        digest = hashlib.sha256(sock.getpeercert(binary_form=True)).hexdigest()
        assert len(digest) == 64
        if digest != expected:
            raise ValueError
    def pinned(sock):
        digest = hashlib.sha256(sock.getpeercert(binary_form=True)).hexdigest()
        return digest == "ab" * 32
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == {("m.py", 9, "ATS301")}


# --------------------------------------------------------------------------- more real APIs


def test_awscrt_pycurl_grpc_paho_elastic(tmp_path, monkeypatch):
    code = """\
    import grpc, pycurl
    from awscrt.io import TlsContextOptions
    from elasticsearch import Elasticsearch
    opt = TlsContextOptions()
    opt.override_default_trust_store_from_path(None, "certs/ca.crt")
    opt.override_default_trust_store_from_path(ca_filepath="/etc/corp/ca.pem")
    curl = pycurl.Curl()
    curl.setopt(curl.CAINFO, "/etc/corp/ca.pem")
    curl.setopt(pycurl.CAPATH, "/etc/corp/certs")
    curl.setopt(curl.PINNEDPUBLICKEY, "sha256//abc=")
    curl.setopt(pycurl.PROXY_CAINFO, "/etc/proxy/ca.pem")
    curl.setopt(pycurl.URL, "https://example.com")
    creds = grpc.ssl_channel_credentials(root_certificates=open("certs/ca.crt", "rb").read())
    es = Elasticsearch("https://es.internal:9200", ssl_assert_fingerprint="AB:CD:EF")
    def mqtt(client):
        client.tls_set(ca_certs="/etc/mosquitto/ca.crt")
    """
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    got = found(tmp_path, monkeypatch, {"m.py": code, "certs/ca.crt": pem})
    assert {t for t in got if t[0] == "m.py"} == {
        ("m.py", 5, "ATS201"), ("m.py", 6, "ATS201"), ("m.py", 8, "ATS201"), ("m.py", 9, "ATS201"),
        ("m.py", 10, "ATS301"), ("m.py", 13, "ATS201"), ("m.py", 14, "ATS301"), ("m.py", 16, "ATS201"),
    }


# --------------------------------------------------------------------------- hosts: data and prose


def test_documentation_strings_and_compared_or_edited_hosts_are_not_connections(tmp_path, monkeypatch):
    code = '''\
    import argparse
    DOCUMENTATION = r"""
    options:
      bucket:
        description: such as C(123456789abcde.cloudfront.net)
    """
    EXAMPLES = r"""
    - community.aws.cloudfront_distribution:
        origins:
          - domain_name: mylogbucket.s3.amazonaws.com
    """
    RETURN = r"""
    sample: d1vz8pzgurxosf.cloudfront.net
    """
    def f(host, url):
        if host == "s3-external-1.amazonaws.com":
            return url.replace(".s3.amazonaws.com", "")
        if host.endswith((".cloudfront.net", ".s3.amazonaws.com")):
            return None
        p = argparse.ArgumentParser()
        p.add_argument("--endpoint", help="e.g. https://b.s3.amazonaws.com")
        return url.replace("http://", "https://b.s3.amazonaws.com/")
    def test_url():
        assert make() == "https://labels.s3.amazonaws.com/a"
    LEGACY = "https://s3.cn-north-1.amazonaws.com/b"
    '''
    assert found(tmp_path, monkeypatch, {"m.py": code}) == {("m.py", 22, "ATS101"), ("m.py", 24, "ATS101")}


def test_string_built_with_plus_equals_in_one_block(tmp_path, monkeypatch):
    code = """\
    def accelerate(parts):
        endpoint = 'https://s3-accelerate.'
        if parts:
            endpoint += '.'.join(parts) + '.'
        endpoint += 'amazonaws.com'
        return endpoint
    """
    assert found(tmp_path, monkeypatch, {"m.py": code}) == {("m.py", 2, "ATS101")}


def test_multi_line_string_reports_the_url_on_its_own_line_and_column(tmp_path, monkeypatch):
    code = 'CONFIG = """\nname: x\n\nurl:   https://b.s3.amazonaws.com/k\n"""\n'
    doc = scan(tmp_path, monkeypatch, {"m.py": code})
    hits = [(f["line"], f["column"]) for f in doc["findings"] if f["rule"] == "ATS101"]
    assert hits == [(4, 8)]


def test_host_list_and_json_documentation_are_data(tmp_path, monkeypatch):
    psl = "// Public suffixes\n" + "".join(f"example{i}.com\n" for i in range(30)) + "s3.amazonaws.com\nd111.cloudfront.net\n"
    model = '{\n  "shapes": {\n    "Logging": {\n      "documentation": "<p>For example, <code>b.s3.amazonaws.com</code>.</p>"\n    }\n  },\n  "endpoint": "https://b.s3.amazonaws.com"\n}\n'
    assert found(tmp_path, monkeypatch, {"data/.tld_set": psl, "data/service-2.json": model}) == {("data/service-2.json", 7, "ATS101")}


def test_generated_docs_are_prose(tmp_path, monkeypatch):
    html = '<!DOCTYPE html>\n<html><head><meta name="generator" content="Docutils 0.19: https://docutils.sourceforge.io/" />\n</head><body><a href="https://b.s3.amazonaws.com/k">x</a></body></html>\n'
    index = 'Search.setIndex({"docnames": ["a"], "terms": {"https://b.s3.amazonaws.com": 1}})\n'
    page = '<html><body><script src="https://d111.cloudfront.net/a.js"></script></body></html>\n'
    got = found(tmp_path, monkeypatch, {"docs/_build/a.html": html, "docs/_build/searchindex.js": index, "web/page.html": page})
    assert got == {("web/page.html", 1, "ATS102")}


# --------------------------------------------------------------------------- text: PowerShell, Ansible


def test_powershell_env_assignment_with_spaces(tmp_path, monkeypatch):
    ps = '$CACertFile = Join-Path -Path $ENV:AppData -ChildPath "ca.pem"\n$ENV:SSL_CERT_FILE = $CACertFile\n$env:REQUESTS_CA_BUNDLE="C:\\certs\\corp.pem"\n'
    assert found(tmp_path, monkeypatch, {"setup.ps1": ps}) == {("setup.ps1", 2, "ATS201"), ("setup.ps1", 3, "ATS201")}


def test_ansible_aws_ca_bundle_unless_the_task_turns_verification_off(tmp_path, monkeypatch):
    tasks = """\
    - name: upload
      amazon.aws.s3_object:
        bucket: b
        aws_ca_bundle: /etc/pki/corp.pem
    - name: insecure upload
      amazon.aws.s3_object:
        bucket: b
        aws_ca_bundle: /etc/pki/corp.pem
        validate_certs: false
    - name: just a flag
      amazon.aws.s3_object:
        validate_certs: true
    """
    assert found(tmp_path, monkeypatch, {"tasks/main.yml": tasks}) == {("tasks/main.yml", 4, "ATS201")}
