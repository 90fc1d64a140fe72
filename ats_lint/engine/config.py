"""Configuration: `[tool.ats-lint]` in the nearest pyproject.toml, or `.ats-lint.yaml`.

Every key is validated; an error names the file, the key and what was expected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

CONFIG_FILES = (".ats-lint.yaml", ".ats-lint.yml", "pyproject.toml")
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_MAX_FILE_SIZE = 256 * 1024 * 1024  # `max-file-size` above this is refused: a file is read into memory whole
MAX_CONFIG_SIZE = 1024 * 1024


class ConfigError(Exception):
    """A configuration problem; the message is one line naming the file and the key."""


@dataclass
class Settings:
    select: list[str] = field(default_factory=lambda: ["ATS"])
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool = True
    force_exclude: bool = False
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    jobs: int = 0  # 0: one per CPU
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    scan_prose: bool = False
    skip_lockfiles: bool = True
    skip_minified: bool = True
    baseline: str | None = None  # baseline file; relative to the config file's folder
    strict_suppressions: bool = False  # report suppression comments that silence nothing
    cache: bool = True
    cache_dir: str | None = None  # default: outside the tree, $XDG_CACHE_HOME/ats-lint/<project>
    source: Path | None = None  # the config file these settings came from
    project_root: Path | None = None


_LIST_KEYS = {"select", "ignore", "exclude", "extend_exclude"}
_BOOL_KEYS = {"cache", "respect_gitignore", "force_exclude", "scan_prose", "skip_lockfiles", "skip_minified", "strict_suppressions"}
_SIZE_RE = re.compile(r"^\s*(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$", re.I)
_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def find_config(start: Path) -> Path | None:
    """The nearest `.ats-lint.yaml` or pyproject.toml with a `[tool.ats-lint]` table above `start`."""
    start = start.resolve()
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file():
                if name != "pyproject.toml" or _has_tool_table(candidate):
                    return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[tool\.ats-lint(\.|\])", text, re.M) is not None


def load_config(path: Path) -> Settings:
    raw = _read(path)
    settings = Settings(source=path, project_root=path.parent)
    apply(settings, raw, str(path))
    for key, value in (("baseline", settings.baseline), ("cache-dir", settings.cache_dir)):
        if value is not None and not _stays_inside(path.parent, value):
            raise ConfigError(f"{path}: key '{key}': {_shown(value)} leaves the repository (a path in the configuration must stay "
                              "inside the folder of the configuration file; give it on the command line instead)")
    return settings


def _stays_inside(folder: Path, value: str) -> bool:
    """Whether `value` (relative to `folder`, symbolic links followed) names a path inside `folder`.
    A scanned repository's configuration must not aim writes or deletes anywhere else."""
    try:
        (folder / value).resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _read(path: Path) -> dict[str, Any]:
    from ats_lint.files import read_limited

    try:
        data = read_limited(path, MAX_CONFIG_SIZE)
        if len(data) > MAX_CONFIG_SIZE:
            raise ConfigError(f"{path}: cannot read configuration: over the {MAX_CONFIG_SIZE}-byte limit")
        text = data.decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read configuration: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if path.name == "pyproject.toml":
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
        tool = data.get("tool", {})
        table = tool.get("ats-lint", {}) if isinstance(tool, dict) else {}
    else:
        import yaml

        try:
            table = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader without aliases
        except yaml.YAMLError as exc:
            first = " ".join(str(exc).split())
            raise ConfigError(f"{path}: invalid YAML: {first}") from None
        if table is None:
            table = {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(table).__name__}")
    return table


def _loader():
    """PyYAML's SafeLoader, refusing aliases: 310 bytes of nested `*a` references expand to
    gigabytes (the "billion laughs"), and a configuration never needs them."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in the configuration", mark)
            return super().compose_node(parent, index)

    return NoAliasLoader


def _shown(value: Any) -> str:
    """A value in an error message: one short line, whatever the configuration holds."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def apply(settings: Settings, raw: dict[str, Any], origin: str) -> None:
    """Validate `raw` (keys in kebab-case or snake_case) and set it on `settings`."""
    known = {f.name for f in fields(Settings)} - {"source", "project_root"}
    for key, value in raw.items():
        name = str(key).replace("-", "_")
        if name not in known:
            import difflib

            options = sorted(k.replace("_", "-") for k in known)
            close = difflib.get_close_matches(name.replace("_", "-"), options, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ConfigError(f"{origin}: unknown key {_shown(str(key))} ({hint}known keys: {', '.join(options)})")
        setattr(settings, name, _check(origin, key, name, value))
    from ats_lint.rules import RuleError, all_rules, expand_selectors

    lists = [("select", settings.select), ("ignore", settings.ignore)]
    lists += [(f"per-file-ignores' pattern '{pattern}", codes) for pattern, codes in settings.per_file_ignores.items()]
    for key, codes in lists:
        try:
            expand_selectors(codes, all_rules())
        except RuleError as exc:
            raise ConfigError(f"{origin}: key '{key}': {exc}") from None


def _check(origin: str, key: str, name: str, value: Any) -> Any:
    where = f"{origin}: key '{key}'"
    if name in _LIST_KEYS:
        if isinstance(value, str):  # `select = "ATS1"`: a list is meant; say so rather than guess
            raise ConfigError(f"{where}: expected a list of strings, got the string {value!r} (write [{value!r}])")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {_shown(value)}")
        return value
    if name in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {_shown(value)}")
        return value
    if name == "jobs":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: expected a non-negative integer, got {_shown(value)}")
        return value
    if name == "max_file_size":
        return parse_size(value, where)
    if name == "cache_dir":
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"{where}: expected a folder path, got {_shown(value)}")
        return value
    if name == "baseline":
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"{where}: expected a file path, got {_shown(value)}")
        return value
    if name == "per_file_ignores":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(c, str) for c in v) for k, v in value.items()
        ):
            raise ConfigError(f"{where}: expected a mapping of glob pattern to a list of rule ids, got {_shown(value)}")
        return value
    raise ConfigError(f"{where}: unsupported")  # pragma: no cover - every known key is handled above


def parse_size(value: Any, where: str) -> int:
    size = None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        size = value
    elif isinstance(value, str):
        m = _SIZE_RE.match(value)
        if m and len(m.group(1)) < 20:
            size = int(m.group(1)) * _UNITS[(m.group(2) or "b").lower()]
    if size is None or size <= 0:
        raise ConfigError(f"{where}: expected a size such as 2097152 or \"2MiB\", got {_shown(value)}")
    if size > MAX_MAX_FILE_SIZE:
        raise ConfigError(f"{where}: {_shown(value)} is over the limit of {MAX_MAX_FILE_SIZE // (1024 * 1024)}MiB")
    return size
