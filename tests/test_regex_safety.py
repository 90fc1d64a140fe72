"""Every regular expression the tool uses is safe on adversarial input.

Two independent checks over the same collection of patterns (module-level compiled patterns of
every ats_lint module, the patterns built from rules/*.yaml, and every `re.<fn>("literal")` call
in the source):

1. Structure: each pattern's parse tree (`re._parser`, formerly `sre_parse`) holds no repetition
   of something that can itself match a variable length: `(a+)+`, `(?:x|xy)*`, `(?:\\s*,)*`
   backtrack exponentially on a near miss.
2. Behaviour: each pattern runs `finditer` over 1 MB adversarial lines built from its own
   characters and literals. A linear pattern needs milliseconds for that; one that backtracks
   catastrophically (or quadratically) needs hours. The runs happen in subprocesses with a
   generous timeout, which is a guard against a hang, not a speed assertion.
"""
from __future__ import annotations

import ast
import importlib
import json
import os
import pkgutil
import queue
import re
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

try:
    from re import _parser as sre_parse  # Python 3.11+
    from re import _constants as sre_constants
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

import ats_lint

MAXREPEAT = sre_constants.MAXREPEAT
REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)} - {None}
SIZE = 1_000_000


# --------------------------------------------------------------------------- collecting the patterns


def _inline_patterns() -> dict[str, re.Pattern]:
    """`re.compile/match/search/...("literal", ...)` calls anywhere in ats_lint/."""
    out = {}
    package = Path(ats_lint.__file__).parent
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.func.attr in {"compile", "match", "search", "fullmatch", "sub", "subn", "findall", "finditer", "split"}
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, (str, bytes))):
                out[f"{'.'.join(path.relative_to(package).with_suffix('').parts)}:{node.lineno}"] = re.compile(node.args[0].value)
    return out


def _data_patterns() -> dict[str, re.Pattern]:
    from ats_lint.scan import filekinds
    from ats_lint.scan import prefilter
    from ats_lint.scan.text import scanner as text_scanner
    from ats_lint.scan.hosts import host_matcher

    out: dict[str, re.Pattern] = {}
    hm = host_matcher()
    out["hosts.yaml placeholders"] = hm.placeholder_re
    out["hosts.yaml service_principal_context"] = hm.principal_re
    for i, p in enumerate(hm.s3_not_affected):
        out[f"hosts.yaml s3.not_affected[{i}]"] = p
    for ep in [*hm.s3_endpoints, *hm.cf_endpoints]:
        out[f"hosts.yaml endpoint {ep.name}"] = ep.pattern
    compiled = prefilter.compiled()
    for name, pattern in compiled.set_names:
        out[f"prefilter set name {name}"] = pattern
    for name, pattern in compiled.env_setters:
        out[f"prefilter env setter {name}"] = pattern
    data = text_scanner.text_data()
    for syntax in data["comment_syntaxes"]:
        regex = text_scanner.comment_regex(syntax)
        if regex is not None:
            out[f"text.yaml comment syntax {syntax}"] = regex
    for kind, patterns in (("trust", text_scanner.trust_patterns()), ("pinning", text_scanner.pinning_patterns())):
        for p in patterns:
            for part in ("regex", "requires", "unless_file_has", "near"):
                if getattr(p, part) is not None:
                    out[f"text.yaml {kind} {p.id} {part}"] = getattr(p, part)
            for j, sub in enumerate(p.unless_in or ()):
                out[f"text.yaml {kind} {p.id} unless_in[{j}]"] = sub
    for i, pattern in enumerate(data["default_value_patterns"]):
        out[f"text.yaml default_value_patterns[{i}]"] = re.compile(pattern.replace("{name}", "SSL_CERT_FILE"))
    from ats_lint.scan.tree.ruledata import compiled, syntax_data, syntax_rules

    for name, body in syntax_data().get("macros", {}).items():
        out[f"syntax macro {name}"] = re.compile(body)
    for rule in syntax_rules():
        stack = list(rule.where)
        while stack:
            where = stack.pop()
            stack.extend(where.get("any", ()))
            if "not" in where:
                stack.append(where["not"])
            for key in ("matches", "not_matches", "mentions", "constant", "other", "or_text", "file", "not_file"):
                if isinstance(where.get(key), str):
                    out[f"syntax {rule.id} {key}"] = compiled(where[key])
    for spec in filekinds.kind_specs():
        if spec.shebang is not None:
            out[f"text.yaml kind {spec.kind} shebang"] = spec.shebang
        if spec.head is not None:
            out[f"text.yaml kind {spec.kind} head"] = spec.head
    return out


