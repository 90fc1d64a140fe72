"""The rule visitor: walks one parsed module and reports what rules/python.yaml describes."""
from __future__ import annotations

import bisect
import functools
import re

import libcst as cst

from ats_lint.model import Span
from ats_lint.resources import load_data
from ats_lint.scan.literals import host_hint_re, scan_digest_bytes, scan_text
from ats_lint.scan.positions import positions_of
from ats_lint.scan.python.bindings import dotted_name
from ats_lint.scan.python.context import accumulated_texts, crossing_hits, inner_span, resolve_positions
from ats_lint.scan.python.flows import FlowChecks, last_name as _last_name, string_operands as _string_operands
from ats_lint.scan.python.mappings import Mappings
from ats_lint.scan.python.peer import PeerCertificateChecks
from ats_lint.scan.python.parse import walk
from ats_lint.scan.python.project import ParsedModule, Project
from ats_lint.scan.python.regions import plan
from ats_lint.scan.python.values import (
    STRINGS,
    Evaluator,
    Value,
    evaluated,
    hole_for,
    signatures,
    static_text,
)
from ats_lint.scan.sink import FindingSink
from ats_lint.trust import judge as trust



@functools.lru_cache(maxsize=1)
def _principal_keys() -> frozenset[str]:
    return frozenset(k.lower() for k in load_data("hosts.yaml").get("service_principal_keys", ("service",)))


# --------------------------------------------------------------------------- the visitor


class _Visitor(FlowChecks, PeerCertificateChecks, cst.CSTVisitor):
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
        self.option_mappings = set(trust_args.get("option_mappings", ()))
        self.off = {e["keyword"]: set(e["values"]) for e in sig.get("verification_off", ())}
        self.pin_options = pin.get("option_calls", ())
        prose = sig.get("prose", {})
        self.prose_names = set(prose.get("module_names", ()))
        self.prose_keywords = set(prose.get("keywords", ()))
        self.host_test_methods = set(prose.get("host_test_methods", ()))
        self._mappings: Mappings | None = None

    # ---- strings
    def visit_Module(self, node: cst.Module) -> None:
        self._accumulated(node.body)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._accumulated(node.body)

    def _accumulated(self, body) -> None:
        """`url = "https://s3-accelerate."; url += "amazonaws.com"`: the text built in one block."""
        if not any(isinstance(s, cst.SimpleStatementLine) and any(isinstance(x, cst.AugAssign) for x in s.body) for s in body):
            return
        from ats_lint.scan.hosts import host_matcher

        for pieces in accumulated_texts(body):
            if host_hint_re().search("".join(p for _, p in pieces)):
                for hit, node in crossing_hits(pieces, host_matcher().find):
                    self.sink.host(hit, self.mod.span(node))

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
                raw = evaluated(node)
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

        hosts = bool(host_hint_re().search(text)) and not self._is_service_principal(anchor)
        scan_text(text, self.sink, span_at, hosts=hosts)

    def _consume(self, node: cst.CSTNode) -> None:
        self.consumed.add(id(node))
        if isinstance(node, cst.ConcatenatedString):
            self._consume(node.left)
            self._consume(node.right)

    def _check_string(self, node: cst.CSTNode, text: str) -> None:
        hosts = bool(host_hint_re().search(text)) and not self._is_service_principal(node)
        if "\n" in text:  # a multi-line string: report on the line and column of the hit itself
            scan_text(text, self.sink, lambda start, end: inner_span(self.mod, node, text, start, end), hosts=hosts)
            return
        scan_text(text, self.sink, lambda start, end: self.mod.span(node), hosts=hosts)

    def _eval(self, expr: cst.BaseExpression, container: cst.CSTNode | None = None) -> Value:
        """Evaluate an expression of the code being visited (or of `container`, a function or the
        module of this file), telling the evaluator where it sits."""
        if container is None:
            nested = sum(isinstance(n, cst.FunctionDef) for n in self.stack) > 1
            cls = next((n for n in reversed(self.stack) if isinstance(n, cst.ClassDef)), None)
            self.ev.note_context(expr, self._container(), nested, cls)
        else:
            self.ev.note_context(expr, container, not self.mappings.is_top_level(container))
        return self.ev.value(self.mod, expr)

    @property
    def mappings(self) -> Mappings:
        if self._mappings is None:
            self._mappings = Mappings(self.mod.module)
        return self._mappings

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
            return static_text(parent.key).lower() in _principal_keys()
        return False

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.stack.append(node)
        if len(self.stack) == 2:
            self.mod.current_statement = node  # a top-level statement: where reported nodes are looked for
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
        if method in self.host_test_methods:
            self._consume_tested(node, method)
        off = self._off_keywords((a.keyword.value, a.value) for a in node.args if a.keyword is not None)
        for arg in node.args:
            if arg.keyword is None:
                if arg.star == "**":
                    self._mapping_flow(arg.value, node, off, None)
                continue
            kw = arg.keyword.value
            if kw in self.trust_keywords:
                if not off - {kw}:
                    self._trust(arg.value, f"`{kw}=`", arg, keyword=kw)
            elif kw in self.pin_keywords:
                self._pin_keyword(kw, arg.value, arg, f"{kw}=", None)
            elif kw in self.option_mappings:
                self._mapping_flow(arg.value, node, off, kw)
            elif kw in self.prose_keywords and isinstance(arg.value, STRINGS):
                self._consume(arg.value)
        positional = [a for a in node.args if a.keyword is None and not a.star]
        for entry in self.positional:
            if not (("method" in entry and entry["method"] == method) or ("qualified" in entry and entry["qualified"] in names)):
                continue
            if "options" in entry:
                self._option_call(node, entry, positional, off)
                continue
            for index, argname in entry["args"].items():
                if int(index) < len(positional) and not off - {argname}:
                    self._trust(positional[int(index)].value, f"`{simple}()` ({argname})", positional[int(index)], keyword=argname)
        for entry in self.pin_options:
            if entry["method"] == method:
                option = _last_name(positional[entry["option_arg"]].value) if len(positional) > entry["value_arg"] else None
                if option in entry["options"] and self._eval(positional[entry["value_arg"]].value).kind not in ("default", "param"):
                    self.sink.add("ATS301", self.mod.span(node), option, detail=f"`{method}({option}, ...)` pins the server key: {entry['options'][option]}")
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
        if isinstance(node.value, STRINGS) and self._container() is self.mod.module:
            if any(isinstance(t.target, cst.Name) and t.target.value in self.prose_names for t in node.targets):
                self._consume(node.value)  # DOCUMENTATION/EXAMPLES/RETURN: documentation, not connections
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
        module = dotted_name(node.module) if node.module else ""
        for alias in node.names:
            imported = dotted_name(alias.name)
            local = dotted_name(alias.asname.name) if alias.asname else imported
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
        if any(isinstance(c.operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)) for c in node.comparisons):
            for side in (node.left, *(c.comparator for c in node.comparisons)):
                for value in _string_operands(side):
                    self._consume(value)  # a host compared with a name is tested, not connected to
        self._peer_certificate_comparison(node)

    # ---- trust values
    def _trust(self, expr: cst.BaseExpression, what: str, anchor: cst.CSTNode, keyword: str | None = None, container=None) -> None:
        value = self._eval(expr, container)
        if not value.is_store or (value.kind == "str" and trust.is_default_store_text(value.text)):
            return
        if value.kind in ("str", "path"):
            inline = value.kind == "str" and (keyword in self.inline_keywords)
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
        piece = static_text(o) if isinstance(o, STRINGS) else hole_for(o)
        out.append((offset, o, piece))
        offset += len(piece)
    return out


