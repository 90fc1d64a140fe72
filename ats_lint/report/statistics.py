"""`--statistics`: the number of findings per rule, most frequent first."""
from __future__ import annotations

import json
from collections import Counter

from ats_lint.model import RunResult
from ats_lint.rules import all_rules


def statistics(result: RunResult) -> list[dict]:
    """Findings per rule, most frequent first (then by rule id), as `ruff --statistics` counts them."""
    rules = all_rules()
    counts = Counter(f.rule for f in result.findings)
    return [{"code": rule, "name": rules[rule].name, "count": n} for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def to_statistics(result: RunResult, as_json: bool = False) -> str:
    rows = statistics(result)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    width = len(str(rows[0]["count"]))
    return "".join(f"{r['count']:>{width}}\t{r['code']}\t{r['name']}\n" for r in rows)


# --------------------------------------------------------------------------- Markdown
