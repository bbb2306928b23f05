"""Topic 01 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

SEED = 20240
TOPIC = "01_preprocessing"
# fixture -> the tests it must fail
BUGGY = {'sample_std.ipynb': ['standardize_values', 'scale_without_leakage'], 'fit_on_train_and_test.ipynb': ['scale_without_leakage'], 'median_uses_mean.ipynb': ['impute_values'], 'split_train_first.ipynb': ['seeded_split'], 'impute_in_place.ipynb': ['shapes_and_dtypes'], 'fence_value_is_outlier.ipynb': ['iqr_mask'], 'percentile_by_sorted_index.ipynb': ['iqr_mask'], 'split_size_truncated.ipynb': ['seeded_split']}
ALTERNATIVES = ['alt_correct_float32.ipynb', 'alt_correct_isclose_loops.ipynb']


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES], SEED)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[name], name, BUGGY[name])


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])
