"""Value evaluation: what an expression evaluates to as far as trust is concerned, across
constants, imports, `os.path.join`/`pathlib`, f-strings and the string helpers they need."""
from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata.scope_provider import Assignment, ImportAssignment

from ats_lint.resources import load_data
from ats_lint.scan.python.bindings import Binder, PlainAssignments, dotted_name
from ats_lint.scan.python.parse import walk
from ats_lint.scan.python.project import ParsedModule, Project
from ats_lint.trust import judge as trust

STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
HOLE = "{}"  # stands for a part of a string that is not known statically
_MAX_DEPTH = 12
_MAX_STEPS = 20_000  # expressions evaluated for one top-level value: bounds any fan-out the memo misses


@functools.lru_cache(maxsize=1)
def signatures() -> dict:
    return load_data("python.yaml")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Value:
    """What an expression evaluates to, as far as trust is concerned."""

    kind: str  # "str", "path", "default", "unknown", "param", "env", "module"
    text: str = ""

    @property
    def is_store(self) -> bool:
        return self.kind in ("str", "path", "unknown")


DEFAULT = Value("default")
PARAM = Value("param")
ENV = Value("env")
CYCLE = Value("cycle")


def _combine(values: list[Value]) -> Value:
    """A value that may be any of `values`: the most concerning one decides."""
    if len(values) == 1:
        return values[0]
    for kind in ("str", "path", "unknown"):
        for v in values:
            if v.kind == kind and not (kind == "str" and trust.is_default_store_text(v.text)):
                return v
    for kind in ("param", "env", "module", "cycle"):
        for v in values:
            if v.kind == kind:
                return v
    return DEFAULT




