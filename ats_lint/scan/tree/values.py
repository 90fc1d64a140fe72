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
from ats_lint.scan.tree.nodes import (
    _CALLS, _CONCATENATIONS, _FILE_SCOPES, _FUNCTIONS, _MEMBERS, _STATEMENT_LISTS, _WRAPPERS,
    _function_of, _function_scope, _is_assignment, _is_plus, _is_receiver, _last_name, _scope, _within, positional_pairs,
)
from ats_lint.scan.text.scanner import LineIndex

_QUOTED = re.compile(r'^[@$#A-Za-z]{0,3}("""|"|\'|`)(.*)\1#?$', re.S)
_SPACE = re.compile(r"\s+")
_CHAIN_LINKS = _MEMBERS | _CALLS  # the links of a call chain (`a.b(x).c(y)`)
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
        self._line_chars: list[int] | None = None  # line starts in characters, made on the first `byte()`
        self._bindings: dict[str, list] | None = None
        self._calls: dict[str, list] | None = None
        self._texts: dict[tuple, str] = {}
        self._elements: dict[tuple, list | None] = {}
        self._map_values: dict[tuple, list | None] = {}
        self._modules: frozenset[str] | None = None
        self.string_nodes: list = []  # outermost string literals, set by the scanner
        self.comment_spans: list[tuple[int, int]] = []  # (start, end) bytes of the outermost comments, in order; set by the scanner
        self.path = ""  # the file's path relative to the scan root, set by the scanner
        self._file_tests: dict[str, bool] = {}
        self._in_program: bool | None = None  # does the file read its command line? (made on first use)

    # ------------------------------------------------------------------ positions
    def char(self, byte_offset: int) -> int:
        if self.ascii:
            return byte_offset
        line = bisect.bisect_right(self._line_bytes, byte_offset) - 1
        start = self._line_bytes[line]
        prefix = self.data[start:byte_offset].decode("utf-8", "surrogatepass")
        return self.index.starts[line] + len(prefix)

    def byte(self, char_offset: int) -> int:
        """The byte offset of a character offset (the inverse of `char`), counted from the start of its line."""
        if self.ascii:
            return char_offset
        if self._line_chars is None:
            self._line_chars = [0] + [m.end() for m in re.finditer("\n", self.text)]  # as `_line_bytes`
        line = bisect.bisect_right(self._line_chars, char_offset) - 1
        prefix = self.text[self._line_chars[line]:char_offset]
        return self._line_bytes[line] + len(prefix.encode("utf-8", "surrogatepass"))

    def span(self, node) -> Span:
        return self.index.span(self.char(node.start_byte), self.char(node.end_byte))

    def code_text(self, node) -> str:
        """The node's text without whitespace and without the comments inside it (what a regex about the
        code written there reads: `InsecureSkipVerify: true, // why` then `VerifyPeerCertificate:`)."""
        a, b = node.start_byte, node.end_byte
        i = bisect.bisect_left(self.comment_spans, (a, -1))
        if i == len(self.comment_spans) or self.comment_spans[i][0] >= b:
            return _SPACE.sub("", self.node_text(node))
        parts, at = [], a
        while i < len(self.comment_spans) and self.comment_spans[i][1] <= b:
            start, end = self.comment_spans[i]
            parts.append(self.data[at:start])
            at, i = end, i + 1
        parts.append(self.data[at:b])
        return _SPACE.sub("", b" ".join(parts).decode("utf-8", "replace"))

    def node_text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # ------------------------------------------------------------------ bindings
    def bindings(self) -> dict[str, list]:
        """name -> [(name node, value node, scope, each)]. `each`: the name holds each element of
        the value in turn (a loop variable, a `forEach` lambda's parameter or its implicit `it`)."""
        if self._bindings is None:
            found: dict[str, list] = {}
            implicit = []
            for _, caps in matches(self.spec.name, self.spec.bindings, self.tree.root_node):
                values, each = caps.get("value", []), caps.get("each", [])
                if any(n.type in self.spec.comments for n in values or each):
                    continue  # a comment between a receiver and its call (Kotlin's unnamed fields)
                if "implicit" in caps:
                    implicit.extend(zip(caps["implicit"], each))
                    continue
                pairs, loop = zip(caps.get("name", []), values or each), not values
                if "names" in caps and "elements" in caps:
                    pairs, loop = positional_pairs(caps["names"][0], caps["elements"][0], self.spec), False
                elif "names" in caps and "mapped" in caps:
                    # every place holds what one function makes of each element (`const [ca, cert] = await
                    # Promise.all(paths.map((p) => fs.readFile(p)))`): each name is bound to that result
                    plain = [c for c in caps["names"][0].named_children if c.type in self.spec.identifiers]
                    pairs, loop = [(n, caps["mapped"][0]) for n in plain], False
                for name_node, value_node in pairs:
                    if self.node_text(name_node) == "_":
                        continue  # the blank identifier (`_ = x`, `v, _ := f()`) binds nothing
                    decl = name_node.parent
                    # `self.x = ...`: seen by every method; a lambda's parameter (`p => ...`): the lambda
                    # a function's name is seen where the function is declared, not inside it
                    scope = None if decl.type in _MEMBERS else _scope(decl) if decl.type in _FUNCTIONS else _scope(name_node)
                    if scope is not None and _is_assignment(name_node):
                        # `pool = x509.NewCertPool()` inside an `if`: the variable keeps the value
                        # after the block, in the whole function; a name the function neither declares nor
                        # takes is a member's or a module's (`realChain01 = ...` in `setUp()`): file-wide
                        scope = _function_scope(scope)
                        if scope is not None and not self._declares(scope, self.node_text(name_node)):
                            scope = None
                    found.setdefault(self.node_text(name_node), []).append((name_node, value_node, scope, loop))
            if implicit and self.spec.implicit_parameter:
                # a lambda that declares its parameter has no implicit one
                declared = {(e[2].start_byte, e[2].end_byte) for entries in found.values() for e in entries if e[3] and e[2] is not None}
                for lam, collection in implicit:
                    if (lam.start_byte, lam.end_byte) not in declared:
                        found.setdefault(self.spec.implicit_parameter, []).append((lam, collection, lam, True))
            self._bindings = found
        return self._bindings

    def _declares(self, function, name: str) -> bool:
        """Does the function declare or take `name` (`name :=`, `var name`, `Type name =`, `(name Type`)? Unsure: yes."""
        n = re.escape(name)
        return re.search(rf"\b{n}\s*(?::=|:(?!:)|,)|\b(?:var|let|val|const|auto)\s+(?:\w+\s*,\s*)*{n}\b|[\w>\]?*]\s+{n}\s*[;=,)]|[(,]\s*{n}\b",
                         self.node_text(function)) is not None

    def binding(self, node):
        """(value, each) bound to an identifier (or `a.B` by its last name), or None; `each`: the
        name holds each element of the value (a loop variable)."""
        text = self.node_text(node)
        if node.type not in self.spec.identifiers:
            if not _DOTTED.match(text):
                return None
            text = _last_name(text)
        return self.binding_named(text, node)

    def binding_named(self, text: str, node):
        """(value, each) bound to the name `text` where `node` stands, or None."""
        candidates = self.bindings().get(text)
        if not candidates:
            return None
        best = None
        for entry in candidates:
            name_node, value, scope, _ = entry
            if name_node.start_byte == node.start_byte or value.start_byte <= node.start_byte < value.end_byte:
                continue  # the declaration itself, or a use inside its own value
            inside = _within(scope, node)
            if inside and (best is None or name_node.start_byte > best[0].start_byte) and name_node.start_byte < node.start_byte:
                best = entry
        if best is None:
            outer = [c for c in candidates if c[2] is None or c[2].parent is None or c[2].type in _FILE_SCOPES]
            if len(outer) == 1 and outer[0][0].start_byte != node.start_byte:
                best = outer[0]
        return (best[1], best[3]) if best else None

    def resolve(self, node):
        """The value bound to an identifier (or `a.B` by its last name), or None."""
        bound = self.binding(node)
        return bound[0] if bound else None

    def enclosing_function(self, node):
        """The nearest function that encloses the node, or the file's root."""
        fn = _function_of(node)
        return fn if fn is not None else self.tree.root_node

    def is_parameter(self, node, receivers: bool = True) -> bool:
        """Is this name a parameter of a function that encloses it (the caller's value)? With
        `receivers=False`, not a method's receiver (Go's `c` of `func (c *Client) f()`). A parameter
        the framework fills from the program's settings (the language's `configured_parameters`:
        Spring's `@Value("${client.ssl.trust-store}") String path`) is configuration, not the caller's;
        so is one declared as the command-line arguments in a file of a program (`program_parameters`)."""
        name = self.node_text(node).strip()
        fn = _function_of(node)
        configured = self._configured_parameters()
        while fn is not None:
            receiver = None if receivers else fn.child_by_field_name("receiver")
            for child in fn.named_children:
                if receiver is not None and child.id == receiver.id:
                    continue
                if "parameter" in child.type and any(self.node_text(i) == name for i in self.identifiers_in(child)):
                    declared = [p for p in (child.named_children if child.type.endswith("parameters") else [child])
                                if any(self.node_text(i) == name for i in self.identifiers_in(p))]
                    if configured is not None and declared and all(configured.search(self._declared_with(p)) for p in declared):
                        return False
                    return True
            fn = _function_of(fn)
        return False

    def _configured_parameters(self) -> re.Pattern | None:
        """The language's `configured_parameters`, or in a program's file its `program_parameters`."""
        if self._in_program is None:
            self._in_program = self.spec.programs is not None and self.spec.programs.search(self.text) is not None
        return self.spec.program_parameters if self._in_program else self.spec.configured_parameters

    def _declared_with(self, parameter) -> str:
        """A parameter's text with the modifiers written before it (Kotlin keeps a parameter's
        annotations in a `parameter_modifiers` sibling)."""
        before = parameter.prev_named_sibling
        prefix = self.node_text(before) + " " if before is not None and "modifiers" in before.type else ""
        return prefix + self.node_text(parameter)

    def chain_root(self, node):
        """The name a member chain starts from (`opts` of `opts.tls.ca`), the node itself when it is a
        name, or None (a call, `this.x`, a literal)."""
        node = self.chain_head(node) if node is not None else None
        return node if node is not None and node.type in self.spec.identifiers else None

    @staticmethod
    def chain_head(node, calls: bool = False):
        """The first link of a member chain, or with `calls` of a call chain too (`options` of
        `options.setSsl(true).setPort(p)`), whatever node that is."""
        links = _CHAIN_LINKS if calls else _MEMBERS
        while node.type in links and node.named_children:
            node = node.named_children[0]
        return node

    def iterated(self, node):
        """The collection a loop variable (or a `forEach` lambda's parameter) walks, or None."""
        bound = self.binding(node)
        return bound[0] if bound and bound[1] else None

    def elements(self, node) -> list | None:
        """The elements of a collection literal (`listOf("a", "b")`, `{"a", "b"}`), or None."""
        return self._literal_parts(node, self.spec.collections, "collection", "element", self._elements)

    def map_values(self, node) -> list | None:
        """The values of a map literal's entries (`listOf(...)` of `mapOf("host" to listOf(...))`), or None."""
        return self._literal_parts(node, self.spec.maps, "map", "value", self._map_values)

    def _literal_parts(self, node, query: str, whole: str, part: str, cache: dict) -> list | None:
        """The `part` captures of the language query's match whose `whole` capture is this node."""
        if not query:
            return None
        key = (node.start_byte, node.end_byte, node.type)
        if key not in cache:
            found = None
            for _, caps in matches(self.spec.name, query, node):
                roots = caps.get(whole, [])
                if roots and (roots[0].start_byte, roots[0].end_byte, roots[0].type) == key:
                    found = (found or []) + list(caps.get(part, []))
            cache[key] = found
        return cache[key]

    def module_names(self) -> frozenset[str]:
        """The string values that name code to load in this file (`./lndConfig` of `require('./lndConfig')`)."""
        if self._modules is None:
            found = matches(self.spec.name, self.spec.modules, self.tree.root_node) if self.spec.modules else []
            self._modules = frozenset(v for _, caps in found for n in caps.get("module", [])
                                      if (v := self.string_value(n)) is not None)
        return self._modules

    def interpolated(self, node) -> list:
        """The expressions interpolated in the string literals of a node (`$pin` of `"sha256/$pin"`)."""
        if not self.spec.interpolations:
            return []
        return [n for _, caps in matches(self.spec.name, self.spec.interpolations, node) for n in caps.get("expr", [])]

    def assigned_name(self, node) -> str | None:
        """The name a value is assigned to in this file (`policy` of `AFSecurityPolicy *policy = [...]`);
        of several (`tlsConf, err := f()` in Go), the leftmost."""
        found = [(name_node.start_byte, name) for name, entries in self.bindings().items()
                 for name_node, value, _, each in entries
                 if not each and value.start_byte == node.start_byte and value.end_byte == node.end_byte]
        return min(found)[1] if found else None

    def statements_after(self, node) -> list:
        """The statements that follow the one holding `node`, in the same block."""
        n = node
        while n.parent is not None and n.parent.type not in _STATEMENT_LISTS:
            n = n.parent
        out, sibling = [], n.next_named_sibling
        while sibling is not None and n.parent is not None:
            if sibling.type not in self.spec.comments:
                out.append(sibling)
            sibling = sibling.next_named_sibling
        return out

    def all_values(self, node) -> list:
        """Every value the name is bound to where it stands in this file (nearest first; not a name
        declared in another function), and the calls made on it (`pool.AppendCertsFromPEM(pem)`,
        `ks.load(stream)`): what a chain test looks at.
        A loop variable leads nowhere here: what a loop walks is judged as a collection of
        constants (`string_value`, `strings_in`), never as the source of a store or a certificate
        (a pinning library iterating over the pins its caller set)."""
        bound = self.binding(node)
        if bound is None or bound[1]:
            return []
        nearest = bound[0]
        name = self.node_text(node)
        if node.type not in self.spec.identifiers:
            name = _last_name(name)
        # (a name declared in another function is another variable; an assignment there may set a module's)
        seen = [value for name_node, value, scope, _ in self.bindings().get(name, ())
                if _within(scope, node) or _is_assignment(name_node)]
        out = [nearest]
        for value in seen[:4]:
            if value is not nearest and not (value.start_byte <= node.start_byte < value.end_byte):
                out.append(value)
        # calls on a local: only where it is seen (a same-named local of another function or block is another
        # variable); a member of a type or a module's name is seen by every body of the file (a Swift extension)
        local = next((scope for _, value, scope, _ in self.bindings().get(name, ()) if value is nearest), None)
        if local is not None and _function_scope(local) is None:
            local = None
        out.extend(self.calls_on(name, local))
        return out

    def calls_on(self, name: str, scope=None) -> list:
        """Calls in this file (in `scope`, when given) whose receiver is the plain name `name` (at most 8)."""
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
        return [c for c in self._calls.get(name, []) if _within(scope, c)][:8]

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
        if self.spec.decoders is not None and named and (literal := self._decoded(node)) is not None:
            return self.string_value(literal, depth)
        if depth < MAX_DEPTH:
            bound = self.binding(node)
            if bound is not None:
                value, each = bound
                return self.element_value(value, depth + 1) if each else self.string_value(value, depth + 1)
        return None

    def _decoded(self, node):
        """The string literal a decoding call wraps (`Convert.FromBase64String("...")`, the
        language's `decoders`), or None."""
        if node.end_byte - node.start_byte > 600 or b"(" not in self.data[node.start_byte:node.end_byte]:
            return None
        stack = list(reversed(node.named_children))
        while stack:  # the first string literal in source order
            n = stack.pop()
            if n.type in self.spec.strings:
                break
            stack.extend(reversed(n.named_children))
        else:
            return None
        text = self.data[node.start_byte:n.start_byte] + b"$" + self.data[n.end_byte:node.end_byte]
        return n if self.spec.decoders.match(_SPACE.sub("", text.decode("utf-8", "replace"))) else None

    def element_value(self, node, depth: int = 0) -> str | None:
        """The first element of a collection literal whose elements are all strings (or of a
        name bound to one): what a loop over it binds its variable to."""
        elements = self.elements(node)
        if elements is not None:
            values = [self.string_value(e, depth) for e in elements if e.type not in self.spec.comments]
            return values[0] if values and all(v is not None for v in values) else None
        if depth < MAX_DEPTH:
            bound = self.binding(node)
            if bound is not None and not bound[1]:
                return self.element_value(bound[0], depth + 1)
        return None

    def joined_path(self, node, depth: int = 0) -> str | None:
        """A path built by one of the language's join calls (`path.join(__dirname, '..', 'ca.pem')`,
        `filepath.Join("certs", "ca.pem")`) in the node or in a name bound to one: its string parts
        joined with `/`; None when there is none, or a part is not a string constant (a first part
        that is the code's own folder, `__dirname`, is left out: the lookup starts there)."""
        if not self.spec.path_joins:
            return None
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type in _CALLS and len(n.named_children) >= 2:
                args = n.named_children[-1]
                callee = _SPACE.sub("", self.data[n.start_byte:args.start_byte].decode("utf-8", "replace"))
                if callee in self.spec.path_joins:
                    return self._joined(args, depth)
            if n.type in self.spec.identifiers and depth < MAX_DEPTH:
                bound = self.binding(n)
                if bound is not None and not bound[1]:
                    joined = self.joined_path(bound[0], depth + 1)
                    if joined is not None:
                        return joined
            if n.type not in self.spec.comments and n.type not in self.spec.strings:
                stack.extend(reversed(n.named_children))
        return None

    def _joined(self, args, depth: int) -> str | None:
        parts = []
        for index, arg in enumerate(a for a in args.named_children if a.type not in self.spec.comments):
            if index == 0 and _SPACE.sub("", self.node_text(arg)) in self.spec.path_bases:
                continue
            value = self.string_value(arg, depth)
            if value is None:
                return None
            parts.append(value)
        joined = ""
        for p in parts:
            joined = p if p.startswith("/") or not joined else joined.rstrip("/") + "/" + p
        return joined or None

    def strings_in(self, node, depth: int = 0, limit: int = 50, every: bool = False) -> list[str]:
        """Every string value in a node and in what its names are bound to (first one first):
        the nearest binding of each name, or with `every` all its bindings and calls made on it
        (a loop variable: the collection it walks)."""
        out: list[str] = []
        stack = [node]
        while stack and len(out) < limit:
            n = stack.pop()
            value = self.string_value(n, MAX_DEPTH) if n.type in self.spec.strings or n.type == "preproc_arg" else None
            if value is not None:
                out.append(value)
                continue
            if n.type in self.spec.identifiers or _DOTTED.match(self.node_text(n)) and n.type not in _CALLS:
                # with `every`: all its bindings, or for a loop variable the collection it walks; not
                # for the receiver of a method call (`fs` of `fs.readFileSync(...)`: every call made on
                # the module elsewhere in the file reads some other file)
                every_here = every and not _is_receiver(n)
                bound = ((self.all_values(n) or [c for c in [self.iterated(n)] if c is not None]) if every_here
                         else [v for v in [self.resolve(n)] if v is not None]) if depth < MAX_DEPTH else []
                if bound:
                    for value in bound:
                        out.extend(self.strings_in(value, depth + 1, limit - len(out), every))
                    continue
            if n.type not in self.spec.comments:
                stack.extend(reversed(n.named_children))
        return out
