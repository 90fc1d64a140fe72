"""Text from the scanned tree made safe for each output: no control character, no forged line.

A scanned repository chooses its file names and the strings ats-lint quotes back. None of them
may reach a terminal, a CI log or a rendered Markdown page as anything but visible text:

- `visible`: control characters (C0, DEL, C1), line and paragraph separators and the Unicode
  bidirectional controls become visible escapes (`\\n`, `\\x1b`, `\\u202e`), so a value can
  neither start a new output line (a forged finding or `::error` workflow command) nor drive the
  terminal (`ESC ]0;title BEL`) nor reorder what the reader sees;
- `path`: `visible`, and quoted like `ls` does when the name could be read as more than a name
  (a `:` that would forge `path:line:col:`, quotes, leading or trailing space);
- `markdown`: `visible`, then every character Markdown or GitHub gives a meaning to (links,
  images, emphasis, tables, HTML, `@mentions`, autolinked URLs) is written as an entity or
  broken with an invisible joiner, so the value renders as the same characters and nothing else;
- `json_text`: JSON that `json.dumps` leaves raw but a terminal would obey (DEL, C1, separators).
"""
from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    ch = match.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text) -> str:
    """`text` with every control character written as a visible escape."""
    return _CONTROL.sub(_escape, str(text))


def path(text) -> str:
    """A path for a `path:line:col:` line: visible, and quoted when it could forge one."""
    shown = visible(text)
    if shown != str(text) or any(c in shown for c in ":'\"") or shown != shown.strip():
        return "'" + shown.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return shown


# Characters that open Markdown or HTML syntax inside a line (links and images need `[`, code
# spans a backtick, emphasis `*`/`_`/`~`, tables `|`, HTML `<`/`&`): written as numeric entities,
# which render as the character itself and never as syntax.
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>&|~#]")
_JOINER = "\u2060"  # WORD JOINER: invisible; breaks what GitHub links in plain text


def markdown(text) -> str:
    """Scanned text safe inside Markdown (a list item, a table cell): it renders as itself."""
    out = _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(0))};", visible(text))
    # GitHub links @mentions, #123 references and bare URLs in plain text: break each one.
    out = out.replace("@", "@" + _JOINER).replace("&#35;", "&#35;" + _JOINER).replace("://", ":" + _JOINER + "//")
    return re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:3] + _JOINER + ".", out)


def markdown_with_code(text) -> str:
    """Like `markdown`, with the message's own `backtick` spans rendered as <code>."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # unbalanced: no code spans
        return markdown(text)
    return "".join(f"<code>{markdown(p)}</code>" if i % 2 else markdown(p) for i, p in enumerate(parts))


_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(document: str) -> str:
    """A `json.dumps(..., ensure_ascii=False)` document with the characters it leaves raw escaped."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)
