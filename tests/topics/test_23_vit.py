"""Topic 23 fixtures, graded in the process sandbox: each plausible bug (patches flattened
channels-last or in column-major grid order, the class token appended, the position embedding
added before the class token, post-LN blocks, the head on the mean token, no attention scale,
heads split by a plain reshape) loses points on the tests that target it, and correct models
written differently (F.unfold patches with einsum attention; float64 softmax with an erf GELU) get
full marks. Bugs in the model itself are graded at a second seed too."""
import pytest

pytestmark = pytest.mark.slow  # about 8 s CPU per notebook (torch import in each sandbox)

SEEDS = (2301, 2302)
TOPIC = "23_vit"
# fixture -> the tests it must fail
BUGGY = {
    "patch_flatten_channels_last.ipynb": ["patchify_values", "patch_embed_values"],
    "patch_grid_column_major.ipynb": ["patchify_values", "patch_embed_values"],
    "cls_token_appended.ipynb": ["vit_values", "vit_grad"],
    "pos_embed_before_cls.ipynb": ["vit_params", "vit_values", "vit_grad"],
    "post_ln_blocks.ipynb": ["vit_values", "vit_grad"],
    "head_on_mean_token.ipynb": ["vit_values", "vit_grad"],
    "attention_no_scale.ipynb": ["vit_values", "vit_grad"],
    "heads_split_wrong.ipynb": ["vit_values", "vit_grad"],
}
SECOND_SEED = ["attention_no_scale.ipynb", "cls_token_appended.ipynb", "heads_split_wrong.ipynb"]
ALTERNATIVES = ["alt_correct_float64.ipynb", "alt_correct_unfold_einsum.ipynb"]


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    out = tmp_path_factory.mktemp(TOPIC)
    first = fixture_grader(fixtures / TOPIC, out / "a", TOPIC, [*BUGGY, *ALTERNATIVES], SEEDS[0])
    second = fixture_grader(fixtures / TOPIC, out / "b", TOPIC, [*SECOND_SEED, *ALTERNATIVES], SEEDS[1])
    return {SEEDS[0]: first, SEEDS[1]: second}


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name, expect):
    expect.fails_targets(graded[SEEDS[0]][name], name, BUGGY[name])


@pytest.mark.parametrize("name", SECOND_SEED)
def test_model_bug_fails_at_another_seed(graded, name, expect):
    expect.fails_targets(graded[SEEDS[1]][name], name, BUGGY[name])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, seed, expect):
    expect.full_marks(graded[seed][name])


def test_ready_made_transformer_layers_are_forbidden():
    from autograder.checks.forbidden import scan
    from autograder.topics import get_topic

    src = ("import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"
           "layer = nn.TransformerEncoderLayer(16, 4)\nout = F.scaled_dot_product_attention(q, k, v)\n")
    apis = {f.api for f in scan([(1, src)], get_topic(TOPIC).forbidden)}
    assert {"torch.nn.TransformerEncoderLayer",
            "torch.nn.functional.scaled_dot_product_attention"} <= apis, apis
