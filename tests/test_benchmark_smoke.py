"""The benchmark's smoke mode, as CI runs it: a generated local tree (no downloads), one run each.

No timing is asserted (speed is measured by `python benchmarks/run.py`, never by a test): only
that the table is written with every row, that ats-lint and grep really ran, and that ats-lint's
findings are identical cold, warm, with `--jobs 1` and with `--jobs 2`.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RUN = REPO / "benchmarks" / "run.py"

ROW_LABELS = [
    "ats-lint cold",
    "ats-lint warm",
    "ats-lint cold `--jobs 1`",
    "ats-lint cold `--jobs 2`",
    "ats-lint on 5 files (pre-commit)",
    "ats-lint cold, Python prefilter off",
    "ats-lint start-up",
    "bandit -r (all tests)",
    "bandit on the same 5 files",
    "semgrep (5-rule file)",
    "ruff --select S (no cache)",
    "grep -rEIic (trigger patterns, floor)",
]
CATEGORIES = {"s3-endpoint", "cloudfront-domain", "custom-trust-store", "trust-store-missing-ats",
              "certificate-pinning", "digicert-fingerprint"}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    report, data = work / "RESULTS-smoke.md", work / "results.json"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--no-peers", "--work-dir", str(work), "--output", str(report),
         "--results-json", str(data)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return report.read_text(), json.loads(data.read_text()), work


def test_table_has_every_row(smoke):
    text, _, _ = smoke
    table = [line for line in text.splitlines() if line.startswith("| ")]
    for label in ROW_LABELS:
        assert any(line.startswith(f"| {label}") for line in table), f"no row for {label!r}"
    for section in ("## Machine", "## Corpus", "## Results", "## Targets", "## Notes"):
        assert section in text


def test_ats_lint_and_grep_rows_ran(smoke):
    _, data, _ = smoke
    rows = {r["key"]: r for r in data["rows"]}
    for key in ("ats-cold", "ats-warm", "ats-jobs1", "ats-jobs2", "ats-five", "ats-noprefilter", "ats-startup", "grep"):
        row = rows[key]
        assert not row["skipped"], key
        assert row["wall"] is not None and row["wall"] > 0, key
        assert int(row["files"]) > 0, key
    for key in ("ats-cold", "ats-warm", "ats-jobs1", "ats-jobs2", "ats-five"):
        assert rows[key]["exit_codes"] == [0], (key, rows[key]["exit_codes"])  # --exit-zero: 0 unless an error
    assert int(rows["ats-five"]["files"]) == 5
    assert int(rows["ats-startup"]["files"]) == 1 and "of which imports" in rows["ats-startup"]["note"]
    # the generated tree is big enough for the process pool (so --jobs 2 really runs in workers)
    assert int(rows["ats-cold"]["files"]) >= 100


def test_findings_identical_cold_warm_jobs(smoke):
    _, data, _ = smoke
    rows = {r["key"]: r for r in data["rows"]}
    cold = rows["ats-cold"]["findings"]
    assert cold, "the smoke tree must produce findings"
    assert set(rows["ats-cold"]["by_category"]) == CATEGORIES
    for key in ("ats-warm", "ats-jobs1", "ats-jobs2", "ats-noprefilter"):
        assert rows[key]["findings"] == cold, key
        assert rows[key]["by_category"] == rows["ats-cold"]["by_category"], key
    assert data["targets"]["identical"] is True


def test_smoke_writes_nothing_into_the_repository(smoke):
    _, _, work = smoke
    assert not (REPO / "benchmarks" / "RESULTS-smoke.md").exists()
    assert (work / "smoke-src").is_dir()


def test_floor_splits_a_cold_run_into_libcst_parse_and_the_rest(tmp_path):
    """benchmarks/floor.py counts libcst's parse of exactly the modules the Python scanner read:
    the file that passes the prefilter and the module it imports a name from, not the file with
    no trigger; the parts add up to no more than the whole run."""
    (tmp_path / "settings.py").write_text('CA = "certs/ca.pem"\n')
    (tmp_path / "client.py").write_text("import requests\nfrom settings import CA\n\n"
                                        "def get(url):\n    return requests.get(url, verify=CA)\n")
    (tmp_path / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    floor = Path(__file__).resolve().parents[1] / "benchmarks" / "floor.py"
    done = subprocess.run([sys.executable, str(floor), "."], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    m = dict(line.split("=", 1) for line in done.stdout.split())
    assert (m["parsed_modules"], m["python_files_scanned"]) == ("2", "3")
    assert 0 < float(m["parse"]) <= float(m["python_scanner"]) <= float(m["cpu"])
