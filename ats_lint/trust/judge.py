"""Turn a resolved trust value into ATS201/ATS202 findings, for every scanner.

A trust value is what a `verify=`, `cafile=`, an env var or a config key holds: a path, inline
PEM data, or something that cannot be known statically. A path is looked up relative to the
referencing file's folder, then each parent folder up to the scan root; absolute and container
paths are never looked up. A bundle found in the tree is read and checked for ATS roots.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

from ats_lint.resources import load_data

TREE_PREFIX = "{tree}:"  # an absolute path derived from a module's own location (`__file__`)
PATH = "path"
PEM = "pem"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class TrustValue:
    kind: str  # PATH, PEM or UNKNOWN
    text: str  # the path, the PEM text, or a description of the unresolved expression


@dataclass(frozen=True)
class TrustVerdict:
    """What ats-lint knows about the store a trust value points at."""

    rule_severity: str | None  # None: the rule's default; "note" when the store trusts ATS
    detail: str  # ATS201 message
    missing_ats: dict | None  # ATS202 message values when the content is known and lacks ATS
    bundle_file: Path | None = None  # the bundle file in the scanned tree, when the value names one


@functools.lru_cache(maxsize=1)
def _trust_data() -> dict:
    return load_data("trust.yaml")


def trust_env_vars() -> dict[str, str]:
    return _trust_data()["trust_env_vars"]


def is_default_store_text(text: str) -> bool:
    """True for values that keep the default store: booleans and the like, and system store paths."""
    value = text.strip().strip("'\"")
    return value.lower() in _trust_data()["default_store_values"] or value.rstrip("/") in _system_store_paths()


@functools.lru_cache(maxsize=1)
def _system_store_paths() -> frozenset[str]:
    return frozenset(p.rstrip("/") for p in _trust_data()["system_store_paths"])


def lookup_forms(path_text: str) -> list[str]:
    """The paths `path_text` stands for once a framework prefix (rules/trust.yaml `path_prefixes`:
    `classpath:`, `file:`, `${project.basedir}/`...) is rewritten; itself when it has none."""
    text = path_text.strip()
    for prefix, folders in _trust_data().get("path_prefixes", {}).items():
        if text.startswith(prefix):
            rest = text[len(prefix):]
            if not rest.strip("/"):
                return [text]
            if prefix.endswith(":") and rest.startswith("/") and not prefix.startswith("classpath"):
                return [rest]  # file:/abs/path: absolute
            rest = rest.lstrip("/") if prefix.startswith("classpath") else rest
            return [folder + rest for folder in folders]
    return [text]


def is_lookup_candidate(path_text: str) -> bool:
    return any(_is_lookup_candidate(form) for form in lookup_forms(path_text))


def _is_lookup_candidate(path_text: str) -> bool:
    text = path_text.strip()
    if text.startswith(TREE_PREFIX):
        return "{}" not in text
    if not text or "{}" in text or any(text.startswith(p) for p in _trust_data()["not_looked_up_prefixes"]):
        return False
    return len(text) < 2 or text[1] != ":"  # C:\... is absolute too


def locate_bundle(path_text: str, referencing_file: Path, root: Path) -> Path | None:
    """The file or folder in the scanned tree that `path_text` names, if any."""
    forms = [f.replace("\\", "/") for f in lookup_forms(path_text) if _is_lookup_candidate(f)]
    if not forms:
        return None
    from ats_lint.dependencies import depends_on

    if forms[0].startswith(TREE_PREFIX):
        candidate = Path(forms[0][len(TREE_PREFIX):])
        depends_on(candidate)
        return candidate if _exists(candidate) and _inside(candidate, root) else None
    folder = referencing_file.parent
    while True:
        for rel in forms:
            candidate = folder / rel
            depends_on(candidate)
            if _exists(candidate) and _inside(candidate, root):
                return candidate
        if folder == root or root not in folder.parents:
            return None
        folder = folder.parent


def _exists(path: Path) -> bool:
    """`path.exists()`, False where the OS refuses the name (longer than 255 characters...)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


@functools.lru_cache(maxsize=256)
def _analyze_file(path: Path):
    from ats_lint.trust.certs import analyze_bundle_file

    try:
        return analyze_bundle_file(path)
    except OSError:
        return None


