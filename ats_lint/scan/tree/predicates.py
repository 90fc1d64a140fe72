"""The generic conditions a syntax rule's `where` list may use, written once for every language.

Each entry is a dict whose first key names the primitive and the capture it reads:

- `chain: CAP, matches/not_matches: RE`: the capture's text with whitespace removed, followed by
  what its identifiers are bound to in the same file (a builder held in a variable, a key store
  created three lines up), searched with RE; with `nearest: true`, only the binding in scope (a
  name bound in two functions of the file); with `root: true`, only what the first name of a call
  chain is bound to (`options` of `options.setPort(server.port())`, not `server`);
  with `code: true`, string literals' words are left out, what they interpolate kept (the words of a
  dictionary key such as `"SPKI-SHA256-BASE64"` are data, not the code that computes a value);
- `text: CAP, matches/not_matches: RE`: the capture's own text, whitespace removed;
- `inside: CAP, types: [...], matches: RE` (and `not_inside`; `flat: true`: only what the ancestor writes at its own
  level, nested braces emptied): an ancestor of one of those node
  types (any type when omitted) whose text, whitespace removed, matches RE;
- `has: CAP, types: [...], matches: RE`: a descendant of those types whose text matches RE;
- `count: CAP, min: N`: at least N named children (arguments, array elements), comments aside;
- `constant: CAP, matches: RE, names: true`: the capture is a string literal, a concatenation of
  them, or a name bound to one in the same file, whose value matches RE; with `names`, a name in
  UPPER_SNAKE_CASE (`BuildConfig.PIN`) counts as a constant defined elsewhere; `or_text: RE`
  accepts a capture whose text matches RE (app resources: `getString(R.string.pin)`);
- `compare: [A, B], mentions: RE, constant: RE`: one side's chain text matches `mentions`, the
  other side holds a string constant (directly or in a same-file collection) matching `constant`,
  or is an UPPER_SNAKE_CASE name not bound in this file (a constant defined elsewhere) whose last
  part matches `names: RE` (without `names`, such names are not accepted); with `other: RE`
  instead of `constant`, the other side's chain text must match RE;
- `strings: CAP, matches: RE`: some string literal in the capture, or in what its names are
  bound or assigned to in this file, matches RE (a path read by `os.ReadFile("ca.pem")` two lines up);
- `bound: CAP`: the capture is a name bound in this file (a local or a same-file constant);
- `param: CAP`: the capture is a parameter of a function that encloses it (the caller's value); with
  `root: true`, also a member chain starting with one (`opts.ca`, `this.options.ca` is not);
- `elements: CAP, matches: RE, min: N`: the capture is a collection literal of the language's
  `collections` query (or holds one directly: `new HashSet<string> { ... }`) with at least N
  elements (default 1), every one of them a string constant whose value matches RE (a list of pins
  written as data); an element that is itself a collection (a one-entry map `["<pin>": .sha256]`)
  counts by its keys; with `not_every: RE`, not when every element also matches RE (placeholders);
  with `names: RE`, an element may instead be a name matching RE (a constant defined elsewhere);
- `some: CAP, query: Q, where: [...]`: some match of the query Q (a string, or a mapping language
  -> query) inside the capture, at any depth, satisfies the nested `where` (which sees the outer
  captures too): an `add(host, pin)` anywhere in a builder's `apply { }` block, loops included;
- `after: CAP, select: RE, matches: RE`: the capture is a value assigned to a name; of the later
  statements of the same block that use that name and match `select` (whitespace removed), the
  last one's chain text matches `matches` (a pin set emptied after the policy was made); with
  `outer: true` the value is the call chain the capture is a link of (`SSLContexts.custom()
  .loadTrustMaterial(...).build()` assigned to `sslContext`); with `enclosing: true`, the
  nearest expression around the capture that is assigned to a name (an option given to a
  constructor: `WithCAFile(ca)` inside `tlsConf, err := tlsutil.NewTLSConfig(...)`);
- `file: RE` / `not_file: RE`: the whole file's text; `path: RE` / `not_path: RE`: the file's path
  relative to the scan root, `/`-separated (test code: `{test_path}`);
- `file_with: CAP, matches: RE`: the whole file's text matches RE with `{name}` replaced by the
  capture's text (escaped): `init(` + the key store's name + `)`, the store handed to `init`;
  `function_with` the same over the function that encloses the capture (the file outside functions);
- `not: {...}`, `any: [{...}, ...]` and `all: [{...}, ...]`.

`{digest}` and the other macros of rules/syntax/languages.yaml expand inside every RE.
"""
from __future__ import annotations

