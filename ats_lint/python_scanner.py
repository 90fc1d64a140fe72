"""The Python scanner: libcst with scope, qualified-name and position metadata.

Strings are judged on their static parts (f-strings, `%`/`.format` templates, implicit and `+`
concatenation) and never in docstrings or comments. Trust arguments are resolved through
constants, imports of the scanned tree, `os.path.join`/`pathlib` and f-strings. What to look
for (keywords, call signatures, env vars) is data in rules/python.yaml and rules/trust.yaml.
"""
from __future__ import annotations

import bisect
import dataclasses
from collections import OrderedDict
import functools
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    ParentNodeProvider,
    QualifiedNameProvider,
    ScopeProvider,
)
from libcst.metadata.scope_provider import Assignment, ImportAssignment

from . import trust
from .cache import depends_on
from .findings import DeferredSpan, FindingSink, Span
from .positions import positions_of
from .literals import scan_digest_bytes, scan_text
from .resources import load_data

_HOST_HINT = re.compile(r"amazonaws\.com|cloudfront\.net", re.IGNORECASE)
STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
HOLE = "{}"  # stands for a part of a string that is not known statically
_MAX_DEPTH = 12
_MODULE_CACHE_SIZE = 32  # parsed modules kept for cross-module constant lookups


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


def _lazy(value):
    return value() if callable(value) else value


_TOO_DEEP = ("too many nested", "too many levels of indentation", "too complex")
_BOOL_OP_RE = re.compile(r"\b(?:and|or)\b")
_BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
_BRACKET_RE = re.compile(r"[()\[\]{}]")
MAX_BOOL_OPS = 50_000  # libcst nests `a and b and ...`; CPython keeps it flat, so it does not bound it


