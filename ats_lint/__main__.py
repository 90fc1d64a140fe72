"""`python -m ats_lint`: the same as the `ats-lint` command."""
import sys

from ats_lint.cli.commands import main

sys.exit(main())
