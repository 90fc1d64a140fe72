"""`--format html`: one self-contained HTML file for a one-off audit.

The file loads nothing from the network (inline CSS, inline SVG, one inline script; a Content
Security Policy forbids every other source and allows only that script, by hash). It holds the
verdict, counts by category and severity with a small bar chart, the findings grouped by file with
a few lines of code around each, and the remediation and FAQ reference of each rule. Filtering by
category, severity and path happens in the page by toggling classes on the server-rendered DOM, so
it stays quick with thousands of findings.

Everything that comes from the scanned tree (paths, code, messages) is escaped. Code context is
read here, at report time, from the files the findings name: the engine never keeps file text.
"""
from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter, defaultdict
from pathlib import Path

from ats_lint import __version__
from ats_lint.model import RunResult
from ats_lint.report.verdict import Verdict, assess
from ats_lint.rules import CATEGORIES, all_rules
from ats_lint.scan.decode import read_text

CONTEXT_LINES = 2  # lines shown above and below a finding
MAX_LINE_CHARS = 240  # longer lines (minified code) are cut
MAX_CONTEXT_FILE_BYTES = 4 * 1024 * 1024
SEVERITIES = ("error", "warning", "note")
_SEVERITY_COLOR = {"error": "#c62828", "warning": "#e08a00", "note": "#1e88e5"}
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def _e(value) -> str:
    return html.escape(str(value), quote=True)


class _Sources:
    """Lines of the files findings point at, read once each; None when a file cannot be read."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self.cache:
            self.cache[path] = self._read(path)
        return self.cache[path]

    def _read(self, path: str) -> list[str] | None:
        file = Path(path) if Path(path).is_absolute() else self.cwd / path
        try:
            if file.stat().st_size > MAX_CONTEXT_FILE_BYTES:
                return None
            data = file.read_bytes()
        except OSError:
            return None
        if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None
        return _LINE_SPLIT.split(read_text(data)[0])


def _cut(text: str) -> str:
    return text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + " …"


def _code(finding, lines: list[str] | None) -> str:
    if not lines or not 1 <= finding.line <= len(lines):
        return '<p class="nocode">(source not available)</p>'
    first = max(1, finding.line - CONTEXT_LINES)
    last = min(len(lines), finding.line + CONTEXT_LINES)
    rows = []
    for number in range(first, last + 1):
        text = lines[number - 1]
        if number == finding.line:
            visible = text[:MAX_LINE_CHARS]
            more = " …" if len(text) > MAX_LINE_CHARS else ""
            start = min(max(0, finding.column - 1), len(visible))
            end = finding.end_column - 1 if finding.end_line == finding.line and finding.end_column > finding.column else len(text)
            end = min(end, len(visible))
            if start < end:
                body = f"{_e(visible[:start])}<mark>{_e(visible[start:end])}</mark>{_e(visible[end:] + more)}"
            else:
                body = _e(visible + more)
            rows.append(f'<span class="ln hl"><i>{number}</i>{body}</span>')
        else:
            rows.append(f'<span class="ln"><i>{number}</i>{_e(_cut(text))}</span>')
    return "<pre>" + "".join(rows) + "</pre>"  # each line is a block: no newline between them


def _chart(counts: Counter, categories: list[str]) -> str:
    """Horizontal bars, one per category, stacked by severity."""
    if not categories:
        return ""
    label_w, bar_w, row_h = 190, 380, 26
    biggest = max(sum(counts[(c, s)] for s in SEVERITIES) for c in categories)
    height = row_h * len(categories) + 30
    parts = [f'<svg class="chart" role="img" aria-labelledby="chart-title" width="{label_w + bar_w + 60}" height="{height}" '
             f'viewBox="0 0 {label_w + bar_w + 60} {height}" xmlns="http://www.w3.org/2000/svg">',
             '<title id="chart-title">Findings by category and severity</title>']
    for i, cat in enumerate(categories):
        y = i * row_h + 4
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(cat)}</text>')
        x = float(label_w)
        total = 0
        for sev in SEVERITIES:
            n = counts[(cat, sev)]
            if not n:
                continue
            w = max(2.0, bar_w * n / biggest)
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" fill="{_SEVERITY_COLOR[sev]}"><title>{_e(cat)}: {n} {sev}</title></rect>')
            x += w
            total += n
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}">{total}</text>')
    legend_y = len(categories) * row_h + 20
    x = label_w
    for sev in SEVERITIES:
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{_SEVERITY_COLOR[sev]}"/><text x="{x + 14}" y="{legend_y}">{sev}</text>')
        x += 90
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#dde1e8;--bg:#f6f7f9;--card:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.meta{color:var(--muted);margin:0 0 16px}
.verdict{border-radius:8px;padding:14px 18px;background:var(--card);border:1px solid var(--line);border-left:8px solid}
.verdict h2{margin:0 0 6px;font-size:20px}.verdict ul{margin:0;padding-left:20px}
.v-at-risk{border-left-color:#c62828}.v-at-risk h2{color:#b71c1c}
.v-review{border-left-color:#e08a00}.v-review h2{color:#9a5b00}
.v-ready{border-left-color:#2e7d32}.v-ready h2{color:#1b5e20}
.overview{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
table.counts{border-collapse:collapse;background:var(--card)}
.counts th,.counts td{border:1px solid var(--line);padding:4px 10px;text-align:right}
.counts th:first-child,.counts td:first-child{text-align:left}
.chart text{font:12px system-ui,sans-serif;fill:var(--fg)}
.filters{position:sticky;top:0;z-index:2;background:var(--bg);padding:10px 0;border-bottom:1px solid var(--line);display:flex;gap:18px;flex-wrap:wrap;align-items:center}
.filters fieldset{border:1px solid var(--line);border-radius:6px;padding:4px 10px;margin:0}
.filters legend{color:var(--muted);font-size:12px}.filters label{margin-right:10px;white-space:nowrap}
.filters input[type=search]{padding:4px 8px;min-width:240px}
details.file{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:10px 0}
details.file>summary{cursor:pointer;padding:8px 12px;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:600;word-break:break-all}
.n{color:var(--muted);font-weight:400}
.finding{border-top:1px solid var(--line);padding:8px 12px;content-visibility:auto;contain-intrinsic-size:auto 150px}
.finding header{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.sev{border-radius:4px;padding:0 6px;color:#fff;font-size:12px;font-weight:600}
.sev-error{background:#c62828}.sev-warning{background:#e08a00}.sev-note{background:#1e88e5}
.loc{font-family:ui-monospace,Menlo,monospace;color:var(--muted)}
.msg{flex:1 1 400px;word-break:break-word}
pre{margin:6px 0 0;padding:6px 0;background:#f3f4f7;border-radius:6px;overflow-x:auto;font:12.5px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace}
.ln{display:block;padding:0 10px;white-space:pre}.ln i{display:inline-block;min-width:3.5em;color:#8a93a5;font-style:normal;user-select:none}
.ln.hl{background:#fff1c2}mark{background:#ffd54f;color:inherit}
.nocode{color:var(--muted);margin:4px 0 0}
.rule{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:10px 0}
.rule h3{margin:0 0 4px;font-size:15px}
.empty{color:var(--muted)}
"""


