"""The GitHub Action (action.yml): run its steps' commands locally, as the runner would, on a
small repository; its inputs are documented in docs/ci.md."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml

from helpers import write_tree
from test_sarif import validate

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


@pytest.fixture(scope="module")
def runner_path(tmp_path_factory) -> str:
    """A fresh environment with no ats-lint (its dependencies come from the test environment)."""
    env_dir = tmp_path_factory.mktemp("runner") / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "test-dependencies.pth").write_text("\n".join(sorted(outer)) + "\n")
    return f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}"


def run_action(workspace: Path, runner_path: str, **inputs: str) -> tuple[list[subprocess.CompletedProcess], dict]:
    """Run the composite action's steps in order; stop at the first failing step, as Actions does."""
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    values.update({k.replace("_", "-"): v for k, v in inputs.items()})
    outputs: dict[str, dict] = {}
    done = []
    for step in ACTION["runs"]["steps"]:
        def expand(text: str) -> str:
            def value(m: re.Match) -> str:
                expr = m.group(1)
                if expr.startswith("inputs."):
                    return values[expr[len("inputs."):]]
                if expr == "github.action_path":
                    return str(REPO)
                step_id, _, key = expr[len("steps."):].partition(".outputs.")
                return outputs.get(step_id, {}).get(key, "")
            return _EXPR.sub(value, text)
        output_file = workspace.parent / f"output-{len(done)}"
        output_file.write_text("")
        env = {**os.environ, "PATH": runner_path, "GITHUB_OUTPUT": str(output_file), "GITHUB_ACTION_PATH": str(REPO),
               # offline here: build with the test environment's hatchling, from no index
               "PIP_NO_BUILD_ISOLATION": "false", "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1"}
        env.update({k: expand(str(v)) for k, v in step.get("env", {}).items()})
        assert "${{" not in step["run"], "inputs reach scripts through env only"
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=workspace, env=env,
                              capture_output=True, text=True, timeout=600)
        done.append(proc)
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        if proc.returncode != 0:
            break
    return done, outputs


def test_the_action_installs_annotates_writes_sarif_and_fails_on_findings(tmp_path, runner_path):
    work = write_tree(tmp_path / "work", {
        "app/storage.py": 'URL = "https://labels.s3.amazonaws.com/a.pdf"\n',
        "certs/partner.pem": "{{pem:DigiCert Global Root G2}}",
        "Dockerfile": "FROM python:3.12\nENV REQUESTS_CA_BUNDLE=certs/partner.pem\n",
    })
    steps, outputs = run_action(work, runner_path)
    assert [s.returncode for s in steps] == [0, 0, 0, 1], [s.stderr for s in steps]
    annotations = [line for line in steps[1].stdout.splitlines() if line.startswith("::")]
    assert {line.split(" ")[0] for line in annotations} == {"::error", "::warning"}
    assert any(line.startswith("::error file=Dockerfile,line=2,") for line in annotations)
    assert outputs["annotate"]["exit-code"] == "1"
    sarif = json.loads((work / "ats-lint.sarif").read_text())
    validate(sarif)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]} == {
        "Dockerfile", "app/storage.py"}
    assert outputs["sarif"]["sarif-file"] == "ats-lint.sarif"


def test_the_action_passes_args_and_can_report_without_failing(tmp_path, runner_path):
    work = write_tree(tmp_path / "work", {"app/storage.py": 'URL = "https://labels.s3.amazonaws.com/a.pdf"\n', "vendor/x.py": 'U = "https://v.s3.amazonaws.com/k"\n'})
    steps, outputs = run_action(work, runner_path, args="--extend-exclude vendor/", fail_on_findings="false", sarif_file="")
    assert [s.returncode for s in steps] == [0, 0, 0, 0]
    assert [line.split(",")[0] for line in steps[1].stdout.splitlines() if line.startswith("::")] == ["::warning file=app/storage.py"]
    assert not (work / "ats-lint.sarif").exists() and outputs["sarif"]["sarif-file"] == ""


def test_an_option_looking_path_input_is_a_path_not_an_option(tmp_path, runner_path):
    work = write_tree(tmp_path / "work", {"a.py": "X = 1\n"})
    steps, _ = run_action(work, runner_path, path="--write-baseline=a.py")
    assert steps[1].returncode == 2 and (work / "a.py").read_text() == "X = 1\n"


def test_every_input_is_documented_in_the_ci_guide():
    guide = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description")
        assert f"`{name}`" in guide, name
    assert sys.version_info >= (3, 10)
