#!/usr/bin/env python3
"""Benchmark ats-lint against its peers on a pinned real-world corpus.

    python benchmarks/run.py [--runs N] [--smoke]

Full mode builds the corpus from the PyPI source distributions pinned (with hashes) in
`benchmarks/corpus.txt` under `benchmarks/.corpus/`, installs the peers pinned in
`benchmarks/peers.txt` into `benchmarks/.peers-venv/`, runs every tool N times (median reported)
and writes `benchmarks/RESULTS.md`. Both folders are reused by later runs.

Smoke mode (`--smoke`, what CI runs through tests/test_benchmark_smoke.py) generates a small
local tree instead (no network), runs each tool once, uses the peers only if the peers venv
already exists, and writes `RESULTS-smoke.md` in the work folder. It checks, as every run does,
that ats-lint's findings are identical cold, warm, with `--jobs 1` and with `--jobs 2`.

Wall time is measured around the process; peak memory is the largest sum of the resident set
sizes of the process and all its descendants, sampled from /proc every 20 ms (a process pool
counts in full), next to the kernel's ru_maxrss of the largest single process.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RULES = REPO / "rules"

# The pre-commit case: five representative files of the corpus, named explicitly as pre-commit
# does. Paths are relative to the corpus source folder (`.corpus/src`).
FIVE_FILES = [
    "botocore-1.44.8/botocore/httpsession.py",
    "urllib3-2.8.0/src/urllib3/connectionpool.py",
    "requests-2.34.2/src/requests/sessions.py",
    "aiohttp-3.14.5/aiohttp/client_reqrep.py",
    "moto-5.2.5/moto/s3/responses.py",
]

CATEGORIES = ["s3-endpoint", "cloudfront-domain", "custom-trust-store", "trust-store-missing-ats",
              "certificate-pinning", "digicert-fingerprint"]


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    wall: float
    tree_peak_mb: float  # sampled sum over the process tree
    max_rss_mb: float  # ru_maxrss of the largest single process (kernel)
    returncode: int
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    out.extend(int(c) for c in fh.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss_kb(root: int) -> int:
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_kb(pid)
        stack.extend(_children(pid))
    return total


TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None  # GNU time: `apt-get install time`
SCRATCH = Path("/tmp")  # set by main() to the work folder: never write into the scanned tree


def measure(argv: list[str], cwd: Path, env: dict | None = None, timeout: float = 3600) -> Sample:
    """Run argv once; wall time, peak memory of the process tree, exit code and output."""
    out_path, err_path = SCRATCH / f".bench-stdout-{os.getpid()}", SCRATCH / f".bench-stderr-{os.getpid()}"
    peak = [0]
    rss_path = SCRATCH / f".bench-maxrss-{os.getpid()}"
    if TIME_BIN:  # a small wrapper: wait4's ru_maxrss of a child forked from Python counts Python's own pages
        argv = [TIME_BIN, "-f", "%M", "-o", str(rss_path)] + argv
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = start + timeout
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    out_path.unlink()
    err_path.unlink()
    # ru_maxrss covers the process and the descendants it waited for: the largest single one.
    max_rss = usage.ru_maxrss
    if TIME_BIN:
        try:
            max_rss = int(rss_path.read_text().split()[-1])
            rss_path.unlink()
        except (OSError, ValueError, IndexError):
            pass
    return Sample(wall, max(peak[0], max_rss) / 1024, max_rss / 1024, proc.returncode, stdout, stderr)


# --------------------------------------------------------------------------- corpus


def _pins(requirements: Path) -> list[tuple[str, str, str]]:
    pins = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"([A-Za-z0-9_.-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})", line)
        if not m:
            raise SystemExit(f"{requirements}: cannot read pin {line!r}")
        pins.append(m.groups())
    return pins


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build_corpus(work: Path, log) -> tuple[Path, list[tuple[str, str]]]:
    pins = _pins(HERE / "corpus.txt")
    sdists, src = work / "sdists", work / "src"
    sdists.mkdir(parents=True, exist_ok=True)
    have = {_sha256(p): p for p in sdists.iterdir() if p.is_file()}
    if any(h not in have for _, _, h in pins):
        log("downloading the pinned source distributions from PyPI (pip download --require-hashes)")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        "--require-hashes", "-r", str(HERE / "corpus.txt"), "-d", str(sdists)], check=True)
        have = {_sha256(p): p for p in sdists.iterdir() if p.is_file()}
    src.mkdir(parents=True, exist_ok=True)
    for name, version, digest in pins:
        archive = have[digest]
        marker = src / f".extracted-{digest[:16]}"
        if marker.exists():
            continue
        log(f"extracting {archive.name}")
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(src)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(src, filter="data") if hasattr(tarfile, "data_filter") else tf.extractall(src)
        marker.touch()
    _mark_repository_root(src)
    return src, [(n, v) for n, v, _ in pins]


def _mark_repository_root(src: Path) -> None:
    """Make the corpus its own git repository (no commits), so that every tool sees it as a project
    root and not as an ignored folder of the ats-lint checkout around it."""
    if not (src / ".git").exists():
        subprocess.run(["git", "init", "-q", str(src)], check=True)


SMOKE_FILES = 160


def build_smoke_corpus(work: Path) -> tuple[Path, list[str]]:
    """A generated tree, deterministic, no network: enough files for the process pool to start,
    every category of finding, and the kinds of non-Python files the text scanner reads."""
    src = work / "smoke-src"
    if src.exists():
        shutil.rmtree(src)
    pkg = src / "svc"
    (pkg / "certs").mkdir(parents=True)
    shutil.copy(RULES / "certs" / "digicert.pem", pkg / "certs" / "partner-ca.pem")
    digicert = _certs("digicert.pem")
    fp = digicert[0][2] if digicert else "0" * 64
    (pkg / "__init__.py").write_text("")
    (pkg / "settings.py").write_text(
        'import os\n'
        'ASSETS = "https://demo-assets.s3.amazonaws.com/static"\n'
        'CDN = "https://d111111abcdef8.cloudfront.net/app.js"\n'
        'PARTNER_CA = os.path.join(os.path.dirname(__file__), "certs", "partner-ca.pem")\n'
        'VERIFY_TLS = True\n'
        f'PINNED = "{fp}"\n'
    )
    (pkg / "storage.py").write_text(
        'import os\nimport requests\nimport urllib3\nimport aiohttp\n'
        'from . import settings\n\n'
        'os.environ["REQUESTS_CA_BUNDLE"] = "/etc/ssl/partner.pem"\n\n'
        'def fetch(key):\n'
        '    return requests.get(settings.ASSETS + "/" + key, verify=settings.PARTNER_CA)\n\n'
        'def fetch_default(key, verify=True):\n'
        '    return requests.get(settings.ASSETS + "/" + key, verify=verify)\n\n'
        'def pool():\n'
        '    return urllib3.HTTPSConnectionPool("demo-assets.s3.amazonaws.com", assert_fingerprint=settings.PINNED)\n\n'
        'def connector():\n'
        '    return aiohttp.TCPConnector(ssl=aiohttp.Fingerprint(bytes.fromhex(settings.PINNED)))\n'
    )
    (src / "Dockerfile").write_text("FROM python:3.12-slim\nENV SSL_CERT_FILE=/app/certs/partner-ca.pem\n")
    (src / ".env").write_text("AWS_CA_BUNDLE=svc/certs/partner-ca.pem\n")
    (src / "deploy.sh").write_text("#!/bin/sh\ncurl https://releases.s3.us-west-2.amazonaws.com/app.tgz -o app.tgz\n")
    (src / "config.yaml").write_text("cdn: https://d222222abcdef8.cloudfront.net\nbucket_url: http://plain.s3.amazonaws.com\n")
    # Filler modules, most without any trigger (the common case of a real tree), a few with one.
    for i in range(SMOKE_FILES):
        sub = pkg / f"mod{i // 40}"
        sub.mkdir(exist_ok=True)
        (sub / "__init__.py").touch()
        body = [f'"""Generated module {i}."""', "import json", "", "", f"def handler_{i}(event, context):",
                "    total = 0", "    for record in event.get('Records', []):",
                "        total += len(json.dumps(record))", "    return {'status': 200, 'total': total}", ""]
        if i % 23 == 0:
            body += ["", f"BACKUP_URL = 'https://backup-{i}.s3.eu-central-1.amazonaws.com/'", ""]
        if i % 31 == 0:
            body += ["", "import requests", "", "def call(url, session=None):",
                     f"    return requests.post(url, verify='certs/internal-{i}.pem')", ""]
        if i % 37 == 0:
            body += ["", "# https://not-a-finding.s3.amazonaws.com in a comment", ""]
        (sub / f"handler_{i}.py").write_text("\n".join(body))
    _mark_repository_root(src)
    five = ["svc/settings.py", "svc/storage.py", "svc/mod0/handler_0.py", "svc/mod0/handler_31.py", "Dockerfile"]
    return src, five


# --------------------------------------------------------------------------- peers


def ensure_peers(venv: Path, install: bool, log) -> dict[str, Path | None]:
    """The peers' executables (None when absent), installing them first when `install`."""
    wanted = dict(line.split("==", 1) for line in _req_lines(HERE / "peers.txt"))
    marker = venv / ".benchmark-peers"
    if install and (not marker.exists() or marker.read_text() != json.dumps(wanted, sort_keys=True)):
        log(f"installing the peers into {venv} ({', '.join(f'{k}=={v}' for k, v in wanted.items())})")
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "-r", str(HERE / "peers.txt")], capture_output=True, text=True)
        if r.returncode == 0:
            marker.write_text(json.dumps(wanted, sort_keys=True))
        else:
            log("peer installation failed:\n" + "\n".join(l for l in r.stderr.splitlines() if "is ignored" not in l)[-2000:])
    return {name: (venv / "bin" / name if (venv / "bin" / name).exists() else None) for name in wanted}


