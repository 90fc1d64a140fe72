"""`python -m ats_lint`: the same as the `ats-lint` command.

With `-m`, Python puts the current folder first on `sys.path`: in a scanned repository, a
`yaml.py` or `libcst.py` there would be imported, and run, in place of the real library. The
package itself is already imported by now, so that entry goes before anything else is imported.
"""
import os
import sys


def _drop_working_directory_from_path() -> None:
    here = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.abspath(p) != here]


_drop_working_directory_from_path()

from ats_lint.cli.commands import main  # noqa: E402 - after the path is safe

sys.exit(main())