import re

from ats_lint.scan.tree.ruledata import compiled
from ats_lint.scan.tree.nodes import flat_text, unwrapped
from ats_lint.scan.tree.values import Source

_SPACE = re.compile(r"\s+")
_CONST_NAME = re.compile(r"[A-Z][A-Z0-9_]{2,}")
_NAME_CHARS = re.compile(r"[\w$.?]+")
_PLAIN_NAME = re.compile(r"[A-Za-z_]\w*")
PRIMITIVES = ("path", "not_path", "strings", "bound", "param", "elements", "chain", "text", "inside", "not_inside", "has", "count", "constant", "compare", "file",
              "not_file", "file_with", "function_with", "not", "any", "all", "some", "after")


def holds(where: dict, caps: dict, src: Source) -> bool:
    key = next(iter(where))
    if key == "not":
        return not holds(where["not"], caps, src)
    if key == "any":
        return any(holds(w, caps, src) for w in where["any"])
    if key == "all":
        return all(holds(w, caps, src) for w in where["all"])
    if key in ("file", "not_file"):
        found = compiled(where[key]).search(src.text) is not None
        return found if key == "file" else not found
    if key in ("path", "not_path"):
        found = compiled(where[key]).search(src.path) is not None
        return found if key == "path" else not found
    if key == "compare":
        a, b = (_node(caps, name) for name in where["compare"])
        if a is None or b is None:
            return False
        return _compares(src, a, b, where) or _compares(src, b, a, where)
    node = _node(caps, where[key])
    if node is None:
        return False
    if key == "some":
        return _some(src, node, where, caps)
    if key == "after":
        return _after(src, node, where)
    if key == "strings":
        pattern = compiled(where.get("matches", "."))
        return any(pattern.search(s) for s in src.strings_in(node, every=True))
    if key == "bound":
        return src.resolve(node) is not None
    if key == "param":
        if where.get("root"):
            node = src.chain_root(node)
        # `receiver: false`: a Go method's receiver (`c` of `func (c *Client) ...`) is the object's own
        # state, not a value the caller hands in
        return node is not None and src.is_parameter(node, receivers=where.get("receiver", True))
    if key in ("file_with", "function_with"):
        name = re.escape(_SPACE.sub("", src.node_text(node)))
        scope = src.text if key == "file_with" else src.node_text(src.enclosing_function(node))
        return compiled(where["matches"].replace("{name}", name)).search(scope) is not None
    if key == "elements":
        return _elements(src, node, where)
    if key == "chain":
        if where.get("nearest") or where.get("root"):
            # `nearest`: only the binding in scope (`var tlsConfig` of this function); `root`: only what
            # the name a call chain starts from is bound to, not the names in its arguments
            # (`options.setPort(server.port())` does not bring in what `server` is)
            bound = src.resolve(src.chain_head(node, calls=True) if where.get("root") else node)
            text = _SPACE.sub("", src.node_text(node)) + ("" if bound is None else " " + src.resolved_text(bound))
        else:
            text = src.resolved_text(node)
        if where.get("code"):
            text = _QUOTED.sub(_code_of_literal, text)
        return _text_test(text, where)
    if key == "text":
        text = src.node_text(node)
        for pattern, replacement in src.spec.rewrites:
            text = pattern.sub(replacement, text)
        return _text_test(_SPACE.sub("", text), where)
    if key in ("inside", "not_inside"):
        found = _inside(src, node, where)
        return found if key == "inside" else not found
    if key == "has":
        return _has(src, node, where)
    if key == "count":
        return len([c for c in node.named_children if c.type not in src.spec.comments]) >= int(where["min"])
    if key == "constant":
        if "or_text" in where and compiled(where["or_text"]).search(_SPACE.sub("", src.node_text(node))):
            return True
        return _constant(src, node, where.get("matches"), bool(where.get("names")))
    raise ValueError(f"unknown predicate {key!r}")


