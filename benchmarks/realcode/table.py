#!/usr/bin/env python3
"""Score every laid-out corpus and print the per-rule table of README.md (recall / precision (labels)).

    python3 benchmarks/realcode/table.py --cmd "$(which ats-lint) check --no-cache --format json ." [CORPUS ...]

Runs the command once in a copy of each corpus whose repo/ is laid out (materialize.py), in the order
given or in folder order, scores its output with score.py, and prints one Markdown row per rule and a
last row for all rules, then each rule's pooled recall / precision over the corpora (labels found,
false positives). Then the same pooled figures counting only the files that ats-lint reads as a
syntax tree (Kotlin, Java, Swift, Objective-C, JavaScript, TypeScript, TSX, Go, C#: the languages of
issue 13's bar), whichever language a label or report is in otherwise (C/C++, YAML, JSON, XML and
Python files are left out of that second view; how a file is classed is ats-lint's own
`tree_language`, so run this with ats-lint importable). Nothing is written: the table is pasted into
README.md by hand, with the date and commit it was made at.

`--laid-out-only` scores a machine where only some sources could be laid out (materialize.py reports
the others): each corpus's labels are restricted to the sources whose folder is in its repo/, and the
last line says how many labels were left out. Those figures are not comparable with a full table.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import score as scorer  # noqa: E402  (score.py beside this script: one tool run per corpus)
RULES = {"s3-endpoint": "ATS101", "cloudfront-domain": "ATS102", "custom-trust-store": "ATS201",
         "trust-store-missing-ats": "ATS202", "certificate-pinning": "ATS301", "digicert-fingerprint": "ATS302", "all": "all"}
ROW = re.compile(r"^(?P<cat>[a-z0-9-]+)\s+(?P<labels>\d+)\s+(?P<tp>\d+)\s+(?P<fn>\d+)\s+(?P<fp>\d+)\s+(?P<r>[-\d.]+)\s+(?P<p>[-\d.]+)\s*$")


def run(corpus: str, cmd: str) -> str:
    """The command's JSON output on a copy of the corpus (score.py's own runner)."""
    stdout, stderr, rc, _roots, _changed = scorer.run_tool(cmd, HERE / corpus / "repo", 600.0)
    if rc not in (0, 1):
        raise SystemExit(f"{corpus}: the command exited {rc}:\n{stderr[-2000:]}")
    return stdout


def score(corpus: str, output: str, labels: Path, pooled: dict[str, list[int]] | None = None) -> dict[str, str]:
    """score.py's per-rule cells for saved output, adding labels / hits / false positives to `pooled`."""
    folder = HERE / corpus
    with tempfile.TemporaryDirectory(prefix="ats-table-") as tmp:
        saved = Path(tmp) / "output.json"
        saved.write_text(output, encoding="utf-8")
        out = subprocess.run([sys.executable, str(HERE / "score.py"), "--repo", str(folder / "repo"), "--labels",
                              str(labels), "--from-json", str(saved)], capture_output=True, text=True, check=False).stdout
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


def read_as_tree(repo: Path, rel: str, seen: dict[str, bool]) -> bool:
    """Whether ats-lint reads repo/rel as a syntax tree (one of issue 13's languages)."""
    if rel not in seen:
        from ats_lint.scan.filekinds import text_kind
        from ats_lint.scan.tree.languages import tree_language

        file = repo / rel
        try:
            data = file.read_bytes()
        except OSError:
            data = b""
        kind = text_kind(Path(rel), data[:256])
        seen[rel] = tree_language(rel, kind, data.decode("utf-8", "replace")) is not None
    return seen[rel]


def laid_out_labels(corpus: str, tmp: Path) -> tuple[Path, int]:
    """The corpus's labels restricted to the sources laid out in its repo/, and how many were dropped."""
    repo = HERE / corpus / "repo"
    doc = yaml.safe_load((HERE / corpus / "expected.yaml").read_text(encoding="utf-8"))
    dropped = 0
    for key in ("expected", "negatives"):
        kept = [e for e in doc.get(key) or [] if (repo / e["path"].split("/", 1)[0]).is_dir()]
        dropped += len(doc.get(key) or []) - len(kept)
        doc[key] = kept
    labels = tmp / f"{corpus}.laid-out.yaml"
    labels.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return labels, dropped


def tree_only(corpus: str, output: str, tmp: Path, labels: Path) -> tuple[str, Path]:
    """The output and labels of a corpus restricted to the files ats-lint reads as syntax trees."""
    repo, seen = HERE / corpus / "repo", {}
    doc = yaml.safe_load(labels.read_text(encoding="utf-8"))
    for key in ("expected", "negatives"):
        doc[key] = [e for e in doc.get(key) or [] if read_as_tree(repo, e["path"], seen)]
    labels = tmp / f"{corpus}.yaml"
    labels.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    found = json.loads(output)
    found["findings"] = [f for f in found["findings"] if read_as_tree(repo, f["path"], seen)]
    return json.dumps(found), labels


def pooled_lines(pooled: dict[str, list[int]], prefix: str) -> list[str]:
    lines = []
    for rule, (labels, tp, fp) in pooled.items():
        if labels or fp:
            recall = f"{tp / labels:.3f}" if labels else "-"
            precision = f"{tp / (tp + fp):.3f}" if tp + fp else "-"
            lines.append(f"{prefix} {rule}: recall {recall} / precision {precision} ({tp} of {labels} labels, {fp} false positives)")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmd", required=True, help="the ats-lint command score.py runs in each corpus copy")
    ap.add_argument("--laid-out-only", action="store_true",
                    help="score only the labels of sources laid out in each repo/ (a partial layout)")
    ap.add_argument("corpora", nargs="*", help="corpus folders (default: every one with a laid-out repo/)")
    args = ap.parse_args(argv)
    corpora = args.corpora or sorted(p.parent.name for p in HERE.glob("*/repo") if (p.parent / "expected.yaml").exists())
    pooled: dict[str, list[int]] = {}
    trees: dict[str, list[int]] = {}
    columns = {}
    left_out = 0
    with tempfile.TemporaryDirectory(prefix="ats-table-") as tmp:
        for corpus in corpora:
            output = run(corpus, args.cmd)
            labels, dropped = laid_out_labels(corpus, Path(tmp)) if args.laid_out_only else (HERE / corpus / "expected.yaml", 0)
            left_out += dropped
            columns[corpus] = score(corpus, output, labels, pooled)
            score(corpus, *tree_only(corpus, output, Path(tmp), labels), trees)
    print("| rule | " + " | ".join(corpora) + " |")
    print("|---|" + "---|" * len(corpora))
    for rule in RULES.values():
        print(f"| {rule} | " + " | ".join(columns[c].get(rule, "-") for c in corpora) + " |")
    print()
    print("\n".join(pooled_lines(pooled, "pooled")))
    print("\n".join(pooled_lines(trees, "pooled, syntax-tree languages only,")))
    if args.laid_out_only:
        print(f"laid out only: {left_out} labels and negatives of sources not laid out were left out")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