def _flatten_add(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _flatten_add(node.left) + _flatten_add(node.right)
    return [node]


def scan_python(source: str, sink: FindingSink, project: Project) -> None:
    """Scan one Python module; raises libcst.ParserSyntaxError when it cannot be parsed."""
    mod = ParsedModule(sink.file, source, keep_syntax=True)
    project.remember(sink.file, mod)
    visitor = _Visitor(mod, Evaluator(project), sink)
    syntax, mod.syntax = mod.syntax, None
    # Only the statements that can lead to a finding are walked (regions.py); a file that
    # compares a peer certificate's digest is walked whole, as tainted names cross statements.
    regions = plan(source, syntax, mod.module, visitor.callee_names | visitor.pin_name_parts)
    del syntax
    walk(visitor, mod.module, set() if visitor.has_peer_certificate else regions.skipped)
    sink.resolve_deferred(lambda anchors: resolve_positions(mod.module, anchors, _locator(mod, regions.code_lines, source)))


def _locator(mod: ParsedModule, code_lines: dict[int, int], source: str):
    """Positions are looked for first in the top-level statement a node was reported from."""
    if not code_lines or "\r" in source:  # lines as CPython counts them differ from "\n" counts
        return positions_of
    statements = {key: (stmt, code_lines[id(stmt)]) for key, stmt in mod.statement_of.items() if id(stmt) in code_lines}
    line_starts = [0, 0, *(m.end() for m in re.finditer("\n", source))]
    return lambda module, nodes: positions_of(module, nodes, statements, line_starts, source)
