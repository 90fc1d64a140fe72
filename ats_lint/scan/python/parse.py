"""Parsing Python with libcst: what CPython refuses or libcst cannot survive is turned away, the
parse runs on a large C stack, and a read-only traversal driver walks the tree."""
from __future__ import annotations

import ast
import dataclasses
import re
import warnings

import libcst as cst

_TOO_DEEP = ("too many nested", "too many levels of indentation", "too complex")
_BOOL_OP_RE = re.compile(r"\b(?:and|or)\b")
_BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
_BRACKET_RE = re.compile(r"[()\[\]{}]")
MAX_PARSE_SIZE = 512 * 1024  # characters; libcst needs ~650 bytes of memory per byte of source: ~350 MB
MAX_BOOL_OPS = 50_000  # libcst nests `a and b and ...`; CPython keeps it flat, so it does not bound it


def check_parseable(source: str) -> ast.Module | None:
    """Raise RecursionError for source too deeply nested for libcst to survive; return CPython's
    syntax tree of it (None when CPython refuses it).

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
            tree = compile(source, "<scanned>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
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
        tree = None
    if len(_BOOL_OP_RE.findall(source)) > MAX_BOOL_OPS and _bool_operators(source) > MAX_BOOL_OPS:
        raise RecursionError("nesting too deep to parse")
    return tree


def _bool_operators(source: str) -> int:
    """`and`/`or` operators in code, not in strings or comments (the regex count is only a bound:
    prose in a docstring must not turn a valid file away)."""
    import io
    import tokenize

    try:
        return sum(1 for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                   if tok.type == tokenize.NAME and tok.string in ("and", "or"))
    except (tokenize.TokenError, SyntaxError):
        return MAX_BOOL_OPS + 1


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


def walk(visitor: cst.CSTVisitor, root: cst.CSTNode, skip: set[int] | frozenset[int] = frozenset()) -> None:
    """Drive a read-only visitor over `root`: `on_visit` before the children (False skips them),
    `on_leave` after. The same protocol as `root.visit(visitor)`, about three times faster.
    Nodes whose id is in `skip` are not visited, nor anything inside them."""
    pending: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    while pending:
        node, leaving = pending.pop()
        if leaving:
            visitor.on_leave(node)
            continue
        descend = visitor.on_visit(node)
        pending.append((node, True))
        if descend is not False:
            if skip:
                pending.extend((child, False) for child in reversed(_children(node)) if id(child) not in skip)
            else:
                pending.extend((child, False) for child in reversed(_children(node)))


_PARSER_STACK = 256 * 1024 * 1024  # virtual; pages are committed only as deep trees touch them


def on_large_stack(fn, *args):
    """Call fn(*args) in a thread with a large C stack, re-raising what it raises.

    libcst parses on the C stack and nests what CPython keeps flat (`a and b and ...`, implicit
    string concatenation): on the main thread's 8 MiB such a file kills the process with SIGSEGV.
    `check_parseable` turns away what would overflow even this stack.
    """
    import threading

    outcome: list = []

    def target() -> None:
        try:
            outcome.append((True, fn(*args)))
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            outcome.append((False, exc))

    try:
        previous = threading.stack_size(_PARSER_STACK)
    except (ValueError, RuntimeError):  # platform without a settable stack size
        return fn(*args)
    try:
        # Not a daemon: on Ctrl-C (wherever it lands, `start()` included) the interpreter waits for
        # the parse to end before it exits; a daemon thread inside libcst at exit aborts it (134).
        worker = threading.Thread(target=target, name="ats-lint-parse", daemon=False)
        worker.start()
    except RuntimeError:  # cannot start a thread (resource limits): parse here
        worker = None
    finally:
        threading.stack_size(previous)
    if worker is None:
        return fn(*args)
    interrupted = None
    while worker.is_alive():
        try:
            worker.join()
        except KeyboardInterrupt as exc:  # Ctrl-C: let the native parse finish first; a daemon
            interrupted = exc  # thread inside libcst at interpreter exit aborts the process (exit 134)
    if interrupted is not None:
        raise interrupted
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
