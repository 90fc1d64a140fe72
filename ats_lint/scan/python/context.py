"""Where a hit inside a string sits, and strings built up over several statements.

- A hit inside a multi-line string is reported on its own line and column, not on the line
  where the string opens (`inner_span`, resolved with the other positions in one pass).
- `url = "https://s3-accelerate."` followed in the same block by `url += "amazonaws.com"` is one
  text: `accumulated_texts` yields it, with the statement each piece comes from.
"""
from __future__ import annotations

from typing import Callable, Iterator

import libcst as cst

from ats_lint.scan.python.values import STRINGS, hole_for, static_text
from ats_lint.scan.sink import DeferredSpan


class InnerSpan:
    """A position inside a string node: lines and columns relative to the node's first character."""

    __slots__ = ("node", "line", "column", "end_line", "end_column")

    def __init__(self, node: cst.CSTNode, line: int, column: int, end_line: int, end_column: int):
        self.node, self.line, self.column, self.end_line, self.end_column = node, line, column, end_line, end_column


def _relative(code: str, offset: int) -> tuple[int, int]:
    """(lines after the first, column offset) of `offset` in `code`."""
    line = code.count("\n", 0, offset)
    column = offset - (code.rfind("\n", 0, offset) + 1) if line else offset
    return line, column


def inner_span(mod, node: cst.CSTNode, text: str, start: int, end: int) -> DeferredSpan:
    """The span of `text[start:end]` (the string's value) in the source of `node`: the same
    occurrence of that text in the source, or the whole node when escapes hide it."""
    needle = text[start:end]
    try:
        code = mod.module.code_for_node(node)
    except Exception:  # noqa: BLE001 - positions only
        return mod.span(node)
    occurrence = text.count(needle, 0, start) if needle else 0
    found = -1
    for _ in range(occurrence + 1):
        found = code.find(needle, found + 1)
        if found < 0:
            return mod.span(node)
    line, column = _relative(code, found)
    end_line, end_column = _relative(code, found + len(needle))
    mod.hint(node)
    return DeferredSpan(InnerSpan(node, line, column, end_line, end_column))


def resolve_positions(module: cst.Module, anchors: list, positions_of) -> dict:
    """Positions of reported nodes and of spans inside string nodes, in one pass."""
    nodes = [a.node if isinstance(a, InnerSpan) else a for a in anchors]
    found = positions_of(module, nodes)
    out = {}
    for anchor in anchors:
        if not isinstance(anchor, InnerSpan):
            out[id(anchor)] = found[id(anchor)]
            continue
        line, column, _, _ = found[id(anchor.node)]
        start = (line + anchor.line, column + anchor.column if anchor.line == 0 else anchor.column + 1)
        end = (line + anchor.end_line, column + anchor.end_column if anchor.end_line == 0 else anchor.end_column + 1)
        out[id(anchor)] = (*start, *end)
    return out


# --------------------------------------------------------------------------- accumulated strings


def _pieces(expr: cst.BaseExpression) -> list[tuple[cst.CSTNode, str]] | None:
    """(node, static text) pieces of a string expression or a `+` of them; None if no string."""
    operands: list[cst.BaseExpression] = []
    pending = [expr]
    while pending:
        e = pending.pop()
        if isinstance(e, cst.BinaryOperation) and isinstance(e.operator, cst.Add):
            pending += [e.right, e.left]
        else:
            operands.append(e)
    if not any(isinstance(o, STRINGS) for o in operands):
        return None
    return [(o, static_text(o) if isinstance(o, STRINGS) else hole_for(o)) for o in operands]


def accumulated_texts(body: list[cst.CSTNode]) -> Iterator[list[tuple[cst.CSTNode, str]]]:
    """For each name a block assigns a string and then extends with `+=` in the same block:
    the pieces of the whole text, in order (conditional additions in nested blocks are left out:
    the text without them is one the code can build)."""
    building: dict[str, list[tuple[cst.CSTNode, str]]] = {}
    extended: set[str] = set()

    def finish(name: str):
        pieces = building.pop(name, None)
        if pieces is not None and name in extended:
            yield pieces
        extended.discard(name)

    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                name = small.targets[0].target.value
                yield from finish(name)
                pieces = _pieces(small.value)
                if pieces is not None:
                    building[name] = pieces
            elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name) and small.target.value in building:
                name = small.target.value
                pieces = _pieces(small.value) if isinstance(small.operator, cst.AddAssign) else None
                if pieces is None:
                    building.pop(name, None)
                    extended.discard(name)
                else:
                    building[name] += pieces
                    extended.add(name)
    for name in list(building):
        yield from finish(name)


def crossing_hits(pieces: list[tuple[cst.CSTNode, str]], find: Callable[[str], Iterator]) -> Iterator[tuple[object, cst.CSTNode]]:
    """Host hits of the joined text that span two pieces or more (a hit inside one piece is
    found where that string is visited), with the piece the hit starts in."""
    starts, offset = [], 0
    for _, piece in pieces:
        starts.append(offset)
        offset += len(piece)
    text = "".join(piece for _, piece in pieces)
    for hit in find(text):
        first = max(i for i, s in enumerate(starts) if s <= hit.start)
        last = max(i for i, s in enumerate(starts) if s < hit.end)
        if first != last:
            node = pieces[first][0]
            yield hit, node
