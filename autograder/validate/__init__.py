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

    @property
    def ok(self) -> bool:
        return not self.problems


def validate(*, topics: list[str] | None = None, sandbox: str = "auto",
             seed: int | None = None, progress=None) -> list[ValidationRow]:
    """Grade each topic's solution (full marks expected) and stub (zero expected). ``progress``
    is called with a short label after each of the two gradings of a topic."""
    chosen = [get_topic(t) for t in topics] if topics else all_topics()
    box = get_sandbox(sandbox)
    rows = []
    for topic in chosen:
        s = _fresh_seed() if seed is None else seed
        ref = reference_observations(topic, s)
        with tempfile.TemporaryDirectory() as tmp:
            sol = grade_one(topic=topic, path=topic.solution_path, out_dir=Path(tmp) / "solution",
                            seed=s, sandbox=box, ref=ref)
            if progress:
                progress(f"{topic.name}: solution")
            stub = grade_one(topic=topic, path=topic.stub_path, out_dir=Path(tmp) / "stub", seed=s,
                             sandbox=box, ref=ref)
            if progress:
                progress(f"{topic.name}: stub")
        row = ValidationRow(topic=topic.name, max_score=sol.max_score, solution_score=sol.score,
                            stub_score=stub.score)
        if sol.grader_errors or stub.grader_errors:
            row.problems.append("grader errors: " + "; ".join(
                t.output[:200] for t in sol.tests + stub.tests if t.status == "grader_error"))
        if sol.score < sol.max_score:
            row.problems += [f"solution fails {t.name}: {t.output[:300]}" for t in sol.tests
                             if t.status == "failed"]
        if stub.score > 0:
            row.problems += [f"stub passes {t.name}" for t in stub.tests if t.score > 0]
        if len(topic.tests) < 6:
            row.problems.append(f"only {len(topic.tests)} graded tests (at least 6 expected)")
        missing = set(topic.kinds) - {t.kind for t in topic.tests}
        if missing:
            row.problems.append(f"test kinds listed but not tested: {sorted(missing)}")
        rows.append(row)
    return rows


def _fresh_seed() -> int:
    from autograder.release.public import fresh_seed  # never the public self-check's seed

    return fresh_seed()
