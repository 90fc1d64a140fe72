#!/usr/bin/env python3
"""Score every laid-out corpus and print the per-rule table of README.md (recall / precision (labels)).

    python3 benchmarks/realcode/table.py --cmd "$(which ats-lint) check --no-cache --format json ." [CORPUS ...]

Runs score.py on each corpus whose repo/ is laid out (materialize.py), in the order given or in
folder order, and prints one Markdown row per rule and a last row for all rules, then each rule's
pooled recall / precision over the corpora (labels found, false positives). Nothing is written: the
table is pasted into README.md by hand, with the date and commit it was made at.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = {"s3-endpoint": "ATS101", "cloudfront-domain": "ATS102", "custom-trust-store": "ATS201",
         "trust-store-missing-ats": "ATS202", "certificate-pinning": "ATS301", "digicert-fingerprint": "ATS302", "all": "all"}
ROW = re.compile(r"^(?P<cat>[a-z0-9-]+)\s+(?P<labels>\d+)\s+(?P<tp>\d+)\s+(?P<fn>\d+)\s+(?P<fp>\d+)\s+(?P<r>[-\d.]+)\s+(?P<p>[-\d.]+)\s*$")


def score(corpus: str, cmd: str, pooled: dict[str, list[int]] | None = None) -> dict[str, str]:
    folder = HERE / corpus
    out = subprocess.run([sys.executable, str(HERE / "score.py"), "--repo", str(folder / "repo"), "--labels",
                          str(folder / "expected.yaml"), "--cmd", cmd], capture_output=True, text=True, check=False).stdout
    cells = {}
    for line in out.splitlines():
        m = ROW.match(line)
        if m and m["cat"] in RULES:
            n, fp = int(m["labels"]), int(m["fp"])
            cells[RULES[m["cat"]]] = "-" if n == 0 and fp == 0 else f"{m['r']} / {m['p']} ({n})"
            if pooled is not None:
                total = pooled.setdefault(RULES[m["cat"]], [0, 0, 0])
                total[0], total[1], total[2] = total[0] + n, total[1] + int(m["tp"]), total[2] + fp
    if not cells:
        raise SystemExit(f"{corpus}: score.py printed no table:\n{out}")
    return cells


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmd", required=True, help="the ats-lint command score.py runs in each corpus copy")
    ap.add_argument("corpora", nargs="*", help="corpus folders (default: every one with a laid-out repo/)")
    args = ap.parse_args(argv)
    corpora = args.corpora or sorted(p.parent.name for p in HERE.glob("*/repo") if (p.parent / "expected.yaml").exists())
    pooled: dict[str, list[int]] = {}
    columns = {c: score(c, args.cmd, pooled) for c in corpora}
    print("| rule | " + " | ".join(corpora) + " |")
    print("|---|" + "---|" * len(corpora))
    for rule in RULES.values():
        print(f"| {rule} | " + " | ".join(columns[c].get(rule, "-") for c in corpora) + " |")
    print()
    for rule, (labels, tp, fp) in pooled.items():
        if labels or fp:
            recall = f"{tp / labels:.3f}" if labels else "-"
            precision = f"{tp / (tp + fp):.3f}" if tp + fp else "-"
            print(f"pooled {rule}: recall {recall} / precision {precision} ({tp} of {labels} labels, {fp} false positives)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
