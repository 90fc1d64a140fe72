"""The pipeline around the scanners: discover files, configure, run (with the result cache),
apply suppressions and the baseline, and pick the files changed since a git ref."""