def _filter_css() -> str:
    rules = [f".hide-c-{c} .finding.c-{c}" for c in CATEGORIES] + [f".hide-s-{s} .finding.s-{s}" for s in SEVERITIES]
    return ",".join(rules) + ",details.file.off{display:none}"


_JS = """(function(){
var root=document.documentElement,boxes=[].slice.call(document.querySelectorAll('.filters input[type=checkbox]')),
search=document.getElementById('path-filter'),files=[].slice.call(document.querySelectorAll('details.file')),
shown=document.getElementById('shown');
function apply(){
  var off={};
  boxes.forEach(function(b){root.classList.toggle('hide-'+b.value,!b.checked);if(!b.checked)off[b.value]=true;});
  var q=search.value.toLowerCase(),total=0;
  files.forEach(function(f){
    var n=0;
    if(!q||f.getAttribute('data-path').toLowerCase().indexOf(q)>=0){
      var items=f.getElementsByClassName('finding');
      for(var i=0;i<items.length;i++){
        var it=items[i];
        if(!off['c-'+it.getAttribute('data-c')]&&!off['s-'+it.getAttribute('data-s')])n++;
      }
    }
    f.classList.toggle('off',n===0);
    total+=n;
  });
  shown.textContent=String(total);
}
boxes.forEach(function(b){b.addEventListener('change',apply);});
search.addEventListener('input',apply);
document.getElementById('filters').addEventListener('submit',function(e){e.preventDefault();apply();});
apply();
})();"""


