"""cProfile of one ats-lint run, its threads included: `python profile_ats.py OUT.prof check ARGS...`.

cProfile alone sees only the main thread, and ats-lint parses Python on a helper thread with a
large C stack: the parse would show up as the main thread waiting on a lock. Every thread is
profiled here and the statistics are merged; the thread's time then appears twice in cumulative
order (as the main thread's wait in `lock.acquire`, and as the thread's own calls).
"""
import cProfile
import pstats
import sys
import threading

_profiles: list[cProfile.Profile] = []
_run = threading.Thread.run


def _profiled_run(self):
    prof = cProfile.Profile()
    _profiles.append(prof)
    prof.enable()
    try:
        _run(self)
    finally:
        prof.disable()


def main() -> int:
    out, argv = sys.argv[1], sys.argv[2:]
    threading.Thread.run = _profiled_run
    from ats_lint.cli import main as ats_main

    prof = cProfile.Profile()
    prof.enable()
    try:
        code = ats_main(argv)
    except SystemExit as exc:
        code = exc.code
    finally:
        prof.disable()
    stats = pstats.Stats(prof)
    for p in _profiles:
        stats.add(p)
    stats.dump_stats(out)
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
