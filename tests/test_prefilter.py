"""The Python prefilter never drops a finding: the rule examples, the devset and a generated sample
of tricky spellings give identical findings with it on and off (ATS_LINT_NO_PREFILTER=1). It is
compiled from the rule data, so a new entry there is a trigger without a change in the code; and
it is precise where the old token list was not (`verify_ssl`, `self.verify()`, `http://` hosts)."""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from helpers import cert_value, same_with_switch_on_and_off, write_tree

from ats_lint.rules import all_rules
from ats_lint.scan import prefilter
from ats_lint.trust.certs import knowledge


def _same_both_ways(root: Path, monkeypatch) -> list[tuple]:
    return same_with_switch_on_and_off(root, monkeypatch, "ATS_LINT_NO_PREFILTER")


def test_the_switch_turns_the_prefilter_off(monkeypatch):
    monkeypatch.setenv("ATS_LINT_NO_PREFILTER", "1")
    assert prefilter.python_may_have_findings("x = 1\n")
    monkeypatch.delenv("ATS_LINT_NO_PREFILTER")
    assert not prefilter.python_may_have_findings("x = 1\n")


def test_every_rule_example_gives_the_same_findings_with_and_without_the_prefilter(tmp_path, monkeypatch):
    count = 0
    for rule in all_rules().values():
        for kind in ("flagged", "not_flagged"):
            for index, example in enumerate(rule.examples.get(kind, [])):
                root = tmp_path / f"{rule.id}-{kind}-{index}"
                files = {example["file"]: example["code"], **example.get("files", {})}
                write_tree(root, {str(Path("ex") / name): text for name, text in files.items()})
                count += 1
    assert count > 50
    found = _same_both_ways(tmp_path, monkeypatch)
    assert any(path.endswith(".py") for path, *_ in found)


_DEVSET = Path(os.environ.get("ATS_LINT_DEVSET", "/work/shared/devset/repo"))


@pytest.mark.skipif(not _DEVSET.is_dir(), reason="the devset is not on this machine")
def test_the_devset_gives_the_same_findings_with_and_without_the_prefilter(monkeypatch):
    assert _same_both_ways(_DEVSET, monkeypatch)


# --------------------------------------------------------------------------- a generated sample

_HOSTS = [
    "bucket.s3.amazonaws.com", "s3.amazonaws.com", "s3.us-east-1.amazonaws.com", "s3-eu-west-3.amazonaws.com",
    "sqs.us-east-1.amazonaws.com", "d111abc.cloudfront.net", "s3.dualstack.us-west-2.amazonaws.com",
    "s3-website-us-east-1.amazonaws.com", "s3.cn-north-1.amazonaws.com.cn", "{bucket}.s3.amazonaws.com",
    "%s.s3.%s.amazonaws.com", "ec2.amazonaws.com",
]
_SCHEMES = ["https://", "http://", "", "wss://", "//", "s3+https://"]


def _spell(rng: random.Random, text: str) -> str:
    """One way of writing the string `text` in Python source."""
    cut = rng.randrange(0, len(text) + 1)
    a, b = text[:cut], text[cut:]
    form = rng.randrange(9)
    if form == 0:
        return repr(text)
    if form == 1:
        return f"{a!r} {b!r}"  # implicit concatenation
    if form == 2:
        return f"{a!r} + {b!r}"
    if form == 3:
        return f"({a!r}  # a comment\n    {b!r})"
    if form == 4:
        return f"{a!r} + part + {b!r}"  # a hole
    if form == 5 and text:
        i = rng.randrange(len(text))
        escaped = repr(text[:i])[1:-1] + f"\\x{ord(text[i]):02x}" + repr(text[i + 1:])[1:-1]
        return f'"{escaped}"'
    if form == 6:
        return f'f"{{prefix}}{a}" f"{b}"'.replace("{{prefix}}", "{prefix}") if "{" not in text else repr(text)
    if form == 8:
        return f"({a!r} if True else '')"  # not joined by the visitor: the pieces stay apart
    if form == 7 and "\\" not in text and '"' not in text:
        return f'"{a}\\\n{b}"'  # a backslash-newline inside the literal
    return f'"""{text}"""' if '"' not in text else repr(text)