def to_html(result: RunResult, cwd: Path, verdict: Verdict | None = None, baseline: dict | None = None) -> str:
    verdict = verdict or assess(result.findings)
    rules = all_rules()
    sources = _Sources(cwd)
    findings = result.findings
    counts = Counter((f.category, f.severity) for f in findings)
    categories = [c for c in CATEGORIES if any(counts[(c, s)] for s in SEVERITIES)]
    severities = [s for s in SEVERITIES if any(counts[(c, s)] for c in CATEGORIES)]
    n = len(findings)
    script_hash = base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{script_hash}'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>ats-lint report: {_e(verdict.label)}</title>",
        f"<style>{_CSS}{_filter_css()}</style></head><body><main>",
        "<h1>ats-lint report</h1>",
        f'<p class="meta">ats-lint {_e(__version__)} · {result.files_scanned} file{"s" if result.files_scanned != 1 else ""} scanned · '
        f'{n} finding{"s" if n != 1 else ""}</p>',
        f'<section class="verdict v-{_e(verdict.verdict)}" id="verdict"><h2>Verdict: {_e(verdict.label)}</h2><ul>',
        *(f"<li>{_e(r)}</li>" for r in verdict.reasons),
        "</ul></section>",
    ]
    if n:
        out.append('<h2>Overview</h2><div class="overview"><table class="counts"><thead><tr><th>category</th>')
        out += [f"<th>{s}</th>" for s in SEVERITIES] + ["<th>total</th></tr></thead><tbody>"]
        for c in categories:
            row = [counts[(c, s)] for s in SEVERITIES]
            out.append(f"<tr><td><code>{_e(c)}</code></td>" + "".join(f"<td>{v or ''}</td>" for v in row) + f"<td>{sum(row)}</td></tr>")
        out.append("<tr><th>total</th>" + "".join(f"<th>{sum(counts[(c, s)] for c in CATEGORIES)}</th>" for s in SEVERITIES) + f"<th>{n}</th></tr>")
        out.append("</tbody></table>" + _chart(counts, categories) + "</div>")
        out.append('<h2 id="findings">Findings</h2><form class="filters" id="filters">')
        out.append('<fieldset><legend>category</legend>' + "".join(
            f'<label><input type="checkbox" value="c-{_e(c)}" checked> {_e(c)}</label>' for c in categories) + "</fieldset>")
        out.append('<fieldset><legend>severity</legend>' + "".join(
            f'<label><input type="checkbox" value="s-{_e(s)}" checked> {_e(s)}</label>' for s in severities) + "</fieldset>")
        out.append('<label>path <input type="search" id="path-filter" placeholder="filter by path"></label>')
        out.append(f'<span>showing <b id="shown">{n}</b> of {n}</span></form>')
        by_file: dict[str, list] = defaultdict(list)
        for f in findings:
            by_file[f.path].append(f)
        for path, group in by_file.items():
            lines = sources.lines(path)
            out.append(f'<details class="file" open data-path="{_e(path)}"><summary>{_e(path)} <span class="n">({len(group)})</span></summary>')
            for f in group:
                out.append(
                    f'<article class="finding c-{_e(f.category)} s-{_e(f.severity)}" data-c="{_e(f.category)}" data-s="{_e(f.severity)}">'
                    f'<header><span class="sev sev-{_e(f.severity)}">{_e(f.severity)}</span>'
                    f'<a href="#rule-{_e(f.rule)}">{_e(f.rule)}</a><span class="loc">{f.line}:{f.column}</span>'
                    f'<span class="msg">{_e(f.message)}</span></header>{_code(f, lines)}</article>'
                )
            out.append("</details>")
        out.append("<h2>Rules: what to do</h2>")
        for rule_id in sorted({f.rule for f in findings}):
            rule = rules[rule_id]
            faq = "".join(f"<li>FAQ: {_e(q)}</li>" for q in rule.faq)
            out.append(
                f'<section class="rule" id="rule-{_e(rule.id)}"><h3>{_e(rule.id)} {_e(rule.name)} '
                f'<span class="n">(<code>{_e(rule.category)}</code>, {_e(rule.severity)})</span></h3>'
                f"<p>{_e(rule.summary)}.</p><p><b>Remediation:</b> {_e(' '.join(rule.remediation.split()))}</p>"
                f'<ul>{faq}<li><a href="{_e(rule.help_url)}">full documentation</a> (or <code>ats-lint explain {_e(rule.id)}</code>)</li></ul></section>'
            )
    else:
        out.append('<p class="empty">No findings.</p>')
    if result.errors:
        out.append("<h2>Files that could not be fully scanned</h2><ul>")
        out += [f"<li><code>{_e(e.path)}</code> {_e(e.kind)}: {_e(e.message)}</li>" for e in result.errors]
        out.append("</ul>")
    if baseline is not None:
        out.append(f"<p class=\"meta\">Baseline <code>{_e(baseline['file'])}</code>: {baseline['matched']} known findings not shown; "
                   f"{len(baseline['stale'])} stale entries.</p>")
    out.append("</main>")
    if n:
        out.append(f"<script>{_JS}</script>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
