"""The parsed modules of a scanned tree: one file's tree with lazily resolved metadata, and the
module cache that cross-module lookups read."""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    ParentNodeProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from ats_lint.dependencies import depends_on
from ats_lint.scan.python.bindings import Binder, bind_names, dotted_name
from ats_lint.scan.python.parse import MAX_PARSE_SIZE, check_parseable, walk
from ats_lint.scan.python.regions import outline
from ats_lint.scan.sink import DeferredSpan

MODULE_CACHE_SIZE = 32  # parsed modules kept for cross-module constant lookups
MODULE_CACHE_SOURCE = 64 * 1024  # ... and at most this much of their source (the newest is always kept)


def lazy(value):
    return value() if callable(value) else value


class ParsedModule:
    """A parsed file. Metadata is resolved only when first asked for: each libcst provider is a
    full pass over the tree, and most parsed files need positions for a few literals at most."""

    def __init__(self, file: Path, source: str, keep_syntax: bool = False):
        self.file = file
        self.source = source
        syntax = check_parseable(source)
        # What the regions of a scanned file need of CPython's tree: its outline, not the tree
        # itself, which is not kept alive beside libcst's.
        self.syntax = outline(syntax) if keep_syntax else None
        del syntax
        self.module = cst.parse_module(source)
        self._wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self._semantic: dict | None = None
        self._binding_cache: tuple[dict, dict, set] | None = None
        self._imported_cache: set[str] | None = None
        self.current_statement: cst.CSTNode | None = None  # the top-level statement being visited
        self.statement_of: dict[int, cst.CSTNode] = {}  # id(reported node) -> current_statement then

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
        return {q.name for q in lazy(self.qnames.get(node, set())) or ()}

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def span(self, node: cst.CSTNode) -> DeferredSpan:
        """Positions are computed once per file, after the visit, for the reported nodes only."""
        self.hint(node)
        return DeferredSpan(node)

    def hint(self, node: cst.CSTNode) -> None:
        """Remember the top-level statement being visited when `node` is reported: its position is
        looked for there first (positions.positions_of checks that it is)."""
        if self.current_statement is not None:
            self.statement_of.setdefault(id(node), self.current_statement)

    def _bindings(self) -> tuple[dict, dict, set]:
        """Module-level bindings: (plain constants name -> [values], imports name -> [statement],
        every other bound name). Compound statements and function/class bodies count as
        "other", so a name bound there is left to the scope analysis."""
        if self._binding_cache is None:
            constants: dict[str, list[cst.BaseExpression]] = {}
            imports: dict[str, list[cst.CSTNode]] = {}
            other: set[str] = set()
            binder = Binder(other)
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
                                bind_names(t.target, other)
                    elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                        constants.setdefault(small.target.value, []).append(small.value)
                    elif isinstance(small, (cst.Import, cst.ImportFrom)):
                        if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                            other.add("*")
                            continue
                        for alias in small.names:
                            local = dotted_name(alias.asname.name) if alias.asname else dotted_name(alias.name).split(".")[0]
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
        dotted = dotted_name(expr)
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
                full = dotted_name(alias.name)
                if alias.asname and dotted_name(alias.asname.name) == base:
                    return {f"{full}.{rest}" if rest else full}
                if not alias.asname and full.split(".")[0] == base:
                    return {dotted}
            return None
        module = "." * len(stmt.relative) + (dotted_name(stmt.module) if stmt.module else "")
        for alias in stmt.names:
            local = dotted_name(alias.asname.name) if alias.asname else dotted_name(alias.name)
            if local == base:
                imported = f"{module}.{dotted_name(alias.name)}" if module and not module.endswith(".") else f"{module}{dotted_name(alias.name)}"
                return {f"{imported}.{rest}" if rest else imported}
        return None


class Project:
    """The scanned tree as seen from Python imports: finds and parses other modules on demand."""

    def __init__(self, root: Path, max_file_size: int | None = None):
        self.root = root
        self._real_root = root.resolve()
        self.max_file_size = max_file_size  # a module over the scan's size limit is not read for values either
        self._cache: OrderedDict[Path, ParsedModule | None] = OrderedDict()  # parsed trees are large: bounded
        self._uses: dict[Path, int] = {}  # cache hits per file, for eviction

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
                if candidate.is_file() and self._inside(candidate):
                    return candidate
        return None

    def _inside(self, file: Path) -> bool:
        """Whether `file`, links followed, is inside the scanned root: nothing outside it is read
        for values (`from ...other import X` climbing above the root, a symlinked module)."""
        try:
            file.resolve().relative_to(self._real_root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def load(self, file: Path) -> ParsedModule | None:
        if file in self._cache:
            self._cache.move_to_end(file)
            self._uses[file] = self._uses.get(file, 0) + 1
            return self._cache[file]
        try:
            limit = min(self.max_file_size or MAX_PARSE_SIZE, MAX_PARSE_SIZE)
            if not self._inside(file) or file.stat().st_size > limit:
                raise OSError("outside the scanned root or over the size limit")
            module = ParsedModule(file, file.read_text(encoding="utf-8", errors="replace"))
        except (OSError, cst.ParserSyntaxError, RecursionError):
            module = None
        self.remember(file, module)
        return module

    def remember(self, file: Path, module: ParsedModule | None) -> None:
        """Keep `module`; when full, drop the module used least often (the most recent among
        equals). Plain LRU re-parses every module of a file that imports 33 of them, for every
        file: a cycle through more modules than the cache holds never hits. This way the modules
        that keep being used stay, and only the overflow is parsed again."""
        self._cache[file] = module
        self._cache.move_to_end(file)
        # A libcst tree takes about 500 bytes per byte of source: bound the source held, too.
        while len(self._cache) > 1 and (len(self._cache) > MODULE_CACHE_SIZE or
                                        sum(len(m.source) for m in self._cache.values() if m is not None) > MODULE_CACHE_SOURCE):
            order = {f: i for i, f in enumerate(self._cache)}
            victim = min((f for f in self._cache if f != file), key=lambda f: (self._uses.get(f, 0), -order[f]))
            del self._cache[victim]
