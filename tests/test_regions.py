"""Candidate regions: the rule visitor walks only the statements that can lead to a finding, and
the findings stay the same. A finding inside a method still resolves what it needs elsewhere in
the module (constants, a helper returning a dict, an import alias, a text built with `+=`);
every rule example, a generated sample and the devset give identical findings with regions on
and off (ATS_LINT_NO_REGIONS=1)."""
from __future__ import annotations

import ast
import os
import random
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from helpers import same_with_switch_on_and_off, write_tree
from test_prefilter import _statement

from ats_lint.rules import all_rules
from ats_lint.scan.python.parse import check_parseable
from ats_lint.scan.python.regions import skipped_statements

MODULE = textwrap.dedent('''\
    import os
    import requests
    from ssl import create_default_context as make_context

    HERE = os.path.dirname(__file__)
    BUNDLE = os.path.join(HERE, "certs", "corp.pem")


    def unrelated(a, b):
        total = 0
        for i in range(a):
            total += i * b
        return total


    def options():
        return {"verify": BUNDLE, "timeout": 3}


    class Client:
        def ping(self):
            return unrelated(1, 2)

        def fetch(self, url):
            return requests.get(url, **options())

        def context(self):
            return make_context(None, None, BUNDLE)

        def endpoint(self):
            url = "https://b.s3-accelerate."
            url += "amazonaws.com/k"
            return url
''')
EXPECTED = {("app/m.py", 17, "ATS201"), ("app/m.py", 28, "ATS201"), ("app/m.py", 31, "ATS101")}


def _same_both_ways(root: Path, monkeypatch) -> list[tuple]:
    return same_with_switch_on_and_off(root, monkeypatch, "ATS_LINT_NO_REGIONS")


def _skipped_lines(source: str) -> set[int]:
    """First lines of the statements the visitor skips."""
    module = cst.parse_module(source)
    skipped = skipped_statements(source, check_parseable(source), module, {"create_default_context"})
    wrapper = cst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(cst.metadata.PositionProvider)
    return {positions[node].start.line for node in positions if id(node) in skipped}