def all_patterns() -> dict[str, re.Pattern]:
    out: dict[str, re.Pattern] = {}
    for info in pkgutil.walk_packages(ats_lint.__path__, "ats_lint."):
        if info.name == "ats_lint.__main__":
            continue  # running it is the command line
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                out[f"{info.name.removeprefix('ats_lint.')}:{name}"] = value
    out.update(_inline_patterns())
    out.update(_data_patterns())
    unique: dict[str, re.Pattern] = {}
    seen: set = set()
    for name, pattern in out.items():  # the same regex under two names is checked once
        if (pattern.pattern, pattern.flags) not in seen:
            seen.add((pattern.pattern, pattern.flags))
            unique[name] = pattern
    return unique


PATTERNS = all_patterns()


def test_the_collection_covers_every_module_and_the_rule_data():
    modules = {name.split(":")[0] for name in PATTERNS if not name.startswith(("text.yaml", "hosts.yaml", "prefilter "))}
    assert {"scan.hosts", "trust.certs", "scan.literals", "engine.suppression", "scan.text.scanner", "engine.config",
            "engine.run", "scan.decode", "scan.filekinds", "scan.python.parse"} <= modules
    assert sum(name.startswith("text.yaml trust") for name in PATTERNS) >= 10
    assert sum(name.startswith("text.yaml pinning") for name in PATTERNS) >= 5
    assert any(name.startswith("hosts.yaml endpoint") for name in PATTERNS)
    assert len(PATTERNS) >= 90


# --------------------------------------------------------------------------- 1. structure


try:
    from re import _compiler as sre_compile  # Python 3.11+
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile  # type: ignore[no-redef]

SAMPLE = [chr(i) for i in range(128)] + ["\u00e9", "\u00a0", "\u65e5", "\u2028"]
ATOMS = {sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN, sre_constants.ANY, sre_constants.CATEGORY}


class _Checker:
    """Finds repetitions whose iterations can be split in more than one way:

    (a) the body can end with a variable run of characters that can also start the next
        iteration: `(a+)+`, `(\\w+\\s?)*`;
    (b) inside the body, two variable runs can trade characters: `(x+x+)+`.
    Either one makes a near miss cost exponential time in a backtracking engine. A body that
    starts with a delimiter its variable runs cannot match (`(?:\\.[a-z]{1,63}){0,10}`) is safe.
    """

    def __init__(self, pattern: re.Pattern):
        self.flags = pattern.flags & (re.I | re.M | re.S | re.X)
        self.is_bytes = isinstance(pattern.pattern, bytes)
        self.parsed = sre_parse.parse(pattern.pattern, self.flags)
        self.state = self.parsed.state

    def chars(self, item) -> frozenset[str]:
        """Sample characters one atom (or any atom inside `item`) can match."""
        op, av = item
        if op in ATOMS:
            compiled = sre_compile.compile(sre_parse.SubPattern(self.state, [item]), self.flags)
            sample = [c for c in SAMPLE if ord(c) < 256] if self.is_bytes else SAMPLE
            return frozenset(c for c in sample if compiled.fullmatch(c.encode("latin-1") if self.is_bytes else c))
        out: frozenset[str] = frozenset()
        for sub in self.children(item):
            for it in sub:
                out |= self.chars(it)
        return out

    @staticmethod
    def children(item) -> list:
        op, av = item
        if op in REPEATS:
            return [av[2]]
        if op is sre_constants.SUBPATTERN:
            return [av[-1]]
        if op is sre_constants.BRANCH:
            return list(av[1])
        if op is getattr(sre_constants, "ATOMIC_GROUP", None):
            return [av]
        return []

    def width(self, items) -> tuple[int, int]:
        return sre_parse.SubPattern(self.state, list(items)).getwidth()

    def first(self, items) -> frozenset[str]:
        """Characters that can start a match of `items` (zero-width items are skipped)."""
        out: frozenset[str] = frozenset()
        for item in items:
            op, av = item
            if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                continue
            if op in ATOMS:
                return out | self.chars(item)
            for sub in self.children(item):
                out |= self.first(sub)
            if self.width([item])[0] > 0:
                return out
        return out

    def last_run(self, items) -> frozenset[str]:
        """Characters of the variable runs that can end a match of `items`, including a run
        followed by fixed characters it could match itself (`[a-z.]+\\.` can end on its run)."""
        out: frozenset[str] = frozenset()
        tail: list[frozenset[str]] = []
        for item in reversed(list(items)):
            op, av = item
            if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                continue
            lo, hi = self.width([item])
            if lo == hi:
                tail.append(self.chars(item))
                continue
            if op in REPEATS or (op is sre_constants.BRANCH and any(self.width(alt)[0] == 0 for alt in av[1])):
                run = self.chars(item)  # a repeat, or a branch with an empty alternative (`a|aa` parses as `a(?:|a)`)
            else:
                run = frozenset().union(*(self.last_run(sub) for sub in self.children(item)))
            if not all(t <= run for t in tail):
                return out  # a fixed character the run cannot match pins the end of the iteration
            out |= run
            if lo > 0:
                return out
        return out

    def problems(self, items=None) -> list[str]:
        found = []
        for item in self.parsed if items is None else items:
            op, av = item
            if op in REPEATS and av[1] > 1:
                body = av[2]
                lo, hi = self.width(body)
                if lo != hi:
                    overlap = self.last_run(body) & self.first(body)
                    if overlap:
                        found.append(f"repeat {{{av[0]},{'' if av[1] == MAXREPEAT else av[1]}}}: an iteration can end in "
                                     f"{sorted(overlap)[:5]} and the next start with it")
                    found += self.trading(body)
                    found += self.overlapping_branches(body)
            for sub in self.children(item):
                found += self.problems(sub)
        return found

    def overlapping_branches(self, body) -> list[str]:
        """(c): alternatives of different widths that can start alike: `(?:a|aa)*`."""
        found = []
        for item in body:
            op, av = item
            if op is sre_constants.SUBPATTERN:
                found += self.overlapping_branches(av[-1])
            elif op is sre_constants.BRANCH and self.width([item])[0] != self.width([item])[1]:
                firsts = [self.first(alt) for alt in av[1]]
                for i in range(len(firsts)):
                    for j in range(i + 1, len(firsts)):
                        if firsts[i] & firsts[j]:
                            found.append(f"alternatives {i} and {j} of a repeated branch both start with {sorted(firsts[i] & firsts[j])[:5]}")
        return found

    def trading(self, body) -> list[str]:
        """(b): variable runs next to each other (only optional items between) that share characters."""
        found = []
        flat = list(body)
        if len(flat) == 1 and flat[0][0] is sre_constants.SUBPATTERN:
            flat = list(flat[0][1][-1])
        runs: list[frozenset[str]] = []
        for item in flat:
            lo, hi = self.width([item])
            if lo == hi:
                runs = []
                continue
            mine = self.chars(item)
            if any(mine & other for other in runs):
                found.append(f"adjacent variable runs share {sorted(set().union(*(mine & o for o in runs)))[:5]}")
            runs = runs + [mine] if lo == 0 else [mine]
        return found


