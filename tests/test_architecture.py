"""The package's shape: no import loops, the data model at the bottom, one documented job per module,
and printing or exiting only in the command line."""
from __future__ import annotations

import ast
from pathlib import Path

import ats_lint

PACKAGE = Path(ats_lint.__file__).resolve().parent
ENTRY_POINTS = {"ats_lint.__main__", "ats_lint.docs"}  # `python -m ...` commands, like the CLI
MAX_LINES = 500
OVER_LIMIT: set[str] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every ats_lint module `path` imports, at module level or inside functions."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target != "ats_lint":
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports_of(path, set(mods)) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_another_in_a_loop():
    assert cycles(graph()) == []


def test_cycle_detection_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_data_model_imports_nothing_of_ours():
    assert graph()["ats_lint.model"] == set()


def test_layers_only_import_downwards():
    """model/resources/rules/dependencies < trust < scan < engine < report < cli."""
    order = {"model": 0, "files": 0, "resources": 0, "rules": 0, "dependencies": 0, "trust": 1, "scan": 2, "engine": 3,
             "report": 4, "cli": 5, "docs": 5, "__main__": 6}

    def layer(name: str) -> int:
        parts = name.split(".")
        return order[parts[1]] if len(parts) > 1 else 0

    wrong = sorted((a, b) for a, targets in graph().items() for b in targets if layer(b) > layer(a))
    assert wrong == []


def test_every_module_says_its_job_in_a_docstring_and_stays_small():
    for name, path in modules().items():
        if name == "ats_lint":
            continue
        text = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text))
        assert doc and doc.strip(), f"{name} has no docstring"
        assert name in OVER_LIMIT or len(text.splitlines()) <= MAX_LINES, f"{name} is over {MAX_LINES} lines"


def test_only_the_command_line_prints_or_exits():
    offenders = []
    for name, path in modules().items():
        if name.startswith("ats_lint.cli") or name in ENTRY_POINTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.id if isinstance(f, ast.Name) else (f"{getattr(f.value, 'id', '')}.{f.attr}" if isinstance(f, ast.Attribute) else "")
                if called in {"print", "exit", "quit", "sys.exit", "os._exit"}:
                    offenders.append(f"{name}:{node.lineno} {called}")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys" and node.attr in {"stdout", "stderr"}:
                offenders.append(f"{name}:{node.lineno} sys.{node.attr}")
    assert offenders == []
