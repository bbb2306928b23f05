"""Validation of topics: the solved notebook scores full marks and the untouched stub scores zero."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grade import grade_one, reference_observations
from autograder.sandbox import get_sandbox
from autograder.topics import all_topics, get_topic


@dataclass
class ValidationRow:
    topic: str
    max_score: float
    solution_score: float
    stub_score: float
    problems: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)  # tests this host could not exercise (GPU)

    @property
    def ok(self) -> bool:
        return not self.problems


def stale_stub(topic) -> str | None:
    """Why the committed stub is not the one generated from the solved notebook, or None."""
    from autograder.release import stub_text

    if not topic.stub_path.is_file():
        return f"no stub at {topic.stub_path}: run `autograder stub {topic.name}`"
    if topic.stub_path.read_text() != stub_text(topic):
        return (f"the committed stub {topic.stub_path.name} differs from the one generated from the "
                f"solved notebook: run `autograder stub {topic.name}`")
    return None


def validate(*, topics: list[str] | None = None, sandbox: str = "auto",
             seed: int | None = None, progress=None, jobs: int = 1) -> list[ValidationRow]:
    """Grade each topic's solution (full marks expected) and stub (zero expected), and check that
    the committed stub is the generated one. ``progress`` is called with a short label after each
    of the two gradings of a topic; ``jobs`` topics are validated at once. Tests that need a GPU
    this host lacks are listed in ``not_run`` (never counted as passed)."""
    from concurrent.futures import ThreadPoolExecutor

    from autograder.errors import UserError

    if not isinstance(jobs, int) or jobs < 1:
        raise UserError(f"--jobs must be a whole number of at least 1, not {jobs!r}")
    chosen = [get_topic(t) for t in topics] if topics else all_topics()
    box = get_sandbox(sandbox)
    slots = iter(range(len(chosen)))

    def one(topic) -> ValidationRow:
        slot = next(slots) % jobs
        s = _fresh_seed() if seed is None else seed
        ref = reference_observations(topic, s)
        with tempfile.TemporaryDirectory() as tmp:
            sol = grade_one(topic=topic, path=topic.solution_path, out_dir=Path(tmp) / "solution",
                            seed=s, sandbox=box, ref=ref, slot=slot)
            if progress:
                progress(f"{topic.name}: solution")
            stub = grade_one(topic=topic, path=topic.stub_path, out_dir=Path(tmp) / "stub", seed=s,
                             sandbox=box, ref=ref, slot=slot)
            if progress:
                progress(f"{topic.name}: stub")
        row = ValidationRow(topic=topic.name, max_score=sol.max_score, solution_score=sol.score,
                            stub_score=stub.score)
        row.not_run = [t.name for t in sol.tests if t.status == "not_run"]
        if sol.grader_errors or stub.grader_errors:
            row.problems.append("grader errors: " + "; ".join(
                t.output[:200] for t in sol.tests + stub.tests if t.status == "grader_error"))
        exercised = sum(t.max_score for t in sol.tests if t.status != "not_run")
        if sol.score < exercised:
            row.problems += [f"solution fails {t.name}: {t.output[:300]}" for t in sol.tests
                             if t.status == "failed"]
        if stub.score > 0:
            row.problems += [f"stub passes {t.name}" for t in stub.tests if t.score > 0]
        why = stale_stub(topic)
        if why:
            row.problems.append(why)
        if len(topic.tests) < 6:
            row.problems.append(f"only {len(topic.tests)} graded tests (at least 6 expected)")
        missing = set(topic.kinds) - {t.kind for t in topic.tests}
        if missing:
            row.problems.append(f"test kinds listed but not tested: {sorted(missing)}")
        return row

    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(one, chosen))


def _fresh_seed() -> int:
    from autograder.release.public import fresh_seed  # never the public self-check's seed

    return fresh_seed()
