"""What a syntax node means: positions in characters, string values, same-file constants.

tree-sitter works on UTF-8 bytes: `start_point` columns are byte counts. Findings use 1-based
lines and character columns, so offsets are converted here (identity for ASCII files).

Same-file bindings (`val pin = "..."`, `static final String CA = "..."`, `ca := x509.NewCertPool()`)
come from the language's `bindings` query (@name, @value); a name resolves to the nearest
binding whose scope holds the use.
"""
from __future__ import annotations

import bisect
import re

from ats_lint.model import Span
from ats_lint.scan.tree.languages import LanguageSpec, matches
from ats_lint.scan.text.scanner import LineIndex

_QUOTED = re.compile(r'^[@$#A-Za-z]{0,3}("""|"|\'|`)(.*)\1#?$', re.S)
_SPACE = re.compile(r"\s+")
_DOTTED = re.compile(r"^[A-Za-z_$][\w$]{0,200}(?:[ \t\n]{0,40}\??\.[ \t\n]{0,40}[A-Za-z_$][\w$]{0,200}){1,20}$")
MAX_DEPTH = 4
MAX_TEXT = 4000  # characters of one node's text in a chain (a bound function body is not read whole)


class Source:
    """One parsed file: its bytes, text, tree and bindings."""

    def __init__(self, text: str, data: bytes, spec: LanguageSpec, tree):
        self.text = text
        self.data = data
        self.spec = spec
        self.tree = tree
        self.ascii = len(data) == len(text)
        self.index = LineIndex(text)
        self._line_bytes = [0] + [m.end() for m in re.finditer(rb"\n", data)] if not self.ascii else None
        self._bindings: dict[str, list] | None = None
        self._calls: dict[str, list] | None = None
        self._texts: dict[tuple, str] = {}
        self.string_nodes: list = []  # outermost string literals, set by the scanner
        self._file_tests: dict[str, bool] = {}

    # ------------------------------------------------------------------ positions
    def char(self, byte_offset: int) -> int:
        if self.ascii:
            return byte_offset
        line = bisect.bisect_right(self._line_bytes, byte_offset) - 1
        start = self._line_bytes[line]
        prefix = self.data[start:byte_offset].decode("utf-8", "surrogatepass")
        return self.index.starts[line] + len(prefix)

    def span(self, node) -> Span:
        return self.index.span(self.char(node.start_byte), self.char(node.end_byte))

    def node_text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # ------------------------------------------------------------------ bindings
    def bindings(self) -> dict[str, list]:
        if self._bindings is None:
            found: dict[str, list] = {}
            for _, caps in matches(self.spec.name, self.spec.bindings, self.tree.root_node):
                names, values = caps.get("name", []), caps.get("value", [])
                for name_node, value_node in zip(names, values):
                    decl = name_node.parent
                    scope = None if decl.type in _MEMBERS else _scope(decl)  # `self.x = ...`: seen by every method
                    found.setdefault(self.node_text(name_node), []).append((name_node, value_node, scope))
            self._bindings = found
        return self._bindings

    def resolve(self, node):
        """The value bound to an identifier (or `a.B` by its last name), or None."""
        text = self.node_text(node)
        if node.type not in self.spec.identifiers:
            if not _DOTTED.match(text):
                return None
            text = _last_name(text)
        candidates = self.bindings().get(text)
        if not candidates:
            return None
        best = None
        for name_node, value, scope in candidates:
            if name_node.start_byte == node.start_byte or value.start_byte <= node.start_byte < value.end_byte:
                continue  # the declaration itself, or a use inside its own value
            inside = scope is None or scope.start_byte <= node.start_byte < scope.end_byte
            if inside and (best is None or name_node.start_byte > best[0].start_byte) and name_node.start_byte < node.start_byte:
                best = (name_node, value)
        if best is None:
            outer = [c for c in candidates if c[2] is None or c[2].parent is None or c[2].type in _FILE_SCOPES]
            if len(outer) == 1 and outer[0][0].start_byte != node.start_byte:
                best = outer[0][:2]
        return best[1] if best else None

    def all_values(self, node) -> list:
        """Every value the name is bound to in this file (nearest first), and the calls made on
        it (`pool.AppendCertsFromPEM(pem)`, `ks.load(stream)`): what a chain test looks at."""
        nearest = self.resolve(node)
        if nearest is None:
            return []
        name = self.node_text(node)
        if node.type not in self.spec.identifiers:
            name = _last_name(name)
        out = [nearest]
        for _, value, _ in self.bindings().get(name, ())[:4]:
            if value is not nearest and not (value.start_byte <= node.start_byte < value.end_byte):
                out.append(value)
        out.extend(self.calls_on(name))
        return out

    def calls_on(self, name: str) -> list:
        """Calls in this file whose receiver is the plain name `name` (at most 8)."""
        if self._calls is None:
            found: dict[str, list] = {}
            stack = [self.tree.root_node]
            while stack:
                n = stack.pop()
                if n.type in _CALLS and n.named_children:
                    head = n.named_children[0]
                    while head.named_children and head.type not in self.spec.identifiers and head.type not in _CALLS:
                        head = head.named_children[0]
                    if head.type in self.spec.identifiers and head.end_byte < n.end_byte:
                        found.setdefault(self.node_text(head), []).append(n)
                if n.type not in self.spec.comments and n.type not in self.spec.strings:
                    stack.extend(n.named_children)
            self._calls = found
        return self._calls.get(name, [])[:8]

    def resolved_text(self, node, depth: int = 0) -> str:
        """The node's text without whitespace, followed by what its names are bound to (and the
        calls made on them) in this file, a few levels deep."""
        key = (node.start_byte, node.end_byte, node.type, depth)
        if key in self._texts:
            return self._texts[key]
        self._texts[key] = _SPACE.sub("", self.node_text(node)[:MAX_TEXT])  # a cycle sees the plain text
        parts = [self._texts[key]]
        if depth < MAX_DEPTH:
            names = self.identifiers_in(node, limit=12)
            if node.type not in self.spec.identifiers and _DOTTED.match(self.node_text(node)):
                names.insert(0, node)  # `self.anchors`: by its last name
            for ident in names:
                for value in self.all_values(ident):
                    if not (value.start_byte <= node.start_byte and node.end_byte <= value.end_byte):
                        parts.append(self.resolved_text(value, depth + 1))
        self._texts[key] = " ".join(parts)
        return self._texts[key]

    def identifiers_in(self, node, limit: int = 40) -> list:
        out, stack = [], [node]
        while stack and len(out) < limit:
            n = stack.pop()
            if n.type in self.spec.identifiers:
                out.append(n)
            elif n.type not in self.spec.strings and n.type not in self.spec.comments:
                stack.extend(reversed(n.named_children))
        return out

    # ------------------------------------------------------------------ strings
    def any_string_matches(self, pattern) -> bool:
        """Does some string literal of the file match? (a cheap test before resolving names)"""
        if pattern.pattern not in self._file_tests:
            self._file_tests[pattern.pattern] = any(
                pattern.search(v) for v in (self.string_value(n, MAX_DEPTH) for n in self.string_nodes) if v is not None)
        return self._file_tests[pattern.pattern]

    def is_string(self, node) -> bool:
        return node.type in self.spec.strings

    def string_value(self, node, depth: int = 0) -> str | None:
        """The value of a string literal, a concatenation of them, or a name bound to one."""
        if node.type in self.spec.strings or node.type == "preproc_arg":
            m = _QUOTED.match(self.node_text(node).strip())
            return m.group(2) if m else None
        named = node.named_children
        if node.type in _WRAPPERS and len(named) == 1:
            return self.string_value(named[0], depth)
        if node.type in _CONCATENATIONS and named and (node.type == "concatenated_string" or _is_plus(node)):
            parts = [self.string_value(c, depth) for c in named if c.type not in self.spec.comments]
            if all(p is not None for p in parts):
                return "".join(parts)
            return None
        if depth < MAX_DEPTH:
            value = self.resolve(node)
            if value is not None:
                return self.string_value(value, depth + 1)
        return None

    def strings_in(self, node, depth: int = 0, limit: int = 50, every: bool = False) -> list[str]:
        """Every string value in a node and in what its names are bound to (first one first):
        the nearest binding of each name, or with `every` all its bindings and calls made on it."""
        out: list[str] = []
        stack = [node]
        while stack and len(out) < limit:
            n = stack.pop()
            value = self.string_value(n, MAX_DEPTH) if n.type in self.spec.strings or n.type == "preproc_arg" else None
            if value is not None:
                out.append(value)
                continue
            if n.type in self.spec.identifiers or _DOTTED.match(self.node_text(n)) and n.type not in _CALLS:
                bound = (self.all_values(n) if every else [v for v in [self.resolve(n)] if v is not None]) if depth < MAX_DEPTH else []
                if bound:
                    for value in bound:
                        out.extend(self.strings_in(value, depth + 1, limit - len(out), every))
                    continue
            if n.type not in self.spec.comments:
                stack.extend(reversed(n.named_children))
        return out


