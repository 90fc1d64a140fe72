"""--format html: one self-contained, escaped file; rendered in headless Chromium when it is installed."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from cdp import Page, find_chromium
from helpers import run_cli, write_tree

REPO = Path(__file__).resolve().parent.parent
HOSTILE = 'URL = "https://x.s3.amazonaws.com/</script><script>alert(1)</script>"\n'
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed (.ci/run installs it with apt-get)")


def html_report(cwd: Path, monkeypatch, *args: str, output: Path | None = None) -> str:
    output = output or cwd / "report.html"
    code, out, err = run_cli(["check", "--format", "html", "--output", str(output), "--jobs", "1", *args], cwd, monkeypatch)
    assert code in (0, 1), err
    assert out == ""
    return output.read_text(encoding="utf-8")


def many_findings_tree(root: Path, files: int = 300, per_file: int = 10) -> Path:
    return write_tree(root, {
        f"conf/svc{i:03d}.yaml": "".join(f"url{j}: https://bucket{i}x{j}.s3.amazonaws.com/key\n" for j in range(per_file))
        for i in range(files)
    })


def test_report_is_self_contained_with_no_external_resource(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app/storage.py": 'URL = "https://labels.s3.amazonaws.com/a"\n'})
    page = html_report(tmp_path, monkeypatch)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<link|<img|<iframe|\bsrc=|@import|url\(", page, re.I)
    assert "default-src 'none'" in page  # the Content Security Policy forbids loading anything else
    assert page.count("<script>") == 1
    # no inline event handler: the policy allows only the hashed script, so one would be blocked
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page, re.I)


def test_report_shows_verdict_counts_chart_findings_with_context_and_rule_reference(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app/storage.py": "import os\n\n\nBUCKET = 'labels'\nURL = \"https://labels.s3.amazonaws.com/a\"\nTIMEOUT = 5\n\n\nX = 1\n"})
    page = html_report(tmp_path, monkeypatch)
    assert page.index("Verdict: ready") < page.index("<svg")  < page.index('data-p="app/storage.py"')
    assert '<tr><td><code>s3-endpoint</code></td><td></td><td>1</td><td></td><td>1</td></tr>' in page
    context = re.search(r"<pre>(.*?)</pre>", page, re.S).group(1)
    assert [re.sub(r"<[^>]+>", "", line) for line in context.split("</span>") if line] == [
        "3", "4BUCKET = &#x27;labels&#x27;", '5URL = &quot;https://labels.s3.amazonaws.com/a&quot;', "6TIMEOUT = 5", "7"]
    assert '<span class="ln hl"><i>5</i>URL = <mark>&quot;https://labels.s3.amazonaws.com/a&quot;</mark></span>' in page
    assert 'id="rule-ATS101"' in page and "Resolution option 1" in page


def test_content_from_the_scanned_tree_is_escaped(tmp_path, monkeypatch):
    write_tree(tmp_path, {"x<img src=y>.py": HOSTILE})
    page = html_report(tmp_path, monkeypatch)
    assert "alert(1)</script>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "x&lt;img src=y&gt;.py" in page


def test_a_file_that_vanished_after_the_scan_gets_no_context_and_no_crash(tmp_path, monkeypatch):
    from ats_lint.engine.config import Settings
    from ats_lint.engine.run import run
    from ats_lint.report.html import to_html

    write_tree(tmp_path, {"a.py": 'URL = "https://b.s3.amazonaws.com/k"\n'})
    result = run([tmp_path], Settings(jobs=1), tmp_path)
    (tmp_path / "a.py").unlink()
    assert "(source not available)" in to_html(result, tmp_path)


def test_three_thousand_findings_stay_reasonably_sized(tmp_path, monkeypatch):
    many_findings_tree(tmp_path)
    page = html_report(tmp_path, monkeypatch)
    assert page.count('<article class="finding') == 3000
    assert len(page.encode()) < 3_500_000


@needs_chromium
def test_demo_report_loads_in_chromium_without_console_errors_and_filters(tmp_path, monkeypatch):
    html_report(REPO, monkeypatch, "examples/demo", output=tmp_path / "demo.html")
    visible = "[...document.querySelectorAll('.finding')].filter(e => e.offsetParent !== null).length"
    with Page() as page:
        page.load(tmp_path / "demo.html")
        total = page.evaluate("document.querySelectorAll('.finding').length")
        assert total >= 12
        assert page.evaluate(visible) == total
        assert page.evaluate("document.getElementById('shown').textContent") == str(total)
        assert page.evaluate("document.querySelector('.verdict h2').textContent") == "Verdict: at risk"
        # grouping is visible: the partner bundle is one group holding its three places, shown first
        first = page.evaluate("document.querySelector('details.group summary').textContent")
        assert first == "error Trust store examples/demo/certs/partner-ca-bundle.pem lacks the Amazon Trust Services roots — used in 3 places"
        assert page.evaluate("[...document.querySelector('details.group').querySelectorAll('.finding .loc')].map(e => e.textContent)") == [
            "examples/demo/Dockerfile:13:5", "examples/demo/Dockerfile:13:5", "examples/demo/scripts/publish_manifests.sh:7:8",
            "examples/demo/scripts/publish_manifests.sh:7:8", "examples/demo/shipping/storage.py:10:31", "examples/demo/shipping/storage.py:10:31"]
        assert page.evaluate("document.querySelector('details.group').offsetHeight") > 200
        # inline code is code, not backticks; FAQ references are links to the report's FAQ
        assert page.evaluate("[...document.querySelectorAll('.msg')].some(m => m.textContent.includes('`'))") is False
        assert page.evaluate("document.querySelectorAll('.msg code').length") >= total
        assert page.evaluate("[...document.querySelectorAll('a[href^=\"#faq-\"]')].every(a => document.querySelector(a.getAttribute('href')))")
        # unticking a category hides exactly its findings, and groups left empty
        endpoints = page.evaluate("document.querySelectorAll('.finding.c-s3-endpoint').length")
        page.evaluate("(b => { b.click(); })(document.querySelector('input[value=\"c-s3-endpoint\"]'))")
        assert page.evaluate("document.getElementById('shown').textContent") == str(total - endpoints)
        assert page.evaluate(visible) == total - endpoints
        assert page.evaluate("[...document.querySelectorAll('details.group')].every(d => (d.offsetParent === null) === "
                             "[...d.querySelectorAll('.finding')].every(f => f.offsetParent === null))")
        page.evaluate("(b => { b.click(); })(document.querySelector('input[value=\"c-s3-endpoint\"]'))")
        assert page.evaluate("document.getElementById('shown').textContent") == str(total)
        page.evaluate("(s => { s.value = 'pinning'; s.dispatchEvent(new Event('input')); })(document.getElementById('path-filter'))")
        pinning = page.evaluate("document.querySelectorAll('.finding[data-p$=\"pinning.py\"]').length")
        assert pinning == 3
        assert page.evaluate("document.getElementById('shown').textContent") == str(pinning) and page.evaluate(visible) == pinning
        # Enter in the path filter submits the form: the page stays, and so does the filter
        page.evaluate("window.__same_page = 1; document.getElementById('filters').requestSubmit()")
        time.sleep(0.3)
        assert page.evaluate("window.__same_page === 1 && document.getElementById('path-filter').value") == "pinning"
        assert page.evaluate(visible) == pinning
        page.screenshot(tmp_path / "report.png")
        assert page.problems == []
    assert (tmp_path / "report.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@needs_chromium
def test_hostile_repository_cannot_run_script_in_the_report(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": HOSTILE, "x<b onmouseover=alert(2)>.py": HOSTILE})
    html_report(tmp_path, monkeypatch)
    with Page() as page:
        page.load(tmp_path / "report.html")
        assert page.evaluate("document.querySelectorAll('.finding').length") == 2
        assert page.evaluate("document.scripts.length") == 1
        assert page.evaluate("[...document.querySelectorAll('mark')].map(m => m.textContent)") == [
            '"https://x.s3.amazonaws.com/</script><script>alert(1)</script>"'] * 2
        assert page.problems == []  # no dialog, no CSP violation, no error


@needs_chromium
def test_three_thousand_findings_load_in_chromium(tmp_path, monkeypatch):
    many_findings_tree(tmp_path)
    html_report(tmp_path, monkeypatch)
    with Page() as page:
        page.load(tmp_path / "report.html")
        assert page.evaluate("document.getElementById('shown').textContent") == "3000"
        page.evaluate("(b => { b.click(); })(document.querySelector('input[value=\"s-warning\"]'))")
        assert page.evaluate("document.getElementById('shown').textContent") == "0"
        assert page.problems == []
