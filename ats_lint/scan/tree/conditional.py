"""Conditional compilation: read one branch of each `#if` as the tree, the others as text.

C#, Swift and Objective-C files may open a block in one branch of `#if ... #else ... #endif` and in
the other (`#if WATCH` / `if (a) {` / `#else` / `if (a || b) {` / `#endif`): both branches together
are not valid code, and the grammar gives up on the whole file; a grammar may also not accept a
directive where the language does (Swift's `#if` around `case` labels of a `switch`). When that
happens the scanner parses the file again with only the first branch of each conditional kept and the
directive lines themselves left out (the `#elif` / `#else` branches and the directives blanked to
spaces, lines and columns unchanged), and reads the blanked branches with the text scanner, so that
nothing in them is lost.
"""
from __future__ import annotations

import re

from ats_lint.scan.text.scanner import blank_text

_DIRECTIVE = re.compile(r"[ \t]{0,200}#[ \t]{0,20}(ifn?def|if|elif|elseif|else|endif)\b")
_WORDS = {"ifdef": "if", "ifndef": "if", "elseif": "elif"}  # C's `#ifdef`, Swift's `#elseif`


def first_branches(text: str) -> tuple[str, str] | None:
    """(the text with only each conditional's first branch and no directive line, the text with only
    the other branches), both the length of `text` with the left-out characters blanked; None when
    the file has no conditional, or its conditionals do not balance."""
    kept: list[str] = []
    removed: list[str] = []
    stack: list[bool] = []  # per open `#if`: is the current branch left out?
    seen = False
    for line in text.splitlines(keepends=True):
        m = _DIRECTIVE.match(line)
        word = _WORDS.get(m.group(1), m.group(1)) if m else None
        outer_skipped = any(stack[:-1]) if word in ("elif", "else", "endif") else any(stack)
        if word == "if":
            stack.append(False)
            seen = True
        elif word in ("elif", "else"):
            if not stack:
                return None
            stack[-1] = True
        elif word == "endif":
            if not stack:
                return None
            stack.pop()
        skip = any(stack) or word in ("elif", "else") or (word is not None and outer_skipped)
        blank = blank_text(line)
        kept.append(blank if skip or word is not None else line)
        removed.append(line if skip else blank)
    if stack or not seen:
        return None
    return "".join(kept), "".join(removed)
