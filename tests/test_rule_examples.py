"""Every example of every rule in rules/definitions is a test: flagged examples must report the
rule on exactly the listed lines, examples that must not be flagged must not report it."""
from __future__ import annotations

import pytest
from helpers import check_json, write_tree

from ats_lint.rules import all_rules


def _cases(kind: str):
    for rule in all_rules().values():
        for index, example in enumerate(rule.examples.get(kind, [])):
            yield pytest.param(rule.id, example, id=f"{rule.id}-{kind}-{index}")


@pytest.mark.parametrize("rule_id, example", list(_cases("flagged")))
def test_flagged_example_reports_the_rule(rule_id, example, tmp_path, monkeypatch):
    write_tree(tmp_path, {example["file"]: example["code"], **example.get("files", {})})
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    lines = sorted(f["line"] for f in doc["findings"] if f["rule"] == rule_id and f["path"] == example["file"])
    assert lines == sorted(example["lines"]), doc["findings"]


@pytest.mark.parametrize("rule_id, example", list(_cases("not_flagged")))
def test_example_that_must_not_be_flagged_is_silent(rule_id, example, tmp_path, monkeypatch):
    write_tree(tmp_path, {example["file"]: example["code"], **example.get("files", {})})
    _, doc = check_json(tmp_path, monkeypatch, "--no-gitignore", ".")
    assert [f for f in doc["findings"] if f["rule"] == rule_id] == []
    assert doc["errors"] == []


def test_every_rule_has_examples_both_ways():
    for rule in all_rules().values():
        assert rule.examples.get("flagged"), rule.id
        assert rule.examples.get("not_flagged"), rule.id
