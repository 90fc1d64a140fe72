"""Scanning one file: prefilter, file kinds, host and literal matching, and one scanner per language
family (`python/` with libcst, `text/` for every other text file)."""