def _req_lines(path: Path) -> list[str]:
    return [l.split("#", 1)[0].strip() for l in path.read_text().splitlines() if l.split("#", 1)[0].strip()]


def tool_version(argv: list[str]) -> str:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=_peer_env())
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    text = (r.stdout or r.stderr).strip().splitlines()
    return text[-1].strip() if text else "?"


def _peer_env() -> dict:
    env = dict(os.environ)
    env.update({"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off", "NO_COLOR": "1"})
    return env


# --------------------------------------------------------------------------- rule files for semgrep and grep


def _yaml(name: str) -> dict:
    import yaml

    return yaml.safe_load((RULES / name).read_text())


def _certs(bundle: str) -> list[tuple[str, str, str]]:
    """(subject, sha1 hex, sha256 hex) of each certificate in rules/certs/<bundle>."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
    except ImportError:
        return []
    out = []
    for cert in x509.load_pem_x509_certificates((RULES / "certs" / bundle).read_bytes()):
        out.append((cert.subject.rfc4514_string(), cert.fingerprint(hashes.SHA1()).hex(), cert.fingerprint(hashes.SHA256()).hex()))
    return out


def _spki_pins(bundle: str) -> list[str]:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        return []
    pins = []
    for cert in x509.load_pem_x509_certificates((RULES / "certs" / bundle).read_bytes()):
        spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        pins.append(base64.b64encode(hashlib.sha256(spki).digest()).decode())
    return sorted(set(pins))


def _trigger_tokens() -> list[str]:
    py, trust = _yaml("python.yaml"), _yaml("trust.yaml")
    ta, pin = py["trust_arguments"], py["pinning"]
    tokens = set(ta["keywords"]) | set(ta["attributes"]) | set(trust["trust_env_vars"])
    tokens |= {p.get("method") or p["qualified"].rsplit(".", 1)[-1] for p in ta["positional"]}
    tokens |= set(pin["keywords"]) | set(pin["attributes"]) | {q.rsplit(".", 1)[-1] for q in pin["calls"]}
    tokens |= {q.rsplit(".", 1)[-1] for q in pin["names"]} | {pin["peer_certificate"]["method"]}
    return sorted(tokens)


def write_rule_files(out: Path) -> tuple[Path, Path]:
    """Write the semgrep rule file and the grep pattern file equivalent to ats-lint's checks."""
    trust = _yaml("trust.yaml")
    env_vars = sorted(trust["trust_env_vars"])
    digicert = _certs("digicert.pem")
    hex_fps = sorted({fp for _, sha1, sha256 in digicert for fp in (sha1, sha256)})
    colon = lambda h: ":?".join(h[i:i + 2] for i in range(0, len(h), 2))  # noqa: E731
    fp_regex = "(?i)(?:" + "|".join(colon(h) for h in hex_fps) + ")" if hex_fps else "(?i)\\b[0-9a-f]{64}\\b"
    pins = _spki_pins("digicert.pem")
    if pins:
        fp_regex = fp_regex[:-1] + "|" + "|".join(re.escape(p) for p in pins) + ")"
    env_re = "^[\"'](?:" + "|".join(env_vars) + ")[\"']$"
    trust_kw = ["verify", "cafile", "capath", "cadata", "ca_certs", "ca_cert_dir", "ca_cert_data", "ssl_ca_certs", "ca_bundle"]
    ok_values = ["True", "False", "None", "certifi.where()", "os.environ.get(...)", "os.getenv(...)"]

    lines = [
        "# Generated by benchmarks/run.py: semgrep rules equivalent to ats-lint's six checks, for the",
        "# benchmark only (the DigiCert fingerprints are derived from rules/certs/digicert.pem).",
        "rules:",
        "  - id: ats101-ats102-https-s3-cloudfront",
        "    languages: [python]",
        "    severity: WARNING",
        "    message: HTTPS to a default S3 endpoint or a cloudfront.net domain",
        "    pattern-regex: (?i)(?:https|wss)://[a-z0-9.{}%$*_-]*(?:\\bs3(?:[.-][a-z0-9-]+)*\\.amazonaws\\.com|\\.cloudfront\\.net)",
        "  - id: ats201-custom-trust-store",
        "    languages: [python]",
        "    severity: WARNING",
        "    message: the default trust store is replaced",
        "    patterns:",
        "      - pattern-either:",
    ]
    for kw in trust_kw:
        lines.append(f"          - pattern: $F(..., {kw}=$V, ...)")
    lines += ["          - pattern: $CTX.load_verify_locations(...)",
              "          - pattern: $S.verify = $V",
              "          - pattern: $S.ca_certs = $V"]
    for kw in trust_kw:
        for ok in ok_values:
            lines.append(f"      - pattern-not: $F(..., {kw}={ok}, ...)")
    lines += [
        "  - id: ats201-trust-env-var",
        "    languages: [python]",
        "    severity: WARNING",
        "    message: a trust environment variable is set",
        "    patterns:",
        "      - pattern-either:",
        "          - pattern: os.environ[$K] = $V",
        "          - pattern: os.environ.setdefault($K, $V)",
        "          - pattern: os.putenv($K, $V)",
        "          - pattern: $M.setenv($K, $V)",
        "      - metavariable-regex:",
        "          metavariable: $K",
        f"          regex: {json.dumps(env_re)}",
        "  - id: ats301-certificate-pinning",
        "    languages: [python]",
        "    severity: WARNING",
        "    message: a certificate or key is pinned",
        "    pattern-either:",
        "      - pattern: $F(..., assert_fingerprint=$V, ...)",
        "      - pattern: $S.assert_fingerprint = $V",
        "      - pattern: aiohttp.Fingerprint(...)",
        "      - pattern: pycurl.PINNEDPUBLICKEY",
        "      - pattern: $H(<... $S.getpeercert(binary_form=True) ...>)",
        "  - id: ats302-digicert-fingerprint",
        "    languages: [python]",
        "    severity: ERROR",
        "    message: a DigiCert certificate fingerprint or pin is hard-coded",
        f"    pattern-regex: {json.dumps(fp_regex)}",
    ]
    semgrep = HERE / "semgrep-rules.yaml"
    _write_if_changed(semgrep, "\n".join(lines) + "\n")

    patterns = [re.escape(t) for t in _trigger_tokens()]
    patterns += [r"amazonaws\.com", r"cloudfront\.net", r"BEGIN CERTIFICATE"] + hex_fps
    grep = HERE / "grep-patterns.txt"
    _write_if_changed(grep, "\n".join(patterns) + "\n")
    return semgrep, grep


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


