"""The progress display: only on a terminal, never in CI or with --quiet; the engine reports through a callback."""
from __future__ import annotations

import io

from ats_lint.engine.config import Settings
from ats_lint.engine.run import run
from ats_lint.cli.progress import Progress, wanted
from helpers import run_cli, write_tree


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_wanted_only_on_a_terminal_outside_ci_without_quiet():
    assert wanted(FakeTerminal(), {}, quiet=False)
    assert not wanted(io.StringIO(), {}, quiet=False)  # a pipe
    assert not wanted(FakeTerminal(), {"CI": "true"}, quiet=False)
    assert wanted(FakeTerminal(), {"CI": "false"}, quiet=False)
    assert not wanted(FakeTerminal(), {}, quiet=True)


def test_engine_reports_each_file_to_the_callback(tmp_path):
    write_tree(tmp_path, {f"m{i}.py": "X = 1\n" for i in range(3)})
    calls = []
    run([tmp_path], Settings(jobs=1), tmp_path, progress=lambda done, total, path: calls.append((done, total, path)))
    assert calls == [(1, 3, "m0.py"), (2, 3, "m1.py"), (3, 3, "m2.py")]


def test_display_redraws_in_place_and_is_erased_on_close():
    stream = FakeTerminal()
    clock = iter([0.0, 0.05, 1.0, 1.01]).__next__
    progress = Progress(stream, clock=clock, min_files=1)
    progress(1, 4, "a.py")
    progress(2, 4, "b.py")  # 0.05 s later: skipped
    progress(3, 4, "c.py")
    progress(4, 4, "d.py")  # the last file is always drawn
    frames = [f.strip() for f in stream.getvalue().split("\r") if f.strip()]
    assert frames == ["[1/4]  25% a.py", "[3/4]  75% c.py", "[4/4] 100% d.py"]
    progress.close()
    assert stream.getvalue().endswith("\r")
    assert stream.getvalue().split("\r")[-2].strip() == ""


def test_small_runs_show_no_progress():
    stream = FakeTerminal()
    progress = Progress(stream, min_files=200)
    progress(1, 10, "a.py")
    progress.close()
    assert stream.getvalue() == ""


def test_cli_writes_no_progress_to_a_captured_stderr(tmp_path, monkeypatch):
    write_tree(tmp_path, {f"m{i}.py": "X = 1\n" for i in range(250)})
    code, out, err = run_cli(["check", "--jobs", "1"], tmp_path, monkeypatch)
    assert (code, err) == (0, "")


def test_cli_draws_progress_on_a_terminal_and_not_with_quiet(tmp_path, monkeypatch):
    write_tree(tmp_path, {f"m{i:03d}.py": "X = 1\n" for i in range(250)})
    monkeypatch.delenv("CI", raising=False)
    from ats_lint.cli import main

    monkeypatch.chdir(tmp_path)
    for args, shown in ((["check", "--jobs", "1"], True), (["check", "--jobs", "1", "--quiet"], False)):
        terminal = FakeTerminal()
        monkeypatch.setattr("sys.stderr", terminal)
        monkeypatch.setattr("sys.stdout", io.StringIO())
        assert main(args) == 0
        assert ("[250/250] 100% m249.py" in terminal.getvalue()) is shown