def check_parseable(source: str) -> None:
    """Raise RecursionError for source too deeply nested for libcst to survive.

    libcst's native parser recurses on the C stack: 2,000 nested brackets or a chain of 7,000 `+`
    overflow it and the process dies with SIGSEGV, which no `except` catches. CPython's parser
    reports the same inputs as errors (200 nested brackets, 100 indentation levels, its recursion
    limit while building the tree); such a file is not runnable Python and libcst never sees it.
    Where CPython stops at an ordinary syntax error it has not looked at the rest, so a coarse
    bracket count (strings and comments included) bounds the nesting instead. The caller runs
    libcst on a large stack for what CPython accepts but libcst nests (`and`/`or` chains, implicit
    string concatenation).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in the scanned code are not ours to report
            compile(source, "<scanned>", "exec", 0x400, dont_inherit=True)  # ast.PyCF_ONLY_AST
    except (RecursionError, MemoryError):
        raise RecursionError("nesting too deep to parse") from None
    except (SyntaxError, ValueError) as exc:  # ValueError: NUL bytes (Python 3.11)
        if isinstance(exc, SyntaxError) and any(m in str(exc.msg) for m in _TOO_DEEP):
            raise RecursionError("nesting too deep to parse") from None
        depth = deepest = 0
        for step in map(_BRACKETS.__getitem__, _BRACKET_RE.findall(source)):
            depth = max(0, depth + step)
            deepest = max(deepest, depth)
        if deepest > 200:
            raise RecursionError("nesting too deep to parse") from None
    if len(_BOOL_OP_RE.findall(source)) > MAX_BOOL_OPS:
        raise RecursionError("nesting too deep to parse")


class ParsedModule:
    """A parsed file. Metadata is resolved only when first asked for: each libcst provider is a
    full pass over the tree, and most parsed files need positions for a few literals at most."""

    def __init__(self, file: Path, source: str):
        self.file = file
        self.source = source
        check_parseable(source)
        self.module = cst.parse_module(source)
        self._wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self._semantic: dict | None = None
        self._binding_cache: tuple[dict, dict, set] | None = None
        self._imported_cache: set[str] | None = None

    def _resolve_semantic(self) -> dict:
        if self._semantic is None:
            self._semantic = self._wrapper.resolve_many([ScopeProvider, QualifiedNameProvider, ParentNodeProvider])
        return self._semantic

    @property
    def scopes(self):
        return self._resolve_semantic()[ScopeProvider]

    @property
    def qnames(self):
        return self._resolve_semantic()[QualifiedNameProvider]

    @property
    def parents(self):
        return self._resolve_semantic()[ParentNodeProvider]

    def qualified(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in _lazy(self.qnames.get(node, set())) or ()}

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def span(self, node: cst.CSTNode) -> DeferredSpan:
        """Positions are computed once per file, after the visit, for the reported nodes only."""
        return DeferredSpan(node)

    def _bindings(self) -> tuple[dict, dict, set]:
        """Module-level bindings: (plain constants name -> [values], imports name -> [statement],
        every other bound name). Compound statements and function/class bodies count as
        "other", so a name bound there is left to the scope analysis."""
        if self._binding_cache is None:
            constants: dict[str, list[cst.BaseExpression]] = {}
            imports: dict[str, list[cst.CSTNode]] = {}
            other: set[str] = set()
            binder = _Binder(other)
            for stmt in self.module.body:
                if not isinstance(stmt, cst.SimpleStatementLine):
                    walk(binder, stmt)
                    continue
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        for t in small.targets:
                            if isinstance(t.target, cst.Name):
                                constants.setdefault(t.target.value, []).append(small.value)
                            else:
                                _bind_names(t.target, other)
                    elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                        constants.setdefault(small.target.value, []).append(small.value)
                    elif isinstance(small, (cst.Import, cst.ImportFrom)):
                        if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                            other.add("*")
                            continue
                        for alias in small.names:
                            local = _dotted(alias.asname.name) if alias.asname else _dotted(alias.name).split(".")[0]
                            imports.setdefault(local, []).append(small)
                    else:
                        walk(binder, small)
            self._binding_cache = (constants, imports, other)
            self._imported_cache = binder.imported
        return self._binding_cache

    def module_imports_or_defines_otherwise(self, name: str) -> bool:
        """True when `name` is bound at module level by anything but plain assignments."""
        _, imports, other = self._bindings()
        return name in other or name in imports or "*" in other

    def module_level_values(self, name: str) -> list[cst.BaseExpression]:
        return self._bindings()[0].get(name, [])

    def single_import(self, name: str) -> cst.CSTNode | None:
        """The one module-level import statement that binds `name`, when nothing else binds it."""
        constants, imports, other = self._bindings()
        found = imports.get(name, [])
        if len(found) == 1 and name not in constants and name not in other and "*" not in other:
            return found[0]
        return None

    def _imported_elsewhere(self) -> set[str]:
        """Names bound by an import anywhere but a top-level simple statement (try/if blocks, functions)."""
        self._bindings()
        return self._imported_cache

    def is_unbound(self, name: str) -> bool:
        """Bound nowhere at module level: a builtin, when no function binds it either."""
        constants, imports, other = self._bindings()
        return name not in constants and name not in imports and name not in other and "*" not in other

    def lexical_qualified(self, expr: cst.BaseExpression, function: cst.FunctionDef | None, function_names) -> set[str] | None:
        """Qualified names of a dotted expression from the module's imports alone, or None when
        only the scope analysis can tell (a local binding, a conditional import...)."""
        dotted = _dotted(expr)
        if not dotted:
            return None
        base, _, rest = dotted.partition(".")
        if function is not None:
            params, bound, imported = function_names
            if base in imported:
                return None  # a function-level import: the scope analysis knows what it binds
            if base in bound or base in params:
                return {dotted}  # a local or a parameter: no module-qualified name (as libcst reports it)
        stmt = self.single_import(base)
        if stmt is None:
            if self.is_unbound(base):
                return {f"builtins.{dotted}"}
            constants, imports, other = self._bindings()
            if base not in imports and base not in self._imported_elsewhere():
                return {dotted}  # bound by an assignment, def or class: its own name
            return None
        if isinstance(stmt, cst.Import):
            for alias in stmt.names:
                full = _dotted(alias.name)
                if alias.asname and _dotted(alias.asname.name) == base:
                    return {f"{full}.{rest}" if rest else full}
                if not alias.asname and full.split(".")[0] == base:
                    return {dotted}
            return None
        module = "." * len(stmt.relative) + (_dotted(stmt.module) if stmt.module else "")
        for alias in stmt.names:
            local = _dotted(alias.asname.name) if alias.asname else _dotted(alias.name)
            if local == base:
                imported = f"{module}.{_dotted(alias.name)}" if module and not module.endswith(".") else f"{module}{_dotted(alias.name)}"
                return {f"{imported}.{rest}" if rest else imported}
        return None


class _Binder(cst.CSTVisitor):
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
        _bind_names(target, names)
        self._other(names)

    def visit_AssignTarget(self, node) -> None:
        names: set[str] = set()
        _bind_names(node.target, names)
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
        name = _dotted(node.asname.name) if node.asname else _dotted(node.name).split(".")[0]
        self._other({name})
        self.imported.add(name)

    def visit_ImportFrom(self, node) -> None:
        if isinstance(node.names, cst.ImportStar):
            self._other({"*"})

    def visit_FunctionDef(self, node) -> None:
        self._other({node.name.value})

    def visit_ClassDef(self, node) -> None:
        self._other({node.name.value})


class _PlainAssignments(cst.CSTVisitor):
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

    def visit_FunctionDef(self, node) -> bool:
        return False

    def visit_ClassDef(self, node) -> bool:
        return False

    def visit_Lambda(self, node) -> bool:
        return False


class Project:
    """The scanned tree as seen from Python imports: finds and parses other modules on demand."""

    def __init__(self, root: Path):
        self.root = root
        self._cache: OrderedDict[Path, ParsedModule | None] = OrderedDict()  # LRU: parsed trees are large

    def module_file(self, importer: Path, dotted: str, level: int) -> Path | None:
        parts = [p for p in dotted.split(".") if p]
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = [self.root, self.root / "src", self.root / "lib"]
            # A package folder above the importer also counts as a source root.
            bases += [p for p in importer.parents if self.root in p.parents or p == self.root]
        for base in bases:
            target = base.joinpath(*parts) if parts else base
            for candidate in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
                if candidate is None:
                    continue
                depends_on(candidate)
                if candidate.is_file():
                    return candidate
        return None

    def load(self, file: Path) -> ParsedModule | None:
        if file in self._cache:
            self._cache.move_to_end(file)
            return self._cache[file]
        try:
            module = ParsedModule(file, file.read_text(encoding="utf-8", errors="replace"))
        except (OSError, cst.ParserSyntaxError, RecursionError):
            module = None
        self.remember(file, module)
        return module

    def remember(self, file: Path, module: ParsedModule | None) -> None:
        self._cache[file] = module
        self._cache.move_to_end(file)
        while len(self._cache) > _MODULE_CACHE_SIZE:
            self._cache.popitem(last=False)


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
        self._visiting: set[int] = set()
        # Lexical context the visitor knows without a scope analysis: id(Name) -> the function
        # that contains it (or the module), for the names of the expression being evaluated.
        self.enclosing: dict[int, cst.CSTNode] = {}
        self.nested: set[int] = set()  # ids of functions defined inside another function
        self.classes: dict[int, cst.ClassDef] = {}  # id(`self` Name) -> the class of the method
        self._locals: dict[int, tuple[set[str], set[str]]] = {}

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
            binder = _Binder(bound)
            walk(binder, func.body)
            plain: dict[str, list[cst.BaseExpression]] = {}
            walk(_PlainAssignments(plain), func.body)
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
        for v in values:
            self.note_context(v, mod.module)  # a module constant's names are module-level names
        return _combine([self.value(mod, v, depth + 1) for v in values])

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
        if depth > _MAX_DEPTH:
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
            dotted = _dotted(stmt.module) if stmt.module else ""
            level = len(stmt.relative)
            for alias in stmt.names:
                local = _dotted(alias.asname.name) if alias.asname else _dotted(alias.name)
                if local != name:
                    continue
                imported = _dotted(alias.name)
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
                full = _dotted(alias.name)
                local = _dotted(alias.asname.name) if alias.asname else full.split(".")[0]
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
        if names & self.default_calls:
            return DEFAULT
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


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """A node's children in field order (source order for every construct the scanner reads),
    read straight from the dataclass fields: unlike `CSTNode.visit`, nothing is rebuilt."""
    names = _CHILD_FIELDS.get(type(node))
    if names is None:
        names = _CHILD_FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node))
    out: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            if not isinstance(value, _LAYOUT):
                out.append(value)
        elif isinstance(value, (list, tuple)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode) and not isinstance(v, _LAYOUT))
    return out


# Whitespace, comments and punctuation: about two thirds of a module's nodes, and no visitor of
# the scanner looks at them (operators are read from their parent, comments are never findings).
_LAYOUT = (
    cst.BaseParenthesizableWhitespace, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
    cst.Dot, cst.Comma, cst.AssignEqual, cst.Colon, cst.Semicolon, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp,
)


def walk(visitor: cst.CSTVisitor, root: cst.CSTNode) -> None:
    """Drive a read-only visitor over `root`: `on_visit` before the children (False skips them),
    `on_leave` after. The same protocol as `root.visit(visitor)`, about three times faster."""
    pending: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    while pending:
        node, leaving = pending.pop()
        if leaving:
            visitor.on_leave(node)
            continue
        descend = visitor.on_visit(node)
        pending.append((node, True))
        if descend is not False:
            pending.extend((child, False) for child in reversed(_children(node)))


def _bind_names(target: cst.CSTNode, out: set[str]) -> None:
    if isinstance(target, cst.Name):
        out.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _bind_names(element.value, out)
    elif isinstance(target, cst.StarredElement):
        _bind_names(target.value, out)


def _dotted(node) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _code(mod: ParsedModule, node: cst.CSTNode) -> str:
    try:
        text = mod.module.code_for_node(node)
    except Exception:  # noqa: BLE001 - a description only
        return "<expression>"
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _evaluated(node: cst.SimpleString):
    """A literal's value, without the SyntaxWarning/DeprecationWarning an invalid escape in the
    scanned code would print."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return node.evaluated_value


