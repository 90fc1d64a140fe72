"""The syntax rules of rules/syntax/: every query compiles against the pinned grammars, every
predicate is known, and every flagged / not-flagged example behaves as it says."""
from __future__ import annotations

import pytest
from helpers import check_json, write_tree

from ats_lint.scan.tree.languages import language_specs, query
from ats_lint.scan.tree.predicates import some_queries, validate
from ats_lint.scan.tree.ruledata import query_of, syntax_rules


def _cases(kind: str):
    for rule in syntax_rules():
        for index, example in enumerate(rule.examples.get(kind, [])):
            yield pytest.param(rule, example, id=f"{rule.id}-{kind}-{index}")


@pytest.mark.parametrize("where", [
    {"strings": "v", "not_matches": "bad"},          # `strings` reads only `matches`
    {"not": {"text": "k", "matchs": "x"}},            # a misspelt option, nested
    {"any": [{"chain": "v", "matches": "a"}, {"count": "v", "max": 2}]},
    {"sometimes": "v"},                               # no such primitive
])
def test_a_predicate_option_the_primitive_does_not_read_is_rejected(where):
    with pytest.raises(ValueError):
        validate(where)


@pytest.mark.parametrize("rule", syntax_rules(), ids=lambda r: r.id)
def test_rule_compiles_and_has_examples_both_ways(rule):
    assert rule.languages <= set(language_specs()), rule.languages
    for language in rule.languages:
        query(language, query_of(rule, language))
    for where in rule.where:
        validate(where)
        for language in rule.languages:
            for sub in some_queries(where, language):
                query(language, sub)
    assert rule.rule in ("ATS201", "ATS301")
    assert rule.examples.get("flagged") and rule.examples.get("not_flagged"), rule.id


def test_binding_and_string_queries_compile():
    for name, spec in language_specs().items():
        query(name, spec.bindings)
        for extra in (spec.collections, spec.interpolations):
            if extra:
                query(name, extra)
        query(name, "[" + " ".join(f"({t})" for t in sorted(spec.strings | spec.comments)) + "] @n")


@pytest.mark.parametrize("rule, example", list(_cases("flagged")))
def test_flagged_example_reports_the_rule(rule, example, tmp_path, monkeypatch):
    write_tree(tmp_path, {example["file"]: example["code"], **example.get("files", {})})
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    lines = sorted(f["line"] for f in doc["findings"] if f["rule"] == rule.rule and f["path"] == example["file"])
    assert lines == sorted(example["lines"]), doc["findings"]
    assert doc["errors"] == []


@pytest.mark.parametrize("rule, example", list(_cases("not_flagged")))
def test_example_that_must_not_be_flagged_is_silent(rule, example, tmp_path, monkeypatch):
    write_tree(tmp_path, {example["file"]: example["code"], **example.get("files", {})})
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert [f for f in doc["findings"] if f["rule"] == rule.rule] == []
    assert doc["errors"] == []


@pytest.mark.parametrize("code, kept", [
    ('pins.map((pin)=>({"SPKI-SHA256-BASE64":pin}))', 'pins.map((pin)=>({"":pin}))'),
    ("x=`sha256/${sha256(cert.raw)}`", "x=``sha256(cert.raw)"),
    ('let s="\\(hash(key.data()))"', 'let s=""hash(key.data())'),
    ('var s=$"{Hash(cert.RawData)}:x"', 'var s=$""Hash(cert.RawData)'),
])
def test_chain_code_only_leaves_out_the_words_of_string_literals_but_not_what_they_interpolate(code, kept):
    from ats_lint.scan.tree.predicates import _QUOTED, _code_of_literal

    assert _QUOTED.sub(_code_of_literal, code) == kept