def nested_quantifiers(pattern: re.Pattern) -> list[str]:
    return _Checker(pattern).problems()


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_nested_variable_repetition(name):
    assert nested_quantifiers(PATTERNS[name]) == [], PATTERNS[name].pattern[:300]


def test_the_structure_checker_rejects_the_classic_shapes():
    for bad in (r"(a+)+$", r"(x+x+)+y", r"^(\w+\s?)*$", r"(?:[a-z.]+\.){2,}com", r"(?:a|aa)*c", r"(?:\d+,?)+;"):
        assert nested_quantifiers(re.compile(bad)), bad
    for good in (r"[a-z]{1,63}(?:\.[a-z]{1,63}){0,10}", r"(?:\\x[0-9a-f]{2}){20}", r'"(?:[^"\\]|\\.)*"', r"a+b+c*"):
        assert nested_quantifiers(re.compile(good)) == [], good


# --------------------------------------------------------------------------- 2. behaviour on 1 MB lines


def _alphabet(pattern: re.Pattern) -> tuple[list[str], list[str]]:
    """Characters and literal runs the pattern mentions: what adversarial input is built from."""
    chars: set[str] = set()
    literals: list[str] = []

    def walk(items):
        run = ""
        for op, av in items:
            if op is sre_constants.LITERAL:
                chars.add(chr(av))
                run += chr(av)
                continue
            if len(run) >= 2:
                literals.append(run)
            run = ""
            if op is sre_constants.IN:
                for kind, value in av:
                    if kind is sre_constants.LITERAL:
                        chars.add(chr(value))
                    elif kind is sre_constants.RANGE:
                        chars.update({chr(value[0]), chr(value[1])})
            elif op in REPEATS:
                walk(av[2])
            elif op is sre_constants.SUBPATTERN:
                walk(av[-1])
            elif op is sre_constants.BRANCH:
                for alt in av[1]:
                    walk(alt)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(av[1])
        if len(run) >= 2:
            literals.append(run)

    source = pattern.pattern.decode("latin-1") if isinstance(pattern.pattern, bytes) else pattern.pattern
    walk(sre_parse.parse(source, pattern.flags & (re.I | re.M | re.S | re.X)))
    return sorted(chars)[:40], sorted(set(literals), key=lambda lit: (-len(lit), lit))[:8]  # the same on every run


