"""Which grammar reads a file, and loading it lazily (rules/syntax/languages.yaml).

A grammar module is imported, and a parser made, only when a file of its language passed the
trigger prefilter: a run over a repository without such files never imports tree_sitter.
"""
from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

from ats_lint.resources import load_data


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    module: str
    function: str
    extensions: frozenset[str]
    text_kinds: frozenset[str]
    requires: re.Pattern | None  # a file must match this to be read as this language (ObjC headers)
    strings: frozenset[str]
    comments: frozenset[str]
    identifiers: frozenset[str]
    bindings: str  # a query with @name / @value captures: same-file constants and locals
    max_error_share: float
    collections: str = ""  # a query: @collection literals (`listOf("a", "b")`) and their @element nodes
    maps: str = ""  # a query: @map literals (`mapOf("host" to pins)`) and the @value of each entry
    modules: str = ""  # a query: the @module strings that name code to load (`require('./config')`), never a store
    # (regex, replacement) pairs a node's text goes through before a `text` test: TypeScript's casts
    # (`(server as any).caCert` reads as `server.caCert`) and non-null assertions
    rewrites: tuple = ()
    implicit_parameter: str = ""  # the name a lambda's elements are bound to without a declared parameter (`it`)
    interpolations: str = ""  # a query: the @expr nodes interpolated in a string literal
    path_joins: frozenset[str] = frozenset()  # calls that join path parts (`path.join`, `filepath.Join`)
    path_bases: frozenset[str] = frozenset()  # a first part that is the code's own folder (`__dirname`)
    assertions: re.Pattern | None = None  # the callee of a test assertion whose arguments are expected values
    decoders: re.Pattern | None = None  # a call that decodes one string literal, `$` standing for it
    rejections: re.Pattern | None = None  # the callee of an assertion that the code it runs is rejected
    error_checks: re.Pattern | None = None  # the statement after a call that fails the test unless the call failed
    error_entries: re.Pattern | None = None  # a test table entry's key that names the error it expects
    logging: re.Pattern | None = None  # the callee of a logging call: what it writes is not configuration
    # a parameter the framework fills from the program's own settings (Spring `@Value("${...}")`): configuration, not the caller's
    configured_parameters: re.Pattern | None = None
    # in a file of a program that reads its command line (`programs`), also a parameter declared as the
    # command-line arguments: `configured_parameters` joined with those (`program_parameters`)
    programs: re.Pattern | None = None
    program_parameters: re.Pattern | None = None
    conditional_compilation: bool = False  # `#if`/`#else` branches: parse the first one when both together fail


@functools.lru_cache(maxsize=1)
def syntax_data() -> dict:
    return load_data("syntax/languages.yaml")


@functools.lru_cache(maxsize=1)
def language_specs() -> dict[str, LanguageSpec]:
    data = syntax_data()
    rejections = re.compile(data["rejection_assertions"]) if data.get("rejection_assertions") else None
    error_checks = re.compile(data["expected_error_checks"]) if data.get("expected_error_checks") else None
    error_entries = re.compile(data["expected_error_entries"]) if data.get("expected_error_entries") else None
    logging = re.compile(data["logging_calls"]) if data.get("logging_calls") else None
    cli = data.get("command_line_parameters") or {}
    programs = re.compile(cli["program"], re.M) if cli else None
    out = {}
    for name, item in data["languages"].items():
        out[name] = LanguageSpec(
            name=name,
            module=item["module"],
            function=item.get("function", "language"),
            extensions=frozenset(item["extensions"]),
            text_kinds=frozenset(item["text_kinds"]),
            requires=re.compile(item["requires"], re.M) if item.get("requires") else None,
            strings=frozenset(item["strings"]),
            comments=frozenset(item["comments"]),
            identifiers=frozenset(item["identifiers"]),
            bindings=item["bindings"],
            max_error_share=float(data["max_error_share"]),
            collections=item.get("collections", ""),
            maps=item.get("maps", ""),
            modules=item.get("modules", ""),
            rewrites=tuple((re.compile(a), b) for a, b in item.get("rewrites", ())),
            implicit_parameter=item.get("implicit_parameter", ""),
            interpolations=item.get("interpolations", ""),
            path_joins=frozenset(item.get("path_joins", ())),
            path_bases=frozenset(item.get("path_bases", ())),
            decoders=_decoders(item.get("decoders", ())),
            assertions=re.compile(item["assertions"]) if item.get("assertions") else None,
            rejections=rejections,
            error_checks=error_checks,
            error_entries=error_entries,
            logging=logging,
            configured_parameters=re.compile(item["configured_parameters"]) if item.get("configured_parameters") else None,
            programs=programs,
            program_parameters=_joined(item.get("configured_parameters"), cli.get("declared")),
            conditional_compilation=bool(item.get("conditional_compilation", False)),
        )
    return out


def _joined(*patterns: str | None) -> re.Pattern | None:
    """One regex matching where any of the given ones does, or None when none is given."""
    given = [p for p in patterns if p]
    return re.compile("|".join(f"(?:{p})" for p in given)) if given else None


def _decoders(forms: list[str]) -> re.Pattern | None:
    """One regex for the calls that decode a literal (`Convert.FromBase64String($)`), matched against
    a call's text without whitespace and with its first string literal replaced by `$`."""
    if not forms:
        return None
    return re.compile("^(?:" + "|".join(re.escape(f).replace(r"\*", r"[\w.]*") for f in forms) + ")$")


def tree_language(path: Path | str, kind: str, text: str | None = None) -> str | None:
    """The grammar name for a file of text kind `kind`, or None when the text scanner reads it."""
    name = Path(path).name
    ext = name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""
    for spec in language_specs().values():
        if ext in spec.extensions and kind in spec.text_kinds:
            if spec.requires is not None and (text is None or spec.requires.search(text) is None):
                continue
            return spec.name
    return None


@functools.lru_cache(maxsize=None)
def language(name: str):
    """The tree_sitter.Language of a grammar (imports tree_sitter and the grammar wheel)."""
    import tree_sitter

    spec = language_specs()[name]
    module = importlib.import_module(spec.module)
    return tree_sitter.Language(getattr(module, spec.function)())


@functools.lru_cache(maxsize=None)
def parser(name: str):
    import tree_sitter

    return tree_sitter.Parser(language(name))


@functools.lru_cache(maxsize=None)
def query(name: str, source: str):
    """A compiled query (QueryError names the row and column of an unknown node type or field)."""
    import tree_sitter

    return tree_sitter.Query(language(name), source)


def matches(name: str, source: str, node) -> list[tuple[int, dict]]:
    import tree_sitter

    return tree_sitter.QueryCursor(query(name, source)).matches(node)
