"""The built wheel carries the rule data: install it into a fresh virtual environment and run
`ats-lint check` from another directory."""
from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from helpers import write_tree

REPO = Path(__file__).resolve().parent.parent


def test_wheel_installs_and_finds_its_rules_from_another_directory(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(dist.glob("ats_lint-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("ats_lint/rules/hosts.yaml", "ats_lint/rules/definitions/ATS101.yaml", "ats_lint/rules/certs/digicert.pem"):
        assert required in names

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    # Dependencies come from the test environment, appended after the new environment's own packages.
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "test-dependencies.pth").write_text("\n".join(sorted(outer)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True, timeout=300)

    project = write_tree(tmp_path / "elsewhere", {
        "app.py": 'import requests\nURL = "https://b.s3.amazonaws.com"\nrequests.get(URL, verify="certs/p.pem")\n',
        "certs/p.pem": "{{pem:DigiCert Global Root G2}}",
    })
    where = subprocess.run([str(python), "-c", "import ats_lint.resources as r; print(r.rules_dir())"],
                           cwd=project, capture_output=True, text=True, check=True)
    assert str(env_dir) in where.stdout, where.stdout
    proc = subprocess.run([str(env_dir / "bin" / "ats-lint"), "check", "--format", "json", "."], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    found = {(f["path"], f["line"], f["rule"]) for f in json.loads(proc.stdout)["findings"] if f["path"].endswith(".py")}
    assert found == {("app.py", 2, "ATS101"), ("app.py", 3, "ATS201"), ("app.py", 3, "ATS202")}