GENERIC = ["a", " ", "\n", '"', "\\", "="]


def adversarial_lines(pattern: re.Pattern, size: int = SIZE) -> list[str]:
    """About twenty 1 MB lines: runs of each character the pattern mentions (up to 8) and of a few
    generic ones, its literals pumped (up to 8, each followed by its last character again, as in
    `testttestt`; the two longest also followed by a long near miss), and all its characters cycled."""
    chars, literals = _alphabet(pattern)
    picked = sorted(set(chars[:8]) | set(GENERIC))
    lines = [c * size for c in picked]
    for i, lit in enumerate(literals):
        for unit in (lit + " ", lit + lit[-1], lit[:-1]) if i < 2 else (lit + lit[-1],):
            lines.append(unit * (size // max(1, len(unit))))
        if i < 2:
            lines.append(lit + "a" * size)
    if chars:
        lines.append("".join(chars) * (size // len(chars)))
    return lines


def _run_chunk(names: list[str]) -> dict[str, float]:
    """In a child process: every match of each named pattern over its adversarial lines. Prints
    each name before it starts, so that a timeout names the pattern that did not finish."""
    import time

    out = {}
    for name in names:
        print(f"START {name}", flush=True)
        pattern = PATTERNS[name] if name in PATTERNS else re.compile(name.removeprefix("raw:"))  # raw: for the harness's own test
        start = time.perf_counter()
        for line in adversarial_lines(pattern):
            subject = line.encode("latin-1", "replace") if isinstance(pattern.pattern, bytes) else line
            pattern.subn(b"" if isinstance(subject, bytes) else "", subject)  # every match, as finditer, in C
        out[name] = time.perf_counter() - start
    return out


if __name__ == "__main__" and len(sys.argv) > 1:
    print("RESULT " + json.dumps(_run_chunk(json.loads(sys.argv[1]))))


PER_PATTERN_TIMEOUT = 300  # seconds without progress: a linear pattern needs well under 1 s here


def _run_in_child(chunk: list[str], per_pattern: float = PER_PATTERN_TIMEOUT) -> str | None:
    """Runs a chunk of patterns in a child process, allowing each pattern `per_pattern` seconds (not
    the chunk as a whole, so that a slow machine or a long chunk is no failure); the problem, or None."""
    here = Path(__file__).resolve()
    errors = tempfile.TemporaryFile(mode="w+")  # not a pipe: a child that writes much there must not block
    proc = subprocess.Popen([sys.executable, str(here), json.dumps(chunk)], stdout=subprocess.PIPE,
                            stderr=errors, text=True, cwd=here.parent,
                            env={**os.environ, "PYTHONPATH": str(here.parent.parent)})
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for ln in proc.stdout:
            lines.put(ln.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    current, result = None, None
    while True:
        try:
            ln = lines.get(timeout=per_pattern)
        except queue.Empty:
            proc.kill()
            proc.wait()
            return f"{current or chunk[0]!r} did not finish within {per_pattern} s (catastrophic backtracking?)"
        if ln is None:
            break
        if ln.startswith("START "):
            current = ln[6:]
        elif ln.startswith("RESULT "):
            result = json.loads(ln[7:])
    code = proc.wait()
    errors.seek(0)
    stderr = errors.read()
    errors.close()
    if code != 0:
        return stderr[-2000:]
    if result is None or sorted(result) != sorted(chunk):
        return f"the child ran {len(result or ())} of {len(chunk)} patterns: {stderr[-500:]}"
    return None


def test_every_pattern_finishes_on_one_megabyte_adversarial_lines():
    names = sorted(PATTERNS)
    workers = max(2, min(8, os.cpu_count() or 2))
    chunks = [names[i::workers * 2] for i in range(workers * 2)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        failures = [(chunk, problem) for chunk, problem in zip(chunks, pool.map(_run_in_child, chunks)) if problem]
    assert failures == []


def test_the_behaviour_check_catches_a_catastrophic_pattern():
    """The harness itself: a pattern known to blow up does not finish within a small guard."""
    bad = re.compile(r"(a+)+$")
    line = "a" * 40 + "!"
    code = f"import re; re.compile({bad.pattern!r}).search({line!r})"
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run([sys.executable, "-c", code], timeout=3)
    assert nested_quantifiers(bad)


def test_the_child_harness_names_a_pattern_that_stalls_and_passes_a_linear_one():
    assert _run_in_child(["raw:ab+c"], per_pattern=60) is None
    problem = _run_in_child(["raw:ab+c", "raw:(a+)+b"], per_pattern=5)
    assert problem == "'raw:(a+)+b' did not finish within 5 s (catastrophic backtracking?)"