class Evaluator:
    """Static evaluation of trust-relevant expressions, within one module and across imports."""

    def __init__(self, project: Project):
        self.project = project
        self.sig = signatures()
        calls = self.sig["path_calls"]
        self.default_calls = set(self.sig["default_store_calls"])
        self.env_reads = set(self.sig["env_read_calls"])
        self.join_calls = set(calls["join"])
        self.construct_calls = set(calls["construct"])
        self.identity_calls = set(calls["identity"])
        self.dirname_calls = set(calls["directory_of"])
        self.path_methods = set(calls["path_methods"])
        self.bool_calls = set(self.sig.get("bool_calls", ()))
        reads = self.sig.get("file_reads", {})
        self.open_calls = set(reads.get("open_calls", ()))
        self.read_methods = set(reads.get("read_methods", ())) | set(reads.get("path_read_methods", ()))
        self._visiting: set[int] = set()
        # Lexical context the visitor knows without a scope analysis: id(Name) -> the function
        # that contains it (or the module), for the names of the expression being evaluated.
        self.enclosing: dict[int, cst.CSTNode] = {}
        self.nested: set[int] = set()  # ids of functions defined inside another function
        self.classes: dict[int, cst.ClassDef] = {}  # id(`self` Name) -> the class of the method
        self._locals: dict[int, tuple[set[str], set[str]]] = {}
        self._constants: dict[tuple, tuple] = {}  # module constants already evaluated (`A1 = join(A0, A0, ...)` chains)
        self._steps = 0

    def note_context(self, expr: cst.CSTNode, container: cst.CSTNode | None, nested: bool = False, cls: cst.ClassDef | None = None) -> None:
        """Record that the names in `expr` sit directly in `container` (a FunctionDef or Module;
        `nested`: a function inside another function)."""
        if container is None:
            return
        if nested:
            self.nested.add(id(container))
        class Names(cst.CSTVisitor):
            def visit_Name(inner, name: cst.Name) -> None:
                self.enclosing[id(name)] = container
                if cls is not None and name.value == "self":
                    self.classes[id(name)] = cls

            def visit_Lambda(inner, node: cst.Lambda) -> bool:
                return False  # a lambda has its own scope

        walk(Names(), expr)

    def _function_bindings(self, func: cst.FunctionDef):
        """(parameters, every name bound inside, plain local assignments name -> [values],
        names bound in any other way or in nested scopes, names bound by an import, names declared
        `global`/`nonlocal`), computed once per function."""
        key = id(func)
        if key not in self._locals:
            params = {p.name.value for p in (*func.params.params, *func.params.kwonly_params, *func.params.posonly_params)}
            for star in (func.params.star_arg, func.params.star_kwarg):
                if isinstance(star, cst.Param):
                    params.add(star.name.value)
            bound: set[str] = set()
            binder = Binder(bound)
            walk(binder, func.body)
            plain: dict[str, list[cst.BaseExpression]] = {}
            walk(PlainAssignments(plain), func.body)
            other = bound - set(plain) | {name for name in plain if name in binder.other_than_assign}
            self._locals[key] = (params, bound, plain, other, binder.imported, binder.declared)
        return self._locals[key]

    def _lexical(self, mod: ParsedModule, node: cst.Name, depth: int) -> Value | None:
        """Resolve a name from the lexical context alone, when that is unambiguous: a parameter of
        its function that the function never rebinds, or a module constant no function rebinds.
        None means: ask the scope analysis."""
        container = self.enclosing.get(id(node))
        name = node.value
        if isinstance(container, cst.FunctionDef):
            params, bound, plain, other, imported, declared = self._function_bindings(container)
            if name in bound:
                if name in other and name not in imported and name not in declared and name not in plain:
                    return Value("unknown", name)  # a loop, `with` or unpacking target: unknown either way
                if name in other or name not in plain or id(container) in self.nested:
                    return None
                for v in plain[name]:
                    self.note_context(v, container)
                values = [self.value(mod, v, depth + 1) for v in plain[name]]
                return _combine(values + ([PARAM] if name in params else []))
            if name in params:
                return PARAM
            if id(container) in self.nested:
                return None  # a free name of a nested function may be an outer function's: ask the scopes
            container = mod.module  # a free name of a top-level function or method: a module-level name
        if container is mod.module:
            if not mod.module_imports_or_defines_otherwise(name):
                values = mod.module_level_values(name)
                if values:
                    return self._constant_values(mod, values, depth)
            stmt = mod.single_import(name)
            if stmt is not None:
                return self._imported(mod, name, stmt, depth)
        return None

    def _constant_values(self, mod: ParsedModule, values: list[cst.BaseExpression], depth: int) -> Value:
        key = (id(mod.module), *map(id, values))
        known = self._constants.get(key)
        if known is not None:
            return known[1]
        for v in values:
            self.note_context(v, mod.module)  # a module constant's names are module-level names
        result = _combine([self.value(mod, v, depth + 1) for v in values])
        if result.kind != "cycle":
            self._constants[key] = ((mod.module, values), result)  # the nodes are kept alive: their ids stay theirs
        return result

    def qualified(self, mod: ParsedModule, expr: cst.BaseExpression, container: cst.CSTNode | None = None, nested: bool = False) -> set[str]:
        """Qualified names of a callee or mapping: from the imports when the lexical context makes
        that unambiguous (no scope analysis), else from libcst's QualifiedNameProvider."""
        if container is None:
            base = expr
            while isinstance(base, cst.Attribute):
                base = base.value
            container = self.enclosing.get(id(base))
            nested = id(container) in self.nested
        if container is not None and not nested:
            if isinstance(container, cst.FunctionDef):
                params, bound, _, _, imported, _ = self._function_bindings(container)
                lexical = mod.lexical_qualified(expr, container, (params, bound, imported))
            else:
                lexical = mod.lexical_qualified(expr, None, None)
            if lexical is not None:
                return lexical
        return mod.qualified(expr)

    # The entry point: what does `expr`, found in `mod`, hold?
    def value(self, mod: ParsedModule, expr: cst.BaseExpression, depth: int = 0) -> Value:
        if depth == 0:
            self._steps = 0
        self._steps += 1
        if depth > _MAX_DEPTH or self._steps > _MAX_STEPS:
            return Value("unknown", _code(mod, expr))
        key = id(expr)
        if key in self._visiting:
            return CYCLE  # `x = x.encode()`: the other assignments of x decide
        self._visiting.add(key)
        try:
            return self._value(mod, expr, depth)
        finally:
            self._visiting.discard(key)

    def _value(self, mod: ParsedModule, expr: cst.BaseExpression, depth: int) -> Value:
        if isinstance(expr, STRINGS):
            return self._string(mod, expr, depth)
        if isinstance(expr, cst.Name):
            return self._name(mod, expr, depth)
        if isinstance(expr, cst.Attribute):
            return self._attribute(mod, expr, depth)
        if isinstance(expr, cst.Call):
            return self._call(mod, expr, depth)
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(mod, expr, depth)
        if isinstance(expr, cst.IfExp):
            return _combine([self.value(mod, expr.body, depth + 1), self.value(mod, expr.orelse, depth + 1)])
        if isinstance(expr, cst.BooleanOperation):
            return _combine([self.value(mod, expr.left, depth + 1), self.value(mod, expr.right, depth + 1)])
        if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis, cst.Comparison, cst.UnaryOperation)):
            return DEFAULT
        if isinstance(expr, cst.Subscript) and self._is_env_mapping(mod, expr.value):
            return ENV
        if isinstance(expr, (cst.Lambda, cst.Dict, cst.List, cst.Tuple, cst.Set)):
            return DEFAULT
        return Value("unknown", _code(mod, expr))

    def text(self, mod: ParsedModule, expr: cst.BaseExpression, depth: int = 0) -> str | None:
        v = self.value(mod, expr, depth)
        return v.text if v.kind in ("str", "path") else None

    def _string(self, mod: ParsedModule, expr, depth: int) -> Value:
        text = static_text(expr, lambda e: self.text(mod, e, depth + 1))
        return Value("str", text)

    def _name(self, mod: ParsedModule, node: cst.Name, depth: int) -> Value:
        if node.value in ("True", "False", "None"):
            return DEFAULT
        if node.value == "__file__":
            return Value("path", trust.TREE_PREFIX + mod.file.as_posix())
        lexical = self._lexical(mod, node, depth)
        if lexical is not None:
            return lexical
        scope = mod.scopes.get(node)
        if scope is None or node.value not in scope:
            return Value("unknown", node.value)
        values = []
        for assignment in scope[node.value]:
            values.append(self._assignment(mod, node.value, assignment, depth))
        return _combine(values) if values else Value("unknown", node.value)

    def _assignment(self, mod: ParsedModule, name: str, assignment, depth: int) -> Value:
        target = getattr(assignment, "node", None)  # builtins have no node
        if target is None:
            return Value("unknown", name)
        if isinstance(assignment, ImportAssignment):
            return self._imported(mod, name, target, depth)
        if not isinstance(assignment, Assignment):
            return Value("unknown", name)
        if isinstance(target, cst.Param):
            return PARAM
        parent = mod.parent(target)
        value = None
        if isinstance(parent, cst.AssignTarget) and isinstance(mod.parent(parent), cst.Assign):
            value = mod.parent(parent).value
        elif isinstance(parent, cst.AnnAssign) and parent.value is not None and parent.target is target:
            value = parent.value
        if value is None:
            return Value("unknown", name)
        scope_node = getattr(getattr(assignment, "scope", None), "node", None)
        if isinstance(scope_node, cst.FunctionDef):
            self.note_context(value, scope_node, nested=True)  # nested or not, its parameters are known
        elif isinstance(scope_node, cst.Module):
            self.note_context(value, scope_node)
        return self.value(mod, value, depth + 1)

    def _imported(self, mod: ParsedModule, name: str, stmt, depth: int) -> Value:
        if isinstance(stmt, cst.ImportFrom) and not isinstance(stmt.names, cst.ImportStar):
            dotted = dotted_name(stmt.module) if stmt.module else ""
            level = len(stmt.relative)
            for alias in stmt.names:
                local = dotted_name(alias.asname.name) if alias.asname else dotted_name(alias.name)
                if local != name:
                    continue
                imported = dotted_name(alias.name)
                file = self.project.module_file(mod.file, dotted, level)
                if file is not None:
                    other = self.project.load(file)
                    if other is not None and other.module_level_values(imported):
                        return self._constant_values(other, other.module_level_values(imported), depth)
                sub = self.project.module_file(mod.file, f"{dotted}.{imported}" if dotted else imported, level)
                if sub is not None:
                    return Value("module", str(sub))
                return Value("unknown", f"{dotted}.{imported}".lstrip("."))
        if isinstance(stmt, cst.Import):
            for alias in stmt.names:
                full = dotted_name(alias.name)
                local = dotted_name(alias.asname.name) if alias.asname else full.split(".")[0]
                if local == name:
                    target = full if alias.asname else local
                    file = self.project.module_file(mod.file, target, 0)
                    return Value("module", str(file)) if file else Value("unknown", name)
        return Value("unknown", name)

    def _attribute(self, mod: ParsedModule, node: cst.Attribute, depth: int) -> Value:
        is_self = isinstance(node.value, cst.Name) and node.value.value == "self"
        base = None if is_self else self.value(mod, node.value, depth + 1)
        if base is not None and base.kind == "module":
            other = self.project.load(Path(base.text))
            attr = node.attr.value
            if other is not None:
                values = other.module_level_values(attr)
                if values:
                    return self._constant_values(other, values, depth)
                sub = self.project.module_file(Path(base.text), attr, 1)
                if sub is not None and Path(base.text).name == "__init__.py":
                    return Value("module", str(sub))
        if base is not None and base.kind in ("default", "env", "cycle"):
            return base  # an attribute of the default store (`Path(certifi.where()).parent`)
        if base is not None and base.kind == "path" and node.attr.value == "parent":
            return Value("path", base.text.rsplit("/", 1)[0] if "/" in base.text else HOLE)
        if is_self:
            owned = self._self_attribute(mod, node, depth)
            if owned is not None:
                return owned
        return Value("unknown", _code(mod, node))

    def _self_attribute(self, mod: ParsedModule, node: cst.Attribute, depth: int) -> Value | None:
        """`self.x` where the class assigns `self.x = <expr>`: what those expressions hold."""
        cls = self.classes.get(id(node.value))
        if cls is None:
            cls = mod.parent(node)
            while cls is not None and not isinstance(cls, cst.ClassDef):
                cls = mod.parent(cls)
        if cls is None:
            return None
        attr = node.attr.value
        values: list[Value] = []

        evaluator = self

        class Collect(cst.CSTVisitor):
            functions: list = []

            def visit_FunctionDef(inner, node: cst.FunctionDef) -> None:
                inner.functions.append(node)

            def leave_FunctionDef(inner, node: cst.FunctionDef) -> None:
                inner.functions.pop()

            def visit_Assign(inner, stmt: cst.Assign) -> None:
                for t in stmt.targets:
                    tgt = t.target
                    if (
                        isinstance(tgt, cst.Attribute)
                        and isinstance(tgt.value, cst.Name)
                        and tgt.value.value == "self"
                        and tgt.attr.value == attr
                    ):
                        if inner.functions:
                            evaluator.note_context(stmt.value, inner.functions[-1], nested=len(inner.functions) > 1)
                        values.append(self.value(mod, stmt.value, depth + 1))

        collector = Collect()
        collector.functions = []
        walk(collector, cls)
        return _combine(values) if values else None

    def _call(self, mod: ParsedModule, call: cst.Call, depth: int) -> Value:
        names = _with_suffixes(self.qualified(mod, call.func))
        if names & (self.default_calls | self.bool_calls):
            return DEFAULT
        if names & self.open_calls and call.args:
            return self.value(mod, call.args[0].value, depth + 1)  # the file opened: its content is what is read
        if names & self.env_reads:
            return ENV
        args = [a.value for a in call.args if a.keyword is None and not a.star]
        if names & (self.join_calls | self.construct_calls):
            return self._join(mod, args, depth)
        if names & self.identity_calls and args:
            return self.value(mod, args[0], depth + 1)
        if names & self.dirname_calls and args:
            inner = self.value(mod, args[0], depth + 1)
            if inner.kind in ("path", "str"):
                parent = inner.text.rsplit("/", 1)[0] if "/" in inner.text.lstrip("/") else HOLE
                return Value("path", parent)
            return inner
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            receiver = self.value(mod, call.func.value, depth + 1)
            if receiver.kind in ("param", "default", "env", "cycle"):
                return receiver
            if method in self.read_methods and receiver.kind in ("path", "str"):
                return Value("path", receiver.text)  # the content of that file
            if method in self.path_methods and receiver.kind in ("path", "str"):
                return self._join(mod, [call.func.value, *args], depth) if method == "joinpath" else receiver
            if method == "format" and receiver.kind == "str":
                return Value("str", receiver.text)
        arg_values = [self.value(mod, a.value, depth + 1) for a in call.args]
        if any(v.kind == "param" for v in arg_values) and not any(v.is_store for v in arg_values):
            return PARAM  # a function of passed-through values (`get_cert_path(verify)`) is plumbing too
        return Value("unknown", _code(mod, call))

    def _join(self, mod: ParsedModule, args: list[cst.BaseExpression], depth: int) -> Value:
        if not args:
            return Value("path", ".")
        parts = []
        for index, arg in enumerate(args):
            v = self.value(mod, arg, depth + 1)
            if index == 0 and v.kind in ("param", "default", "env", "cycle"):
                return v  # a path under plumbing or under the default store's folder
            parts.append(v.text if v.kind in ("str", "path") else HOLE)
        if all(p == HOLE for p in parts):
            return Value("unknown", _code(mod, args[0]))
        joined = ""
        for p in parts:
            joined = p if p.startswith("/") or not joined else joined.rstrip("/") + "/" + p
        return Value("path", joined)

    def _binary(self, mod: ParsedModule, node: cst.BinaryOperation, depth: int) -> Value:
        left = self.value(mod, node.left, depth + 1)
        right = self.value(mod, node.right, depth + 1)
        if isinstance(node.operator, cst.Divide) and (left.kind in ("path", "str") or right.kind in ("path", "str")):
            lt = left.text if left.kind in ("path", "str") else HOLE
            rt = right.text if right.kind in ("path", "str") else HOLE
            return Value("path", rt if rt.startswith("/") else f"{lt.rstrip('/')}/{rt}")
        if isinstance(node.operator, cst.Add) and (left.kind in ("path", "str") or right.kind in ("path", "str")):
            lt = left.text if left.kind in ("path", "str") else HOLE
            rt = right.text if right.kind in ("path", "str") else HOLE
            return Value("str", lt + rt)
        if isinstance(node.operator, cst.Modulo) and left.kind == "str":
            return Value("str", left.text)
        return _combine([left, right]) if left.kind != "default" or right.kind != "default" else DEFAULT

    def _is_env_mapping(self, mod: ParsedModule, expr: cst.BaseExpression) -> bool:
        return bool(self.qualified(mod, expr) & set(self.sig["env_setters"]["subscript_assign"]))


