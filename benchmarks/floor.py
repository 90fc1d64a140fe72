"""Where the CPU time of one cold ats-lint run goes, against the floor of a libcst tool.

    python benchmarks/floor.py PATH [PATH ...] [--markdown]

Runs `ats-lint check --jobs 1 --no-cache PATH...` in this process (no profiler: cProfile inflates
the Python-heavy parts) and measures CPU time (`time.thread_time`, so the parse thread's time is
its own) of:

- libcst's own `parse_module` of every module the Python scanner parsed — the files the prefilter
  let through and the modules parsed to resolve a name they import: the floor of any tool that
  reads these files with libcst;
- the Python scanner around it (metadata, the rule visitor, value resolution, positions);
- everything else: discovery, the text and syntax-tree scanners, the cache, the report.

The run's findings are discarded; only the times are printed.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from contextlib import redirect_stdout


class _Clock:
    """CPU seconds summed over the threads that ran the wrapped calls (nested calls counted once)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._depth = threading.local()

    def wrap(self, fn):
        def timed(*args, **kwargs):
            depth = getattr(self._depth, "n", 0)
            self._depth.n = depth + 1
            start = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth.n = depth
                if depth == 0:
                    self.seconds += time.thread_time() - start
                    self.calls += 1
        return timed


def measure(paths: list[str]) -> dict:
    import libcst

    import ats_lint.scan.python as python_scanner
    from ats_lint.cli import main as ats_main

    parse, scan = _Clock(), _Clock()
    libcst.parse_module = parse.wrap(libcst.parse_module)
    python_scanner.scan_python_file = _scan_clock(scan, python_scanner.scan_python_file)
    wall, cpu = time.perf_counter(), time.process_time()
    with open(os.devnull, "w") as sink, redirect_stdout(sink):
        try:
            code = ats_main(["check", "--jobs", "1", "--no-cache", "--exit-zero", "--format", "json", "-o", os.devnull, *paths])
        except SystemExit as exc:
            code = exc.code
    if code not in (None, 0):
        raise SystemExit(f"floor.py: ats-lint check exited with {code}")
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "parse": parse.seconds,
            "parsed_modules": parse.calls, "python_scanner": scan.seconds, "python_files_scanned": scan.calls}


def _scan_clock(clock: _Clock, fn):
    """The Python scanner's CPU: the calling thread's time plus the parse thread's (the scanner
    runs on a large-stack helper thread and waits for it)."""
    inner = _Clock()
    import ats_lint.scan.python.parse as parse_module

    run_on_stack = parse_module.on_large_stack
    parse_module.on_large_stack = lambda f, *a: run_on_stack(inner.wrap(f), *a)
    outer = clock.wrap(fn)

    def timed(*args, **kwargs):
        before = inner.seconds
        result = outer(*args, **kwargs)
        clock.seconds += inner.seconds - before  # the helper thread's CPU, not seen by thread_time
        return result

    return timed


def markdown(m: dict) -> str:
    rest_py = m["python_scanner"] - m["parse"]
    other = m["cpu"] - m["python_scanner"]
    rows = [
        ("libcst `parse_module` (the floor)", m["parse"], f"{m['parsed_modules']} modules"),
        ("Python scanner, apart from the parse", rest_py, "metadata, rule visitor, value resolution, positions"),
        ("everything else", other, "discovery, text and syntax-tree scanners, cache, report"),
        ("whole run", m["cpu"], f"wall {m['wall']:.1f} s, one process"),
    ]
    lines = ["| part | CPU s | × floor | what |", "|---|---:|---:|---|"]
    for name, seconds, what in rows:
        lines.append(f"| {name} | {seconds:.1f} | {seconds / m['parse']:.2f}× | {what} |" if m["parse"] else
                     f"| {name} | {seconds:.1f} | - | {what} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="+", help="what to check, as on the ats-lint command line")
    p.add_argument("--markdown", action="store_true", help="print a markdown table instead of key=value lines")
    args, options = p.parse_known_args(argv)  # other ats-lint options (--force-exclude) pass through
    m = measure(options + args.paths)
    if args.markdown:
        print(markdown(m))
    else:
        for key, value in m.items():
            print(f"{key}={value:.4f}" if isinstance(value, float) else f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
