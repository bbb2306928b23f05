"""Topic 16 fixtures, graded in the process sandbox at two seeds: each plausible bug (ReLU before the
addition, BatchNorm before the convolution, a missing or BN-less projection, the stride on the
wrong convolution, a stage that strides every block) loses points on the tests that target it, and
correct blocks written differently (in-place ReLU modules; functional conv/batch_norm following
self.training) get full marks."""
import pytest

pytestmark = pytest.mark.slow  # about 8 s CPU per notebook (torch import in each sandbox)

SEEDS = (1601, 1602)
TOPIC = "16_resnet"
# fixture -> the tests it must fail
BUGGY = {
    "relu_before_add.ipynb": ["basic_train_values", "basic_eval_values", "basic_grad", "stage_values"],
    "no_relu_after_add.ipynb": ["bottleneck_values", "stage_values"],
    "bn_before_conv.ipynb": ["basic_params", "basic_train_values", "basic_eval_values", "basic_grad"],
    "shortcut_only_on_width_change.ipynb": ["basic_params", "basic_train_values", "basic_eval_values"],
    "projection_without_bn.ipynb": ["basic_params", "basic_train_values", "basic_grad", "stage_values"],
    "stride_on_first_1x1.ipynb": ["bottleneck_values", "stage_values"],
    "stage_stride_every_block.ipynb": ["stage_shapes", "stage_values"],
    "stage_expansion_forgotten.ipynb": ["stage_shapes", "stage_values"],
}
ALTERNATIVES = ["alt_correct_functional.ipynb", "alt_correct_modules.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    out = tmp_path_factory.mktemp(TOPIC)
    names = [*BUGGY, *ALTERNATIVES]
    return {seed: fixture_grader(fixtures / TOPIC, out / str(seed), TOPIC, names, seed)
            for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, seed, expect):
    expect.fails_targets(graded[seed][name], name, BUGGY[name])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, seed, expect):
    expect.full_marks(graded[seed][name])


def test_ready_made_resnet_is_forbidden():
    from autograder.checks.forbidden import scan
    from autograder.topics import get_topic

    src = "import torchvision\nnet = torchvision.models.resnet18()\n"
    findings = scan([(1, src)], get_topic(TOPIC).forbidden)
    assert [f.api for f in findings] == ["torchvision.models.resnet18"]
