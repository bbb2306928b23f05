"""The grading image, built without a registry.

Debian bookworm comes from ``debootstrap --variant=minbase`` (the apt mirror this host already uses),
is imported as a base image, and the Python wheels are installed into it from a local wheelhouse with
``pip --no-index``. The image is tagged by a hash of everything it is made of (the recipes in
``docker/``, the rootfs recipe, the wheel files, the package version), so it is rebuilt only when one
of them changes. ``autograder-grader:current`` always names the image the Docker sandbox uses.

Caches (git-ignored): ``docker/rootfs/`` (the debootstrap tarball) and ``docker/wheelhouse/``.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import autograder

REPOSITORY = "autograder-grader"
CURRENT = f"{REPOSITORY}:current"
BASE_REPOSITORY = "autograder-base"
LABEL = "org.autograder.key"

SUITE = "bookworm"
# python3 is 3.11 in bookworm; libgomp1 for OpenMP builds. Everything else comes as wheels.
PACKAGES = ("python3", "libgomp1", "ca-certificates")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# Local wheels searched before the index (the CPU build of torch lives here, never fetched from PyPI).
FIND_LINKS = [p for p in os.environ.get("AUTOGRADER_WHEELS", "/opt/wheels").split(os.pathsep) if p]


def recipe_dir() -> Path:
    """``docker/`` next to the package (the checkout), or $AUTOGRADER_DOCKER_DIR."""
    env = os.environ.get("AUTOGRADER_DOCKER_DIR")
    return Path(env) if env else Path(autograder.__file__).resolve().parent.parent / "docker"


def _client():
    import docker

    client = docker.from_env(timeout=600)
    client.ping()
    return client


def debian_mirror() -> str:
    """The Debian mirror apt uses on this host (deb822 or one-line sources), else deb.debian.org."""
    paths = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in paths:
        try:
            text = path.read_text()
        except OSError:
            continue
        for m in re.finditer(r"^URIs:\s*(\S+)", text, re.M):
            if m.group(1).rstrip("/").endswith("/debian"):
                return m.group(1).rstrip("/")
        for m in re.finditer(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", text, re.M):
            if m.group(1).rstrip("/").endswith("/debian") and m.group(2).startswith(SUITE):
                return m.group(1).rstrip("/")
    return DEFAULT_MIRROR


def _sha(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def rootfs_key() -> str:
    return _sha("debootstrap", "minbase", SUITE, *PACKAGES)[:16]


def ensure_rootfs(recipes: Path, *, force: bool = False, log=print) -> Path:
    """The cached debootstrap tarball, made when missing (~1-2 minutes)."""
    tarball = recipes / "rootfs" / f"{SUITE}-minbase-{rootfs_key()}.tar"
    if tarball.is_file() and not force:
        return tarball
    if not shutil.which("debootstrap"):
        raise RuntimeError("debootstrap is not installed (apt-get install debootstrap), "
                           "or pass --base IMAGE to build on a registry image")
    if os.geteuid() != 0:
        raise RuntimeError("debootstrap needs root")
    tarball.parent.mkdir(parents=True, exist_ok=True)
    mirror = debian_mirror()
    log(f"debootstrap {SUITE} (minbase + {', '.join(PACKAGES)}) from {mirror}")
    with tempfile.TemporaryDirectory(prefix="ag-rootfs-", dir=tarball.parent) as tmp:
        root = Path(tmp) / "root"
        cmd = ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE,
               str(root), mirror]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"debootstrap failed ({res.returncode}):\n{(res.stdout + res.stderr)[-3000:]}")
        # Drop what a sandbox never needs: package caches, docs, man pages.
        for rel in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man",
                    "usr/share/info", "usr/share/locale"):
            d = root / rel
            if d.is_dir():
                for child in d.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child, ignore_errors=True)
                    elif child.name not in ("lock", "partial"):
                        child.unlink(missing_ok=True)
        part = tarball.with_suffix(".part")
        res = subprocess.run(["tar", "--numeric-owner", "--xattrs", "-C", str(root), "-cf", str(part),
                              "."], capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"tar failed: {res.stderr[-2000:]}")
        part.replace(tarball)
    return tarball


def requirements(recipes: Path) -> list[str]:
    lines = (recipes / "requirements.txt").read_text().splitlines()
    return [ln.split("#", 1)[0].strip() for ln in lines if ln.split("#", 1)[0].strip()]


def ensure_wheelhouse(recipes: Path, *, log=print) -> Path:
    """``docker/wheelhouse/``: the pinned wheels and their dependencies for cp311 manylinux, plus pip.
    Downloaded once with the host's pip (PyPI, and FIND_LINKS for local wheels)."""
    house = recipes / "wheelhouse"
    reqs = requirements(recipes)
    stamp = house / ".complete"
    want = _sha(*reqs)
    if stamp.is_file() and stamp.read_text().strip() == want:
        return house
    house.mkdir(parents=True, exist_ok=True)
    log(f"downloading wheels into {house}")
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--only-binary=:all:",
           "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
           "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux_2_17_x86_64",
           "--platform", "manylinux2014_x86_64", "--platform", "any", "-d", str(house)]
    for link in FIND_LINKS:
        if Path(link).is_dir():
            cmd += ["--find-links", link]
    res = subprocess.run(cmd + reqs + ["pip"], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"pip download failed:\n{(res.stdout + res.stderr)[-3000:]}")
    stamp.write_text(want + "\n")
    return house


