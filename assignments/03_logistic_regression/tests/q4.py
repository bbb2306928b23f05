from otter.test_files import test_case

OK_FORMAT = False
name = "q4"
points = 1


@test_case(points=None, hidden=False)
def test_metrics_worked_example(confusion_matrix, precision_recall_f1, np):
    t, p = np.array([1, 1, 0, 0, 1]), np.array([1, 0, 1, 0, 1])
    cm = confusion_matrix(t, p)
    assert np.array_equal(cm, [[1, 1], [1, 2]]), f"got {cm}, expected [[1, 1], [1, 2]]"
    assert np.allclose(precision_recall_f1(t, p), [2 / 3, 2 / 3, 2 / 3])
    assert np.allclose(precision_recall_f1(np.array([1, 0]), np.array([0, 0])), [0, 0, 0]), \
        "no predicted positives: every score is 0"
