"""Name binding: which names a module or function binds, and how."""
from __future__ import annotations

import libcst as cst


class Binder(cst.CSTVisitor):
    """Collects every name a piece of code binds (assignments, loops, imports, defs...)."""

    def __init__(self, out: set[str]):
        super().__init__()
        self.out = out
        self.imported: set[str] = set()  # bound by an import
        self.declared: set[str] = set()  # declared `global` or `nonlocal`
        self.other_than_assign: set[str] = set()  # bound by anything but a plain `name = value`

    def _other(self, names: set[str]) -> None:
        self.out.update(names)
        self.other_than_assign.update(names)

    def _bind(self, target: cst.CSTNode) -> None:
        names: set[str] = set()
        bind_names(target, names)
        self._other(names)

    def visit_AssignTarget(self, node) -> None:
        names: set[str] = set()
        bind_names(node.target, names)
        self.out.update(names)
        if not isinstance(node.target, cst.Name):
            self.other_than_assign.update(names)  # tuple unpacking

    def visit_AnnAssign(self, node) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node) -> None:
        self._bind(node.target)

    def visit_For(self, node) -> None:
        self._bind(node.target)

    def visit_AsName(self, node) -> None:
        self._bind(node.name)

    def visit_NamedExpr(self, node) -> None:
        self._bind(node.target)

    def visit_Global(self, node) -> None:
        names = {n.name.value for n in node.names}
        self._other(names)
        self.declared.update(names)

    def visit_Nonlocal(self, node) -> None:
        names = {n.name.value for n in node.names}
        self._other(names)
        self.declared.update(names)

    def visit_ImportAlias(self, node) -> None:
        name = dotted_name(node.asname.name) if node.asname else dotted_name(node.name).split(".")[0]
        self._other({name})
        self.imported.add(name)

    def visit_ImportFrom(self, node) -> None:
        if isinstance(node.names, cst.ImportStar):
            self._other({"*"})

    def visit_FunctionDef(self, node) -> None:
        self._other({node.name.value})

    def visit_ClassDef(self, node) -> None:
        self._other({node.name.value})


class ScopeLocalVisitor(cst.CSTVisitor):
    """A visitor that stays in the scope it starts in: nested functions, classes and lambdas are
    other scopes and are not entered."""

    def visit_FunctionDef(self, node) -> bool:
        return False

    def visit_ClassDef(self, node) -> bool:
        return False

    def visit_Lambda(self, node) -> bool:
        return False


class PlainAssignments(ScopeLocalVisitor):
    """`name = value` statements of one function body (not of nested functions or classes)."""

    def __init__(self, out: dict[str, list[cst.BaseExpression]]):
        super().__init__()
        self.out = out

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            if isinstance(t.target, cst.Name):
                self.out.setdefault(t.target.value, []).append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self.out.setdefault(node.target.value, []).append(node.value)


def bind_names(target: cst.CSTNode, out: set[str]) -> None:
    if isinstance(target, cst.Name):
        out.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            bind_names(element.value, out)
    elif isinstance(target, cst.StarredElement):
        bind_names(target.value, out)


def dotted_name(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted_name(node.value)}.{node.attr.value}"
    return ""
