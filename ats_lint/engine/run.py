"""The engine: discover files, scan each one, apply suppressions and rule selection.

It returns findings and errors as data; it never prints and never exits. A problem with one
file becomes an entry in `errors` and the run goes on.
"""
from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ats_lint.engine.config import Settings
from ats_lint.engine.discovery import Candidate, discover
from ats_lint.engine.suppression import apply_suppressions
from ats_lint.model import (
    FileResult,
    Finding,
    RunResult,
    ScanError,
    assign_fingerprints,
)
from ats_lint.rules import all_rules, expand_selectors
from ats_lint.scan.decode import python_encoding, read_text
from ats_lint.scan.filekinds import file_kind

_PARALLEL_THRESHOLD = 48  # below this many files a process pool costs more than it saves


@dataclass(frozen=True)
class ScanOptions:
    """What a worker needs to scan one file (picklable)."""

    max_file_size: int
    scan_prose: bool = False
    skip_lockfiles: bool = True
    skip_minified: bool = True


def run(paths: list[Path], settings: Settings, cwd: Path | None = None, progress=None, stdin: bytes | None = None) -> RunResult:
    """Scan `paths`. `progress`, when given, is called as `progress(done, total, path)` after each file.

    `stdin`: the content of the one file `paths[0]` names (`ats-lint check - --stdin-filename F`):
    scanned as if it were that file, which need not exist; never cached.
    """
    cwd = (cwd or Path.cwd()).absolute()
    project_root = (settings.project_root or _guess_project_root(cwd)).absolute()
    _forget_previous_run()
    selected = expand_selectors(settings.select, all_rules()) - expand_selectors(settings.ignore, all_rules())
    result = RunResult()
    candidates: list[Candidate] = []
    excludes = list(settings.exclude) + list(settings.extend_exclude)
    for item in discover(paths, cwd, project_root, excludes, settings.respect_gitignore, settings.force_exclude):
        if isinstance(item, ScanError):
            result.errors.append(item)
        else:
            candidates.append(item)
    options = ScanOptions(settings.max_file_size, settings.scan_prose, settings.skip_lockfiles, settings.skip_minified)
    cache = _open_cache(settings, project_root, options, cwd) if stdin is None else None
    cached: dict[str, FileResult] = {}
    if stdin is not None:
        from ats_lint.engine.discovery import display_path

        file = (cwd / paths[0]).absolute()
        result.errors.clear()
        candidates = [Candidate(file, display_path(file, cwd), project_root if project_root in file.parents else file.parent)]
        cached[candidates[0].path] = _scan_given(candidates[0], stdin, options)
    todo = [c for c in candidates if c.path not in cached]
    if cache is not None:
        for c in candidates:
            hit = cache.get(c.path, c.display)
            if hit is not None:
                cached[c.path] = hit
        todo = [c for c in candidates if c.path not in cached]
    jobs = worker_count(settings.jobs, len(todo))
    worker = functools.partial(_scan_recording, cwd=cwd, options=options)
    if jobs > 1 and len(todo) >= _PARALLEL_THRESHOLD:
        from concurrent.futures import (
            ProcessPoolExecutor,  # imported only when used: start-up of small runs
        )

        import multiprocessing

        chunk = max(8, len(todo) // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(multiprocessing.Lock(), os.getpid())) as pool:
            scanned = _reporting(pool.map(worker, todo, chunksize=chunk), len(candidates), progress, len(cached))
    else:
        scanned = _reporting((worker(c) for c in todo), len(candidates), progress, len(cached))
    fresh: dict[str, FileResult] = {}
    for candidate, (fr, deps) in zip(todo, scanned):
        fresh[candidate.path] = fr
        if cache is not None:
            cache.put(candidate.path, fr, deps)
    if cache is not None:
        cache.save()
    file_results = [cached.get(c.path) or fresh[c.path] for c in candidates]
    per_file = {pattern: expand_selectors(codes, all_rules()) for pattern, codes in settings.per_file_ignores.items()}
    rules = all_rules()
    for fr in file_results:
        result.errors.extend(fr.errors)
        result.considered.append(fr.path)
        if settings.strict_suppressions:
            result.unused_suppressions.extend(fr.unused_suppressions)
        if fr.scanned:
            result.files_scanned += 1
        ignored_here = set().union(*(codes for pattern, codes in per_file.items() if _glob_match(fr.path, pattern))) if per_file else set()
        for f in fr.findings:
            if f.rule not in selected or f.rule in ignored_here:
                continue
            rule = rules[f.rule]
            f.category = rule.category
            f.severity = f.severity or rule.severity
            f.remediation = " ".join(rule.remediation.split())
            f.faq = list(rule.faq)
            f.help_url = rule.help_url
            result.findings.append(f)
    result.findings.sort(key=Finding.sort_key)
    result.errors.sort(key=lambda e: (e.path, e.kind, e.message))
    result.unused_suppressions.sort(key=lambda u: (u.path, u.line, u.column))
    assign_fingerprints(result.findings)
    return result


def worker_count(requested: int, files: int) -> int:
    """Worker processes for `files` files: what was asked (0: one per CPU), but never more than
    the CPUs nor one per 8 files (`jobs: 200` in a repository's configuration starts no 200 processes)."""
    cpus = os.cpu_count() or 1
    return max(1, min(requested or cpus, cpus, files // 8 or 1))


def _exit_with_parent(parent: int) -> None:
    """Pool initializer: a worker ends when its parent is gone (SIGTERM/SIGKILL to the parent,
    which then cannot shut the pool down), instead of living on as an orphan."""
    import signal
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)  # no one is left to read a result or an exit code

    threading.Thread(target=watch, name="ats-lint-parent-watch", daemon=True).start()


def _reporting(results, total: int, progress, already: int = 0) -> list:
    if progress is None:
        return list(results)
    out = []
    for item in results:
        out.append(item)
        progress(already + len(out), total, item[0].path)
    return out


def _open_cache(settings: Settings, project_root: Path, options: ScanOptions, cwd: Path):
    """The result cache of this project, or None when caching is off."""
    if not settings.cache:
        return None
    from ats_lint.engine.cache import ResultCache, cache_key

    cache = ResultCache(cache_directory(settings, cwd), cache_key((options, str(cwd)), project_root))
    cache.load()
    return cache


def cache_directory(settings: Settings, cwd: Path) -> Path:
    """Where the result cache of this project lives (`cache-dir`, or outside the tree)."""
    from ats_lint.engine.cache import default_directory

    project_root = (settings.project_root or _guess_project_root(cwd.absolute())).absolute()
    if settings.cache_dir:
        base = Path(settings.cache_dir)
        return base if base.is_absolute() else project_root / base
    return default_directory(project_root)


def _scan_recording(candidate: Candidate, cwd: Path, options: ScanOptions) -> tuple[FileResult, list[str]]:
    """Scan one file and return the other paths its result depended on (for the cache)."""
    from ats_lint.dependencies import start_recording, stop_recording

    start_recording()
    try:
        result = scan_file(candidate, cwd=cwd, options=options)
    finally:
        deps = stop_recording()
    return result, deps


def _glob_match(path: str, pattern: str) -> bool:
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, f"*/{pattern}") or path.startswith(pattern.rstrip("/") + "/")


def _guess_project_root(cwd: Path) -> Path:
    for folder in [cwd, *cwd.parents]:
        if (folder / ".git").exists():
            return folder
    return cwd


# --------------------------------------------------------------------------- one file


def scan_file(candidate: Candidate, cwd: Path, options: ScanOptions) -> FileResult:
    display = candidate.display
    try:
        return _scan_file(candidate, options)
    except Exception as exc:  # noqa: BLE001 - one file's failure must not end the run
        return FileResult(display, errors=[ScanError(display, "internal-error", f"{type(exc).__name__}: {exc}".splitlines()[0][:300])], scanned=False)


def _scan_file(candidate: Candidate, options: ScanOptions) -> FileResult:
    display, file = candidate.display, candidate.file
    result = FileResult(display)
    try:
        # O_NONBLOCK: a FIFO (or a file swapped for one after discovery) must not block the run.
        with open(os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)), "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                result.scanned = False
                result.errors.append(ScanError(display, "unreadable", "not a regular file (FIFO, socket or device); not read"))
                return result
            size = st.st_size
            if size > options.max_file_size:
                result.scanned = False
                if b"\x00" in fh.read(8192):
                    return result  # binary: skipped silently, whatever its size
                result.errors.append(ScanError(display, "too-large", f"{size} bytes is over the {options.max_file_size}-byte limit; not scanned"))
                return result
            data = fh.read(min(size, options.max_file_size) + 1)
    except FileNotFoundError:
        result.scanned = False
        result.errors.append(ScanError(display, "vanished", "file disappeared before it could be read"))
        return result
    except OSError as exc:
        result.scanned = False
        result.errors.append(ScanError(display, "unreadable", f"cannot read file: {exc.strerror or exc}"))
        return result
    return _scan_bytes(candidate, data, options, result)


