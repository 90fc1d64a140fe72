"""`--format html`: one self-contained HTML file for a one-off audit.

A report a person can hand on: a header that says what was scanned (repository, path, commit and
branch of a git tree), when, with which version and command; a plain-language verdict with the
next step; files that could not be read; counts by category and severity with a small bar chart;
the findings grouped by root cause (one trust store and every place that uses it, the pins of one
file with the hosts it calls, one endpoint host and its callers), the most severe first, each with
a few lines of code; and what each rule asks, with its FAQ references linked to a short FAQ.

The file loads nothing from the network (inline CSS, inline SVG, one inline script; a Content
Security Policy forbids every other source and allows only that script, by hash; no inline event
handler). Filtering by category, severity and path toggles classes on the server-rendered DOM, so
it stays quick with thousands of findings.

Everything that comes from the scanned tree (paths, code, messages) is escaped. Code context is
read here, at report time, from the files the findings name: the engine never keeps file text.
"""
from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from ats_lint import __version__
from ats_lint.model import RunResult
from ats_lint.report import escape
from ats_lint.report.verdict import Verdict, assess, next_steps
from ats_lint.resources import load_data
from ats_lint.rules import CATEGORIES, all_rules
from ats_lint.scan.decode import read_text

CONTEXT_LINES = 2  # lines shown above and below a finding
MAX_LINE_CHARS = 240  # longer lines (minified code) are cut
MAX_CONTEXT_FILE_BYTES = 4 * 1024 * 1024
SEVERITIES = ("error", "warning", "note")
_SEVERITY_COLOR = {"error": "#c62828", "warning": "#e08a00", "note": "#1e88e5"}
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def _e(value) -> str:
    return html.escape(escape.visible(value), quote=True)


def _rich(text) -> str:
    """Escaped text with its `backtick` spans rendered as <code>."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:
        return _e(text)
    return "".join(f"<code>{_e(p)}</code>" if i % 2 else _e(p) for i, p in enumerate(parts))


def _faq() -> dict:
    return load_data("faq.yaml")["questions"]


def _faq_link(reference: str) -> str:
    """`What do I need to do? - Resolution option 1` as a link to the report's FAQ entry."""
    question, _, option = reference.partition(" - ")
    entry = _faq().get(question)
    label = f"FAQ “{_e(question)}”" + (f", {_e(option)}" if option else "")
    return f'<a href="#faq-{_e(entry["anchor"])}">{label}</a>' if entry else label


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