# --------------------------------------------------------------------------- runs


@dataclass
class Row:
    key: str
    label: str
    samples: list[Sample] = field(default_factory=list)
    files: str = ""
    note: str = ""
    skipped: str = ""
    by_category: dict | None = None
    findings: list | None = None

    @property
    def wall(self) -> float | None:
        return statistics.median(s.wall for s in self.samples) if self.samples else None

    @property
    def peak(self) -> float | None:
        return statistics.median(s.tree_peak_mb for s in self.samples) if self.samples else None

    @property
    def max_rss(self) -> float | None:
        return statistics.median(s.max_rss_mb for s in self.samples) if self.samples else None


SNAPSHOT: Path | None = None  # set by main(): a frozen copy of ats_lint/ and rules/ that the runs use


def _ats_cmd() -> list[str]:
    if SNAPSHOT is not None:
        return [sys.executable, "-m", "ats_lint"]
    script = Path(sys.executable).with_name("ats-lint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ats_lint"]


def _ats_env(env: dict) -> dict:
    if SNAPSHOT is None:
        return env
    return dict(env, PYTHONPATH=os.pathsep.join([str(SNAPSHOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])))


def take_snapshot(work: Path) -> Path:
    """Copy the checkout's ats_lint/ and rules/ (uncommitted changes included) so that every row of one
    benchmark measures the same code, even while the checkout is being edited (an editable install
    would pick up each edit between two rows)."""
    snap = work / "ats-lint-snapshot"
    if snap.exists():
        shutil.rmtree(snap)
    snap.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "ats_lint", snap / "ats_lint", ignore=ignore)
    shutil.copytree(RULES, snap / "rules", ignore=ignore)
    # Byte-compiled, as `pip install` leaves a package: with PYTHONDONTWRITEBYTECODE set, every run
    # would otherwise compile ats-lint's own modules again (about 30 ms of each start-up).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(snap / "ats_lint")], check=True, capture_output=True)
    return snap


