"""--format sarif: valid SARIF 2.1.0 (official schema) with what GitHub code scanning reads."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import validators

from ats_lint.rules import all_rules
from helpers import check_json, run_cli, write_tree

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FILES = {
    "app/storage.py": 'URL = "https://bucket.s3.amazonaws.com/key"\n',
    "app/net.py": 'import requests\nrequests.get("https://x.example", verify="/etc/ssl/corp.pem")\n',
    "my dir/cdn.py": 'CDN = "https://d111.cloudfront.net/a.js"\n',
    "broken.py": "def (:\n    verify=x\n",
}


def sarif(tmp_path, monkeypatch, *args) -> dict:
    code, out, err = run_cli(["check", "--format", "sarif", "--jobs", "1", *args], tmp_path, monkeypatch)
    assert code in (0, 1), err
    return json.loads(out)


def validate(log: dict) -> None:
    validator = validators.validator_for(SCHEMA)
    validator.check_schema(SCHEMA)
    validator(SCHEMA).validate(log)


def test_sarif_validates_against_the_official_schema(tmp_path, monkeypatch):
    write_tree(tmp_path, {**FILES, "unused.py": "X = 1  # ats-lint: ignore\n"})
    validate(sarif(tmp_path, monkeypatch))
    validate(sarif(tmp_path, monkeypatch, "--strict-suppressions"))
    validate(sarif(tmp_path / "app", monkeypatch, "--select", "ATS3"))  # no results


def test_schema_rejects_a_broken_log():
    from jsonschema import ValidationError

    with pytest.raises(ValidationError):
        validators.validator_for(SCHEMA)(SCHEMA).validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})


def test_driver_rules_carry_the_rule_documentation(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    rules = sarif(tmp_path, monkeypatch)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(all_rules())
    for descriptor in rules:
        rule = all_rules()[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"] == rule.explain()
        assert descriptor["help"]["markdown"] == rule.explain()
        assert all(q in descriptor["help"]["markdown"] for q in rule.faq)
        assert descriptor["helpUri"] == rule.help_url
        assert rule.category in descriptor["properties"]["tags"]
        assert float(descriptor["properties"]["security-severity"]) > 0


def test_results_have_rule_index_level_relative_uri_region_and_fingerprints(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    run = sarif(tmp_path, monkeypatch)["runs"][0]
    _, report = check_json(tmp_path, monkeypatch)
    rules = run["tool"]["driver"]["rules"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert len(run["results"]) == len(report["findings"]) == 3
    for result, finding in zip(run["results"], report["findings"]):
        assert result["ruleId"] == finding["rule"] == rules[result["ruleIndex"]]["id"]
        assert result["level"] == finding["severity"]
        assert result["message"]["text"].startswith(finding["message"])
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"] == {"startLine": finding["line"], "startColumn": finding["column"],
                                      "endLine": finding["end_line"], "endColumn": finding["end_column"]}
        assert result["partialFingerprints"]["primaryLocationLineHash"] == finding["fingerprint"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert uris == ["app/net.py", "app/storage.py", "my%20dir/cdn.py"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for n in notes] == [("parse-error", "broken.py")]


def test_fingerprints_stay_the_same_when_lines_move(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    before = [r["partialFingerprints"] for r in sarif(tmp_path, monkeypatch)["runs"][0]["results"]]
    for name in ("app/storage.py", "app/net.py", "my dir/cdn.py"):
        path = tmp_path / name
        path.write_text("import os\n\n\n" + path.read_text())
    after = sarif(tmp_path, monkeypatch)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in after] == before
    assert after[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 5


def test_sarif_to_output_file_with_baseline_holds_only_new_findings(tmp_path, monkeypatch):
    write_tree(tmp_path, FILES)
    assert run_cli(["check", "--write-baseline", "b.json"], tmp_path, monkeypatch)[0] == 0
    write_tree(tmp_path, {"new.py": 'U = "https://d2.cloudfront.net/x"\n'})
    code, out, _ = run_cli(["check", "--format", "sarif", "--baseline", "b.json", "-o", "out.sarif"], tmp_path, monkeypatch)
    assert code == 1 and out == ""
    log = json.loads((tmp_path / "out.sarif").read_text())
    validate(log)
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in log["runs"][0]["results"]] == [("ATS102", "new.py")]
