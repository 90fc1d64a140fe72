"""Values test code writes as stand-ins for a trust store: one bare word (`CAFile: "ca-file"`,
`"AWS_CA_BUNDLE": "custom_ca_bundle"`), a PEM whose body is elided (`MIIC...` then a `...` line) or is no
certificate's base64 (`XXXX`), a file named as a placeholder (`some.cert`), a path
written as a template's placeholder (`/path/to/ca.pem`, not in documentation code kept with the tests), or
any value in a test of parsing (a file named for parsing:
the connection strings and options there are the parser's input and expected output). The text and
syntax-tree scanners ask this before reporting a store (the Python scanner has stand-in rules of its
own); the patterns are the syntax rules' macros `placeholder_word`, `placeholder_file`, `placeholder_path`,
`docs_test_path`, `test_path` and `parsing_test_path` (rules/syntax/languages.yaml)."""
from __future__ import annotations

import re

# a line of a PEM body that is only an ellipsis (`'...\n'`, `\n...\n`, `…`): the certificate is left out
_ELIDED_PEM = re.compile(r"-----BEGIN [A-Z ]{1,40}-----[\s\S]{0,8000}?(?:(?:^|\n|\\n)[ \t]{0,20}(?:\.{3,}|…)[ \t]{0,20}(?:$|\n|\\n))", re.M)
# a PEM block whose body cannot be a certificate (`-----BEGIN CERTIFICATE-----\nXXXX\nXXXX\n-----END
# CERTIFICATE-----`): a placeholder. A DER certificate starts with a SEQUENCE, so its base64 starts with
# `MI`; a real one abbreviated in an example (`MIIDZjCCAk6gAwIBAgIEZ...`) is still a certificate
_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]{1,40}-----([\s\S]{0,400}?)-----END [A-Z ]{1,40}-----")
_NOT_BASE64 = re.compile(r"\\[nr]|[^A-Za-z0-9+/=]")


def _placeholder_pem(value: str) -> bool:
    blocks = _PEM_BLOCK.findall(value)
    return bool(blocks) and not any(_NOT_BASE64.sub("", body).startswith("MI") for body in blocks)


def is_test_stand_in(value: str | None, path: str, *, written: bool = True) -> bool:
    """Is `value`, a store in the file at `path` (relative, `/`-separated), a test's stand-in? A bare word
    only when `written` quoted as the value itself (a text pattern's value may be unquoted); a placeholder
    path or an elided PEM as the scanner hands it (the tree scanner: only a literal written as the value)."""
    from ats_lint.scan.tree.ruledata import compiled

    if compiled("{test_path}").search(path) is None:
        return False
    if compiled("{parsing_test_path}").search(path) is not None:
        return True
    if value is None:
        return False
    if written and compiled("{placeholder_word}").match(value) is not None:
        return True
    if _ELIDED_PEM.search(value) is not None or _placeholder_pem(value):
        return True
    if compiled("{placeholder_file}").search(value.rsplit("/", 1)[-1]) is not None:
        return True
    return compiled("{placeholder_path}").search(value) is not None and compiled("{docs_test_path}").search(path) is None
