"""The comment-aware text scanner for every file that is not Python."""
