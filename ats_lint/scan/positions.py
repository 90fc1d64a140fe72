"""Positions of a few libcst nodes, computed in one code-generation pass.

libcst's PositionProvider records a position for every node and splits every token with a
regex to do so; that is most of the cost of scanning a file that has findings. ats-lint needs
positions only for the handful of nodes it reports, so this pass counts lines over the tokens
generated so far only when it reaches one of those nodes. Positions are 1-based lines and
columns; a node starts at its first token (the same as PositionProvider for the expressions,
arguments and targets ats-lint reports).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import (
    CodegenState,  # the documented hook PositionProvider itself uses
)


@dataclass(frozen=False)
class _TargetPositionState(CodegenState):
    targets: frozenset = frozenset()
    found: dict = field(default_factory=dict)
    starts: dict = field(default_factory=dict)
    counted: int = 0
    line: int = 1
    column: int = 0

    def _here(self) -> tuple[int, int]:
        tokens = self.tokens
        for index in range(self.counted, len(tokens)):
            token = tokens[index]
            newlines = token.count("\n")
            if newlines:
                self.line += newlines
                self.column = len(token) - token.rfind("\n") - 1
            else:
                self.column += len(token)
        self.counted = len(tokens)
        return self.line, self.column

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets and key not in self.starts:
            self.starts[key] = self._here()

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets and key not in self.found:
            line, column = self.starts[key]
            end_line, end_column = self._here()
            self.found[key] = (line, column + 1, end_line, end_column + 1)

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node=None, end_node=None):
        """Where libcst marks a node's syntax inside its parentheses and owned whitespace, that is
        its position (recorded first, so `after_codegen` keeps it)."""
        key = id(node)
        if key not in self.targets or start_node is not None or end_node is not None:
            yield
            return
        line, column = self._here()
        try:
            yield
        finally:
            end_line, end_column = self._here()
            self.found.setdefault(key, (line, column + 1, end_line, end_column + 1))


def positions_of(module: cst.Module, nodes: list[cst.CSTNode], statements: dict | None = None,
                 line_starts: list[int] | None = None, source: str = "") -> dict[int, tuple[int, int, int, int]]:
    """{id(node): (line, column, end_line, end_column)} for `nodes` of `module`.

    `statements` (optional) names, for a node, the top-level statement that probably holds it and
    the line its code starts on: such a statement alone is generated, its lines shifted, when its
    code is found in `source` at that line (`line_starts`: offset of each line, 1-based). Nodes
    not found that way are located in one pass over the whole module."""
    found: dict[int, tuple[int, int, int, int]] = {}
    groups: dict[int, tuple[cst.CSTNode, int, list[cst.CSTNode]]] = {}
    for node in nodes if statements else ():
        hint = statements.get(id(node))
        if hint is not None:
            groups.setdefault(id(hint[0]), (*hint, []))[2].append(node)
    for statement, line, members in groups.values():
        state = _state(module, members)
        statement._codegen(state)
        if not 0 < line < len(line_starts) or not source.startswith("".join(state.tokens), line_starts[line]):
            continue  # not where it was expected: the whole module below
        for key, (start_line, column, end_line, end_column) in state.found.items():
            found[key] = (start_line + line - 1, column, end_line + line - 1, end_column)
    rest = [n for n in nodes if id(n) not in found]
    if rest:
        state = _state(module, rest)
        module._codegen(state)
        found.update(state.found)
    return found


def _state(module: cst.Module, nodes: list[cst.CSTNode]) -> _TargetPositionState:
    return _TargetPositionState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        targets=frozenset(id(n) for n in nodes),
    )
