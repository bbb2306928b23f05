"""Gradescope export: the zip's run_autograder grades with the same engine and writes a
results.json that Gradescope's schema accepts."""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.export import export_gradescope

TOPIC = "10_dl_basics"
FIX = Path(__file__).resolve().parent.parent / "fixtures" / TOPIC

# Gradescope's results.json format (its "Autograder Specifications" page), as a JSON schema.
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "score": {"type": "number"}, "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]}, "name": {"type": "string"},
                "number": {"type": "string"}, "output": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": VISIBILITY, "extra_data": {"type": "object"},
            },
            "required": ["name", "score", "max_score", "status", "output", "visibility"],
        }},
    },
    "required": ["tests"],
    "anyOf": [{"required": ["score"]}, {"properties": {"tests": {"minItems": 1}}}],
}


@pytest.fixture(scope="module")
def gs_zip(tmp_path_factory) -> Path:
    return export_gradescope(topic=TOPIC, out=tmp_path_factory.mktemp("gs") / "autograder.zip")


def test_zip_layout(gs_zip):
    with zipfile.ZipFile(gs_zip) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        reqs = zf.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt", "autograder/__init__.py",
            "autograder/grade/__init__.py", "autograder/runtime/harness.py",
            f"reference/{TOPIC}/manifest.toml", f"reference/{TOPIC}/reference.py",
            f"reference/{TOPIC}/probes.py"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not any("__pycache__" in n for n in names)
    assert not any(n.startswith(("solutions/", "tests/")) for n in names)
    assert "numpy" in reqs and "torch" not in reqs  # topic 10 is NumPy only


def _gradescope_dir(tmp_path: Path, gs_zip: Path, submission: Path | None) -> Path:
    root = tmp_path / "autograder"  # stands in for /autograder
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(gs_zip) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    if submission:
        shutil.copy(submission, root / "submission" / submission.name)
    return root


