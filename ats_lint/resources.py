"""Where the rule data lives: `ats_lint/rules` in an installed wheel, `rules/` in a source checkout."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=None)
def rules_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "rules", _PACKAGE_DIR.parent / "rules"):
        if (candidate / "hosts.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"ats-lint rule data not found next to {_PACKAGE_DIR}")


@functools.lru_cache(maxsize=None)
def load_data(name: str) -> Any:
    """Load one YAML file of reference data from the rules directory (safe loader only)."""
    import yaml

    with open(rules_dir() / name, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when present: start-up


def user_cache_base() -> Path | None:
    """The user's cache folder for ats-lint (`$XDG_CACHE_HOME/ats-lint`, else `~/.cache/ats-lint`),
    or None when there is no usable home. A relative XDG_CACHE_HOME is ignored, as the XDG
    specification says (it would land in the scanned tree)."""
    import os

    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "ats-lint"