def _statement(rng: random.Random, files: dict[str, str]) -> str:
    kind = rng.randrange(10)
    fp = cert_value(rng.choice(["sha256_hex", "sha256_colon", "sha1_hex", "spki_b64", "sha256_spaced"]), "DigiCert Global Root CA")
    if kind <= 2:
        url = rng.choice(_SCHEMES) + rng.choice(_HOSTS) + rng.choice(["", "/key", "/{key}"])
        if rng.random() < 0.15:  # built with `+=` across statements
            cut = rng.randrange(1, len(url))
            return f"built = {url[:cut]!r}\nbuilt += {url[cut:]!r}"
        template = rng.choice(["URL = {}", "fetch({})", "requests.get({}, timeout=3)", 'POLICY = {{"Service": {}}}',
                               "{}", 'ROLE = {{"Principal": {{"Service": [{}]}}}}', "x = ({},)"])
        return template.format(_spell(rng, url))
    if kind == 3:
        var = rng.choice(["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "HOME", "AWS_CA_BUNDLE"])
        value = _spell(rng, rng.choice(["certs/ca.pem", "/etc/ssl/certs/ca-certificates.crt", "bundle.crt"]))
        name = rng.choice([_spell(rng, var), "consts.NAME", "NAME"])
        files["consts.py"] = f"NAME = {var!r}\n"
        return rng.choice([f"os.environ[{name}] = {value}", f"os.environ.setdefault({name}, {value})",
                           f"monkeypatch.setenv({name}, {value})", f"os.putenv({name}, {value})"])
    if kind == 4:
        value = rng.choice(['"certs/ca.pem"', "False", "True", "CA", "os.environ.get('X')", '"/etc/ssl/cert.pem"'])
        return rng.choice([f"requests.get(u, verify={value})", f"session.verify = {value}", f"kw = {{'verify': {value}}}",
                           f"requests.get(u, verify_ssl={value})", f"self.verify({value})", f"opts['verify'] = {value}",
                           f"httpx.Client(verify\n    ={value})", f"self.verify: str = {value}",
                           f"ctx.load_verify_locations({value})", f"ssl.create_default_context(cafile={value})"])
    if kind == 5:
        return f"PIN = {_spell(rng, fp)}"
    if kind == 6:
        raw = rng.choice([c.sha1 for c in knowledge().certificates if c.side == "digicert"] + [bytes(range(65, 85))])
        return f"RAW = {raw!r}"
    if kind == 7:
        return rng.choice(["pool = urllib3.PoolManager(assert_fingerprint=FP)", "conn.assert_fingerprint = None",
                           "digest = sha256(sock.getpeercert(binary_form=True)).hexdigest()\nok = digest == PIN",
                           "c.setopt(pycurl.PINNEDPUBLICKEY, PIN)", "from aiohttp import Fingerprint as F\nF(PIN)"])
    if kind == 8:
        return f'"""Docs: set verify to a path; see {rng.choice(_HOSTS)}."""'
    return rng.choice(["def verify(x):\n    return x", "assert verify_ssl == True", "x = 1  # verify = 'a.pem'",
                       f"CHECKSUM = {'ab' * 32!r}", "data = b'\\x00\\x01'"])


def test_a_generated_sample_gives_the_same_findings_with_and_without_the_prefilter(tmp_path, monkeypatch):
    rng = random.Random(1616)
    files: dict[str, str] = {}
    for i in range(240):
        body = "\n".join(_statement(rng, files) for _ in range(rng.randrange(1, 4)))
        files[f"gen/m{i:03d}.py"] = "import os, ssl, requests\nfrom gen import consts\n" + body + "\n"
    for path, text in files.items():
        target = tmp_path / ("gen/consts.py" if path == "consts.py" else path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    found = _same_both_ways(tmp_path, monkeypatch)
    rules = {rule for *_, rule, _ in found}
    assert {"ATS101", "ATS102", "ATS201", "ATS301", "ATS302"} <= rules, rules
    skipped = [p for p in sorted(tmp_path.rglob("*.py")) if not prefilter.python_may_have_findings(p.read_text())]
    assert len(skipped) >= 20  # the sample also has files the prefilter rightly skips


# --------------------------------------------------------------------------- precise, and robust


@pytest.mark.parametrize("code", [
    "requests.get(u, verify_ssl=False)\n",
    "self.verify(token)\nif verify == 3: pass\n",
    "# set verify to a bundle path\nx = 'please verify the result'\n",
    'URL = "http://sqs.us-east-1.amazonaws.com/123/q"\n',
    'URL = "https://sqs.us-east-1.amazonaws.com/123/q"\n',
    'URL = "http://bucket.s3.amazonaws.com/key"\n',
    'bases = [r"https?://batch\\.(.+)\\.amazonaws.com"]\n',
    'P = {"Principal": {"Service": "ec2.amazonaws.com"}}\n',
    'os.environ["HOME"] = "/root"\nx = os.environ[key]\n',
    "CHECKSUM = '" + "ab" * 32 + "'\n",
    "words = open(path).read().split()\nok = isinstance(x, bool) and x is not False\n",
    "parser.add_argument('--ca', help='a bundle', default=None)\nprint(__doc__)\n",
])
def test_what_cannot_be_a_finding_is_skipped(code):
    assert not prefilter.python_may_have_findings(code)


@pytest.mark.parametrize("code", [
    "requests.get(u, verify='ca.pem')\n",
    "requests.get(u,\n    verify  # the bundle\n    = CA)\n",
    "session.verify = CA\n",
    "self.verify: str = CA\n",
    "kwargs = {'verify': CA}\n",
    "setattr(session, \"verify\", CA)\n",
    'URL = "https://bucket.s3.amazonaws.com/key"\n',
    'URL = "bucket.s3.amazonaws.com"\n',
    'URL = "https://b.s3.amazon\\x61ws.com/key"\n',
    'URL = "https://b.s3.amazonaws" ".com/key"\n',
    'URL = "https://b.s3.amazonaws" + ".com/key"\n',
    'URL = ("https://s3." # the region follows\n  "amazonaws.com")\n',
    'URL = "https://s3." + region + ".amazonaws.com"\n',
    'URL = "https://b.s3.amazon\\\naws.com"\n',
    'URL = "https://\\N{LATIN SMALL LETTER B}.s3.amazonaws.com"\n',
    'U = "\\ns3.amazonaws.com"\n',
    'os.environ[consts.VAR] = "ca.pem"\n',
    'os.environ.setdefault("SSL_CERT_" "FILE", "ca.pem")\n',
    'monkeypatch.setenv("SSL_CERT_{}".format("FILE"), "ca.pem")\n',
    'E = {"REQUESTS_CA_BUNDLE": "ca.pem"}\n',
    'u = "https://s3-accelerate."\nu += "amazonaws.com"\n',
    'u = "https://b.s3.amazon"\nu += "aws.com"\n',
    'c.setopt(pycurl.CAINFO, "ca.pem")\n',
])
def test_what_may_be_a_finding_passes(code):
    assert prefilter.python_may_have_findings(code)


def test_digests_pass_however_they_are_written():
    fp = cert_value("sha256_colon", "DigiCert Global Root CA")
    raw = knowledge().by_label("DigiCert Global Root CA").sha1
    for code in (f"FP = {fp!r}\n", f"FP = {fp[:40]!r} {fp[40:]!r}\n", f"FP = ({fp[:40]!r}\n  {fp[40:]!r})\n",
                 f"RAW = {raw!r}\n", "RAW = b'" + "".join(f"\\{b:03o}" for b in raw) + "'\n",
                 'PEM = "-----BEGIN CERTIFICATE-----\\n..."\n'):
        assert prefilter.python_may_have_findings(code), code
    assert not prefilter.python_may_have_findings(f"OTHER = {bytes(range(40, 60))!r}\n")


def test_triggers_come_from_the_signature_data(monkeypatch):
    """A new section or entry in rules/python.yaml is a trigger without a change in the code:
    a keyword or attribute must be set, any other name only has to appear."""
    from ats_lint.resources import load_data

    original = load_data("python.yaml")
    extended = {**original,
                "trust_arguments": {**original["trust_arguments"],
                                    "keywords": {**original["trust_arguments"]["keywords"], "tls_roots": "root certificates (a new client)"}},
                "option_calls": [{"method": "setopt", "options": {"CAINFO": "the CA file"}}]}
    monkeypatch.setattr(prefilter, "load_data", lambda name: extended if name == "python.yaml" else load_data(name))
    prefilter.compiled.cache_clear()
    try:
        assert prefilter.python_may_have_findings("grpc.channel(tls_roots=path)\n")
        assert not prefilter.python_may_have_findings("tls_roots_path(x)\n")
        assert prefilter.python_may_have_findings("c.setopt(c.OPT, x)\n")
        assert prefilter.python_may_have_findings("c.setopt(pycurl.CAINFO, x)\n")
    finally:
        monkeypatch.undo()
        prefilter.compiled.cache_clear()
    assert not prefilter.python_may_have_findings("grpc.channel(tls_roots=path)\n")