def _c(text: str) -> str:
    """Source code for the context lines: escaped, tabs kept as spaces, controls made visible."""
    return html.escape(escape.visible(text.replace("\t", "    ")), quote=True)


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
                body = f"{_c(visible[:start])}<mark>{_c(visible[start:end])}</mark>{_c(visible[end:] + more)}"
            else:
                body = _c(visible + more)
            rows.append(f'<span class="ln hl"><i>{number}</i>{body}</span>')
        else:
            rows.append(f'<span class="ln"><i>{number}</i>{_c(_cut(text))}</span>')
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
.meta{color:var(--muted);margin:0 0 16px;display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}
.meta dt{font-weight:600}.meta dd{margin:0}
.next{font-size:15px;margin:4px 0 8px}.why summary{cursor:pointer;color:var(--muted)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef0f4;border-radius:4px;padding:0 3px;font-size:.92em}
.hint{margin:0;padding:6px 12px;border-top:1px solid var(--line);background:#fafbfc}
.errors li{margin:2px 0}
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
details.group{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:10px 0}
details.group>summary{cursor:pointer;padding:8px 12px;font-weight:600;word-break:break-word}
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
    return ".finding.off,details.group.off{display:none}"


_JS = """(function(){
var boxes=[].slice.call(document.querySelectorAll('.filters input[type=checkbox]')),
search=document.getElementById('path-filter'),groups=[].slice.call(document.querySelectorAll('details.group')),
shown=document.getElementById('shown');
function apply(){
  var off={};
  boxes.forEach(function(b){if(!b.checked)off[b.value]=true;});
  var q=search.value.toLowerCase(),total=0;
  groups.forEach(function(g){
    var items=g.getElementsByClassName('finding'),n=0;
    for(var i=0;i<items.length;i++){
      var it=items[i],on=!off['c-'+it.getAttribute('data-c')]&&!off['s-'+it.getAttribute('data-s')]&&
        (!q||it.getAttribute('data-p').toLowerCase().indexOf(q)>=0);
      it.classList.toggle('off',!on);
      if(on)n++;
    }
    g.classList.toggle('off',n===0);
    total+=n;
  });
  shown.textContent=String(total);
}
boxes.forEach(function(b){b.addEventListener('change',apply);});
search.addEventListener('input',apply);
document.getElementById('filters').addEventListener('submit',function(e){e.preventDefault();apply();});
apply();
})();"""

_SEVERITY_RANK = {"error": 0, "warning": 1, "note": 2}
_STORE_RE = re.compile(r"(?:trust store with|CA bundle) `([^`]*)`")
_FIRST_CODE_RE = re.compile(r"`([^`]*)`")


class _Group:
    def __init__(self, kind: str, subject: str):
        self.kind, self.subject, self.findings = kind, subject, []

    @property
    def severity(self) -> str:
        return min((f.severity for f in self.findings), key=lambda s: _SEVERITY_RANK.get(s, 1))

    def title(self) -> str:
        places = len({(f.path, f.line) for f in self.findings})
        where = f"{places} place{'s' if places != 1 else ''}"
        s = f"<code>{_e(self.subject)}</code>"
        if self.kind == "bundle":
            return f"Trust store {s} lacks the Amazon Trust Services roots — used in {where}"
        if self.kind == "store":
            if all(f.severity == "note" for f in self.findings):
                return f"Trust store {s} already trusts Amazon Trust Services — used in {where}"
            return f"Trust store {s} of unknown content — used in {where}"
        if self.kind == "pins":
            hosts = sum(1 for f in self.findings if f.rule in ("ATS101", "ATS102"))
            return f"Pins in {s}" + (f" and the {hosts} endpoint{'s' if hosts != 1 else ''} they guard" if hosts else "") + f" — {where}"
        if self.kind == "host":
            return f"Default endpoint {s} — called in {where}"
        return f"{s}"

    def hint(self) -> str:
        if self.kind == "bundle":
            return (f"Fix: <code>ats-lint bundle fix {_e(self.subject)}</code> (or <code>ats-lint check --fix</code>), then "
                    f"<code>ats-lint probe --ca-bundle {_e(self.subject)}</code> ({_faq_link('How do I test if my application trust Amazon Trust Services? - Test option 1')})")
        if self.kind == "store" and not all(f.severity == "note" for f in self.findings):
            return f"Check that it holds the Amazon roots: <code>ats-lint bundle inspect FILE</code> on the file it names at run time ({_faq_link('What do I need to do? - Resolution option 1')})"
        if self.kind == "pins":
            return f"Remove the pins or pin the Amazon Trust Services roots instead ({_faq_link('What do I need to do? - Resolution option 1')})"
        return ""


def _groups(findings, cwd: Path) -> list[_Group]:
    """Findings by root cause, the most severe groups first."""
    bundle_at: dict[tuple, str] = {}
    for f in findings:
        if f.rule == "ATS202" and f.data.get("bundle_file"):
            bundle_at[(f.path, f.line, f.column)] = _display(f.data["bundle_file"], cwd)
    pin_files = {f.path for f in findings if f.rule in ("ATS301", "ATS302")}
    groups: dict[tuple, _Group] = {}
    for f in findings:
        store = _STORE_RE.search(f.message)
        if (f.path, f.line, f.column) in bundle_at:
            key = ("bundle", bundle_at[(f.path, f.line, f.column)])
        elif f.rule == "ATS201" and store:
            key = ("store", store.group(1))
        elif f.rule in ("ATS301", "ATS302") or (f.rule in ("ATS101", "ATS102") and f.path in pin_files):
            key = ("pins", f.path)
        elif f.rule in ("ATS101", "ATS102") and _FIRST_CODE_RE.search(f.message):
            key = ("host", _FIRST_CODE_RE.search(f.message).group(1))
        else:
            key = ("place", f"{f.path}:{f.line}")
        groups.setdefault(key, _Group(*key)).findings.append(f)
    kind_order = {"bundle": 0, "pins": 1, "store": 2, "host": 3, "place": 4}
    return sorted(groups.values(), key=lambda g: (_SEVERITY_RANK.get(g.severity, 1), kind_order[g.kind], g.subject))


def _display(path: str, cwd: Path) -> str:
    file = Path(os.path.normpath(cwd / path))
    try:
        return file.relative_to(Path(os.path.normpath(cwd.absolute()))).as_posix()
    except ValueError:
        return file.as_posix()


def _header(result: RunResult, origin, command: str | None, when: datetime) -> str:
    rows = []
    if origin is not None:
        what = f"<b>{_e(origin.name)}</b> <code>{_e(origin.root)}</code>"
        if origin.path not in ("", "."):
            what += f" · path <code>{_e(origin.path)}</code>"
        if origin.git:
            what += (f" · branch <code>{_e(origin.branch)}</code>" if origin.branch else " · detached HEAD")
            what += f" · commit <code>{_e(origin.commit[:12])}</code>" if origin.commit else " · no commit yet"
        rows.append(("Scanned", what))
    rows.append(("When", _e(when.strftime("%Y-%m-%d %H:%M UTC"))))
    rows.append(("Tool", f"ats-lint {_e(__version__)}" + (f" · <code>{_e(command)}</code>" if command else "")))
    n = len(result.findings)
    rows.append(("Result", f'{result.files_scanned} file{"s" if result.files_scanned != 1 else ""} scanned · {n} finding{"s" if n != 1 else ""}'))
    return '<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _faq_section(rule_ids) -> str:
    from ats_lint.rules import all_rules

    wanted = {ref.partition(" - ")[0] for r in rule_ids for ref in all_rules()[r].faq}
    items = []
    for question, entry in _faq().items():
        if question in wanted:
            links = " · ".join(f'<a href="{_e(link["href"])}">{_e(link["text"])}</a>' for link in entry.get("links", []))
            items.append(f'<section class="rule" id="faq-{_e(entry["anchor"])}"><h3>{_e(question)}</h3>'
                         f'<p>{_rich(" ".join(entry["answer"].split()))}</p><p>{links}</p></section>')
    if not items:
        return ""
    return "<h2 id=\"faq\">FAQ (AWS announcement of the move to Amazon Trust Services, in short)</h2>" + "".join(items)


def to_html(result: RunResult, cwd: Path, verdict: Verdict | None = None, baseline: dict | None = None,
            origin=None, command: str | None = None, when: datetime | None = None) -> str:
    verdict = verdict or assess(result.findings)
    when = when or datetime.now(timezone.utc)
    rules = all_rules()
    sources = _Sources(cwd)
    findings = result.findings
    counts = Counter((f.category, f.severity) for f in findings)
    categories = [c for c in CATEGORIES if any(counts[(c, s)] for s in SEVERITIES)]
    severities = [s for s in SEVERITIES if any(counts[(c, s)] for c in CATEGORIES)]
    n = len(findings)
    script_hash = base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()
    title = f"{origin.name}: " if origin is not None else ""
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{script_hash}'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>ats-lint report: {_e(title)}{_e(verdict.label)}</title>",
        f"<style>{_CSS}{_filter_css()}</style></head><body><main>",
        "<h1>ats-lint report: Amazon Trust Services readiness</h1>",
        _header(result, origin, command, when),
        f'<section class="verdict v-{_e(verdict.verdict)}" id="verdict"><h2>Verdict: {_e(verdict.label)}</h2>',
        '<p class="next">' + "<br>".join(_rich(step) for step in next_steps(findings, verdict, lambda p: _display(p, cwd))) + "</p>",
        '<details class="why"><summary>Why</summary><ul>',
        *(f"<li>{_rich(r)}</li>" for r in verdict.reasons),
        "</ul></details></section>",
    ]
    if result.errors:
        out.append(f'<h2 id="errors">Files that could not be fully scanned ({len(result.errors)})</h2><ul class="errors">')
        out += [f"<li><code>{_e(e.path)}</code> {_e(e.kind)}: {_rich(e.message)}</li>" for e in result.errors]
        out.append("</ul>")
    if n:
        out.append('<h2>Overview</h2><div class="overview"><table class="counts"><thead><tr><th>category</th>')
        out += [f"<th>{s}</th>" for s in SEVERITIES] + ["<th>total</th></tr></thead><tbody>"]
        for c in categories:
            row = [counts[(c, s)] for s in SEVERITIES]
            out.append(f"<tr><td><code>{_e(c)}</code></td>" + "".join(f"<td>{v or ''}</td>" for v in row) + f"<td>{sum(row)}</td></tr>")
        out.append("<tr><th>total</th>" + "".join(f"<th>{sum(counts[(c, s)] for c in CATEGORIES)}</th>" for s in SEVERITIES) + f"<th>{n}</th></tr>")
        out.append("</tbody></table>" + _chart(counts, categories) + "</div>")
        groups = _groups(findings, cwd)
        out.append(f'<h2 id="findings">Findings by root cause ({len(groups)})</h2><form class="filters" id="filters">')
        out.append('<fieldset><legend>category</legend>' + "".join(
            f'<label><input type="checkbox" value="c-{_e(c)}" checked> {_e(c)}</label>' for c in categories) + "</fieldset>")
        out.append('<fieldset><legend>severity</legend>' + "".join(
            f'<label><input type="checkbox" value="s-{_e(s)}" checked> {_e(s)}</label>' for s in severities) + "</fieldset>")
        out.append('<label>path <input type="search" id="path-filter" placeholder="filter by path"></label>')
        out.append(f'<span>showing <b id="shown">{n}</b> of {n}</span></form>')
        for group in groups:
            hint = group.hint()
            out.append(f'<details class="group g-{group.kind} s-{_e(group.severity)}" open data-kind="{group.kind}">'
                       f'<summary><span class="sev sev-{_e(group.severity)}">{_e(group.severity)}</span> {group.title()}</summary>'
                       + (f'<p class="hint">{hint}</p>' if hint else ""))
            for f in group.findings:
                out.append(
                    f'<article class="finding c-{_e(f.category)} s-{_e(f.severity)}" data-c="{_e(f.category)}" data-s="{_e(f.severity)}" data-p="{_e(f.path)}">'
                    f'<header><span class="sev sev-{_e(f.severity)}">{_e(f.severity)}</span>'
                    f'<a href="#rule-{_e(f.rule)}">{_e(f.rule)}</a><span class="loc">{_e(f.path)}:{f.line}:{f.column}</span>'
                    f'<span class="msg">{_rich(f.message)}</span></header>{_code(f, sources.lines(f.path))}</article>'
                )
            out.append("</details>")
        out.append("<h2>Rules: what to do</h2>")
        rule_ids = sorted({f.rule for f in findings})
        for rule_id in rule_ids:
            rule = rules[rule_id]
            faq = "".join(f"<li>{_faq_link(q)}</li>" for q in rule.faq)
            out.append(
                f'<section class="rule" id="rule-{_e(rule.id)}"><h3>{_e(rule.id)} {_e(rule.name)} '
                f'<span class="n">(<code>{_e(rule.category)}</code>, {_e(rule.severity)})</span></h3>'
                f"<p>{_rich(rule.summary)}.</p><p><b>Remediation:</b> {_rich(' '.join(rule.remediation.split()))}</p>"
                f'<ul>{faq}<li><a href="{_e(rule.help_url)}">full documentation</a> (or <code>ats-lint rule {_e(rule.id)}</code>)</li></ul></section>'
            )
        out.append(_faq_section(rule_ids))
    else:
        out.append('<p class="empty">No findings.</p>')
    if baseline is not None:
        out.append(f"<p class=\"baseline\">Baseline <code>{_e(baseline['file'])}</code>: {baseline['matched']} known findings not shown; "
                   f"{len(baseline['stale'])} stale entries.</p>")
    out.append("</main>")
    if n:
        out.append(f"<script>{_JS}</script>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
