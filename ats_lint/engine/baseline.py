"""The baseline: today's accepted findings, so that a legacy repository fails only on new ones.

The file is JSON, one entry per line, sorted by path, rule and fingerprint, with no timestamps,
no line numbers and no matched text (the text would itself be a finding when the baseline file
is scanned). An entry is `{"fingerprint", "path", "rule"}`; paths are relative to the folder of
the baseline file, so the same baseline works from any working directory. The fingerprint comes
from `findings.fingerprints` (rule, path, normalised matched text, occurrence index), so an entry
survives lines inserted or removed above its finding.

Matching is by count: each entry accepts one finding. Two identical findings have two
fingerprints (occurrence 0 and 1), so one entry never hides a second, new, identical finding.
Nothing here prints; the CLI reports.
"""
from __future__ import annotations

import json
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ats_lint.files import new_file_mode, replace_file
from ats_lint.model import Finding, fingerprints

FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message names the file."""


@dataclass(frozen=True, order=True)
class Entry:
    path: str
    rule: str
    fingerprint: str


@dataclass
class Comparison:
    new: list[Finding] = field(default_factory=list)  # findings not accepted by the baseline
    matched: int = 0  # findings the baseline accepted
    stale: list[Entry] = field(default_factory=list)  # entries that no longer match a finding


def _rebase(display: str, cwd: Path, base_dir: Path) -> str:
    absolute = Path(os.path.abspath(cwd / display))
    try:
        return Path(os.path.relpath(absolute, base_dir)).as_posix()
    except ValueError:  # another drive on Windows
        return absolute.as_posix()


def entries_for(findings: list[Finding], cwd: Path, base_dir: Path) -> list[Entry]:
    """The baseline entry of each finding (same order), with paths relative to `base_dir`."""
    paths = {f.path: _rebase(f.path, cwd, base_dir) for f in findings}
    prints = fingerprints(findings, lambda f: paths[f.path])
    return [Entry(paths[f.path], f.rule, fp) for f, fp in zip(findings, prints)]


MAX_BASELINE_SIZE = 256 * 1024 * 1024  # about a million entries


def load(path: Path) -> list[Entry]:
    from ats_lint.files import NotARegularFile, read_limited

    try:
        data = read_limited(path, MAX_BASELINE_SIZE)
        if len(data) > MAX_BASELINE_SIZE:
            raise BaselineError(f"{path}: cannot read baseline: over the {MAX_BASELINE_SIZE}-byte limit")
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create it with --write-baseline)") from None
    except NotARegularFile:
        raise BaselineError(f"{path}: cannot read baseline: not a regular file (a FIFO, device or folder)") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: cannot read baseline: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a baseline file: invalid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("tool") != "ats-lint" or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not an ats-lint baseline (expected an object with \"tool\": \"ats-lint\" and \"findings\")")
    if doc.get("version") != FORMAT_VERSION:
        raise BaselineError(f"{path}: unsupported baseline version {doc.get('version')!r} (this ats-lint reads {FORMAT_VERSION})")
    entries = []
    for i, item in enumerate(doc["findings"]):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("path", "rule", "fingerprint")):
            raise BaselineError(f"{path}: entry {i + 1} needs string keys path, rule and fingerprint")
        entries.append(Entry(item["path"], item["rule"], item["fingerprint"]))
    return entries


def dumps(entries: list[Entry]) -> str:
    """Deterministic JSON, one entry per line, so that diffs and merges stay small."""
    lines = [json.dumps({"path": e.path, "rule": e.rule, "fingerprint": e.fingerprint}, ensure_ascii=False) for e in sorted(entries)]
    body = ",\n".join(f"    {line}" for line in lines)
    findings = f"[\n{body}\n  ]" if lines else "[]"
    return f'{{\n  "tool": "ats-lint",\n  "version": {FORMAT_VERSION},\n  "findings": {findings}\n}}\n'


def write(path: Path, findings: list[Finding], cwd: Path, keep: list[Entry] = ()) -> int:
    """Write the baseline atomically: the entries of `findings` plus `keep`. Returns the count."""
    entries = entries_for(findings, cwd, path.parent.absolute()) + list(keep)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):  # a symlink, device or FIFO: never written through
        raise BaselineError(f"{path}: cannot write baseline: not a regular file (a symbolic link, device or FIFO)")
    try:
        # An unpredictable temporary name, created exclusively: a planted symlink next to the target cannot redirect the write.
        replace_file(path, dumps(entries).encode("utf-8"), stat.S_IMODE(st.st_mode) if st is not None else new_file_mode())
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None
    return len(entries)


def _in_scope(entry: Entry, base_dir: Path, seen_paths: set[str], selected: set[str]) -> bool:
    """Whether this run could have reproduced the entry: its rule ran and its file was scanned or is gone."""
    if entry.rule not in selected:
        return False
    if entry.path in seen_paths:
        return True
    try:
        return not (base_dir / entry.path).exists()
    except (OSError, ValueError):  # a name the OS refuses (over 255 characters, NUL): no such file
        return True


def compare(findings: list[Finding], entries: list[Entry], cwd: Path, baseline_file: Path,
            considered: list[str], selected: set[str]) -> Comparison:
    """Split findings into accepted and new; list entries of scanned files that matched nothing."""
    base_dir = baseline_file.parent.absolute()
    budget = Counter((e.path, e.rule, e.fingerprint) for e in entries)
    out = Comparison()
    for finding, entry in zip(findings, entries_for(findings, cwd, base_dir)):
        key = (entry.path, entry.rule, entry.fingerprint)
        if budget[key] > 0:
            budget[key] -= 1
            out.matched += 1
        else:
            out.new.append(finding)
    seen_paths = {_rebase(p, cwd, base_dir) for p in considered}
    for (path, rule, fp), left in sorted(budget.items()):
        entry = Entry(path, rule, fp)
        if left > 0 and _in_scope(entry, base_dir, seen_paths, selected):
            out.stale.extend([entry] * left)
    return out


def kept_on_rewrite(entries: list[Entry], cwd: Path, baseline_file: Path, considered: list[str], selected: set[str]) -> list[Entry]:
    """Entries a rewrite keeps: those this run could not have reproduced (files not scanned, rules not selected)."""
    base_dir = baseline_file.parent.absolute()
    seen_paths = {_rebase(p, cwd, base_dir) for p in considered}
    return [e for e in entries if not _in_scope(e, base_dir, seen_paths, selected)]
