from otter.test_files import test_case

OK_FORMAT = False
name = "q5"
points = 2


@test_case(points=1, hidden=False)
def test_two_groups(kmeans, np):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [9.0, 9.0], [9.0, 10.0]])
    centers, labels, history = kmeans(X, 2, np.random.default_rng(0))
    assert np.shape(centers) == (2, 2) and np.shape(labels) == (4,), "wrong output shapes"
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2], f"labels {labels}"
    assert np.isclose(history[-1], 1.0), f"final WCSS {history[-1]}, expected 1.0"


@test_case(points=1, hidden=False)
def test_history_never_increases(kmeans, np):
    X = np.random.default_rng(3).standard_normal((200, 2))
    _, _, history = kmeans(X, 4, np.random.default_rng(4), max_iter=50)
    history = np.asarray(history)
    assert history.ndim == 1 and 1 <= len(history) <= 50, "history: one WCSS per iteration"
    assert np.all(np.diff(history) <= 1e-9), "the WCSS must never increase from one iteration to the next"
