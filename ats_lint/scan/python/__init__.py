"""The Python scanner (libcst). This entry point stays light: libcst and the scanner's modules are
imported only when a file passes the prefilter.

    parse     libcst parsing on a large stack, what it cannot survive, the traversal driver
    bindings  which names a module or function binds
    project   parsed modules and the cross-module cache
    values    what an expression evaluates to (constants, imports, paths, f-strings)
    visitor   the rules: walks one module and reports
    fallback  the same rules' local forms read with CPython's `ast`, for valid Python libcst refuses
"""
from __future__ import annotations

import functools
from pathlib import Path

from ats_lint.model import FileResult, ScanError
from ats_lint.scan.sink import FindingSink


def scan_python_file(text: str, sink: FindingSink, result: FileResult, root: Path, max_file_size: int | None = None) -> None:
    """Scan one Python file's text into `sink`; a file libcst cannot parse gets a `parse-error`
    and is scanned as text for URLs and fingerprints, and, when CPython parses it, read with
    `ast` for the trust and pinning forms that need no cross-module resolution (fallback)."""
    from ats_lint.scan.prefilter import python_may_have_findings

    if not python_may_have_findings(text):
        return
    from ats_lint.scan.python.parse import MAX_PARSE_SIZE
    from ats_lint.scan.text.scanner import scan_fallback

    if len(text) > MAX_PARSE_SIZE:  # generated code, mostly: bounded memory first, then said so
        result.errors.append(ScanError(result.path, "too-large", f"over {MAX_PARSE_SIZE // 1024} KiB, the limit of the Python "
                                       "parser (about 650 bytes of memory per byte of source); scanned as text for URLs and "
                                       "fingerprints: trust arguments (verify=, cafile=, pins) were NOT checked"))
        scan_fallback(text, sink)
        return
    import libcst

    from ats_lint.scan.python.parse import on_large_stack
    from ats_lint.scan.python.visitor import scan_python

    try:
        on_large_stack(scan_python, text, sink, _project(root, max_file_size))
    except (libcst.ParserSyntaxError, RecursionError) as exc:
        from ats_lint.scan.python import fallback

        message = " ".join(str(exc).split())[:300] if isinstance(exc, libcst.ParserSyntaxError) else "nesting too deep to parse"
        tree = fallback.parse(text) if isinstance(exc, libcst.ParserSyntaxError) else None
        if tree is not None:
            message = (f"valid Python that libcst cannot parse ({message}); read with Python's own parser instead, which "
                       "checks trust arguments (verify=, cafile=, pins) without cross-module resolution: a value imported "
                       "from another module counts as a store of unknown content")
        else:
            message += "; scanned as text for URLs and fingerprints"
        result.errors.append(ScanError(result.path, "parse-error", message))
        sink.findings.clear()
        scan_fallback(text, sink)
        if tree is not None:
            fallback.scan_ast(tree, text, sink)


@functools.lru_cache(maxsize=8)
def _project(root: Path, max_file_size: int | None = None):
    from ats_lint.scan.python.project import Project

    return Project(root, max_file_size)


def forget_projects() -> None:
    """Drop every parsed module: files may have changed since an earlier run in this process."""
    _project.cache_clear()