def _ats_json(sample: Sample, row: Row) -> None:
    try:
        doc = json.loads(sample.stdout)
    except json.JSONDecodeError:
        row.note = (row.note + f" exit {sample.returncode}: {sample.stderr.strip()[-300:]}").strip()
        return
    row.files = str(doc["summary"]["files_scanned"])
    row.by_category = dict(sorted(doc["summary"].get("by_category", {}).items()))
    row.findings = sorted((f["path"], f["line"], f["column"], f["rule"], f.get("fingerprint", ""), f.get("severity", ""))
                          for f in doc["findings"])


class Bench:
    def __init__(self, args, src: Path, five: list[str], work: Path, log):
        self.args, self.src, self.five, self.work, self.log = args, src, five, work, log
        self.rows: list[Row] = []
        self.cache_home = work / "ats-lint-cache"
        self.env = _ats_env(dict(os.environ, XDG_CACHE_HOME=str(self.cache_home), NO_COLOR="1"))
        help_text = subprocess.run(_ats_cmd() + ["check", "--help"], capture_output=True, text=True, env=self.env).stdout
        self.has_cache = "--no-cache" in help_text
        where = subprocess.run([sys.executable, "-c", "import ats_lint; print(ats_lint.__file__)"], capture_output=True,
                               text=True, env=self.env, cwd=src).stdout.strip()
        if SNAPSHOT is not None and not where.startswith(str(SNAPSHOT)):
            raise SystemExit(f"the snapshot is not what runs: ats_lint imports from {where}")

    def _clear_cache(self) -> None:
        if self.cache_home.exists():
            shutil.rmtree(self.cache_home)
        legacy = self.src / ".ats_lint_cache"
        if legacy.exists():
            shutil.rmtree(legacy)

    def run_row(self, row: Row, argv: list[str], runs: int, before=None, parse=None, env=None) -> Row:
        self.rows.append(row)
        for i in range(runs):
            if before:
                before()
            self.log(f"{row.label}: run {i + 1}/{runs}")
            s = measure(argv, self.src, env or self.env, timeout=self.args.timeout)
            row.samples.append(s)
            if parse:
                parse(s, row)
            self.log(f"  {s.wall:.2f} s, peak {s.tree_peak_mb:.0f} MB (largest process {s.max_rss_mb:.0f} MB), exit {s.returncode}")
        return row

    def ats(self, runs: int, full_runs: int) -> None:
        """ats-lint rows. `full_runs` for the full-tree cold rows (minutes each on a large corpus),
        `runs` for the cheap ones. With a cache, the `--jobs 2` row is a cold run on an empty cache
        that writes it (a user's first run), and fills the cache the warm row then reads."""
        base = _ats_cmd() + ["check", "--format", "json", "--exit-zero"]
        cold = base + (["--no-cache"] if self.has_cache else [])
        self.run_row(Row("ats-cold", "ats-lint cold" + (" (`--no-cache`)" if self.has_cache else "")),
                     cold + ["."], full_runs, before=self._clear_cache, parse=_ats_json)
        if self.has_cache:
            self.run_row(Row("ats-jobs2", "ats-lint cold `--jobs 2` (empty cache, writes it)"), base + ["--jobs", "2", "."],
                         self.args.jobs_runs, before=self._clear_cache, parse=_ats_json)
            self.run_row(Row("ats-warm", "ats-lint warm (cache, nothing changed)"), base + ["."], runs, parse=_ats_json)
        else:
            self.run_row(Row("ats-warm", "ats-lint warm (= cold: no cache in this build)"), base + ["."], full_runs, parse=_ats_json)
            self.run_row(Row("ats-jobs2", "ats-lint cold `--jobs 2`"), cold + ["--jobs", "2", "."], self.args.jobs_runs,
                         before=self._clear_cache, parse=_ats_json)
        self.run_row(Row("ats-jobs1", "ats-lint cold `--jobs 1`"), cold + ["--jobs", "1", "."], self.args.jobs_runs,
                     before=self._clear_cache, parse=_ats_json)
        self.run_row(Row("ats-noprefilter", "ats-lint cold, Python prefilter off (`ATS_LINT_NO_PREFILTER=1`)"),
                     cold + ["."], self.args.jobs_runs, before=self._clear_cache, parse=_ats_json,
                     env=dict(self.env, ATS_LINT_NO_PREFILTER="1"))
        self.run_row(Row("ats-five", "ats-lint on 5 files (pre-commit)"), cold + ["--force-exclude"] + self.five, runs,
                     before=self._clear_results, parse=_ats_json)
        self.startup(cold, runs)

    def _clear_results(self) -> None:
        """Clear the result caches but keep the certificate knowledge that ats-lint builds in the
        user cache folder at first use (a pre-commit hook runs on a machine where it exists)."""
        if not self.cache_home.exists():
            return
        for item in self.cache_home.rglob("*"):
            if item.is_file() and not item.name.startswith("certificates-"):
                item.unlink()

    def startup(self, cold: list[str], runs: int) -> None:
        """Start-up on its own: `check` of one empty Python file (outside the corpus), and how much
        of it is importing modules (PYTHONPROFILEIMPORTTIME: the top-level imports' cumulative time)."""
        empty = self.work / "startup" / "empty.py"
        empty.parent.mkdir(parents=True, exist_ok=True)
        empty.write_text("")
        row = self.run_row(Row("ats-startup", "ats-lint start-up (`check` of one empty file)"), cold + [str(empty)], runs,
                           before=self._clear_results, parse=_ats_json)
        s = measure(cold + [str(empty)], self.src, dict(self.env, PYTHONPROFILEIMPORTTIME="1"), timeout=self.args.timeout)
        total_us = 0
        for line in s.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[0].startswith("import time:") and not parts[2].startswith("  ") \
                    and parts[1].strip().isdigit():
                total_us += int(parts[1])
        row.note = (f"of which imports {total_us / 1e6:.2f} s (one run with PYTHONPROFILEIMPORTTIME, which slows "
                    f"importing down; wall {s.wall:.2f} s); certificate knowledge read from the user cache").strip()

    def peers(self, exe: dict, semgrep_rules: Path, runs: int) -> None:
        env = _peer_env()
        out = self.work / "peer-output"
        out.mkdir(exist_ok=True)
        skip_why = "not installed (smoke mode installs nothing; run without --smoke once to create the peers venv)" \
            if self.args.smoke else "not installed (see the log of the peers' installation)"
        py_files = sum(1 for _ in self.src.rglob("*.py"))

        def bandit_parse(s: Sample, row: Row) -> None:
            try:
                doc = json.loads((out / "bandit.json").read_text())
                row.files = str(len([k for k in doc.get("metrics", {}) if k != "_totals"]))
                row.note = f"{len(doc.get('results', []))} issues (all bandit tests)"
            except (OSError, json.JSONDecodeError) as exc:
                row.note = f"no report ({exc}); exit {s.returncode}: {s.stderr.strip()[-200:]}"

        for key, label, argv in [("bandit", "bandit -r (all tests)", [str(exe.get("bandit")), "-r", ".", "-f", "json", "-o", str(out / "bandit.json"), "-q"]),
                                 ("bandit-five", "bandit on the same 5 files", [str(exe.get("bandit")), "-f", "json", "-o", str(out / "bandit.json"), "-q"] + [f for f in self.five if f.endswith(".py")])]:
            if exe.get("bandit") is None:
                self.rows.append(Row(key, label, skipped=skip_why))
            else:
                self.run_row(Row(key, label), argv, runs, parse=bandit_parse, env=env)
                if key == "bandit-five" and any(not f.endswith(".py") for f in self.five):
                    self.rows[-1].note += "; bandit reads Python only, non-Python files of the five left out"

        def semgrep_parse(s: Sample, row: Row) -> None:
            try:
                doc = json.loads((out / "semgrep.json").read_text())
                row.files = str(len(doc.get("paths", {}).get("scanned", [])))
                by_rule: dict[str, int] = {}
                for r in doc.get("results", []):
                    rid = r["check_id"].rsplit(".", 1)[-1]
                    by_rule[rid] = by_rule.get(rid, 0) + 1
                row.note = f"{len(doc.get('results', []))} matches " + json.dumps(dict(sorted(by_rule.items())))
                if doc.get("errors"):
                    row.note += f"; {len(doc['errors'])} errors"
            except (OSError, json.JSONDecodeError) as exc:
                row.note = f"no report ({exc}); exit {s.returncode}: {s.stderr.strip()[-300:]}"

        if exe.get("semgrep") is None:
            self.rows.append(Row("semgrep", "semgrep (5-rule file)", skipped=skip_why))
        else:
            self.run_row(Row("semgrep", "semgrep (5-rule file)"),
                         [str(exe["semgrep"]), "scan", "--config", str(semgrep_rules), "--metrics", "off", "--disable-version-check",
                          "--no-git-ignore", "--json", "--output", str(out / "semgrep.json"), "--quiet", "."], runs,
                         parse=semgrep_parse, env=env)

        if exe.get("ruff") is None:
            self.rows.append(Row("ruff", "ruff --select S (no cache)", skipped=skip_why))
        else:
            def ruff_parse(s: Sample, row: Row) -> None:
                try:
                    row.note = f"{len(json.loads(s.stdout))} diagnostics"
                except json.JSONDecodeError:
                    row.note = f"exit {s.returncode}: {s.stderr.strip()[-200:]}"

            row = self.run_row(Row("ruff", "ruff --select S (no cache)"),
                               [str(exe["ruff"]), "check", "--isolated", "--no-cache", "--select", "S", "--exit-zero",
                                "--output-format", "json", "."], runs, parse=ruff_parse, env=env)
            listed = subprocess.run([str(exe["ruff"]), "check", "--isolated", "--select", "S", "--show-files", "."],
                                    cwd=self.src, capture_output=True, text=True, env=env)
            row.files = str(len([l for l in listed.stdout.splitlines() if l.strip()]))
        self.py_files = py_files

    def grep(self, patterns: Path, runs: int) -> None:
        def parse(s: Sample, row: Row) -> None:
            counts = [l.rsplit(":", 1) for l in s.stdout.splitlines() if ":" in l]
            matched = sum(1 for _, c in counts if c.strip() != "0")
            row.files = str(len(counts))
            row.note = f"{matched} files with a trigger; `-I` skips binary files"

        env = dict(os.environ, LC_ALL="C")
        self.run_row(Row("grep", "grep -rEIic (trigger patterns, floor)"),
                     ["grep", "-rEIic", "--exclude-dir=.git", "-f", str(patterns), "."], runs, parse=parse, env=env)

    def profile(self, target: list[str], name: str) -> tuple[str, str]:
        """cProfile of an in-process cold run (`--jobs 1`: with a pool the work happens in workers),
        threads included (benchmarks/profile_ats.py)."""
        self._clear_cache()
        prof = self.work / f"ats-lint-{name}.prof"
        argv = [sys.executable, str(HERE / "profile_ats.py"), str(prof), "check", "--format", "json", "--exit-zero",
                "--jobs", "1"] + (["--no-cache"] if self.has_cache else []) + ["-o", os.devnull] + target
        self.log(f"profiling ats-lint cold --jobs 1 on {' '.join(target)} (untimed)")
        subprocess.run(argv, cwd=self.src, env=self.env, capture_output=True, timeout=self.args.timeout)
        import io
        import pstats

        def table(order: str, n: int, first: str) -> str:
            buf = io.StringIO()
            pstats.Stats(str(prof), stream=buf).sort_stats(order).print_stats(n)
            lines = buf.getvalue().splitlines()
            start = next((i for i, l in enumerate(lines) if first in l), 0)
            text = "\n".join(l.rstrip() for l in lines[start:] if l.strip())
            return text.replace(str(SNAPSHOT or REPO) + "/", "").replace(str(self.src), "<corpus>")

        return table("cumulative", 25, "function calls"), table("tottime", 15, "Ordered by")

    def floor(self, target: list[str], name: str) -> str:
        """CPU of a cold in-process run split into libcst's own parse (the floor of a libcst tool),
        the rest of the Python scanner and everything else (benchmarks/floor.py; no profiler)."""
        self._clear_cache()
        self.log(f"measuring the libcst floor on {name} (untimed)")
        done = subprocess.run([sys.executable, str(HERE / "floor.py"), "--markdown", *target], cwd=self.src, env=self.env,
                              capture_output=True, text=True, timeout=self.args.timeout)
        return done.stdout.strip() if done.returncode == 0 else f"floor.py failed: {done.stderr.strip()[-300:]}"


