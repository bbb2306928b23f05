"""Topic 04 fixtures, graded in the process sandbox with a fixed seed: each plausible bug loses
points on the test that targets it (a deterministic farthest-point initialisation loses only the
exact-draw tests, since it still clusters well), and a correct submission written differently
(expanded distances, a loop over clusters) gets full marks."""
import pytest

pytestmark = pytest.mark.slow  # about 1 min: 16 notebooks, each clustering 9 fresh data sets

SEED = 404
TOPIC = "04_kmeans"
# fixture -> the tests it must fail
BUGGY = {'empty_cluster_nan.ipynb': ['update_empty_cluster'], 'kmeanspp_farthest_point.ipynb': ['kmeanspp_values', 'kmeans_values'], 'kmeanspp_distance_not_squared.ipynb': ['kmeanspp_values', 'kmeans_values'], 'wcss_mean.ipynb': ['wcss_values', 'kmeans_values'], 'update_divides_by_n.ipynb': ['update_values', 'update_empty_cluster', 'kmeans_values', 'digits_convergence'], 'squared_distances_not_squared.ipynb': ['assign_values'], 'expanded_distance_not_clipped.ipynb': ['assign_values'], 'ties_to_last_index.ipynb': ['assign_values']}
# fixture -> tests it must still pass (the bug is elsewhere)
STILL_PASSES = {
    "kmeanspp_farthest_point.ipynb": ["blobs_convergence", "digits_convergence", "assign_values"],
    "wcss_mean.ipynb": ["blobs_convergence", "digits_convergence", "kmeanspp_values"],
}
ALTERNATIVES = ['alt_correct_expanded_distance.ipynb', 'alt_correct_float32.ipynb']
# forgery -> its honest twin: the convergence tests are fed (the held-out points and the true blobs
# never reach the sandbox) and scored by assigning held-out points to the returned centres with the
# reference's rule, so a kmeans that looks for the true clusters in its callers' frames scores what
# the same kmeans without the search (first k points as centres, no loop) scores.
FORGERIES = {'true_blobs_from_frame.ipynb': 'first_k_points_no_loop.ipynb'}


@pytest.fixture(scope="module")
def graded(fixtures, tmp_path_factory, fixture_grader):
    return fixture_grader(fixtures / TOPIC, tmp_path_factory.mktemp(TOPIC), TOPIC,
                          [*BUGGY, *ALTERNATIVES, *FORGERIES, *FORGERIES.values()], SEED)


@pytest.mark.parametrize("name", sorted(BUGGY))
def test_buggy_submission_fails_its_target_tests(graded, name):
    report = graded[name]
    status = {t.id: t.status for t in report.tests}
    assert report.grader_errors == 0
    for test_id in BUGGY[name]:
        assert status[test_id] == "failed", f"{name} should fail {test_id}: {status}"
    for test_id in STILL_PASSES.get(name, []):
        assert status[test_id] == "passed", f"{name} should pass {test_id}: {status}"
    assert report.score < report.max_score


@pytest.mark.parametrize("name", ALTERNATIVES)
def test_alternative_correct_submission_gets_full_marks(graded, name, expect):
    expect.full_marks(graded[name])


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forgery_scores_what_its_honest_twin_scores(graded, name):
    forged, twin = graded[name], graded[FORGERIES[name]]
    assert {t.id: t.score for t in forged.tests} == {t.id: t.score for t in twin.tests}
    status = {t.id: t.status for t in twin.tests}
    assert status["blobs_convergence"] == "failed" and status["digits_convergence"] == "failed"
    assert forged.grader_errors == 0 and forged.score < forged.max_score


def test_convergence_verdict_reports_the_metric(graded):
    report = graded["update_divides_by_n.ipynb"]
    digits = next(t for t in report.tests if t.id == "digits_convergence")
    assert "WCSS" in digits.output and digits.status == "failed"
    curve = digits.details.get("curve")
    assert curve and len(curve) >= 1 and "reference_curve" in digits.details


def test_blobs_verdict_scores_only_the_runs_it_asked_for():
    # Trusted side only: the held-out points go to the returned centres by the reference's rule;
    # a run beyond the seeds the grader sent chooses nothing.
    import numpy as np

    from autograder.runtime.harness import output_arrays
    from autograder.topics import get_topic
    from autograder.verdict import load_verdicts

    topic = get_topic(TOPIC)
    test = next(t for t in topic.tests if t.id == "blobs_convergence")
    probes, verdicts = {}, load_verdicts(topic)
    exec(compile(topic.source("probes.py"), "<probes>", "exec"), probes)  # noqa: S102 - ours
    ref_mod = {}
    exec(compile(topic.source("reference.py"), "<reference>", "exec"), ref_mod)  # noqa: S102
    data = probes["blobs_task"](np.random.default_rng(3))
    sent = {k: v for k, v in data.items() if not k.startswith("_")}
    held = {k[1:]: v for k, v in data.items() if k.startswith("_")}
    ref = output_arrays(probes["blobs_convergence"](type("R", (), ref_mod), None)(**sent))
    truth = np.stack([held["X_test"][held["y_test"] == j].mean(axis=0) for j in range(5)])  # (5, 4)
    wrong = np.repeat(sent["X"][:1], 5, axis=0)  # (5, 4) every centre on one point
    runs = {f"centers{i}": wrong for i in range(len(sent["seeds"]))}
    assert verdicts.blobs_ari(ref=ref, sub={**runs, "centers9": truth}, test=test, seed=0,
                              held_out=held).fraction == 0.0
    runs["centers1"] = truth
    assert verdicts.blobs_ari(ref=ref, sub=runs, test=test, seed=0, held_out=held).fraction == 1.0
