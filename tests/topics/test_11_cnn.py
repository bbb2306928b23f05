"""Topic 11 fixtures, graded in the process sandbox with a fixed seed: each plausible bug loses
points on the test that targets it, four nested Python loops and a loop over output pixels give
correct values but lose the speed point, scipy.signal scores zero with a message naming the call and the cell, and a correct
stride_tricks/float32 variant gets full marks. Graded one after another so that the CPU speed test
is not skewed by a parallel grading."""
import pytest

from autograder.checks.forbidden import scan
from autograder.notebook import load_submission
from autograder.topics import get_topic

pytestmark = pytest.mark.slow  # about 25 s in all (the loop answer alone needs ~5 s)

SEED = 1107
TOPIC = "11_cnn"
VALUE_TESTS = ["im2col_values", "conv_forward_values", "conv_shapes", "conv_backward", "pool_forward",
               "pool_backward"]
# fixture -> the tests it must fail
BUGGY = {
    "python_loop_conv.ipynb": ["conv_speed"],
    "python_loop_over_pixels.ipynb": ["conv_speed"],  # the loop a student writes first (~9x)
    "wrong_padding.ipynb": ["im2col_values", "conv_forward_values", "conv_backward"],
    "flipped_kernel.ipynb": ["conv_forward_values", "conv_backward"],
    "maxpool_overwrites_overlaps.ipynb": ["pool_backward"],
}
ALTERNATIVES = ["alt_correct_stride_tricks.ipynb"]
FORBIDDEN = "forbidden_scipy_signal.ipynb"


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    # jobs=1: one notebook at a time, so that the CPU speed test is not skewed
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES, FORBIDDEN], SEED, jobs=1)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.parametrize("name", ["python_loop_conv.ipynb", "python_loop_over_pixels.ipynb"])
def test_python_loop_is_correct_but_slow(graded, name):
    report = graded[name]
    status = {t.id: t.status for t in report.tests}
    assert all(status[t] == "passed" for t in VALUE_TESTS), status
    speed = next(t for t in report.tests if t.id == "conv_speed")
    assert speed.status == "failed" and "too slow" in speed.output, speed.output


def test_speed_is_credited_for_right_answers_only(graded):
    # Every timed output is checked against the reference's: a vectorised conv with a bug is fast
    # but wrong, and earns no speed point; a bug elsewhere (pooling) leaves the speed point alone.
    status = {t.id: t.status for t in graded["maxpool_overwrites_overlaps.ipynb"].tests}
    assert status["conv_speed"] == "passed", status
    for name in ("wrong_padding.ipynb", "flipped_kernel.ipynb"):
        speed = next(t for t in graded[name].tests if t.id == "conv_speed")
        assert speed.status == "failed" and "wrong result" in speed.output, (name, speed.output)


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])


def test_scipy_signal_scores_zero_naming_call_and_cell(graded, fixtures):
    topic = get_topic(TOPIC)
    sub = load_submission(fixtures / TOPIC / FORBIDDEN)
    findings = scan([(c.index, c.source) for c in sub.cells], topic.forbidden)
    assert any(f.api.startswith("scipy.signal") for f in findings), findings
    report = graded[FORBIDDEN]
    assert report.score == 0
    for t in report.tests:
        assert "scipy.signal" in t.output and "4th code cell" in t.output, t.output


def test_stride_tricks_is_not_forbidden():
    src = ("import numpy as np\nfrom numpy.lib.stride_tricks import sliding_window_view, as_strided\n"
           "v = np.lib.stride_tricks.sliding_window_view(np.zeros(4), 2)\n")
    assert scan([(1, src)], get_topic(TOPIC).forbidden) == []


def test_numpy_convolve_is_caught():
    findings = scan([(2, "import numpy as np\ny = np.convolve([1, 2], [1, 1])\n")],
                    get_topic(TOPIC).forbidden)
    assert [(f.api, f.cell) for f in findings] == [("numpy.convolve", 2)]