# --------------------------------------------------------------------------- report


def _fmt(x: float | None, unit: str = "") -> str:
    return "—" if x is None else (f"{x:.2f}{unit}" if x < 100 else f"{x:.0f}{unit}")


def _mb(x: float | None) -> str:
    return "—" if x is None else f"{x:.0f}"


def corpus_facts(src: Path) -> dict:
    files = py = py_bytes = all_bytes = 0
    for root, dirs, names in os.walk(src):
        dirs[:] = [d for d in dirs if d != ".git"]
        for n in names:
            p = os.path.join(root, n)
            if not os.path.isfile(p) or n.startswith(".extracted-"):
                continue
            size = os.path.getsize(p)
            files += 1
            all_bytes += size
            if n.endswith(".py"):
                py += 1
                py_bytes += size
    return {"files": files, "py": py, "py_mb": py_bytes / 1e6, "mb": all_bytes / 1e6}


def write_report(path: Path, bench: Bench, args, packages, facts, versions, profile, started: float, floor=None) -> dict:
    rows = {r.key: r for r in bench.rows}
    cold = rows["ats-cold"].wall

    def ratio(r: Row) -> str:
        if r.wall is None or not cold:
            return "—"
        return f"{r.wall / cold:.2f}×"

    def target(name: str, ok: bool | None, detail: str) -> str:
        state = "not measured" if ok is None else ("**met**" if ok else "**not met**")
        return f"| {name} | {state} | {detail} |"

    def w(key: str) -> float | None:
        r = rows.get(key)
        return r.wall if r else None

    ident_keys = ["ats-cold", "ats-warm", "ats-jobs1", "ats-jobs2", "ats-noprefilter"]
    ident_sets = {k: rows[k].findings for k in ident_keys if rows.get(k) and rows[k].findings is not None}
    identical = len(ident_sets) == len(ident_keys) and all(v == ident_sets["ats-cold"] for v in ident_sets.values())

    out = [f"# ats-lint benchmark{' (smoke)' if args.smoke else ''}", "",
           f"Generated by `python benchmarks/run.py {' '.join(sys.argv[1:]) or '(defaults)'}` on "
           f"{time.strftime('%Y-%m-%d', time.gmtime(started))}; took {(time.time() - started) / 60:.1f} min. "
           "All numbers come from this one run, tool after tool on the same machine: compare ratios, not absolute "
           "times across machines.", "",
           "## Machine", "",
           f"- {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), {platform.system()} {platform.release()}",
           f"- Python {platform.python_version()} ({sys.executable})"]
    for k, v in versions.items():
        out.append(f"- {k}: {v}")
    out += ["", "## Corpus", ""]
    if args.smoke:
        out.append(f"A generated tree (`build_smoke_corpus` in run.py): {facts['files']} files, {facts['py']} Python files "
                   f"({facts['py_mb']:.2f} MB of Python).")
    else:
        out.append("Source distributions from PyPI pinned with hashes in `benchmarks/corpus.txt`, extracted as they are "
                   "(tests, docs and data files included): " + ", ".join(f"{n} {v}" for n, v in packages) + ".")
        out.append("")
        out.append(f"{facts['files']} files ({facts['mb']:.0f} MB), of which {facts['py']} Python files ({facts['py_mb']:.1f} MB of Python).")
    out += ["", "The five files of the pre-commit case: " + ", ".join(f"`{f}`" for f in bench.five) + ".", "",
            "## Results", "",
            f"Median of {args.runs} runs (ats-lint cold: {args.full_runs or args.runs}; the `--jobs` rows: {args.jobs_runs}). Peak MB is the largest sum of resident memory "
            "over the process and all its children (sampled every 20 ms); the largest single process is in parentheses. "
            "Files is what each tool reports it scanned (ats-lint: `files_scanned`, every text file kind it reads; "
            "bandit, semgrep, ruff: Python files; grep: every non-binary file it read).", "",
            "| tool | wall (median) | peak MB | files | ratio to ats-lint cold | notes |", "|---|---:|---:|---:|---:|---|"]
    for r in bench.rows:
        if r.skipped:
            out.append(f"| {r.label} | skipped | — | — | — | {r.skipped} |")
            continue
        runs = ", ".join(f"{s.wall:.1f}" for s in r.samples)
        note = r.note
        if r.by_category is not None:
            note = (note + " " if note else "") + "findings " + (json.dumps(r.by_category) if r.by_category else "none")
        out.append(f"| {r.label} | {_fmt(r.wall, ' s')} | {_mb(r.peak)} ({_mb(r.max_rss)}) | {r.files} | {ratio(r)} | "
                   f"runs: {runs} s. {note.replace('|', '/')} |")

    c, b, s, rf, wm = cold, w("bandit"), w("semgrep"), w("ruff"), w("ats-warm")
    five, bfive = w("ats-five"), w("bandit-five")
    peak = rows["ats-cold"].peak
    peaks = [rows[k].peak for k in ("ats-cold", "ats-warm", "ats-jobs1", "ats-jobs2") if rows.get(k) and rows[k].peak is not None]
    results = {
        "cold_vs_bandit": None if None in (c, b) else c <= 0.2 * b,
        "cold_vs_semgrep": None if None in (c, s) else c <= s,
        "warm_vs_ruff": None if None in (wm, rf) else wm <= rf,
        "five_vs_bandit": None if None in (five, bfive) else five <= bfive,
        "memory": None if not peaks or args.smoke else max(peaks) < 300,
        "identical": identical,
    }
    out += ["", "## Targets", "", "| target | state | measured |", "|---|---|---|",
            target("Cold full audit ≤ 0.2 × bandit", results["cold_vs_bandit"],
                   f"ats-lint cold {_fmt(c, ' s')} vs 0.2 × bandit = {_fmt(b * 0.2 if b else None, ' s')}"),
            target("Cold full audit ≤ semgrep", results["cold_vs_semgrep"], f"{_fmt(c, ' s')} vs semgrep {_fmt(s, ' s')}"),
            target("Warm full audit ≤ ruff full run", results["warm_vs_ruff"],
                   f"{_fmt(wm, ' s')} vs ruff {_fmt(rf, ' s')}" + ("" if bench.has_cache else " (no cache in this build: warm = cold)")),
            target("5 files ≤ bandit on the same 5", results["five_vs_bandit"], f"{_fmt(five, ' s')} vs bandit {_fmt(bfive, ' s')}"),
            target("Peak memory < 300 MB (full corpus)", results["memory"],
                   f"largest tree peak of the full-corpus ats-lint rows: {_fmt(max(peaks) if peaks else None, ' MB')} (cold {_fmt(peak, ' MB')})"),
            target("Findings identical cold / warm / --jobs 1 / --jobs 2 / prefilter off", identical,
                   f"{len(ident_sets.get('ats-cold') or [])} findings each" if identical else
                   "differ: " + ", ".join(f"{k}: {len(v)}" for k, v in ident_sets.items()))]
    out += ["", "## Notes", ""]
    out += ["- ats-lint runs with `XDG_CACHE_HOME` pointed at the work folder; its cache is removed before every cold run"
            + ("" if bench.has_cache else " (this build has no `--no-cache` option, so there is no cache: the warm row is the same command as the cold one)") + ".",
            "- ats-lint scans every text file kind it knows (Python, shell, YAML, JSON, Dockerfiles, ...); bandit and ruff "
            "read Python only; the semgrep rule file (`benchmarks/semgrep-rules.yaml`, generated) targets Python only; "
            "grep reads everything. ats-lint does more work per tree than its peers on this corpus, whose botocore and "
            "awscli data are large JSON files.",
            "- bandit runs all its tests (it has no equivalent of our six checks); ruff runs its whole `S` (flake8-bandit) set, "
            "`--isolated --no-cache` so that the corpus' own ruff configuration and a previous run do not change its work.",
            "- semgrep: `--no-git-ignore` (the corpus is a git repository without commits), metrics and version check off. "
            "Without a `.semgrepignore` in the tree semgrep applies its default ignore list (`tests/`, `test/`, ...), "
            "so it reads fewer Python files than bandit and ruff: compare its files column.",
            "- The grep floor (`benchmarks/grep-patterns.txt`, generated) is the trigger tokens of ats-lint's prefilter plus "
            "the DigiCert fingerprints, matched case-insensitively with `LC_ALL=C`."]
    if args.notes:
        out += [f"- {n}" for n in args.notes]
    if floor:
        out += ["", "## The libcst floor", "",
                "`python benchmarks/floor.py` runs `ats-lint check --jobs 1 --no-cache` in-process without a profiler and "
                "splits its CPU time: libcst's own `parse_module` of every module the Python scanner needed (the files the "
                "prefilter let through and the modules parsed to resolve a name they import) is the floor of any tool "
                "built on libcst; the rest is ats-lint's own work. The `--jobs 2` rows spread the same CPU over two "
                "workers."]
        for what, table in floor:
            out += ["", f"### {what}", "", table]
    if profile:
        out += ["", "## Profiles", "",
                "`python benchmarks/profile_ats.py` (cProfile of every thread, merged: ats-lint parses Python on a helper "
                "thread, whose time therefore also shows as the main thread's `lock.acquire`) of `ats-lint check --jobs 1"
                + (" --no-cache" if bench.has_cache else "") + "`, in-process so that the workers' time is visible; "
                "cProfile slows the run down. Paths are relative to the snapshot of the checkout."]
        for what, (cum, tot) in profile:
            out += ["", f"### Cold run on {what}", "", "Top 25 by cumulative time:", "", "```", cum, "```", "",
                    "Top 15 by own time:", "", "```", tot, "```"]
        if args.profile_notes:
            out += ["", *args.profile_notes]
    path.write_text("\n".join(out) + "\n")
    return results


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=None, help="runs per tool, median reported (default 3; 1 with --smoke)")
    p.add_argument("--full-runs", type=int, default=None, help="runs of the full-tree ats-lint cold row (default: --runs)")
    p.add_argument("--jobs-runs", type=int, default=1, help="runs of the --jobs 1/--jobs 2 rows (default 1)")
    p.add_argument("--profile-path", default=".", help="folder of the corpus to profile (default: all of it)")
    p.add_argument("--smoke", action="store_true", help="generated local tree, 1 run, no downloads (CI)")
    p.add_argument("--work-dir", type=Path, default=None, help="corpus and scratch folder (default benchmarks/.corpus)")
    p.add_argument("--output", type=Path, default=None, help="report (default benchmarks/RESULTS.md; smoke: <work-dir>/RESULTS-smoke.md)")
    p.add_argument("--peers-venv", type=Path, default=HERE / ".peers-venv")
    p.add_argument("--installed", action="store_true",
                   help="run the installed ats-lint instead of a snapshot of this checkout's ats_lint/ and rules/")
    p.add_argument("--no-peers", action="store_true", help="do not run bandit, semgrep, ruff")
    p.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    p.add_argument("--timeout", type=float, default=3600, help="seconds before one run is killed")
    p.add_argument("--note", dest="notes", action="append", default=[], help="extra line for the notes section")
    p.add_argument("--profile-note", dest="profile_notes", action="append", default=[], help="extra paragraph under the profile")
    p.add_argument("--results-json", type=Path, default=None, help="also write the rows and target states as JSON")
    args = p.parse_args(argv)
    args.runs = args.runs or (1 if args.smoke else 3)
    started = time.time()
    work = (args.work_dir or HERE / ".corpus").absolute()
    work.mkdir(parents=True, exist_ok=True)
    global SCRATCH
    SCRATCH = work
    output = args.output or (work / "RESULTS-smoke.md" if args.smoke else HERE / "RESULTS.md")
    log = lambda msg: print(f"[bench {time.time() - started:6.0f}s] {msg}", file=sys.stderr, flush=True)  # noqa: E731

    if args.smoke:
        src, five = build_smoke_corpus(work)
        packages: list = []
    else:
        src, packages = build_corpus(work, log)
        five = FIVE_FILES
        missing = [f for f in five if not (src / f).is_file()]
        if missing:
            raise SystemExit(f"pinned pre-commit files missing from the corpus: {missing}")
    semgrep_rules, grep_patterns = write_rule_files(work)
    exe = {} if args.no_peers else ensure_peers(args.peers_venv, install=not args.smoke, log=log)

    global SNAPSHOT
    if not args.installed:
        SNAPSHOT = take_snapshot(work)
    bench = Bench(args, src, five, work, log)
    versions = {"ats-lint": subprocess.run(_ats_cmd() + ["--version"], capture_output=True, text=True, env=bench.env, cwd=src).stdout.strip() + (" (has a cache)" if bench.has_cache else " (no cache option)"),
                "grep": tool_version(["grep", "--version"]).split("\n")[0]}
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "ats_lint", "rules"], capture_output=True, text=True).stdout.strip()
    versions["ats-lint"] += (" run from a snapshot of" if SNAPSHOT else " installed, from") + f" checkout {head or '?'}" + (" with uncommitted changes to ats_lint/ or rules/" if dirty else "")
    versions["grep"] = subprocess.run(["grep", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    for name in ("bandit", "semgrep", "ruff"):
        if exe.get(name):
            versions[name] = tool_version([str(exe[name]), "--version"])
        else:
            versions[name] = "not installed" + (" (--no-peers)" if args.no_peers else "")
    if exe.get("bandit"):
        first = subprocess.run([str(exe["bandit"]), "--version"], capture_output=True, text=True).stdout.splitlines()
        versions["bandit"] = first[0] if first else versions["bandit"]

    bench.ats(args.runs, args.full_runs or args.runs)
    if not args.no_peers:
        bench.peers(exe, semgrep_rules, args.runs)
    else:
        for key, label in [("bandit", "bandit -r (all tests)"), ("bandit-five", "bandit on the same 5 files"),
                           ("semgrep", "semgrep (5-rule file)"), ("ruff", "ruff --select S (no cache)")]:
            bench.rows.append(Row(key, label, skipped="--no-peers"))
    bench.grep(grep_patterns, args.runs)
    profile = None
    if not (args.no_profile or args.smoke):
        profile = [(f"`{args.profile_path}`", bench.profile([args.profile_path], "cold")),
                   ("the five files of the pre-commit case", bench.profile(["--force-exclude"] + five, "five"))]
    floor = None
    if not (args.no_profile or args.smoke):
        floor = [(f"Cold run on `{args.profile_path}`", bench.floor([args.profile_path], args.profile_path)),
                 ("Cold run on the five files of the pre-commit case", bench.floor(["--force-exclude"] + five, "the five files"))]
    results = write_report(output, bench, args, packages, corpus_facts(src), versions, profile, started, floor)
    if args.results_json:
        args.results_json.write_text(json.dumps({
            "targets": results,
            "rows": [{"key": r.key, "label": r.label, "wall": r.wall, "peak_mb": r.peak, "files": r.files,
                      "skipped": r.skipped, "note": r.note, "by_category": r.by_category, "findings": r.findings,
                      "exit_codes": [s.returncode for s in r.samples]} for r in bench.rows],
        }, indent=1, default=list))
    log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