def _hole_for(expr: cst.BaseExpression) -> str:
    """A placeholder for an unknown part, named after it when it is a plain name (`{bucket}`)."""
    name = _dotted(expr)
    return "{" + name + "}" if name and len(name) <= 60 else HOLE


def static_text(expr: cst.BaseExpression, resolve=None) -> str:
    """The statically known text of a string expression; unknown parts become `{}`."""
    if isinstance(expr, cst.SimpleString):
        try:
            value = _evaluated(expr)
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
                out.append(known if known is not None else (HOLE if resolve else _hole_for(part.expression)))
        return "".join(out)
    return HOLE


# --------------------------------------------------------------------------- the visitor


class _Visitor(cst.CSTVisitor):
    def __init__(self, mod: ParsedModule, evaluator: Evaluator, sink: FindingSink):
        super().__init__()
        self.mod = mod
        self.ev = evaluator
        self.sink = sink
        sig = signatures()
        trust_args = sig["trust_arguments"]
        self.trust_keywords = set(trust_args["keywords"])
        self.positional = trust_args["positional"]
        self.trust_attributes = set(trust_args["attributes"])
        self.inline_keywords = set(trust_args["inline_data"])
        self.env_vars = set(trust.trust_env_vars())
        self.env_setters = sig["env_setters"]
        self.env_mappings = set(self.env_setters["subscript_assign"])
        pin = sig["pinning"]
        self.pin_keywords = pin["keywords"]
        self.pin_attributes = set(pin["attributes"])
        self.pin_calls = pin["calls"]
        self.pin_names = pin["names"]
        peer = pin["peer_certificate"]
        self.peer_method = peer["method"]
        self.peer_keyword = peer["binary_keyword"]
        self.digest_calls = set(peer["digest_calls"])
        self.digest_methods = set(peer["digest_methods"])
        self.consumed: set[int] = set()
        self.stack: list[cst.CSTNode] = []
        self.pin_aliases: set[str] = set()
        self.pin_name_parts = {q.rsplit(".", 1)[-1] for q in self.pin_names}
        self.env_mapping_names = {q.rsplit(".", 1)[-1] for q in self.env_mappings}
        self.callee_names = callee_names(sig)
        self.mapping_methods = {e["qualified"].rsplit(".", 1)[-1] for e in self.env_setters["calls"] if "qualified" in e and e["qualified"].startswith(tuple(self.env_mappings))}
        self.has_peer_certificate = self.peer_method in mod.source
        self.tainted: list[set[str]] = [set()]

    # ---- strings
    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, STRINGS):  # docstrings and bare string statements are prose
            self._consume(node.value)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if id(node) in self.consumed or not isinstance(node.operator, cst.Add):
            return
        operands = _flatten_add(node)
        if not any(isinstance(o, STRINGS) for o in operands):
            return
        for o in operands:
            if isinstance(o, STRINGS):
                self._consume(o)
        pending: list[cst.BaseExpression] = [node]
        while pending:
            inner = pending.pop()
            if isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.Add):
                self.consumed.add(id(inner))
                pending += [inner.left, inner.right]
        self._check_segments(_segments(operands))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self.consumed:
            return
        self._check_string(node, static_text(node))
        if "b" in node.prefix.lower():
            try:
                raw = _evaluated(node)
            except Exception:  # noqa: BLE001
                return
            if isinstance(raw, bytes):
                scan_digest_bytes(raw, self.sink, self.mod.span(node))

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if id(node) in self.consumed:
            return
        self._consume(node)
        self._check_segments(_segments(_concatenated_parts(node)))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if id(node) in self.consumed:
            return
        self._consume(node)
        self._check_string(node, static_text(node))

    def _check_segments(self, segments: list[tuple[int, cst.CSTNode, str]]) -> None:
        """Check concatenated pieces as one text; a hit is reported at the piece where it starts."""
        text = "".join(piece for _, _, piece in segments)
        starts = [offset for offset, _, _ in segments]
        anchor = next((n for _, n, _ in segments if isinstance(n, STRINGS)), segments[0][1])

        def span_at(start: int, end: int) -> Span:
            index = max(0, bisect.bisect_right(starts, start) - 1)
            node = segments[index][1]
            return self.mod.span(node if isinstance(node, STRINGS) else anchor)

        hosts = bool(_HOST_HINT.search(text)) and not self._is_service_principal(anchor)
        scan_text(text, self.sink, span_at, hosts=hosts)

    def _consume(self, node: cst.CSTNode) -> None:
        self.consumed.add(id(node))
        if isinstance(node, cst.ConcatenatedString):
            self._consume(node.left)
            self._consume(node.right)

    def _check_string(self, node: cst.CSTNode, text: str) -> None:
        hosts = bool(_HOST_HINT.search(text)) and not self._is_service_principal(node)
        scan_text(text, self.sink, lambda start, end: self.mod.span(node), hosts=hosts)

    def _eval(self, expr: cst.BaseExpression) -> Value:
        """Evaluate an expression of the code being visited, telling the evaluator where it sits."""
        nested = sum(isinstance(n, cst.FunctionDef) for n in self.stack) > 1
        cls = next((n for n in reversed(self.stack) if isinstance(n, cst.ClassDef)), None)
        self.ev.note_context(expr, self._container(), nested, cls)
        return self.ev.value(self.mod, expr)

    def _eval_text(self, expr: cst.BaseExpression) -> str | None:
        if isinstance(expr, cst.SimpleString):
            return static_text(expr)
        value = self._eval(expr)
        return value.text if value.kind in ("str", "path") else None

    def _qualified(self, expr: cst.BaseExpression) -> set[str]:
        container = self._container()
        nested = sum(isinstance(n, cst.FunctionDef) for n in self.stack) > 1
        if container is None:
            return self.mod.qualified(expr)
        return self.ev.qualified(self.mod, expr, container, nested)

    def _container(self) -> cst.CSTNode | None:
        """The function or module whose body is being visited (None inside a class body or lambda)."""
        for node in reversed(self.stack):
            if isinstance(node, cst.FunctionDef):
                return node
            if isinstance(node, (cst.ClassDef, cst.Lambda)):
                return None
        return self.mod.module

    def _ancestors(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """Ancestors of `node`, nearest first, from the visit stack (no parent metadata pass):
        `node` is on the stack, or is a child of the node being visited."""
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index] is node:
                return self.stack[:index][::-1]
        return self.stack[::-1]

    def _is_service_principal(self, node: cst.CSTNode) -> bool:
        ancestors = self._ancestors(node)
        parent = ancestors[0] if ancestors else None
        if isinstance(parent, cst.Element) and len(ancestors) > 2:
            parent = ancestors[2]  # Element -> List -> DictElement
        if isinstance(parent, cst.DictElement) and isinstance(parent.key, cst.SimpleString):
            return static_text(parent.key).lower() == "service"
        return False

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.stack.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self.stack.pop()

    # ---- calls
    def visit_Call(self, node: cst.Call) -> None:
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        simple = node.func.value if isinstance(node.func, cst.Name) else method
        # Qualified names cost a scope analysis of the whole module: ask only for callees whose
        # simple name (or an import alias of it) appears in the signatures.
        names = self._qualified(node.func) if simple in self.callee_names and self._plausible_receiver(node.func) else set()
        for arg in node.args:
            if arg.keyword is None:
                continue
            kw = arg.keyword.value
            if kw in self.trust_keywords:
                self._trust(arg.value, f"`{kw}=`", arg)
            elif kw in self.pin_keywords:
                if self._eval(arg.value).kind not in ("default", "param"):
                    self.sink.add("ATS301", self.mod.span(arg), f"{kw}=", detail=f"`{kw}=` pins the server certificate: {self.pin_keywords[kw]}")
        for entry in self.positional:
            if ("method" in entry and entry["method"] == method) or ("qualified" in entry and entry["qualified"] in names):
                positional = [a for a in node.args if a.keyword is None and not a.star]
                for index, argname in entry["args"].items():
                    if int(index) < len(positional):
                        self._trust(positional[int(index)].value, f"`{simple}()` ({argname})", positional[int(index)])
        for qualified, why in self.pin_calls.items():
            if qualified in names:
                self.sink.add("ATS301", self.mod.span(node), qualified, detail=f"`{simple}(...)` pins the server certificate: {why}")
        self._env_setter_call(node, names, method)
        self._peer_certificate_compare_call(node, names)

    def _plausible_receiver(self, func: cst.BaseExpression) -> bool:
        """`x.update(...)`/`x.setdefault(...)` are env setters only on something named `environ`."""
        if isinstance(func, cst.Attribute) and func.attr.value in self.mapping_methods:
            return _last_name(func.value) in self.env_mapping_names
        return True

    def _env_setter_call(self, node: cst.Call, names: set[str], method: str | None) -> None:
        for setter in self.env_setters["calls"]:
            if not (setter.get("qualified") in names or (method is not None and setter.get("method") == method)):
                continue
            positional = [a for a in node.args if a.keyword is None and not a.star]
            if "mapping_arg" in setter:
                for kw in node.args:
                    if kw.keyword is not None and kw.keyword.value in self.env_vars:
                        self._trust(kw.value, f"setting `{kw.keyword.value}`", kw)
                continue  # dict literals are handled by visit_Dict
            if len(positional) > max(setter["name_arg"], setter["value_arg"]):
                var = self._eval_text(positional[setter["name_arg"]].value)
                if var in self.env_vars:
                    self._trust(positional[setter["value_arg"]].value, f"setting `{var}`", node)

    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, STRINGS):
                var = static_text(element.key)
                if var in self.env_vars:
                    self._trust(element.value, f"setting `{var}`", element)

    # ---- assignments
    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assigned(target.target, node.value)
        if self._mentions_peer_certificate(node.value):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.tainted[-1].add(target.target.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assigned(node.target, node.value)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Attribute):
            attr = target.attr.value
            if attr in self.trust_attributes:
                self._trust(value, f"`.{attr} =`", target)
            elif attr in self.pin_attributes and self._eval(value).kind not in ("default", "param"):
                self.sink.add("ATS301", self.mod.span(target), attr, detail=f"`.{attr} =` pins the server certificate")
        elif (
            isinstance(target, cst.Subscript)
            and _last_name(target.value) in self.env_mapping_names
            and self._qualified(target.value) & self.env_mappings
        ):
            elements = target.slice
            if len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
                var = self._eval_text(elements[0].slice.value)
                if var in self.env_vars:
                    self._trust(value, f"setting `{var}`", target)

    # ---- names that pin
    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in self.pin_name_parts:
            self._pin_name(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module) if node.module else ""
        for alias in node.names:
            imported = _dotted(alias.name)
            local = _dotted(alias.asname.name) if alias.asname else imported
            if f"{module}.{imported}" in self.pin_names:
                self.pin_aliases.add(local)
            if imported in self.callee_names:
                self.callee_names.add(local)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False  # names inside import statements are not uses

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.pin_aliases:
            self._pin_name(node)

    def _pin_name(self, node: cst.CSTNode) -> None:
        names = self._qualified(node)
        for qualified, why in self.pin_names.items():
            ancestors = self._ancestors(node)
            if qualified in names and not (ancestors and isinstance(ancestors[0], (cst.ImportAlias, cst.Attribute))):
                self.sink.add("ATS301", self.mod.span(node), qualified, detail=f"`{qualified.rsplit('.', 1)[-1]}` pins the server key: {why}")

    # ---- peer certificate digests compared with a value
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.tainted.append(set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.tainted.pop()

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if not self.has_peer_certificate or not any(isinstance(c.operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)) for c in node.comparisons):
            return
        sides = [node.left, *(c.comparator for c in node.comparisons)]
        if any(isinstance(s, cst.Name) and s.value == "None" for s in sides):
            return
        if any(self._mentions_peer_certificate(s) for s in sides):
            self.sink.add("ATS301", self.mod.span(node), "getpeercert-compare", detail="A digest of the peer certificate (`getpeercert(binary_form=True)`) is compared with a fixed value: this pins the certificate")

    def _peer_certificate_compare_call(self, node: cst.Call, names: set[str]) -> None:
        if self.has_peer_certificate and "hmac.compare_digest" in names or "secrets.compare_digest" in names:
            if any(self._mentions_peer_certificate(a.value) for a in node.args):
                self.sink.add("ATS301", self.mod.span(node), "getpeercert-compare", detail="A digest of the peer certificate (`getpeercert(binary_form=True)`) is compared with a fixed value: this pins the certificate")

    def _mentions_peer_certificate(self, expr: cst.CSTNode) -> bool:
        found = False
        tainted = set().union(*self.tainted)
        visitor = self

        class Find(cst.CSTVisitor):
            def visit_Call(inner, call: cst.Call) -> bool:
                nonlocal found
                if isinstance(call.func, cst.Attribute) and call.func.attr.value == visitor.peer_method:
                    for a in call.args:
                        binary = (a.keyword is not None and a.keyword.value == visitor.peer_keyword) or a.keyword is None
                        if binary and _is_true(a.value):
                            found = True
                return not found

            def visit_Name(inner, name: cst.Name) -> None:
                nonlocal found
                if name.value in tainted:
                    found = True

        walk(Find(), expr)
        return found

    # ---- trust values
    def _trust(self, expr: cst.BaseExpression, what: str, anchor: cst.CSTNode) -> None:
        value = self._eval(expr)
        if not value.is_store or (value.kind == "str" and trust.is_default_store_text(value.text)):
            return
        if value.kind in ("str", "path"):
            inline = what.strip("`=()").split(" ")[0] in self.inline_keywords or "(cadata)" in what
            kind = trust.PEM if inline or "-----BEGIN CERTIFICATE-----" in value.text else trust.PATH
            tv = trust.TrustValue(kind, value.text)
        else:
            tv = trust.TrustValue(trust.UNKNOWN, value.text)
        self.sink.trust(tv, what, self.mod.span(anchor), f"{what} {value.text[:200]}")