# The options each primitive reads besides its own key: any other key would be silently ignored
# (`{strings: v, not_matches: ...}` once tested nothing), so the rule tests reject it.
_OPTIONS = {
    "strings": {"matches"}, "bound": set(), "param": {"root", "receiver"}, "elements": {"matches", "min", "not_every", "names", "maps"},
    "chain": {"matches", "not_matches", "nearest", "root", "code"}, "text": {"matches", "not_matches"},
    "inside": {"types", "matches", "within", "flat"}, "not_inside": {"types", "matches", "within", "flat"}, "has": {"types", "matches"},
    "count": {"min"}, "constant": {"matches", "names", "or_text"}, "compare": {"mentions", "constant", "names", "other"},
    "file": set(), "not_file": set(), "path": set(), "not_path": set(), "file_with": {"matches"}, "function_with": {"matches"},
    "not": set(), "any": set(), "all": set(), "some": {"query", "where", "resolved"},
    "after": {"select", "matches", "not_matches", "outer", "enclosing"},
}


# a string literal in code whose whitespace is removed (`chain` with `code: true` empties it, keeping
# the code it interpolates: `${sha256(cert.raw)}`, Swift's `\(hash(key))`, C#'s `$"{Hash(cert)}"`)
_QUOTED = re.compile(r'(\$?)("(?:[^"\\\n]|\\.){0,4000}"|\'(?:[^\'\\\n]|\\.){0,4000}\'|`[^`]{0,4000}`)')
_INTERPOLATED = re.compile(r'\$\{([^{}]{0,400})\}|\\\(([^"]{0,400})\)')
_CSHARP_INTERPOLATED = re.compile(r'\{([^{}]{0,400})\}')


def _code_of_literal(m: re.Match) -> str:
    literal = m.group(2)
    found = _CSHARP_INTERPOLATED.findall(literal) if m.group(1) else [a or b for a, b in _INTERPOLATED.findall(literal)]
    return m.group(1) + literal[0] * 2 + " ".join(found)


def validate(where: dict) -> None:
    """Raise ValueError for a predicate this module does not know, or an option its primitive does
    not read (used by the rule tests)."""
    key = next(iter(where))
    if key not in PRIMITIVES:
        raise ValueError(f"unknown predicate {key!r}")
    unread = set(where) - {key} - _OPTIONS[key]
    if unread:
        raise ValueError(f"predicate {key!r} does not read {sorted(unread)}: {where}")
    if key == "not":
        validate(where["not"])
    if key in ("any", "all"):
        for w in where[key]:
            validate(w)
    if key == "some":
        for w in where.get("where", ()):
            validate(w)


def some_queries(where: dict, language: str) -> list[str]:
    """The sub-queries of `some` predicates (nested ones too), for the rule tests to compile."""
    key = next(iter(where))
    nested = [where["not"]] if key == "not" else list(where[key]) if key in ("any", "all") else list(where.get("where", ())) if key == "some" else []
    out = [_sub_query(where, language)] if key == "some" else []
    for w in nested:
        out.extend(some_queries(w, language))
    return out


def _sub_query(where: dict, language: str) -> str:
    q = where["query"]
    return q if isinstance(q, str) else q[language]


def _node(caps: dict, name: str):
    nodes = caps.get(name)
    return nodes[0] if nodes else None


def _text_test(text: str, where: dict) -> bool:
    if "matches" in where and compiled(where["matches"]).search(text) is None:
        return False
    if "not_matches" in where and compiled(where["not_matches"]).search(text) is not None:
        return False
    return True


def _inside(src: Source, node, where: dict) -> bool:
    types = set(where.get("types", ()))
    regex = compiled(where["matches"]) if "matches" in where else None
    n = node.parent
    for _ in range(int(where.get("within", 40))):
        if n is None:
            return False
        if (not types or n.type in types) and (regex is None or regex.search(flat_text(src.code_text(n)) if where.get("flat") else src.code_text(n))):
            return True
        n = n.parent
    return False


_DIGEST_LONG = re.compile(r"\S{20,}")
_ELVIS_DEFAULT = re.compile(r"\?:.{0,100}$")
_READ_SUFFIX = re.compile(r"(?:\[[^\[\]]{0,100}\]|\.(?:get|getValue|getOrDefault|getOrElse)\([^()]{0,100}\)|\.(?:values|keys|entries)"
                          r"|\.(?:orEmpty|toList|toSet|flatten)\(\)|!!)$")
_NAME_PATH = re.compile(r"[\w$.]{1,200}")