def _scan_given(candidate: Candidate, data: bytes, options: ScanOptions) -> FileResult:
    """Scan `data` as the content of `candidate` (standard input), with the same limits as a file."""
    result = FileResult(candidate.display)
    if len(data) > options.max_file_size:
        result.scanned = False
        result.errors.append(ScanError(candidate.display, "too-large", f"{len(data)} bytes is over the {options.max_file_size}-byte limit; not scanned"))
        return result
    try:
        return _scan_bytes(candidate, data, options, result)
    except Exception as exc:  # noqa: BLE001 - as scan_file
        return FileResult(candidate.display, errors=[ScanError(candidate.display, "internal-error", f"{type(exc).__name__}: {exc}".splitlines()[0][:300])], scanned=False)


def _scan_bytes(candidate: Candidate, data: bytes, options: ScanOptions, result: FileResult) -> FileResult:
    display, file = candidate.display, candidate.file
    kind = file_kind(file, data[:256], options)
    if kind is None or _OWN_REPORT_RE.match(data[:4096]):
        result.scanned = False  # not a kind we scan, or a report ats-lint wrote (`--output` into the tree)
        return result
    nul = b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if nul and kind in _BINARY_KINDS:
        result.scanned = False  # binary: skipped silently
        return result
    text, problem = read_text(data)
    if nul:  # a file named as source or configuration with NUL bytes in it: scanned, and said so
        text = text.replace("\x00", " ")
        problem = "contains NUL bytes; scanned as text with them read as spaces" + (f" ({problem})" if problem else "")
    if kind == "python" and problem:
        encoding = python_encoding(data)
        if encoding:
            try:
                text, problem = data.decode(encoding), None
            except (LookupError, UnicodeDecodeError):
                pass
    if problem:
        result.errors.append(ScanError(display, "decode-error", problem))
    if "\r" in text:  # lone CR line ends (classic Mac): `\n` instead, same length, so offsets hold
        text = _LONE_CR.sub("\n", text)
    from ats_lint.scan.sink import FindingSink  # the scanners: imported by the first file that is not cached

    sink = FindingSink(display, file, candidate.root, Path.cwd())
    if kind == "python":
        from ats_lint.scan.python import scan_python_file

        if len(text) >= _LARGE_PYTHON and _large_lock is not None:
            with _large_lock:  # one large syntax tree at a time in the whole process tree
                scan_python_file(text, sink, result, candidate.root, options.max_file_size)
                _after_python(len(text))
        else:
            scan_python_file(text, sink, result, candidate.root, options.max_file_size)
            _after_python(len(text))
    elif (language := _tree_language(file, kind, text)) is not None:
        from ats_lint.scan.tree.scanner import scan_tree_file

        scan_tree_file(text, sink, kind, language, result)
    else:
        from ats_lint.scan.text.scanner import scan_text_file

        scan_text_file(text, sink, kind)
    problems: list[str] = []
    result.findings, result.unused_suppressions = apply_suppressions(sink.unique(), text, kind, display, problems)
    result.errors += [ScanError(display, "unknown-directive", p) for p in problems]
    return result


