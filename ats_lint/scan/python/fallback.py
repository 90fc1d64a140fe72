"""Trust and pinning forms read with CPython's own `ast`, for valid Python that libcst refuses
(a line holding only a backslash continuation, for one).

Only what needs no cross-module resolution: trust keywords, positional trust arguments, trust
attribute assignments, trust env vars being set, and pins, all from rules/python.yaml. A value is
a string literal, a name bound in this module (or function) to such values, or else a store of
unknown content; True/False/None, default-store calls (`certifi.where()`), env reads and
function parameters are not stores. What cannot be told here is left to `parse-error`'s note.
"""
from __future__ import annotations

import ast
import warnings

from ats_lint.scan.python.values import signatures
from ats_lint.scan.sink import FindingSink
from ats_lint.trust import judge as trust

_DEFAULT, _PARAM = "default", "param"  # kinds that are not stores, as in values.Value


def parse(text: str) -> ast.Module | None:
    """The module as CPython parses it, or None when CPython refuses it too."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def scan_ast(tree: ast.Module, text: str, sink: FindingSink) -> None:
    """Report the trust (ATS201/ATS202) and pinning (ATS301) forms of a parsed module."""
    _Scanner(tree, text, sink).run()


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _last_name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _matches(qualified: str | None, names) -> bool:
    """`qualified` is one of `names`, or a vendored/relative copy of one (`pip._vendor.certifi.where`)."""
    return qualified is not None and any(qualified == n or qualified.endswith("." + n) for n in names)


class _Scanner:
    def __init__(self, tree: ast.Module, text: str, sink: FindingSink):
        self.tree, self.sink = tree, sink
        self.lines = text.splitlines()
        sig = signatures()
        args = sig["trust_arguments"]
        self.trust_keywords = set(args["keywords"])
        self.inline = set(args["inline_data"])
        self.positional = args["positional"]
        self.trust_attributes = set(args["attributes"])
        self.default_calls = set(sig["default_store_calls"])
        self.env_reads = set(sig["env_read_calls"])
        self.off = {e["keyword"]: set(e["values"]) for e in sig.get("verification_off", ())}
        self.env_vars = set(trust.trust_env_vars())
        setters = sig["env_setters"]
        self.env_mappings = set(setters["subscript_assign"])
        self.env_calls = setters["calls"]
        pin = sig["pinning"]
        self.pin_keywords, self.pin_attributes = pin["keywords"], set(pin["attributes"])
        self.pin_calls, self.pin_names, self.pin_options = pin["calls"], pin["names"], pin.get("option_calls", ())
        self.aliases: dict[str, str] = {}  # local name -> imported qualified name
        self.scopes: dict[ast.AST, tuple[set[str], dict[str, list[ast.AST | None]]]] = {}
        self.parents: dict[ast.AST, ast.AST] = {}

    # ---- bindings
    def run(self) -> None:
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        for node in ast.walk(self.tree):
            self._visit(node)

    def _scope(self, node: ast.AST) -> ast.AST:
        """The function (or the module) whose local names `node` sees first."""
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return node
        return self.tree

    def _bindings(self, scope: ast.AST) -> tuple[set[str], dict[str, list[ast.AST | None]]]:
        """(parameters, name -> assigned values; None for a binding that is not a plain assignment)."""
        if scope not in self.scopes:
            params: set[str] = set()
            if not isinstance(scope, ast.Module):
                a = scope.args
                params = {p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p is not None}
            bound: dict[str, list[ast.AST | None]] = {}
            for node in ast.walk(scope):
                if node is not scope and self._scope(node) is not scope:
                    continue
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                    for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                        if isinstance(target, ast.Name):
                            bound.setdefault(target.id, []).append(node.value)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    if not isinstance(self.parents.get(node), (ast.Assign, ast.AnnAssign)):
                        bound.setdefault(node.id, []).append(None)  # for/with/walrus/augmented
            self.scopes[scope] = (params, bound)
        return self.scopes[scope]

    def _qualified(self, node: ast.AST) -> str | None:
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        base = self.aliases.get(head, head)
        return f"{base}.{rest}" if rest else base

    # ---- values: (kind, text), kind as in values.Value
    def _value(self, expr: ast.AST, depth: int = 0) -> tuple[str, str]:
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, (str, bytes)):
                text = expr.value.decode("latin-1") if isinstance(expr.value, bytes) else expr.value
                return (_DEFAULT, text) if trust.is_default_store_text(text) else ("str", text)
            return _DEFAULT, ""
        if isinstance(expr, ast.Name) and depth < 8:
            scope = self._scope(expr)
            while True:
                params, bound = self._bindings(scope)
                if expr.id in params:
                    return _PARAM, expr.id
                if expr.id in bound:
                    if any(v is None for v in bound[expr.id]):
                        return "unknown", expr.id
                    return self._combine([self._value(v, depth + 1) for v in bound[expr.id]])
                if scope is self.tree:
                    return "unknown", expr.id
                scope = self._scope(scope)
        if isinstance(expr, ast.Call):
            callee = self._qualified(expr.func)
            if _matches(callee, self.default_calls) or _matches(callee, self.env_reads):
                return _DEFAULT, ""
        if isinstance(expr, ast.Subscript) and _matches(self._qualified(expr.value), self.env_mappings):
            return _DEFAULT, ""  # os.environ["X"]: the place that sets X is the finding
        try:
            shown = " ".join(ast.unparse(expr).split())
        except Exception:  # noqa: BLE001 - a description only
            shown = "<expression>"
        return "unknown", shown if len(shown) <= 60 else shown[:57] + "..."

    @staticmethod
    def _combine(values: list[tuple[str, str]]) -> tuple[str, str]:
        """A value that may be any of `values`: the most concerning one decides."""
        for kinds in (("str", "unknown"), (_PARAM,)):
            for v in values:
                if v[0] in kinds:
                    return v
        return _DEFAULT, ""

    # ---- reports
    def _span(self, node: ast.AST) -> tuple[int, int, int, int]:
        """1-based (line, column, end line, end column); ast columns are UTF-8 byte offsets."""
        def column(line: int, offset: int) -> int:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            return len(text.encode("utf-8")[:offset].decode("utf-8", "ignore")) + 1

        end_line = getattr(node, "end_lineno", None) or node.lineno
        return node.lineno, column(node.lineno, node.col_offset), end_line, column(end_line, getattr(node, "end_col_offset", 0) or 0)

    def _trust(self, expr: ast.AST, what: str, anchor: ast.AST, keyword: str | None = None) -> None:
        kind, text = self._value(expr)
        if kind not in ("str", "unknown"):
            return
        if kind == "str":
            inline = keyword in self.inline or "-----BEGIN CERTIFICATE-----" in text
            value = trust.TrustValue(trust.PEM if inline else trust.PATH, text)
        else:
            value = trust.TrustValue(trust.UNKNOWN, text)
        self.sink.trust(value, what, self._span(anchor), f"{what} {text[:200]}")

    def _pin(self, expr: ast.AST | None, anchor: ast.AST, matched: str, detail: str) -> None:
        if expr is None or self._value(expr)[0] not in (_DEFAULT, _PARAM):
            self.sink.add("ATS301", self._span(anchor), matched, detail=detail)

    def _text(self, expr: ast.AST) -> str | None:
        kind, text = self._value(expr)
        return text if kind in ("str", _DEFAULT) and text else None

    # ---- forms
    def _visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                self._assigned(target, node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in self.env_vars:
                    self._trust(value, f"setting `{key.value}`", key)
        elif isinstance(node, (ast.Attribute, ast.Name)) and not isinstance(self.parents.get(node), ast.Attribute):
            qualified = self._qualified(node)
            if qualified in self.pin_names and (isinstance(node, ast.Attribute) or node.id in self.aliases):
                self.sink.add("ATS301", self._span(node), qualified, detail=f"`{qualified.rsplit('.', 1)[-1]}` pins the server key: {self.pin_names[qualified]}")

    def _call(self, node: ast.Call) -> None:
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        simple = _last_name(node.func)
        qualified = self._qualified(node.func)
        off = {k.arg for k in node.keywords if k.arg in self.off and (
            (k.value.value if isinstance(k.value, ast.Constant) and isinstance(k.value.value, str) else
             str(k.value.value) if isinstance(k.value, ast.Constant) else _last_name(k.value)) in self.off[k.arg])}
        for k in node.keywords:
            if k.arg in self.trust_keywords and not off - {k.arg}:
                self._trust(k.value, f"`{k.arg}=`", k, keyword=k.arg)
            elif k.arg in self.pin_keywords:
                self._pin(k.value, k, f"{k.arg}=", f"`{k.arg}=` pins the server certificate: {self.pin_keywords[k.arg]}")
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        for entry in self.positional:
            if not (entry.get("method") == method and method or _matches(qualified, [entry["qualified"]] if "qualified" in entry else [])):
                continue
            if "options" in entry:
                if len(positional) > max(entry["option_arg"], entry["value_arg"]) and not off:
                    option = _last_name(positional[entry["option_arg"]])
                    if option in entry["options"]:
                        argname = entry["options"][option]
                        self._trust(positional[entry["value_arg"]], f"`{method}({option}, ...)` ({argname})", node, keyword=argname)
                continue
            for index, argname in entry["args"].items():
                if int(index) < len(positional) and not off - {argname}:
                    self._trust(positional[int(index)], f"`{simple}()` ({argname})", positional[int(index)], keyword=argname)
        for entry in self.pin_options:
            if entry["method"] == method and len(positional) > entry["value_arg"]:
                option = _last_name(positional[entry["option_arg"]])
                if option in entry["options"]:
                    self._pin(positional[entry["value_arg"]], node, option, f"`{method}({option}, ...)` pins the server key: {entry['options'][option]}")
        for name, why in self.pin_calls.items():
            if qualified == name:
                self.sink.add("ATS301", self._span(node), name, detail=f"`{simple}(...)` pins the server certificate: {why}")
        for setter in self.env_calls:
            if not (("qualified" in setter and qualified == setter["qualified"]) or (method and setter.get("method") == method)):
                continue
            if "mapping_arg" in setter:
                for k in node.keywords:
                    if k.arg in self.env_vars:
                        self._trust(k.value, f"setting `{k.arg}`", k)
            elif len(positional) > max(setter["name_arg"], setter["value_arg"]):
                var = self._text(positional[setter["name_arg"]])
                if var in self.env_vars:
                    self._trust(positional[setter["value_arg"]], f"setting `{var}`", node)

    def _assigned(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Attribute):
            if target.attr in self.trust_attributes:
                self._trust(value, f"`.{target.attr} =`", target)
            elif target.attr in self.pin_attributes:
                self._pin(value, target, target.attr, f"`.{target.attr} =` pins the server certificate")
        elif isinstance(target, ast.Subscript) and self._qualified(target.value) in self.env_mappings:
            var = self._text(target.slice)
            if var in self.env_vars:
                self._trust(value, f"setting `{var}`", target)
