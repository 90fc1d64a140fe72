"""The command line: the only place that prints or exits."""
from ats_lint.cli.commands import main

__all__ = ["main"]
