"""--format markdown: a summary for $GITHUB_STEP_SUMMARY or a pull-request comment."""
from __future__ import annotations

from helpers import run_cli, write_tree

PIN = 'PIN = "{{sha256_hex:DigiCert Global Root G2}}"\n'
CDN = 'CDN = "https://d111.cloudfront.net/a.js"\n'


def markdown(tmp_path, monkeypatch, *args) -> tuple[int, str]:
    code, out, err = run_cli(["check", "--format", "markdown", "--jobs", "1", *args], tmp_path, monkeypatch)
    assert code != 2, err
    return code, out


def test_markdown_opens_with_the_verdict_and_its_reasons(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pin.py": PIN, "cdn.py": CDN})
    code, out = markdown(tmp_path, monkeypatch)
    assert code == 1
    assert out.splitlines()[:6] == [
        "## 🔴 ats-lint: at risk",
        "",
        "**Verdict: at risk** — 2 findings in 2 files scanned.",
        "",
        "- ATS302 DigiCert fingerprint, pin or PEM: pin.py:1",
        "- ATS102 default CloudFront domain called over HTTPS in the scanned files: cdn.py:1",
    ]


def test_markdown_counts_by_category_and_rule_and_lists_findings(tmp_path, monkeypatch):
    write_tree(tmp_path, {"pin.py": PIN, "cdn.py": CDN})
    out = markdown(tmp_path, monkeypatch)[1]
    assert "| `cloudfront-domain` | 0 | 1 | 0 | 1 |" in out
    assert "| `digicert-fingerprint` | 1 | 0 | 0 | 1 |" in out
    assert "| [ATS102](https://github.com/ats-lint/ats-lint/blob/main/docs/rules.md#ats102) | cloudfront-default-domain | 1 |" in out
    assert "<details><summary>Findings (2)</summary>" in out
    assert "| warning | ATS102 | <code>cdn.py:1:7</code> | HTTPS to the default CloudFront domain <code>d111.cloudfront.net</code>" in out


def test_markdown_escapes_table_breakers_and_html_from_the_tree(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a|b<i>.py": CDN})
    out = markdown(tmp_path, monkeypatch)[1]
    assert "<code>a&#124;b&#60;i&#62;.py:1:7</code>" in out
    assert "<i>" not in out


def test_markdown_of_a_clean_tree_is_ready_without_tables(tmp_path, monkeypatch):
    write_tree(tmp_path, {"app.py": "print('hi')\n"})
    code, out = markdown(tmp_path, monkeypatch)
    assert code == 0
    assert out == ("## 🟢 ats-lint: ready\n\n**Verdict: ready** — 0 findings in 1 file scanned.\n\n"
                   "- no narrowed trust in the scanned files: no custom trust store, certificate pin or DigiCert fingerprint\n")


def test_markdown_lists_at_most_a_hundred_findings(tmp_path, monkeypatch):
    write_tree(tmp_path, {"conf.yaml": "".join(f"u{j}: https://d{j}.cloudfront.net/a\n" for j in range(130))})
    out = markdown(tmp_path, monkeypatch)[1]
    assert out.count("| warning | ATS102 |") == 100
    assert "… and 30 more: run `ats-lint check --format html --output report.html` for the full report." in out
