from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 2

LOSSES = [1.0, 0.8, 0.79, 0.85, 0.81, 0.9, 0.7]


@test_case(points=1, hidden=False)
def test_function_worked_example(early_stopping):
    assert tuple(early_stopping(LOSSES, 3, 0.05)) == (4, 1), f"got {early_stopping(LOSSES, 3, 0.05)}"
    assert tuple(early_stopping(LOSSES, 3, 0.0)) == (5, 2), f"got {early_stopping(LOSSES, 3, 0.0)}"
    stop, best = early_stopping([3.0, 2.0, 1.0], 2)
    assert stop is None and best == 2, f"a run that keeps improving never stops; got {(stop, best)}"


@test_case(points=1, hidden=False)
def test_class_steps(EarlyStopping):
    stopper = EarlyStopping(3, 0.05)
    flags = [stopper.step(x) for x in LOSSES[:5]]
    assert flags == [False, False, False, False, True], f"step() returned {flags}"
    assert stopper.counter == 3 and stopper.best_epoch == 1, (
        f"counter {stopper.counter}, best_epoch {stopper.best_epoch}; expected 3 and 1")
    assert stopper.best_loss == 0.8, f"best_loss {stopper.best_loss}, expected 0.8"
