"""Topic 05 fixtures, graded in the process sandbox with a fixed seed: each plausible bug loses
points on the test that targets it; a correct answer through an eigendecomposition of the covariance
(arbitrary signs, float32 projections) and one with every component negated get full marks; using
scikit-learn's PCA scores zero."""
import pytest

SEED = 505
TOPIC = "05_pca"
# fixture -> the tests it must fail
BUGGY = {'no_centering.ipynb': ['components_values', 'variance_values', 'projection_values'], 'variance_divides_by_n.ipynb': ['variance_values'], 'components_from_columns.ipynb': ['components_values', 'projection_values', 'reconstruction_values'], 'ratio_of_kept_only.ipynb': ['variance_values'], 'reconstruction_without_mean.ipynb': ['reconstruction_values'], 'center_in_place.ipynb': ['center_values']}
ALTERNATIVES = ['alt_correct_eigh.ipynb', 'alt_correct_flipped_signs.ipynb', 'alt_correct_float32.ipynb']
FORBIDDEN = "forbidden_sklearn_pca.ipynb"


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES, FORBIDDEN], SEED)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])


def test_flipped_signs_were_actually_aligned(graded):
    report = graded["alt_correct_flipped_signs.ipynb"]
    comps = next(t for t in report.tests if t.id == "components_values")
    assert comps.details.get("sign_aligned_outputs", 0) >= 1, comps.details


def test_sklearn_pca_scores_zero(graded):
    report = graded[FORBIDDEN]
    assert report.score == 0
    assert all("sklearn.decomposition" in t.output for t in report.tests)


def test_sign_alignment_does_not_rescue_wrong_components():
    import numpy as np

    from autograder.topics import get_topic as _get
    from autograder.verdict import load_verdicts

    topic = _get(TOPIC)
    test = next(t for t in topic.tests if t.id == "components_values")
    verdicts = load_verdicts(topic)
    ref = {"components.a": np.array([[1.0, 0.0], [0.0, 1.0]])}
    assert verdicts.up_to_sign(ref=ref, sub={"components.a": -ref["components.a"]}, test=test, seed=0).passed
    swapped = {"components.a": np.array([[0.0, 1.0], [1.0, 0.0]])}
    assert not verdicts.up_to_sign(ref=ref, sub=swapped, test=test, seed=0).passed
