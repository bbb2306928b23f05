"""Checks every topic can use, one module per kind. The sandbox side (what probes call) imports
only NumPy; the verdict side runs in the trusted grader."""
from dataclasses import dataclass, field


@dataclass
class Verdict:
    """The outcome of one check: the fraction of the test's points earned, and a message for the
    student. ``details`` carries plain data for the report (diagnostics, curves, timings)."""

    fraction: float
    message: str = ""
    details: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.fraction >= 1.0
