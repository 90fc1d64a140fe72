"""What kind of syntax node this is, in every grammar the tree scanner reads: the node types that
mean a scope, a function, an assignment, a member access, a call, a wrapper or a concatenation, and
small walks over them (the function or scope that holds a node, the expression inside wrappers,
the name and value pairs of a destructuring by position)."""
from __future__ import annotations


def unwrapped(node):
    """The expression inside an element or argument wrapper (`value_argument` > `string_literal`)."""
    while node.type in ELEMENT_WRAPPERS and len(node.named_children) == 1:
        node = node.named_children[0]
    return node


def _last_name(dotted: str) -> str:
    """`a.b?.C` -> `C`."""
    return dotted.rsplit(".", 1)[-1].strip()


def is_plus_concatenation(node) -> bool:
    """`a + b` (a binary expression of the language joined with `+`)."""
    return node.type in _CONCATENATIONS and node.type != "concatenated_string" and _is_plus(node)


def _is_plus(node) -> bool:
    return any(not c.is_named and c.type == "+" for c in node.children)


def positional_pairs(names, elements, spec) -> list:
    """(name, value) pairs of a destructuring by position (`const [ca, cert] = [a, b]`, also of
    `await Promise.all([...])`): only when both sides hold as many parts and leave no hole
    (`[a, , b]`), and only the parts that are plain names."""
    def parts(side) -> tuple[list, bool]:
        kept = [c for c in side.children if c.type not in spec.comments]
        hole = any(c.type == "," and (p is None or not p.is_named) for p, c in zip([None] + kept[:-1], kept))
        return [c for c in kept if c.is_named], hole
    (left, hole_left), (right, hole_right) = parts(names), parts(elements)
    holes = hole_left or hole_right
    spread = any(c.type in ("spread_element", "rest_pattern") for c in left + right)
    if len(left) != len(right) or holes or spread:
        return []  # a spread or rest element moves the places (`[...reads, vault.ca()]`)
    return [(n, v) for n, v in zip(left, right) if n.type in spec.identifiers]


def _within(scope, node) -> bool:
    """Does the node stand inside the scope (None: the whole file)?"""
    return scope is None or scope.start_byte <= node.start_byte < scope.end_byte


def _is_assignment(name_node) -> bool:
    """The name is the target of a plain assignment (not a declaration)."""
    n, hops = name_node.parent, 0
    while n is not None and hops < 2:
        if n.type in _ASSIGNMENTS:
            return True
        n, hops = n.parent, hops + 1
    return False


def _is_receiver(node) -> bool:
    """Is the node the object a method is called on (`fs` of `fs.readFileSync(path)`)?"""
    member = node.parent
    if member is None or member.type not in _MEMBERS or not member.named_children or member.named_children[0] != node:
        return False
    call = member.parent
    return call is not None and call.type in _CALLS and call.named_children[0] == member


def _function_of(node):
    """The nearest function that encloses the node (not the node itself), or None."""
    n = node.parent
    while n is not None and n.type not in _FUNCTIONS:
        n = n.parent
    return n


def _function_scope(scope):
    """The function a block belongs to, or None: the file (a script's top-level `if`)."""
    n = scope
    while n is not None and n.type not in _FUNCTIONS:
        n = n.parent
    return n


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
# what holds a block's statements: a scope, or Go's `statement_list` inside its `block`
_STATEMENT_LISTS = _SCOPES | {"statement_list"}
_ASSIGNMENTS = frozenset({"assignment_statement", "assignment_expression", "assignment", "directly_assignable_expression"})
_FUNCTIONS = frozenset({
    "function_declaration", "method_declaration", "func_literal", "lambda_literal", "method_definition", "function_definition",
    "arrow_function", "function_expression", "constructor_declaration", "local_function_statement", "lambda_expression",
})
_MEMBERS = frozenset({"field_expression", "member_expression", "navigation_expression", "selector_expression", "member_access_expression"})
_FILE_SCOPES = frozenset({"source_file", "program", "translation_unit", "compilation_unit", "class_body", "declaration_list"})
# the node a grammar wraps around each element or argument of a list or call (`value_argument` in
# Kotlin, `literal_element` in Go, `collection_element` > `expression_element` in C#)
ELEMENT_WRAPPERS = frozenset({"value_argument", "literal_element", "argument", "collection_element", "expression_element"})
_WRAPPERS = ELEMENT_WRAPPERS | {"parenthesized_expression", "expression_list", "expression_statement"}
_CONCATENATIONS = frozenset({"binary_expression", "additive_expression", "concatenated_string"})
_CALLS = frozenset({"call_expression", "method_invocation", "invocation_expression", "message_expression"})


def flat_text(text: str) -> str:
    """What a block or literal writes at its own level: the contents of the braces nested in its first
    `{...}` dropped (`Config{CAFile:x,Tracing:T{Insecure:true}}` -> `Config{CAFile:x,Tracing:T{}}`)."""
    out, depth = [], 0
    for ch in text:
        depth -= ch == "}"
        if depth <= 1:
            out.append(ch)
        depth += ch == "{"
    return "".join(out)