def image_key(recipes: Path, house: Path, base_ref: str) -> str:
    parts = [f"autograder {autograder.__version__}", f"base {base_ref}"]
    for name in ("Dockerfile", ".dockerignore", "requirements.txt"):
        p = recipes / name
        parts.append(f"{name} {_file_sha(p) if p.is_file() else '-'}")
    cache = house / ".hashes"
    known = {}
    if cache.is_file():  # name size mtime -> sha, so a rebuild check does not rehash 300 MB
        for ln in cache.read_text().splitlines():
            k, _, v = ln.rpartition(" ")
            known[k] = v
    lines = []
    for whl in sorted(house.glob("*.whl")):
        st = whl.stat()
        k = f"{whl.name} {st.st_size} {int(st.st_mtime)}"
        sha = known.get(k) or _file_sha(whl)
        lines.append(f"{k} {sha}")
        parts.append(f"{whl.name} {sha}")
    try:
        cache.write_text("\n".join(lines) + "\n")
    except OSError:
        pass
    return _sha(*parts)[:16]


def _image_exists(client, ref: str):
    import docker

    try:
        return client.images.get(ref)
    except docker.errors.ImageNotFound:
        return None


def import_base(client, tarball: Path, *, force: bool = False, log=print) -> str:
    ref = f"{BASE_REPOSITORY}:{SUITE}-{rootfs_key()}"
    if force or _image_exists(client, ref) is None:
        log(f"importing {tarball.name} as {ref}")
        client.api.import_image_from_file(str(tarball), repository=BASE_REPOSITORY,
                                          tag=f"{SUITE}-{rootfs_key()}")
        if _image_exists(client, ref) is None:
            raise RuntimeError(f"docker import of {tarball} did not produce {ref}")
    return ref


def build_image(*, force: bool = False, base: str | None = None, log=print) -> str:
    """Build the grading image (or find it already built) and return its tag.

    ``base``: an image with python3 3.11 to build on (e.g. ``python:3.11-slim-bookworm`` where a
    registry is reachable); by default a Debian rootfs made with debootstrap, no registry involved.
    ``force``: rebuild even when an image with the same inputs exists (and redo the debootstrap)."""
    t0 = time.monotonic()
    recipes = recipe_dir()
    if not (recipes / "Dockerfile").is_file():
        raise FileNotFoundError(f"no Dockerfile in {recipes}")
    client = _client()
    house = ensure_wheelhouse(recipes, log=log)
    if base:
        img = _image_exists(client, base)
        if img is None:
            log(f"pulling {base}")
            img = client.images.pull(base)
        base_ref = base
        base_id = img.id
    else:
        base_ref = import_base(client, ensure_rootfs(recipes, force=force, log=log), force=force,
                               log=log)
        base_id = client.images.get(base_ref).id
    key = image_key(recipes, house, base_id)
    tag = f"{REPOSITORY}:{key}"
    if not force and _image_exists(client, tag) is not None:
        client.images.get(tag).tag(REPOSITORY, "current")
        log(f"{tag} is up to date ({time.monotonic() - t0:.1f} s)")
        return tag
    log(f"building {tag} on {base_ref}")
    errors, tail = [], []
    for chunk in client.api.build(path=str(recipes), dockerfile="Dockerfile", tag=tag, rm=True,
                                  forcerm=True, decode=True, nocache=force, buildargs={"BASE": base_ref},
                                  labels={LABEL: key}, network_mode="none"):
        if "error" in chunk:
            errors.append(chunk["error"])
        text = chunk.get("stream", "")
        if text.strip():
            tail = (tail + [text.rstrip()])[-40:]
            if text.startswith("Step "):
                log(text.rstrip())
    if errors or _image_exists(client, tag) is None:
        raise RuntimeError("image build failed: " + " ".join(errors) + "\n" + "\n".join(tail[-20:]))
    client.images.get(tag).tag(REPOSITORY, "current")
    _prune(client, keep=tag, log=log)
    log(f"built {tag} in {time.monotonic() - t0:.1f} s")
    return tag


def _prune(client, *, keep: str, log=print) -> None:
    """Drop the build stage and older grading images (an image still in use stays)."""
    import docker

    for img in client.images.list(name=REPOSITORY):
        for t in img.tags:
            if t not in (keep, CURRENT):
                try:
                    client.images.remove(t)
                    log(f"removed the older image {t}")
                except docker.errors.APIError:
                    pass
    try:
        client.images.prune(filters={"dangling": True, "label": "org.autograder.stage=build"})
    except docker.errors.APIError:
        pass