def _with_suffixes(names: set[str]) -> set[str]:
    """Qualified names plus their dotted suffixes, so that `.certs.where` (a relative import) and
    `pip._vendor.certifi.where` (a vendored copy) match `certs.where` and `certifi.where`."""
    out = set(names)
    for name in names:
        parts = name.lstrip(".").split(".")
        out.update(".".join(parts[i:]) for i in range(1, len(parts) - 1))
        out.add(name.lstrip("."))
    return out


def _code(mod: ParsedModule, node: cst.CSTNode) -> str:
    try:
        text = mod.module.code_for_node(node)
    except Exception:  # noqa: BLE001 - a description only
        return "<expression>"
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def evaluated(node: cst.SimpleString):
    """A literal's value, without the SyntaxWarning/DeprecationWarning an invalid escape in the
    scanned code would print."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return node.evaluated_value


def hole_for(expr: cst.BaseExpression) -> str:
    """A placeholder for an unknown part, named after it when it is a plain name (`{bucket}`)."""
    name = dotted_name(expr)
    return "{" + name + "}" if name and len(name) <= 60 else HOLE


def static_text(expr: cst.BaseExpression, resolve=None) -> str:
    """The statically known text of a string expression; unknown parts become `{}`."""
    if isinstance(expr, cst.SimpleString):
        try:
            value = evaluated(expr)
        except Exception:  # noqa: BLE001 - malformed escapes: fall back to the raw text
            return expr.value[len(expr.prefix) + len(expr.quote):-len(expr.quote)]
        return value.decode("latin-1") if isinstance(value, bytes) else value
    if isinstance(expr, cst.ConcatenatedString):
        return static_text(expr.left, resolve) + static_text(expr.right, resolve)
    if isinstance(expr, cst.FormattedString):
        out = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value)
            else:
                known = resolve(part.expression) if resolve else None
                out.append(known if known is not None else (HOLE if resolve else hole_for(part.expression)))
        return "".join(out)
    return HOLE
