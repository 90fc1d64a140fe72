"""Value flow through dicts: what a mapping handed to a call with `**` (or as an option mapping
such as `sslopt=`) holds, key by key, and where each value was put into it.

A mapping is followed through dict literals, `dict(...)`, `name[key] = value`, `.update(...)`,
`.setdefault(...)`, `.copy()`, `{**other}` and helpers of the same module (functions and methods
of the same class) that return one, within the function that builds it and across the functions
of the module. A parameter is the caller's mapping: plumbing, no entries.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ats_lint.scan.python.bindings import ScopeLocalVisitor
from ats_lint.scan.python.parse import walk
from ats_lint.scan.python.values import STRINGS, static_text

_MAX_DEPTH = 8
_UPDATE_METHODS = ("update", "setdefault")


@dataclass(frozen=True)
class Entry:
    """A key put into a mapping: its value, where it was put, and the code that holds it."""

    key: str
    value: cst.BaseExpression
    anchor: cst.CSTNode
    container: cst.CSTNode  # the FunctionDef or Module whose names the value uses
    group: int | None  # id of the dict literal or `dict(...)` call it was written in with its siblings


@dataclass
class _Events:
    """What one function (or the module body) does to each name, in source order."""

    assigns: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    items: dict[str, list[tuple[str, cst.BaseExpression, cst.CSTNode]]] = field(default_factory=dict)
    updates: dict[str, list[cst.Call]] = field(default_factory=dict)
    params: set[str] = field(default_factory=set)


class _Collect(ScopeLocalVisitor):
    def __init__(self, events: _Events):
        super().__init__()
        self.events = events

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            target = t.target
            if isinstance(target, cst.Name):
                self.events.assigns.setdefault(target.value, []).append(node.value)
            elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                key = _subscript_key(target)
                if key is not None:
                    self.events.items.setdefault(target.value.value, []).append((key, node.value, target))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _UPDATE_METHODS:
            self.events.updates.setdefault(func.value.value, []).append(node)


def _subscript_key(target: cst.Subscript) -> str | None:
    if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
        key = target.slice[0].slice.value
        if isinstance(key, cst.SimpleString):
            return static_text(key)
    return None


class Mappings:
    """Entries of the mappings of one module."""

    def __init__(self, module: cst.Module):
        self.module = module
        self._events: dict[int, _Events] = {}
        self.functions: dict[str, cst.FunctionDef] = {}  # module-level functions by name
        self.methods: dict[int, dict[str, cst.FunctionDef]] = {}  # id(method) -> its class's methods
        for stmt in module.body:
            if isinstance(stmt, cst.FunctionDef):
                self.functions[stmt.name.value] = stmt
            elif isinstance(stmt, cst.ClassDef):
                methods = {s.name.value: s for s in stmt.body.body if isinstance(s, cst.FunctionDef)}
                for m in methods.values():
                    self.methods[id(m)] = methods
        self._visiting: set[int] = set()

    def is_top_level(self, container: cst.CSTNode) -> bool:
        """A module-level function or a method: its free names are module-level names."""
        return container is self.module or id(container) in self.methods or any(f is container for f in self.functions.values())

    def _events_of(self, container: cst.CSTNode) -> _Events:
        key = id(container)
        if key not in self._events:
            events = _Events()
            if isinstance(container, cst.FunctionDef):
                p = container.params
                events.params = {x.name.value for x in (*p.params, *p.kwonly_params, *p.posonly_params)}
                for star in (p.star_arg, p.star_kwarg):
                    if isinstance(star, cst.Param):
                        events.params.add(star.name.value)
                walk(_Collect(events), container.body)
            else:
                walk(_Collect(events), container)
            self._events[key] = events
        return self._events[key]

    def entries(self, expr: cst.BaseExpression, container: cst.CSTNode, depth: int = 0) -> list[Entry]:
        """The keys `expr` (evaluated in `container`) may hold, each with where it was put."""
        if depth > _MAX_DEPTH or id(expr) in self._visiting:
            return []
        self._visiting.add(id(expr))
        try:
            return self._entries(expr, container, depth)
        finally:
            self._visiting.discard(id(expr))

    def _entries(self, expr: cst.BaseExpression, container: cst.CSTNode, depth: int) -> list[Entry]:
        if isinstance(expr, cst.Dict):
            out: list[Entry] = []
            for element in expr.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, STRINGS):
                    out.append(Entry(static_text(element.key), element.value, element, container, id(expr)))
                elif isinstance(element, cst.StarredDictElement):
                    out += self.entries(element.value, container, depth + 1)
            return out
        if isinstance(expr, cst.Call):
            return self._call_entries(expr, container, depth)
        if isinstance(expr, cst.Name):
            return self._name_entries(expr.value, container, depth)
        if isinstance(expr, (cst.IfExp,)):
            return self.entries(expr.body, container, depth + 1) + self.entries(expr.orelse, container, depth + 1)
        if isinstance(expr, cst.BooleanOperation):
            return self.entries(expr.left, container, depth + 1) + self.entries(expr.right, container, depth + 1)
        return []

    def _call_entries(self, call: cst.Call, container: cst.CSTNode, depth: int) -> list[Entry]:
        func = call.func
        if isinstance(func, cst.Name) and func.value == "dict":
            out = [Entry(a.keyword.value, a.value, a, container, id(call)) for a in call.args if a.keyword is not None]
            for a in call.args:
                if a.keyword is None:
                    out += self.entries(a.value, container, depth + 1)
            return out
        if isinstance(func, cst.Attribute) and func.attr.value == "copy" and not call.args:
            return self.entries(func.value, container, depth + 1)
        helper = self._helper(func, container)
        if helper is None:
            return []
        out = []
        for ret in _returns(helper):
            out += self.entries(ret, helper, depth + 1)
        return out

    def _helper(self, func: cst.BaseExpression, container: cst.CSTNode) -> cst.FunctionDef | None:
        """A function of this module that `func` names: a module-level function, or a method of
        the caller's class called on `self`/`cls`."""
        if isinstance(func, cst.Name):
            if isinstance(container, cst.FunctionDef) and func.value in self._events_of(container).assigns:
                return None  # a local rebinding
            return self.functions.get(func.value)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            return self.methods.get(id(container), {}).get(func.attr.value)
        return None

    def _name_entries(self, name: str, container: cst.CSTNode, depth: int) -> list[Entry]:
        events = self._events_of(container)
        if name in events.params:
            return []  # the caller's mapping: plumbing
        bound = name in events.assigns or name in events.items or name in events.updates
        if not bound and container is not self.module and self.is_top_level(container):
            return self._name_entries(name, self.module, depth + 1)  # a module-level mapping
        out: list[Entry] = []
        for value in events.assigns.get(name, ()):
            out += self.entries(value, container, depth + 1)
        for key, value, target in events.items.get(name, ()):
            out.append(Entry(key, value, target, container, None))
        for call in events.updates.get(name, ()):
            out += self._update_entries(call, container, depth)
        return out

    def _update_entries(self, call: cst.Call, container: cst.CSTNode, depth: int) -> list[Entry]:
        method = call.func.attr.value  # type: ignore[union-attr]
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if method == "setdefault":
            if len(positional) >= 2 and isinstance(positional[0].value, cst.SimpleString):
                return [Entry(static_text(positional[0].value), positional[1].value, call, container, None)]
            return []
        out = [Entry(a.keyword.value, a.value, a, container, id(call)) for a in call.args if a.keyword is not None]
        for a in positional:
            out += self.entries(a.value, container, depth + 1)
        return out


def _returns(func: cst.FunctionDef) -> list[cst.BaseExpression]:
    found: list[cst.BaseExpression] = []

    class Returns(ScopeLocalVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            if node.value is not None:
                found.append(node.value)

    walk(Returns(), func.body)
    return found
