"""Autograder for deep-learning exercises: untrusted probes, trusted verdicts."""
__version__ = "0.1.0"