def _read_from(text: str) -> bool:
    """`pins`, `pins[host]`, `pins.getValue(host)`, `pins.values.flatten()`, `pins[host] ?: emptyList()`:
    a name read as it is, an element, its keys or values (whitespace removed)."""
    text = _ELVIS_DEFAULT.sub("", text)
    for _ in range(4):
        stripped = _READ_SUFFIX.sub("", text)
        if stripped == text:
            break
        text = stripped
    return _NAME_PATH.fullmatch(text) is not None


def _has(src: Source, node, where: dict) -> bool:
    types = set(where.get("types", ()))
    regex = compiled(where["matches"]) if "matches" in where else None
    stack = list(node.named_children)
    while stack:
        n = stack.pop()
        if n.type in src.spec.comments:
            continue
        if (not types or n.type in types) and (regex is None or regex.search(_SPACE.sub("", src.node_text(n)))):
            return True
        stack.extend(n.named_children)
    return False


def _some(src: Source, node, where: dict, caps: dict) -> bool:
    from ats_lint.scan.tree.languages import matches

    # `resolved: true`: a name is also searched in the values this file binds it to and the calls
    # made on it (`lndCert` of `const lndCert = fs.readFileSync(config.cert)`, `pool` of
    # `pool.AppendCertsFromPEM(pem)`)
    more = src.all_values(node) if where.get("resolved") and node.type in src.spec.identifiers else []
    for searched in [node, *more]:
        for _, inner in matches(src.spec.name, _sub_query(where, src.spec.name), searched):
            merged = {**caps, **inner}
            if all(holds(w, merged, src) for w in where.get("where", ())):
                return True
    return False


# How far `after` with `enclosing: true` climbs from the capture to an assigned expression.
_ENCLOSING_DEPTH = 12


def _after(src: Source, node, where: dict) -> bool:
    if where.get("outer"):
        node = _chain_end(node)
    name = src.assigned_name(node)
    climbed = 0
    while name is None and where.get("enclosing") and node.parent is not None and climbed < _ENCLOSING_DEPTH:
        node, climbed = node.parent, climbed + 1
        name = src.assigned_name(node)
    if name is None:
        return False
    uses = re.compile(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])")
    select = compiled(where["select"])
    chosen = [s for s in src.statements_after(node)
              if uses.search(text := src.node_text(s)) and select.search(_SPACE.sub("", text))]
    return bool(chosen) and _text_test(src.resolved_text(chosen[-1]), where)


def _elements(src: Source, node, where: dict) -> bool:
    elements = _map_elements(src, node) if where.get("maps") else None
    if elements is None:
        elements = src.elements(node)
    if elements is None:  # `new HashSet<string> { ... }`, `new[] { ... }`: the literal inside
        elements = next((e for c in node.named_children if (e := src.elements(c)) is not None), None)
    if elements is None:
        return False
    elements = [e for e in elements if e.type not in src.spec.comments]
    # a list of one-entry maps keyed by the values (`[["pin": .sha256], ...]`): their keys
    elements = [k for e in elements for k in (_keys(src, e) or [e])]
    if len(elements) < int(where.get("min", 1)):
        return False
    pattern = compiled(where.get("matches", "."))
    names = compiled(where["names"]) if "names" in where else None
    values = [src.string_value(e) for e in elements]
    strings = [v for v in values if v is not None]
    if not all(pattern.search(v) for v in strings):
        return False
    # `names: RE`: an element that is not a string may be a name matching RE (a constant defined elsewhere)
    if len(strings) < len(values) and (names is None or not all(
            names.fullmatch(_SPACE.sub("", src.node_text(e))) for e, v in zip(elements, values) if v is None)):
        return False
    # `not_every: RE`: not when every string element also matches RE (a list of placeholders only)
    return "not_every" not in where or not strings or not all(compiled(where["not_every"]).search(v) for v in strings)


def _map_elements(src: Source, node) -> list | None:
    """`maps: true`: the elements of a map literal's values (a map from hosts to lists of pins, each
    list written there or a name of this file bound to one), or None when the node is no map or a
    value is not a list."""
    values = src.map_values(node)
    if not values:
        return None
    out = []
    for value in values:
        value = unwrapped(value)
        bound = src.resolve(value) if value.type in src.spec.identifiers else None
        inner = src.elements(unwrapped(bound) if bound is not None else value)
        if inner is None:
            return None  # a value that is not a list: a map of checksums or other data, not of pin lists
        out.extend(inner)
    return out


