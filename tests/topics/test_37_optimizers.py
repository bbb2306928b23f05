"""Topic 37 fixtures: each plausible bug loses points on the test that targets it, and a
correct submission written differently gets full marks (graded in the process sandbox)."""
import pytest

SEED = 20240
TOPIC = "37_optimizers"
# fixture -> the tests it must fail
BUGGY = {'adam_no_bias_correction.ipynb': ['adam_trajectory', 'adamw_trajectory'], 'adamw_coupled_decay.ipynb': ['adamw_trajectory'], 'nesterov_as_momentum.ipynb': ['nesterov_trajectory'], 'per_array_clipping.ipynb': ['clip_grad_norm'], 'rmsprop_eps_inside_sqrt.ipynb': ['adagrad_rmsprop_trajectory'], 'adam_copies_lr_once.ipynb': ['adam_trajectory', 'adamw_trajectory'], 'rmsprop_rho_hardcoded.ipynb': ['adagrad_rmsprop_trajectory'], 'adamw_ignores_betas_eps.ipynb': ['adamw_trajectory'], 'clip_in_place.ipynb': ['clip_grad_norm']}
ALTERNATIVES = ['alt_correct_float32.ipynb']


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
