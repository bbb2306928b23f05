"""Topic 18 fixtures, graded in the process sandbox at two seeds: each plausible bug (skip
concatenated second, padding on the wrong side or axes, a crop that rounds up, no padding at all,
the skip taken before the convolution, a missing ReLU, interpolation instead of the transposed
convolution) loses points on the tests that target it, and correct networks written differently
(zeros-and-copy padding, narrow() crops, a skip stack; functional convolutions and reshape pooling)
get full marks."""
import pytest

pytestmark = pytest.mark.slow  # about 8 s CPU per notebook (torch import in each sandbox)

SEEDS = (1801, 1802)
TOPIC = "18_unet"
# fixture -> the tests it must fail
BUGGY = {
    "cat_order_swapped.ipynb": ["unet_values", "unet_grad"],
    "pad_wrong_side.ipynb": ["crop_pad_values", "unet_values", "unet_grad"],
    "pad_axes_swapped.ipynb": ["crop_pad_values", "unet_shapes", "unet_values"],
    "crop_rounds_up.ipynb": ["crop_pad_values"],
    "no_padding_even_sizes_only.ipynb": ["unet_shapes", "unet_values", "unet_grad"],
    "skip_before_conv.ipynb": ["unet_shapes", "unet_values", "unet_grad"],
    "no_second_relu.ipynb": ["double_conv_values", "unet_values", "unet_grad"],
    "interpolate_instead_of_transpose.ipynb": ["unet_values", "unet_grad"],
}
ALTERNATIVES = ["alt_correct_functional.ipynb", "alt_correct_stack.ipynb"]


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
