"""Where a match sits: in test code, inside what an assertion expects a call to have received, or inside
code an assertion expects to be rejected; anywhere, inside what a logging call writes. Such matches are
not configuration (the languages' `assertions`, the shared `rejection_assertions` and `logging_calls` of
rules/syntax/languages.yaml)."""
from __future__ import annotations

from ats_lint.scan.tree.nodes import _CALLS, _FUNCTIONS, flat_text
from ats_lint.scan.tree.ruledata import compiled
from ats_lint.scan.tree.values import _SPACE, Source

_ARGUMENT_LISTS = frozenset({"argument_list", "arguments", "value_arguments", "call_suffix"})
_BLOCKS = frozenset({"block", "statement_list"})  # Go's statement sequences
_ENTRIES = frozenset({"object", "literal_value"})  # a JS/TS object literal, a Go composite literal's body
_DECLARATIONS = frozenset({  # named functions: a test's body, beyond which an assertion no longer reaches
    "function_declaration", "method_declaration", "constructor_declaration", "local_function_statement",
    "method_definition", "function_definition", "class_declaration", "source_file", "program", "compilation_unit",
})


def _callee(src: Source, call) -> tuple[str, int]:
    """A call's callee as text (whitespace removed: `Assert.assertEquals`, `expect(x).toBe`) and
    where its arguments begin."""
    args = [c for c in call.children if c.type in _ARGUMENT_LISTS]
    end = args[-1].start_byte if args else call.end_byte
    return _SPACE.sub("", src.data[call.start_byte:end].decode("utf-8", "replace")), end


def in_expected_value(src: Source, node) -> bool:
    """Is the node part of an argument of a test assertion (`expect(fetch).toHaveBeenCalledWith(url,
    {...})`, `assertEquals("jdbc:...", url)`, the language's `assertions`), with no other call or
    function between: a value the test expects, not configuration?"""
    return _argument_of_nearest_call(src, node, src.spec.assertions)


def in_rejection_test(src: Source, node) -> bool:
    """Does the node run inside an assertion that expects it to fail (the language's `rejections`:
    `assertThrows(..., () -> ...)`, `expect(() => ...).toThrow()`), within the function that holds it,
    or in a statement whose next statement fails the test unless it returned an error (`error_checks`),
    or in a test table's entry that names the error it expects (`error_entries`)?"""
    if src.spec.rejections is None:
        return False
    n, checks, entries = node.parent, src.spec.error_checks, src.spec.error_entries
    if entries is not None and compiled("{test_path}").search(src.path) is None:
        entries = None  # an `err:` field of a program's own state is no test's expectation
    while n is not None and n.type not in _DECLARATIONS:
        if n.type in _CALLS and src.spec.rejections.search(_callee(src, n)[0]):
            return True
        if n.type in _ENTRIES and entries is not None and entries.search(flat_text(_SPACE.sub("", src.node_text(n)))):
            return True  # a test table's entry that names the error it expects
        if n.type in _FUNCTIONS:
            # a closure's statements: its caller's check, or its table entry's expected error, is about
            # what the closure's result does later, not this call
            checks = entries = None
        if checks is not None and n.parent is not None and n.parent.type in _BLOCKS:
            # the statement that holds the match, followed by a check that fails the test unless it failed
            # (only that statement: an enclosing `if` or loop's next statement checks something else)
            after = n.next_named_sibling
            if after is not None and checks.search(_SPACE.sub("", src.node_text(after))):
                return True
            checks = None
        n = n.parent
    return False


def in_logged_value(src: Source, node) -> bool:
    """Is the node part of an argument of a logging call (`logger.debug({ fingerprint: cert.fingerprint },
    ...)`, the shared `logging_calls`), with no other call or function between: what the program writes
    to its log, not configuration?"""
    return _argument_of_nearest_call(src, node, src.spec.logging)


def _argument_of_nearest_call(src: Source, node, callees) -> bool:
    """Is the node in the arguments of the nearest call that holds it (no function between), and does
    that call's callee match `callees`?"""
    if callees is None:
        return False
    n = node.parent
    while n is not None and n.type not in _FUNCTIONS:
        if n.type in _CALLS:
            callee, arguments = _callee(src, n)
            return node.start_byte >= arguments and callees.search(callee) is not None
        n = n.parent
    return False
