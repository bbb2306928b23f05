from otter.test_files import test_case

OK_FORMAT = False
name = "q1"
points = 2


@test_case(points=1, hidden=False)
def test_worked_example(bert_masking, torch):
    tokens = torch.tensor([[10, 11, 12, 13]])
    inputs, labels = bert_masking(tokens, torch.tensor([[0.1, 0.5, 0.05, 0.12]]),
                                  torch.tensor([[0.5, 0.3, 0.85, 0.95]]), torch.tensor([[7, 7, 7, 7]]), 3)
    assert inputs.tolist() == [[3, 11, 7, 13]], f"inputs {inputs.tolist()}, expected [[3, 11, 7, 13]]"
    assert labels.tolist() == [[10, -100, 12, 13]], f"labels {labels.tolist()}, expected [[10, -100, 12, 13]]"
    assert tokens.tolist() == [[10, 11, 12, 13]], "the input tokens must not be modified"


@test_case(points=1, hidden=False)
def test_loss_on_scored_positions(masked_lm_loss, torch):
    logits = torch.zeros(1, 3, 4)
    logits[0, 0, 2] = 10.0  # position 0 predicts token 2 confidently
    loss = masked_lm_loss(logits, torch.tensor([[2, -100, -100]]))
    assert tuple(loss.shape) == (), f"shape {tuple(loss.shape)}, expected ()"
    assert float(loss) < 1e-3, f"loss {float(loss)}: only position 0 is scored and it is right"
