"""--statistics: findings per rule, most frequent first, as ruff prints them."""
from __future__ import annotations

import json

from helpers import run_cli, write_tree

TREE = {
    "a.py": 'A = "https://a.s3.amazonaws.com"\nB = "https://b.s3.amazonaws.com"\nC = "https://d1.cloudfront.net"\n',
    "b.py": 'D = "https://d.s3.amazonaws.com"\nE = "https://d2.cloudfront.net"\nPIN = "{{sha256_hex:DigiCert Global Root G2}}"\n',
}


def test_statistics_count_per_rule_sorted_by_count_then_rule(tmp_path, monkeypatch):
    write_tree(tmp_path, TREE)
    code, out, _ = run_cli(["check", "--statistics", "--jobs", "1"], tmp_path, monkeypatch)
    assert code == 1
    assert out == "3\tATS101\ts3-default-endpoint\n2\tATS102\tcloudfront-default-domain\n1\tATS302\tdigicert-fingerprint\n"


def test_statistics_as_json(tmp_path, monkeypatch):
    write_tree(tmp_path, TREE)
    code, out, _ = run_cli(["check", "--statistics", "--format", "json", "--jobs", "1", "--select", "ATS1"], tmp_path, monkeypatch)
    assert code == 1
    assert json.loads(out) == [{"code": "ATS101", "name": "s3-default-endpoint", "count": 3},
                               {"code": "ATS102", "name": "cloudfront-default-domain", "count": 2}]


def test_statistics_of_a_clean_tree_print_nothing_and_exit_zero(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": "print('hi')\n"})
    assert run_cli(["check", "--statistics", "--jobs", "1"], tmp_path, monkeypatch)[:2] == (0, "")