def _tree_language(file: Path, kind: str, text: str):
    from ats_lint.scan.tree.languages import tree_language  # not imported by a run of Python files only

    return tree_language(file, kind, text)


_LONE_CR = re.compile(r"\r(?!\n)")
_LARGE_PYTHON = 64 * 1024  # a libcst tree of a file this large is tens of MB


def _init_worker(lock, parent: int) -> None:
    """Pool initializer: share the large-file lock, and end with the parent."""
    global _large_lock
    _large_lock = lock
    _exit_with_parent(parent)


def _after_python(size: int) -> None:
    """After a large Python file, and after the next one (whose module usually pushes the large
    tree out of the module cache), give the freed memory back to the system."""
    global _large_before
    if size >= _LARGE_PYTHON or _large_before:
        _release_memory()
    _large_before = size >= _LARGE_PYTHON


def _release_memory() -> None:
    """Give the memory of a large syntax tree back to the system: freed, it stays in the C heap
    (glibc) and counts in the process' resident memory until trimmed. Elsewhere a no-op."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None
_large_before = False
_large_lock = None  # shared by the workers of a pool


# The first bytes of what ats-lint writes: JSON reports and baselines, SARIF, HTML, Markdown. A
# report written into the tree holds every finding's text and would be reported by the next run.
_OWN_REPORT_RE = re.compile(
    rb'(?:\xef\xbb\xbf)?(?:\{\s*"tool":\s*"ats-lint",'
    rb'|\{\s*"\$schema":\s*"https://json\.schemastore\.org/sarif-2\.1\.0\.json".{0,400}?"driver":\s*\{\s*"name":\s*"ats-lint"'
    rb"|<!DOCTYPE html>.{0,3000}?<title>ats-lint report"
    rb"|## \S{1,8} ats-lint: )", re.S)
_BINARY_KINDS = frozenset({"text", "certificate-bundle"})  # NUL bytes in these: binary data (images, DER)


def _forget_previous_run() -> None:
    """Files may have changed since an earlier run in this process: drop parsed modules and bundles
    (of the scanners an earlier run imported; a module not imported yet holds nothing)."""
    import sys

    if "ats_lint.scan.python" in sys.modules:
        sys.modules["ats_lint.scan.python"].forget_projects()
    if "ats_lint.trust.judge" in sys.modules:
        sys.modules["ats_lint.trust.judge"].forget_bundles()