def forget_bundles() -> None:
    """Drop cached bundle analyses (after `check --fix` changed a bundle)."""
    _analyze_file.cache_clear()


def judge(value: TrustValue, what: str, referencing_file: Path, root: Path, display_root: Path) -> TrustVerdict:
    """Describe the trust store behind `value`, used as `what` (e.g. "`verify=`")."""
    if value.kind == UNKNOWN:
        return TrustVerdict(
            None,
            f"{what} replaces the default trust store with `{value.text}`, whose content ats-lint "
            "cannot resolve: make sure it includes the Amazon Trust Services roots",
            None,
        )
    if value.kind == PEM:
        from ats_lint.trust.certs import analyze_bundle_text

        analysis = analyze_bundle_text(value.text)
        return _verdict_from_analysis(analysis, what, "inline PEM data")
    located = locate_bundle(value.text, referencing_file, root)
    if value.text.startswith(TREE_PREFIX):
        value = TrustValue(value.kind, _shown(Path(value.text[len(TREE_PREFIX):]), display_root))
    if located is None:
        where = "outside the repository" if not is_lookup_candidate(value.text) else "not found in the scanned tree"
        return TrustVerdict(
            None,
            f"{what} replaces the default trust store with `{value.text}` ({where}): make sure it "
            "includes the Amazon Trust Services roots",
            None,
        )
    analysis = _analyze_file(located)
    shown = _shown(located, display_root)
    if analysis is None:
        return TrustVerdict(
            None,
            f"{what} replaces the default trust store with `{shown}`, which ats-lint cannot read: make sure "
            "the store includes the Amazon Trust Services roots",
            None,
        )
    if not analysis.trusts_ats and (analysis.password_needed or analysis.problem or not analysis.readable):
        return TrustVerdict(None, f"{what} replaces the default trust store with `{shown}`, {_unreadable(analysis)}: "
                            "make sure the store includes the Amazon Trust Services roots", None)
    return dataclasses.replace(_verdict_from_analysis(analysis, what, shown), bundle_file=located)


def _unreadable(analysis) -> str:
    """Why the content of a store is not known, as a clause."""
    from ats_lint.trust.stores import FORMAT_NAMES

    if analysis.password_needed:
        return (f"a {FORMAT_NAMES.get(analysis.format, analysis.format)} store that ats-lint could not read "
                "without a password (it does not open with `changeit` or an empty password)")
    if analysis.format in ("pem", "unknown", "folder") and not analysis.readable:
        return "which holds no readable certificate (PEM, DER, PKCS#7, PKCS#12, JKS or JCEKS)"
    return f"a {FORMAT_NAMES.get(analysis.format, analysis.format)} store that ats-lint cannot read ({analysis.problem})"


def _shown(path: Path, display_root: Path) -> str:
    try:
        return path.resolve().relative_to(display_root.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def _verdict_from_analysis(analysis, what: str, shown: str) -> TrustVerdict:
    if not analysis.readable:
        return TrustVerdict(None, f"{what} sets a custom trust store from {shown} that holds no readable certificate", None)
    from ats_lint.trust.stores import FORMAT_NAMES

    kind = "CA bundle" if analysis.format in ("pem", "folder") else f"{FORMAT_NAMES.get(analysis.format, analysis.format)} trust store"
    if analysis.trusts_ats:
        return TrustVerdict(
            "note",
            f"{what} uses the custom {kind} `{shown}`, which already trusts Amazon Trust Services "
            f"({', '.join(analysis.ats_labels)})",
            None,
        )
    count = sum(1 for c in analysis.certificates if c.problem is None)
    digicert = sum(1 for c in analysis.certificates if c.is_digicert)
    content = f"{count} certificate{'s' if count != 1 else ''}"
    if analysis.format not in ("pem", "folder"):
        content = f"{FORMAT_NAMES.get(analysis.format, analysis.format)}, {content}"
    if digicert:
        content += f", {digicert} from DigiCert"
    return TrustVerdict(
        None,
        f"{what} replaces the default trust store with `{shown}`, which holds no Amazon Trust Services root",
        {"bundle": shown, "content": content},
    )