def _last_name(dotted: str) -> str:
    """`a.b?.C` -> `C`."""
    return dotted.rsplit(".", 1)[-1].strip()


def _is_plus(node) -> bool:
    return any(not c.is_named and c.type == "+" for c in node.children)


def _scope(node):
    """The block a declaration belongs to (None: the file)."""
    n = node.parent
    while n is not None:
        if n.type in _SCOPES:
            return n
        n = n.parent
    return None


_SCOPES = frozenset({
    "block", "function_body", "statements", "compound_statement", "statement_block", "class_body",
    "declaration_list", "function_declaration", "method_declaration", "lambda_literal", "class_declaration",
    "method_definition", "implementation_definition", "function_definition", "arrow_function", "function_expression",
    "func_literal", "constructor_declaration", "local_function_statement", "lambda_expression",
})
_MEMBERS = frozenset({"field_expression", "member_expression", "navigation_expression", "selector_expression", "member_access_expression"})
_FILE_SCOPES = frozenset({"source_file", "program", "translation_unit", "compilation_unit", "class_body", "declaration_list"})
_WRAPPERS = frozenset({"parenthesized_expression", "value_argument", "literal_element", "argument", "expression_list", "expression_statement"})
_CONCATENATIONS = frozenset({"binary_expression", "additive_expression", "concatenated_string"})
_CALLS = frozenset({"call_expression", "method_invocation", "invocation_expression", "message_expression"})
