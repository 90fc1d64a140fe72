import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import os

import pytest
from hypothesis import settings

# CI (.ci/run) replays the same examples on every run, so that a red build is reproducible and
# never depends on the draw; a local run explores new examples each time.
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _private_cache_home(tmp_path_factory, monkeypatch):
    """Each test gets its own cache home: no test reads another's cache or writes to ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
