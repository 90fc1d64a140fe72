"""Candidate regions: the statements of a module the rule visitor has to walk.

A file that passes the prefilter usually holds its reasons in a few statements; the visitor would
otherwise walk every node of it. The prefilter's own tests, located by offset (`reason_spans`,
compiled from the rule data), are mapped to statements with CPython's `ast` (already built by
`check_parseable`), and the visitor skips every statement none of them falls in. Statements are
the units of the module body and of the bodies of classes and functions (recursively); a unit
that holds a reason is walked with all its enclosing units (their headers: decorators, defaults,
bases), the other statements of those bodies are skipped. Value resolution is not restricted: it
reads the whole parsed module on demand (module constants, helpers returning dicts, `self.x`
assignments, other modules), so a kept statement resolves what it needs wherever it is.

What reaches across statements in the visitor, and is kept for that reason:
- a mapping handed over with `**` is read where it was filled (`mappings.py`): every `**` is a
  reason of its own;
- an imported name the visitor matches under an alias (`from m import name as other`): every
  occurrence of the alias is a reason;
- a text built with `+=` over several statements is read by the enclosing block, which is kept
  with the `+=` statement (the prefilter's reason for it);
- a digest of the peer certificate tainting names in later statements: the caller walks such a
  file whole.

`ATS_LINT_NO_REGIONS=1` walks every statement and looks for positions in the whole module
(tests/test_regions.py proves identical findings both ways on every rule example, a generated
sample and the devset).
"""
from __future__ import annotations

import ast
import bisect
import os
import re
from dataclasses import dataclass

import libcst as cst

from ats_lint.scan.prefilter import reason_spans

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")  # what CPython's tokenizer counts as a line end
_DOUBLE_STAR_RE = re.compile(r"\*\*")


def disabled() -> bool:
    """ATS_LINT_NO_REGIONS=1: the visitor walks every statement of a file."""
    return os.environ.get("ATS_LINT_NO_REGIONS", "") not in ("", "0")


@dataclass
class _Unit:
    node: cst.CSTNode
    first: int  # first line (decorators included), 1-based
    last: int
    parent: int  # index of the enclosing unit, -1 for the module


@dataclass
class Regions:
    skipped: set[int]  # ids of the libcst statements the visitor may skip
    code_lines: dict[int, int]  # id(top-level statement) -> the line its code (leading comments included) starts on


@dataclass
class Outline:
    """What regions need of CPython's syntax tree, small enough to keep beside libcst's tree:
    each statement of the module, class and function bodies as (ast name, first line with
    decorators, last line, the outline of its body for a def or class), and every
    `from m import name as local` as (name, local)."""

    statements: list[tuple]
    aliases: list[tuple[str, str]]


def outline(tree: ast.Module | None) -> Outline | None:
    if tree is None:
        return None
    aliases: list[tuple[str, str]] = []
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.ImportFrom):
            aliases += [(a.name, a.asname) for a in node.names if a.asname]
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            pending.extend(getattr(node, field, ()))
    return Outline(_outline(tree.body), aliases)


def _outline(body: list[ast.stmt]) -> list[tuple]:
    return [(type(node).__name__, min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))]),
             node.end_lineno or node.lineno,
             _outline(node.body) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None)
            for node in body]


def plan(source: str, tree: Outline | ast.Module | None, module: cst.Module, alias_sources: set[str]) -> Regions:
    """The statements of `module` that the visitor may skip, and where the top-level ones start
    (empty: walk it all). `tree` is CPython's syntax tree of the same source, or its outline;
    `alias_sources` are the imported names whose aliases the visitor matches."""
    if isinstance(tree, ast.Module):
        tree = outline(tree)
    if tree is None or disabled():
        return Regions(set(), {})
    units: list[_Unit] = []
    if not _collect(module.body, tree.statements, -1, units):
        return Regions(set(), {})  # the two parsers disagree on the statements: walk it all
    skipped = _skipped(source, tree, units, alias_sources)
    return Regions(skipped, {id(u.node): u.first - _leading_lines(u.node) for u in units if u.parent == -1})


def skipped_statements(source: str, tree: Outline | ast.Module | None, module: cst.Module, alias_sources: set[str]) -> set[int]:
    """ids of the libcst statements of `module` that the visitor may skip (empty: walk it all)."""
    return plan(source, tree, module, alias_sources).skipped


def _leading_lines(stmt: cst.CSTNode) -> int:
    """Lines of comments and blank lines that libcst generates before the statement's first token."""
    lines = len(getattr(stmt, "leading_lines", ()))
    decorators = getattr(stmt, "decorators", ())
    return lines + (len(decorators[0].leading_lines) if decorators else 0)


def _skipped(source: str, tree: Outline, units: list[_Unit], alias_sources: set[str]) -> set[int]:
    """ids of the units that hold no reason and enclose none."""
    breaks = [m.end() for m in _LINE_BREAK_RE.finditer(source)]
    owner = [-1] * (len(breaks) + 2)  # line -> the innermost unit on it
    for index, unit in enumerate(units):  # parents come before their children
        for line in range(unit.first, min(unit.last, len(owner) - 1) + 1):
            owner[line] = index
    spans = reason_spans(source)
    spans += [m.span() for m in _DOUBLE_STAR_RE.finditer(source)]
    aliases = _aliases(tree, alias_sources)
    if aliases:
        spans += [m.span() for m in re.finditer(r"\b(?:" + "|".join(map(re.escape, sorted(aliases))) + r")\b", source)]
    kept: set[int] = set()
    for start, end in spans:
        first = bisect.bisect_right(breaks, start) + 1
        last = bisect.bisect_right(breaks, max(start, end - 1)) + 1
        for line in range(first, min(last, len(owner) - 1) + 1):
            index = owner[line]
            while index >= 0 and index not in kept:
                kept.add(index)
                index = units[index].parent
    return {id(unit.node) for index, unit in enumerate(units) if index not in kept}


def _collect(body, syntax: list[tuple], parent: int, out: list[_Unit]) -> bool:
    """Pair libcst's statements with `ast`'s (outlined), in order; False when they do not line up."""
    at = 0
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):  # `a = 1; b = 2`: one line, several statements
            group = syntax[at: at + len(stmt.body)]
            at += len(stmt.body)
            if len(group) != len(stmt.body) or any(_name(s) != a[0] for s, a in zip(stmt.body, group)):
                return False
            out.append(_Unit(stmt, group[0][1], group[-1][2], parent))
            continue
        if at >= len(syntax):
            return False
        name, first, last, children = syntax[at]
        at += 1
        if name.removeprefix("Async") != type(stmt).__name__:
            return False
        index = len(out)
        out.append(_Unit(stmt, first, last, parent))
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and isinstance(stmt.body, cst.IndentedBlock):
            if children is None or not _collect(stmt.body.body, children, index, out):
                return False
    return at == len(syntax)


def _name(small: cst.BaseSmallStatement) -> str:
    """The name `ast` gives the same statement (the two parsers agree but for `del`)."""
    name = type(small).__name__
    return "Delete" if name == "Del" else name


def _aliases(tree: Outline, sources: set[str]) -> set[str]:
    """Local names that `from m import name as local` binds, anywhere, for a name in `sources`
    or (an alias of an alias, as the visitor adds them) a local name found so far."""
    names, out = set(sources), set()
    while True:
        found = {local for name, local in tree.aliases if name in names} - out
        if not found:
            return out
        out |= found
        names |= found
