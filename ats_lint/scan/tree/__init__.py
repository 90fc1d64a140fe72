"""The syntax-tree scanner for Kotlin, Java, Swift, Objective-C, JavaScript, TypeScript, Go and C#.

Grammars come from tree-sitter grammar wheels, imported only when a file of that language has a
trigger (rules/syntax/*.yaml); what each construct looks like is data in rules/syntax/, and
this package interprets it (docs/design/syntax-trees.md).
"""
from ats_lint.scan.tree.languages import tree_language
from ats_lint.scan.tree.scanner import scan_tree_file

__all__ = ["scan_tree_file", "tree_language"]
