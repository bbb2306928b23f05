"""Topic discovery and manifests. A topic is the same set of files in the same places:

    assignments/<topic>/<topic>.ipynb   the student stub (plus public tests, see release)
    solutions/<topic>/<topic>.ipynb     the solved notebook
    reference/<topic>/manifest.toml     points, tolerances, limits, forbidden APIs, tests
    reference/<topic>/reference.py      the hidden reference implementation
    reference/<topic>/probes.py         the graded tests, written as probes
    reference/<topic>/verdicts.py       optional trusted-side verdicts (convergence and the like)
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import UserError

KINDS = {"V": "values", "G": "gradients", "S": "shapes", "C": "convergence", "P": "speed"}


@dataclass(frozen=True)
class Limits:
    wall_s: float = 120.0
    cpu_s: float = 120.0
    memory_mb: int = 2048
    pids: int = 64
    output_kb: int = 256
    tmpfs_mb: int = 64
    gpu: bool = False
    disk_mb: int = 128  # size cap of the sandbox's working folder (a tmpfs); more is "disk limit"
    cpus: float = 1.0  # CPU quota of the whole sandbox (cgroup), in cores
    cell_s: float = 60.0  # time limit of one notebook cell; a cell past it is stopped, the rest run


@dataclass(frozen=True)
class TestSpec:
    id: str
    name: str
    probe: str
    points: float
    kind: str
    check: str = "allclose"
    rtol: float = 1e-5
    atol: float = 1e-8
    args: dict = field(default_factory=dict)
    visibility: str = "visible"
    time_limit: float = 10.0  # seconds per probe; the whole run also has limits.wall_s
    verdict: str | None = None
    options: dict = field(default_factory=dict)
    requires: str | None = None  # "cuda" for tests that need a GPU


@dataclass(frozen=True)
class Topic:
    name: str  # directory name, e.g. "10_dl_basics"
    number: str
    title: str
    kinds: tuple[str, ...]
    limits: Limits
    forbidden: tuple[str, ...]
    tests: tuple[TestSpec, ...]
    root: Path

    @property
    def reference_dir(self) -> Path:
        return self.root / "reference" / self.name

    @property
    def stub_path(self) -> Path:
        return self.root / "assignments" / self.name / f"{self.name}.ipynb"

    @property
    def solution_path(self) -> Path:
        return self.root / "solutions" / self.name / f"{self.name}.ipynb"

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests)

    def source(self, name: str) -> str:
        return (self.reference_dir / name).read_text()


def find_root(start: Path | None = None) -> Path:
    """The project root: $AUTOGRADER_ROOT, else the nearest parent holding reference/, else the
    checkout the package was imported from."""
    env = os.environ.get("AUTOGRADER_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for cand in (here, *here.parents):
        if (cand / "reference").is_dir() and (cand / "assignments").is_dir():
            return cand
    return Path(__file__).resolve().parent.parent


class ManifestError(UserError, ValueError):
    """A manifest.toml that does not follow the topic contract (docs/authoring.md); the message
    names the file, the test and the key."""


TOP_LEVEL_KEYS = {"title", "kinds", "forbidden", "limits", "tests"}
# Settings of particular checks, kept in TestSpec.options (documented in docs/authoring.md). A key
# that is none of these nor a TestSpec field is accepted as a custom verdict's option, unless it
# looks like a misspelling of a known key.
KNOWN_OPTIONS = {"factor", "target", "trusted_slack", "no_warnings", "warmup", "inputs", "calls",
                 "measure", "max_fraction", "tolerance", "full_bytes", "timing", "options",
                 "partial"}
# What each check kind takes besides TestSpec's fields: the fields of its options dataclass in
# autograder/checks/registry.py, these, and COMMON_OPTIONS. Any other key of a [[tests]] entry is
# an error naming the file, the test and the key (a misspelt option is never silently ignored).
CHECK_OPTIONS = {
    "speed": {"timing"},  # [tests.timing]: calls, inputs, warmup, measure, time_limit
    "memory": {"timing"},
    # custom verdicts (verdicts.py) read these from test.options: a target to reach, a tolerance,
    # and the sizes of the trusted-side data they regenerate from the seed
    "custom": {"target", "tolerance", "n_train", "n_test", "timing"},  # timing: a fed probe
}
COMMON_OPTIONS = {"no_warnings", "partial", "options"}
TIMING_KEYS = {"calls", "inputs", "warmup", "measure", "time_limit", "feed"}  # sandbox/driver.TimedPlan


def check_options(check: str) -> set[str]:
    """The option keys a test with ``check`` may carry (besides TestSpec's own fields)."""
    from dataclasses import fields as dc_fields

    from autograder.checks.registry import REGISTRY

    kind = REGISTRY.get(check)
    own = {f.name for f in dc_fields(kind.options)} if kind else set()
    return own | CHECK_OPTIONS.get(check, set()) | COMMON_OPTIONS


def _checks() -> set[str]:
    from autograder.checks.registry import REGISTRY
    return set(REGISTRY)


def _misspelt(key: str, known: set[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def _manifest_error(where: str, key: str, known: set[str], what: str = "unknown key") -> ManifestError:
    hint = _misspelt(key, known)
    return ManifestError(f"{where}: {what} {key!r}" + (f" (did you mean {hint!r}?)" if hint else
                                                      f"; known keys: {', '.join(sorted(known))}"))


def validate_manifest(data: dict, where: str) -> None:
    """Raise ManifestError naming the file and key for anything outside the contract."""
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise _manifest_error(where, key, TOP_LEVEL_KEYS)
    if "title" not in data:
        raise ManifestError(f"{where}: missing key 'title'")
    if not isinstance(data.get("tests"), list) or not data["tests"]:
        raise ManifestError(f"{where}: no [[tests]]")
    limit_keys = set(Limits.__dataclass_fields__)
    for key in data.get("limits", {}):
        if key not in limit_keys:
            raise _manifest_error(f"{where} [limits]", key, limit_keys)
    fields = set(TestSpec.__dataclass_fields__)
    for i, raw in enumerate(data["tests"]):
        test_where = f"{where} [[tests]] {raw.get('id', f'#{i + 1}')!s}"
        for req in ("id", "points", "kind"):
            if req not in raw:
                raise ManifestError(f"{test_where}: missing key {req!r}")
        if raw.get("check", "allclose") not in _checks():
            raise ManifestError(f"{test_where}: check {raw['check']!r} is not one of "
                                f"{', '.join(sorted(_checks()))}")
        check = raw.get("check", "allclose")
        allowed = fields | check_options(check)
        extra = raw.get("options", {})
        for key in [*raw, *(extra if isinstance(extra, dict) else {})]:
            if key not in allowed:
                raise _manifest_error(f"{test_where} (check {check!r})", key, allowed - {"options"})
        timing = raw.get("timing", extra.get("timing") if isinstance(extra, dict) else None)
        if timing is not None:
            if not isinstance(timing, dict):
                raise ManifestError(f"{test_where}: timing must be a table ([tests.timing])")
            for key in timing:
                if key not in TIMING_KEYS:
                    raise _manifest_error(f"{test_where} [tests.timing]", key, TIMING_KEYS)
        if raw["kind"] not in KINDS and raw["kind"] != "M":
            raise ManifestError(f"{test_where}: kind {raw['kind']!r} is not one of "
                                f"{', '.join([*KINDS, 'M'])}")
        for num in ("points", "rtol", "atol", "time_limit"):
            if num in raw and (isinstance(raw[num], bool) or not isinstance(raw[num], (int, float))):
                raise ManifestError(f"{test_where}: {num} must be a number, got {raw[num]!r}")
        if raw.get("check") == "custom" and not raw.get("verdict"):
            raise ManifestError(f"{test_where}: check = \"custom\" needs verdict = \"<function>\"")


def load_topic(path: Path) -> Topic:
    import tomllib  # here, not at import: the students' self-check imports this module (3.10)

    manifest = path / "manifest.toml"
    try:
        data = tomllib.loads(manifest.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{manifest}: not valid TOML ({exc})") from None
    validate_manifest(data, str(manifest))
    limits = Limits(**data.get("limits", {}))
    tests = []
    known = set(TestSpec.__dataclass_fields__)
    for raw in data["tests"]:
        raw = dict(raw)
        options = dict(raw.pop("options", {}))
        for key in [k for k in raw if k not in known]:
            options[key] = raw.pop(key)  # test-specific settings, e.g. a speed factor
        raw.setdefault("name", raw["id"])
        raw.setdefault("probe", raw["id"])
        tests.append(TestSpec(options=options, **raw))
    ids = [t.id for t in tests]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{manifest}: duplicate test ids")
    return Topic(name=path.name, number=path.name.split("_", 1)[0], title=data["title"],
                 kinds=tuple(data.get("kinds", [])), limits=limits,
                 forbidden=tuple(data.get("forbidden", [])), tests=tuple(tests),
                 root=path.parent.parent)


def all_topics(root: Path | None = None) -> list[Topic]:
    root = root or find_root()
    ref = root / "reference"
    return [load_topic(p) for p in sorted(ref.iterdir()) if (p / "manifest.toml").is_file()]


class UnknownTopicError(UserError, KeyError):
    """A topic name that matches no topic (a KeyError too, for older callers)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown topic"


def get_topic(name: str, root: Path | None = None) -> Topic:
    """Accepts the directory name ("10_dl_basics"), its number ("10"), or its slug."""
    topics = all_topics(root)
    for t in topics:
        slug = t.name.split("_", 1)[1] if "_" in t.name else t.name
        if name in (t.name, slug) or (name.isdigit() and int(name) == int(t.number)):
            return t
    known = ", ".join(t.name for t in topics)
    raise UnknownTopicError(f"unknown topic {name!r}; known topics: {known}")