def _keys(src: Source, node) -> list | None:
    """The keys of a map literal (a collection of the language's `collections` query that is not
    a string), comments aside, or None."""
    if src.is_string(node):
        return None
    inner = src.elements(node)
    return [k for k in inner if k.type not in src.spec.comments] if inner else None


def _chain_end(node):
    """The outermost call or member access whose receiver chain holds `node` (`a().b().c()` of `a().b()`)."""
    while node.parent is not None and node.parent.named_children and node.parent.named_children[0] == node \
            and node.parent.type in _CHAIN_LINKS:
        node = node.parent
    return node


_CHAIN_LINKS = frozenset({"method_invocation", "call_expression", "navigation_expression", "field_access",
                          "member_expression", "selector_expression", "member_access_expression", "invocation_expression"})


def _constant(src: Source, node, regex: str | None, names: bool) -> bool:
    value = src.string_value(node)
    if value is not None:
        # `"sha256/$pin"`: what it interpolates must be a constant or a value this code computes
        # (a local), not a parameter or a loop over the caller's list
        if not all(_interpolation_ok(src, e, names) for e in src.interpolated(node)):
            return False
        return regex is None or compiled(regex).search(value) is not None
    if names and regex is None:
        # a name in UPPER_SNAKE_CASE, or a loop variable walking one (`CERTIFICATE_CHAIN.forEach { pin -> }`)
        # or a collection of strings written in this file (`pins[host]` of `val pins = mapOf(...)`)
        target = src.iterated(node)
        if target is not None and _written_collection(src, target):
            return True
        return _is_const_name(_SPACE.sub("", src.node_text(target or node)))
    return False


def _written_collection(src: Source, node, depth: int = 0) -> bool:
    """A collection literal written in this file holding a digest-long string: the node itself, or what
    the name it is read from is bound to (`hostPins` of `val hostPins = pins[host] ?: emptyList()`, then
    `pins`): the name itself, an element or entry of it, its keys or values; not what a call makes of
    it (`hosts.flatMap { store.pinsFor(it) }`)."""
    parts = src.elements(node)
    if parts is None and (values := src.map_values(node)) is not None:
        parts = [e for v in values for e in (src.elements(v) or [v])]
    if parts is not None:
        return any(_DIGEST_LONG.fullmatch(src.string_value(p) or "") for p in parts)
    if not _read_from(_SPACE.sub("", src.node_text(node))):
        return False
    head = node
    while head.named_children and head.type not in src.spec.identifiers:
        head = head.named_children[0]
    bound = src.binding(head) if head.type in src.spec.identifiers and depth < 3 else None
    return bound is not None and not bound[1] and _written_collection(src, bound[0], depth + 1)


def _interpolation_ok(src: Source, expr, names: bool) -> bool:
    text = _SPACE.sub("", src.node_text(expr))
    if src.string_value(expr) is not None or (names and _is_const_name(text)):
        return True
    bound = src.binding(expr) if expr.type in src.spec.identifiers else src.binding_named(text, expr) if _PLAIN_NAME.fullmatch(text) else None
    return bound is not None and not bound[1]


def _compares(src: Source, subject, other, where: dict) -> bool:
    # the cheap side first: most comparisons in a file hold no constant at all
    if "other" in where:  # the other side is known by its chain (a certificate read from the app bundle)
        if compiled(where["other"]).search(src.resolved_text(other)) is None:
            return False
    else:
        pattern = compiled(where["constant"])
        if not (src.any_string_matches(pattern) and any(pattern.search(s) for s in src.strings_in(other, limit=20))):
            # a constant defined in another file, by its UPPER_SNAKE_CASE name, when the rule's
            # `names` RE accepts that name (`PINNED_SHA256`, not `io.EOF` or `NULL`); a name
            # bound in this file is judged by its value above
            name = _SPACE.sub("", src.node_text(other))
            if not ("names" in where and _is_const_name(name) and src.resolve(other) is None
                    and compiled(where["names"]).search(_last_name(name))):
                return False
    return compiled(where["mentions"]).search(src.resolved_text(subject)) is not None


def _last_name(text: str) -> str:
    return text.rsplit(".", 1)[-1]


def _is_const_name(text: str) -> bool:
    """`PIN`, `BuildConfig.API_PIN`: a name in UPPER_SNAKE_CASE (by its last part)."""
    return _NAME_CHARS.fullmatch(text) is not None and _CONST_NAME.fullmatch(text.rsplit(".", 1)[-1]) is not None
