"""Gradescope export: the zip's run_autograder grades with the same engine and writes a
results.json that Gradescope's schema accepts."""
import json
import os
import shutil
import subprocess
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
    tags = [t for img in client.images.list() for t in img.tags if t.startswith("autograder")]
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
