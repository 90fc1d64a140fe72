"""Generate the rule documentation from the rule data: docs/rules.md and README's rules table.

    python -m ats_lint.docs          # rewrite both
    python -m ats_lint.docs --check  # exit 1 if either is out of date (the test suite runs this)
"""
from __future__ import annotations

import sys
from pathlib import Path

from ats_lint.rules import all_rules

BEGIN, END = "<!-- rules-table:begin -->", "<!-- rules-table:end -->"


def rules_markdown() -> str:
    parts = ["# ats-lint rules\n\nGenerated from `rules/definitions/*.yaml` by `python -m ats_lint.docs`; do not edit by hand.\n"]
    for rule in all_rules().values():
        parts.append(f'\n<a id="{rule.id.lower()}"></a>\n' + rule.explain().replace(f"# {rule.id}", f"## {rule.id}", 1).replace("\n## ", "\n### ").replace(f"### {rule.id}", f"## {rule.id}"))
    return "".join(parts)


def readme_with_table(readme: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + rules_table() + readme[end:]


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    targets = {root / "docs" / "rules.md": rules_markdown(), root / "README.md": readme_with_table((root / "README.md").read_text(encoding="utf-8"))}
    stale = [p for p, text in targets.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for p in stale:
            print(f"{p.relative_to(root)} is out of date: run python -m ats_lint.docs", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(targets[p], encoding="utf-8")
    return 0


def rules_table() -> str:
    rows = ["| Rule | Name | Category | Severity | What it flags | Where |", "|---|---|---|---|---|---|"]
    for rule in all_rules().values():
        where = " ".join(rule.languages.split())
        rows.append(f"| [{rule.id}]({rule.help_url}) | {rule.name} | `{rule.category}` | {rule.severity} | {rule.summary} | {where} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