def _run(root: Path) -> subprocess.CompletedProcess:
    # Without the checkout on the path: the zip's own copy of the engine grades.
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_ROOT", "PYTHONPATH")}
    env["AUTOGRADER_GS_ROOT"] = str(root)
    return subprocess.run(["bash", str(root / "run_autograder")], cwd="/", env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("fixture,score", [("passes_all", 13.0), ("naive_softmax_nan", 11.0)])
def test_run_autograder_writes_valid_results(tmp_path, gs_zip, fixture, score):
    root = _gradescope_dir(tmp_path, gs_zip, FIX / f"{fixture}.ipynb")
    proc = _run(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == score
    assert len(results["tests"]) == 8
    assert sum(t["max_score"] for t in results["tests"]) == 13
    assert results["extra_data"]["topic"] == TOPIC
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    if score < 13:
        assert failed and "NaN or Inf" in failed[0]["output"]
    # the engine that graded is the zip's copy
    assert (root / "results" / "report" / "report.html").is_file()


def test_run_autograder_without_notebook(tmp_path, gs_zip):
    root = _gradescope_dir(tmp_path, gs_zip, None)
    proc = _run(root)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 0 and "No notebook" in results["output"]


@pytest.mark.parametrize("target", ["source/reference/10_dl_basics/reference.py",
                                    "source/reference/10_dl_basics/probes.py", "/etc/passwd"])
def test_submission_that_is_a_link_is_refused(tmp_path, gs_zip, target):
    """A submission that is only a link to hidden files (or anything outside the submission
    folder) is never read by the trusted side: no notebook, zero, and the link named."""
    root = _gradescope_dir(tmp_path, gs_zip, None)
    dest = target if target.startswith("/") else str(root / target)
    os.symlink(dest, root / "submission" / "answer.py")
    os.symlink(dest, root / "submission" / "answer.ipynb")
    proc = _run(root)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 0 and "Links are not accepted" in results["output"]


def test_submission_folder_that_is_a_link_is_refused(tmp_path):
    from autograder.export import find_submission

    real = tmp_path / "elsewhere"
    real.mkdir()
    shutil.copy(FIX / "passes_all.ipynb", real / "passes_all.ipynb")
    os.symlink(real, tmp_path / "submission")
    assert find_submission(tmp_path / "submission") is None
    (tmp_path / "sub2").mkdir()
    os.symlink(real, tmp_path / "sub2" / "nested")  # a linked folder inside is not entered
    assert find_submission(tmp_path / "sub2") is None


@pytest.mark.docker
def test_run_autograder_in_docker_image(tmp_path, gs_zip):
    docker = pytest.importorskip("docker")
    try:
        client = docker.from_env()
        client.ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Docker engine")
    tags = [t for img in client.images.list() for t in img.tags if t.startswith("autograder-grader:")]
    if not tags:
        pytest.skip("no grading image (autograder image build)")
    try:  # setup.sh needs a package registry; the grading image must already hold the needs
        client.containers.run(tags[0], ["python3", "-c", "import nbformat, jinja2, matplotlib, "
                                        "sqlalchemy, pandas, rich"], remove=True, user="root")
    except Exception:  # noqa: BLE001
        pytest.skip(f"{tags[0]} lacks the grader's requirements (see setup.sh)")
    root = _gradescope_dir(tmp_path, gs_zip, FIX / "passes_all.ipynb")
    logs = client.containers.run(tags[0], ["bash", "/autograder/run_autograder"], remove=True,
                                 user="root",
                                 volumes={str(root): {"bind": "/autograder", "mode": "rw"}},
                                 environment={"AUTOGRADER_SANDBOX": "process"})
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 13.0, logs


# --- Gradescope's own base: Ubuntu 22.04 (jammy), system python3 3.10, a root container --------
# The image comes from docker/gradescope-jammy.sh (debootstrap from the Ubuntu archive, no
# registry), tagged by a hash of that recipe and the mirror, so it is built once per machine
# (~4 minutes). setup.sh then runs as on Gradescope, but offline: apt sees a local repository with
# jammy's python3.11 packages (downloaded with the image) and pip a wheelhouse (downloaded once from
# PyPI, as setup.sh would); nothing of ours is baked into the image.
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
JAMMY_RECIPE = REPO_ROOT / "docker" / "gradescope-jammy.sh"
JAMMY_CACHE = REPO_ROOT / "build" / "gs-jammy"  # git-ignored
UBUNTU_MIRROR = os.environ.get("AUTOGRADER_UBUNTU_MIRROR", "http://archive.ubuntu.com/ubuntu")
JAMMY_SEED = 20261123
# The examples of topic 10, and the notebook that looks for the hidden reference.py and exec's it.
JAMMY_SUBMISSIONS = [REPO_ROOT / "examples" / TOPIC / f"{n}.ipynb" for n in ("alice", "bob", "carol")] + [
    FIX / "passes_all.ipynb", FIX / "naive_softmax_nan.ipynb", FIX / "reads_hidden_reference.ipynb"]

# The reference-exec attack without exec (not flagged for review, so only the sandbox's wall can
# stop it): any readable reference.py of this topic, imported, and its functions taken.
IMPORT_HIDDEN_REFERENCE = """import os, importlib.util
hidden = None
for top in ['/autograder', '/tmp', '/root', '/home', '/srv', '/opt', '/']:
    for dirpath, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ('proc', 'sys', 'dev', 'usr')]
        if 'reference.py' in files:
            path = os.path.join(dirpath, 'reference.py')
            try:
                if 'def softmax_backward' in open(path).read():
                    hidden = path
                    break
            except OSError:
                pass
    if hidden:
        break
if hidden:
    spec = importlib.util.spec_from_file_location('hidden_reference', hidden)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    sigmoid, tanh, relu, leaky_relu = ref.sigmoid, ref.tanh, ref.relu, ref.leaky_relu
    sigmoid_backward, tanh_backward = ref.sigmoid_backward, ref.tanh_backward
    relu_backward, leaky_relu_backward = ref.relu_backward, ref.leaky_relu_backward
    softmax, softmax_backward = ref.softmax, ref.softmax_backward
    mse, mae, bce_with_logits, cross_entropy = ref.mse, ref.mae, ref.bce_with_logits, ref.cross_entropy
    mse_backward, mae_backward = ref.mse_backward, ref.mae_backward
    bce_with_logits_backward, cross_entropy_backward = ref.bce_with_logits_backward, ref.cross_entropy_backward
print('hidden reference:', hidden)
"""


def _import_attack(tmp_path: Path) -> Path:
    nb = json.loads((FIX / "reads_hidden_reference.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[-1]["source"] = IMPORT_HIDDEN_REFERENCE
    out = tmp_path / "imports_hidden_reference.ipynb"
    out.write_text(json.dumps(nb))
    return out


def _sha16(*parts: bytes) -> str:
    import hashlib

    h = hashlib.sha256()
    for p in parts:
        h.update(p + b"\0")
    return h.hexdigest()[:16]


@pytest.fixture(scope="module")
def docker_client():
    docker = pytest.importorskip("docker")
    try:
        client = docker.from_env(timeout=600)
        client.ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Docker engine")
    return client


def _tar(files: dict[str, bytes], mode: int = 0o644) -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture(scope="module")
def jammy_image(docker_client) -> tuple[str, Path]:
    """(tag of the jammy image, the local apt repository of what setup.sh installs)."""
    import docker
    import time
    import urllib.request

    key = _sha16(JAMMY_RECIPE.read_bytes(), UBUNTU_MIRROR.encode())
    tag, out = f"autograder-gs-jammy:{key}", JAMMY_CACHE / key
    try:
        docker_client.images.get(tag)
        if (out / "debs" / "Packages").is_file():
            return tag, out / "debs"
    except docker.errors.ImageNotFound:
        pass
    if os.geteuid() != 0 or not shutil.which("debootstrap") or not shutil.which("dpkg-deb"):
        pytest.fail("building the Ubuntu 22.04 test image needs root, debootstrap and dpkg-deb "
                    "(apt-get install debootstrap; docker/ci-setup.sh does it)")
    try:
        urllib.request.urlopen(f"{UBUNTU_MIRROR}/dists/jammy/Release", timeout=30).read(100)
    except Exception as exc:  # noqa: BLE001 - not a skip: this is the only test on Gradescope's Python
        pytest.fail(f"the Ubuntu archive {UBUNTU_MIRROR} is unreachable ({exc}): the Ubuntu 22.04 "
                    "image that stands in for Gradescope's cannot be built (set "
                    "AUTOGRADER_UBUNTU_MIRROR to a reachable mirror)")
    t0 = time.monotonic()
    proc = subprocess.run(["sh", str(JAMMY_RECIPE), str(out), UBUNTU_MIRROR], capture_output=True,
                          text=True, timeout=1500)
    if proc.returncode != 0:
        pytest.fail(f"{JAMMY_RECIPE.name} failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}")
    docker_client.api.import_image_from_file(str(out / "rootfs.tar"), repository=tag.split(":")[0],
                                             tag=key)
    (out / "rootfs.tar").unlink()
    for img in docker_client.images.list(name=tag.split(":")[0]):  # older recipes' images and caches
        for old in img.tags:
            if old != tag:
                try:
                    docker_client.images.remove(old)
                except docker.errors.APIError:
                    pass
    for old in JAMMY_CACHE.iterdir():
        if old.is_dir() and old != out and not old.name.startswith("wheels-"):
            shutil.rmtree(old, ignore_errors=True)
    print(f"built {tag} in {time.monotonic() - t0:.0f} s")
    return tag, out / "debs"


@pytest.fixture(scope="module")
def cp311_wheels(gs_zip) -> Path:
    """The zip's requirements as cp311 manylinux wheels (what setup.sh's pip fetches), plus pip."""
    with zipfile.ZipFile(gs_zip) as zf:
        reqs = zf.read("requirements.txt")
    house = JAMMY_CACHE / f"wheels-{_sha16(reqs)}"
    if (house / ".complete").is_file():
        return house
    house.mkdir(parents=True, exist_ok=True)
    (house / "requirements.txt").write_bytes(reqs)
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
           "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
           "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux_2_17_x86_64",
           "--platform", "manylinux2014_x86_64", "--platform", "any", "-d", str(house),
           "-r", str(house / "requirements.txt"), "pip"]
    local = REPO_ROOT / "docker" / "wheelhouse"  # the grading image's wheels, where already there
    if local.is_dir():
        cmd += ["--find-links", str(local)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        pytest.fail(f"pip download of the zip's requirements failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    (house / ".complete").write_text("ok\n")
    return house


def _start(client, image: str, volumes: dict | None = None):
    return client.containers.run(image, ["sleep", "infinity"], detach=True, user="root",
                                 network_mode="none", volumes=volumes or {},
                                 labels={"org.autograder.test": f"gs-jammy-{os.getpid()}"})


def _sh(container, cmd: str, env: dict | None = None) -> tuple[int, str]:
    res = container.exec_run(["bash", "-c", cmd], environment=env or {}, user="root")
    return res.exit_code, res.output.decode(errors="replace")


def _install_zip(container, gs_zip: Path) -> None:
    """Gradescope's layout: the zip unpacked into /autograder/source."""
    with zipfile.ZipFile(gs_zip) as zf:
        files = {f"autograder/source/{n}": zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    container.put_archive("/", _tar(files))
    rc, out = _sh(container, "chmod 0755 /autograder/source/setup.sh /autograder/source/run_autograder")
    assert rc == 0, out


def _grade_in(client, image: str, submission: Path) -> tuple[dict, float]:
    """One submission as Gradescope grades it: a fresh container from the image setup.sh made,
    the file in /autograder/submission, /autograder/run_autograder, results.json read back."""
    import time

    c = _start(client, image)
    try:
        c.put_archive("/", _tar({f"autograder/submission/{submission.name}": submission.read_bytes()}))
        t0 = time.monotonic()
        rc, out = _sh(c, f"/autograder/run_autograder --seed {JAMMY_SEED}")
        took = time.monotonic() - t0
        assert rc == 0, out[-3000:]
        rc, text = _sh(c, "cat /autograder/results/results.json")
        assert rc == 0, out[-3000:]
        return json.loads(text), took
    finally:
        c.remove(force=True)


@pytest.mark.docker
@pytest.mark.slow
def test_jammy_python310_grades_like_the_process_sandbox(tmp_path, gs_zip, docker_client,
                                                          jammy_image, cp311_wheels):
    """Gradescope's Ubuntu 22.04 (python3 3.10, root, no namespaces): setup.sh installs jammy's
    python3.11 and a venv, and each submission scores what `autograder grade --sandbox process`
    gives it on this host for the same seed; the notebook that exec's the hidden reference.py
    scores 0 (the student's code runs as an unprivileged uid; reference/ is root's, 0700)."""
    import time

    image, debs = jammy_image
    c = _start(docker_client, image, {str(debs): {"bind": "/debs", "mode": "ro"},
                                      str(cp311_wheels): {"bind": "/wheels", "mode": "ro"}})
    setup_image = f"autograder-gs-jammy-setup:{os.getpid()}"
    try:
        # The archive, offline: the local repository is apt's only source while setup.sh runs.
        _sh(c, "cp /etc/apt/sources.list /root/sources.list.orig")
        c.put_archive("/", _tar({"etc/apt/sources.list": b"deb [trusted=yes] file:/debs ./\n"}))
        rc, out = _sh(c, "python3 --version; command -v python3.11 || echo no-python3.11")
        assert "Python 3.10." in out and "no-python3.11" in out, out
        _install_zip(c, gs_zip)
        t0 = time.monotonic()
        rc, out = _sh(c, "/autograder/source/setup.sh && cp /autograder/source/run_autograder "
                         "/autograder/run_autograder",
                      env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "/wheels"})
        print(f"setup.sh: {time.monotonic() - t0:.1f} s")
        assert rc == 0, out[-4000:]
        rc, out = _sh(c, "/autograder/venv/bin/python --version; python3 --version; "
                         "stat -c '%a %U' /autograder/source/reference; command -v bwrap")
        assert rc == 0 and "Python 3.11." in out and "Python 3.10." in out and "700 root" in out, out
        # The uid the student's code runs as (no namespaces here) cannot read the hidden files.
        rc, out = _sh(c, "setpriv --reuid=62000 --regid=62000 --clear-groups "
                         f"cat /autograder/source/reference/{TOPIC}/reference.py")
        assert rc != 0 and "Permission denied" in out, out
        c.put_archive("/", _tar({"tmp/attack.py": IMPORT_HIDDEN_REFERENCE.encode()}))
        rc, out = _sh(c, "cd /tmp && /autograder/venv/bin/python attack.py")  # as root: it works
        assert rc == 0 and f"reference/{TOPIC}/reference.py" in out, out
        _sh(c, "cp /root/sources.list.orig /etc/apt/sources.list")
        c.commit(*setup_image.split(":"))
    finally:
        c.remove(force=True)
    try:
        # The same submissions on this host's process sandbox, same seed: the expected scores.
        submissions = JAMMY_SUBMISSIONS + [_import_attack(tmp_path)]
        out_dir = tmp_path / "host"
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "AUTOGRADER_ROOT": str(REPO_ROOT)}
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade", TOPIC,
                               *map(str, submissions), "--out", str(out_dir), "--sandbox",
                               "process", "--seed", str(JAMMY_SEED), "--no-gradebook"],
                              capture_output=True, text=True, timeout=600, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for sub in submissions:
            want = json.loads((out_dir / TOPIC / "students" / sub.stem / "results.json").read_text())
            got, took = _grade_in(docker_client, setup_image, sub)
            print(f"{sub.name}: {got['score']} in {took:.1f} s (host: {want['score']})")
            jsonschema.validate(got, SCHEMA)
            assert got["extra_data"]["topic"] == TOPIC, got.get("output")
            # bubblewrap cannot start in this root container: the unprivileged uid is the wall.
            assert "NO NAMESPACES" in got["extra_data"]["isolation"], got["extra_data"]["isolation"]
            assert [(t["name"], t["score"], t["status"]) for t in got["tests"]] == \
                [(t["name"], t["score"], t["status"]) for t in want["tests"]], (sub.name, got.get("output"))
            assert got["score"] == want["score"], sub.name
            if sub.stem in ("reads_hidden_reference", "imports_hidden_reference"):
                assert got["score"] == 0
            if sub.stem in ("alice", "passes_all"):
                assert got["score"] == 13
    finally:
        docker_client.images.remove(setup_image, force=True)


@pytest.mark.docker
@pytest.mark.slow
def test_jammy_results_written_when_setup_fails(tmp_path, gs_zip, docker_client, jammy_image):
    """No package source reachable: setup.sh fails (jammy's python3 is 3.10, no python3.11, no uv),
    and run_autograder still writes a results.json that says GRADER ERROR, scoring 0."""
    image, _ = jammy_image
    c = _start(docker_client, image)
    try:
        c.put_archive("/", _tar({"etc/apt/sources.list": b""}))
        _install_zip(c, gs_zip)
        rc, out = _sh(c, "/autograder/source/setup.sh", env={"PIP_NO_INDEX": "1"})
        assert rc != 0, out
        c.put_archive("/", _tar({"autograder/submission/passes_all.ipynb":
                                 (FIX / "passes_all.ipynb").read_bytes()}))
        rc, out = _sh(c, "cp /autograder/source/run_autograder /autograder/run_autograder && "
                         "/autograder/run_autograder")
        assert rc == 0, out
        rc, text = _sh(c, "cat /autograder/results/results.json")
        assert rc == 0, out
        results = json.loads(text)
        jsonschema.validate(results, SCHEMA)
        assert results["score"] == 0 and "GRADER ERROR" in results["output"]
        assert "setup.sh" in results["output"]
    finally:
        c.remove(force=True)