def test_a_finding_in_a_method_resolves_bindings_and_helpers_elsewhere_in_the_module(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app/m.py": MODULE, "app/certs/corp.pem": ""})
    found = _same_both_ways(tmp_path, monkeypatch)
    assert {(path, line, rule) for path, line, _, rule, _ in found if path.endswith(".py")} == EXPECTED


def test_statements_without_a_reason_are_skipped_and_those_with_one_are_walked():
    # The helper `unrelated` and the method `ping` hold nothing; the helper returning the dict
    # holds `"verify"`, `fetch` hands a mapping over with `**`, `context` calls an alias of a
    # matched name, `endpoint` builds a host with `+=` (its block is walked, the statements
    # without a reason in it are not). Module-level bindings hold no reason: they are read by
    # value resolution, not walked. (Statements inside skipped ones count too.)
    assert _skipped_lines(MODULE) == {1, 2, 5, 6, 9, 10, 11, 13, 21, 22, 31, 33}


def test_the_switch_walks_every_statement(monkeypatch):
    monkeypatch.setenv("ATS_LINT_NO_REGIONS", "1")
    assert _skipped_lines(MODULE) == set()


def test_statements_the_two_parsers_cannot_pair_are_walked_whole():
    source = "import requests\nx = 1; del x\nrequests.get(u, verify=B)\n"
    assert _skipped_lines(source) == {1, 2}  # `del` is `Del` in libcst and `Delete` in ast: paired
    assert skipped_statements(source, None, cst.parse_module(source), set()) == set()  # no CPython tree
    assert skipped_statements(source, ast.parse("pass\n"), cst.parse_module(source), set()) == set()


def test_a_peer_certificate_digest_compared_in_a_later_statement_is_found(tmp_path, monkeypatch):
    code = textwrap.dedent('''\
        import hashlib
        digest = hashlib.sha256(sock.getpeercert(binary_form=True)).hexdigest()
        x = 1
        if digest == PIN:
            pass
    ''')
    write_tree(tmp_path, {"p.py": code})
    found = _same_both_ways(tmp_path, monkeypatch)
    assert {(path, line, rule) for path, line, _, rule, _ in found} == {("p.py", 4, "ATS301")}


def test_every_rule_example_gives_the_same_findings_with_and_without_regions(tmp_path, monkeypatch):
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


def test_a_generated_sample_gives_the_same_findings_with_and_without_regions(tmp_path, monkeypatch):
    rng = random.Random(1717)
    files: dict[str, str] = {}
    filler = "def helper_{0}(a):\n    return [a * {0} for _ in range(3)]\n\n"
    for i in range(120):
        parts = [_statement(rng, files) for _ in range(rng.randrange(1, 4))]
        body = "".join(filler.format(j) + "def f_%d():\n    %s\n\n" % (j, p.replace("\n", "\n    ")) if rng.random() < 0.5
                       else filler.format(j) + p + "\n" for j, p in enumerate(parts))
        files[f"gen/m{i:03d}.py"] = "import os, ssl, requests\nfrom gen import consts\n" + body
    for path, text in files.items():
        target = tmp_path / ("gen/consts.py" if path == "consts.py" else path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    found = _same_both_ways(tmp_path, monkeypatch)
    assert {"ATS101", "ATS102", "ATS201", "ATS301", "ATS302"} <= {rule for *_, rule, _ in found}


_DEVSET = Path(os.environ.get("ATS_LINT_DEVSET", "/work/shared/devset/repo"))


@pytest.mark.skipif(not _DEVSET.is_dir(), reason="the devset is not on this machine")
def test_the_devset_gives_the_same_findings_with_and_without_regions(monkeypatch):
    assert _same_both_ways(_DEVSET, monkeypatch)


TRICKY = textwrap.dedent('''\
    #!/usr/bin/env python
    # a module header comment

    """Docstring."""
    import requests  # trailing comment


    # a comment before a decorated function
    @decorator(1)
    # between decorators
    @other
    async def fetch(url,
                    bundle="ca.pem"):
        """Text
        over lines: https://b.s3.amazonaws.com/k"""
        return requests.get(url, verify=bundle)

    class C(Base, metaclass=M):

        # inside
        x = 1; y = requests.get(u, verify="a.pem")
        if x:
            pass
    VALUE = (1,
             2)''')


@pytest.mark.parametrize("source", [TRICKY, TRICKY + "\n", "x = 1\n" * 3 + TRICKY])
def test_positions_found_in_one_statement_are_those_of_the_whole_module(source):
    from ats_lint.scan.positions import positions_of
    from ats_lint.scan.python.parse import _children
    from ats_lint.scan.python.regions import plan

    module = cst.parse_module(source)
    code_lines = plan(source, check_parseable(source), module, set()).code_lines
    assert set(code_lines) == {id(stmt) for stmt in module.body}
    statements, nodes = {}, []
    for stmt in module.body:
        pending = [stmt]
        while pending:
            node = pending.pop()
            nodes.append(node)
            statements[id(node)] = (stmt, code_lines[id(stmt)])
            pending.extend(_children(node))
    line_starts = [0, 0, *(i + 1 for i, c in enumerate(source) if c == "\n")]
    whole = positions_of(module, nodes)
    assert len(whole) > 50
    assert positions_of(module, nodes, statements, line_starts, source) == whole
    # found in the statements alone (an empty module has nothing to fall back on), but for the
    # last statement of a file without a final newline: its code differs from the source there
    alone = {key: span for key, span in whole.items() if source.endswith("\n") or statements[key][0] is not module.body[-1]}
    assert positions_of(cst.parse_module(""), nodes, statements, line_starts, source) == alone
    if source.startswith("#"):  # a statement expected on a wrong line (other code there) is not used
        wrong = {key: (stmt, line + 1) for key, (stmt, line) in statements.items()}
        assert positions_of(module, nodes, wrong, line_starts, source) == whole