def callee_names(sig: dict) -> set[str]:
    """Simple names of the callees the visitor itself matches by qualified name (value resolution
    asks for qualified names on its own, only where a trust value is evaluated)."""
    qualified: set[str] = {"hmac.compare_digest", "secrets.compare_digest"} | set(sig["pinning"]["calls"])
    qualified |= {e["qualified"] for e in sig["trust_arguments"]["positional"] if "qualified" in e}
    qualified |= {e["qualified"] for e in sig["env_setters"]["calls"] if "qualified" in e}
    return {q.rsplit(".", 1)[-1] for q in qualified}


def _last_name(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


def _is_true(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True" or isinstance(expr, cst.Integer) and expr.value != "0"


def _concatenated_parts(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.ConcatenatedString):
        return _concatenated_parts(node.left) + _concatenated_parts(node.right)
    return [node]


def _segments(operands: list[cst.BaseExpression]) -> list[tuple[int, cst.CSTNode, str]]:
    """(offset in the joined text, node, static text) for each operand of a concatenation."""
    out, offset = [], 0
    for o in operands:
        if isinstance(o, cst.ConcatenatedString):
            for part in _concatenated_parts(o):
                piece = static_text(part)
                out.append((offset, part, piece))
                offset += len(piece)
            continue
        piece = static_text(o) if isinstance(o, STRINGS) else _hole_for(o)
        out.append((offset, o, piece))
        offset += len(piece)
    return out


def _flatten_add(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def scan_python(source: str, sink: FindingSink, project: Project) -> None:
    """Scan one Python module; raises libcst.ParserSyntaxError when it cannot be parsed."""
    mod = ParsedModule(sink.file, source)
    project.remember(sink.file, mod)
    walk(_Visitor(mod, Evaluator(project), sink), mod.module)
    sink.resolve_deferred(lambda nodes: positions_of(mod.module, nodes))
