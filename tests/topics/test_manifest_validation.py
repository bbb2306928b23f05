"""Manifests are validated on load: every topic's manifest passes, and a misspelt or unknown key
fails naming the file, the test and the key."""
import shutil

import pytest

from autograder.topics import ManifestError, all_topics, load_topic


def test_every_manifest_follows_the_contract():
    assert len(all_topics()) >= 16


@pytest.mark.parametrize("edit, phrase", [
    ('rtool = 1e-5\n', "unknown key 'rtool' (did you mean 'rtol'?)"),
    ('no_warning = true\n', "did you mean 'no_warnings'?"),
    ('kind2 = "V"\n', "did you mean 'kind'?"),
])
def test_misspelt_test_key_is_named(tmp_path, root, edit, phrase):
    topic = tmp_path / "reference" / "10_dl_basics"
    shutil.copytree(root / "reference" / "10_dl_basics", topic)
    text = (topic / "manifest.toml").read_text()
    (topic / "manifest.toml").write_text(text.replace('[[tests]]\nid = "activations_forward"\n',
                                                      '[[tests]]\nid = "activations_forward"\n' + edit, 1))
    with pytest.raises(ManifestError) as exc:
        load_topic(topic)
    assert "manifest.toml" in str(exc.value) and "activations_forward" in str(exc.value)
    assert phrase in str(exc.value)


def test_unknown_top_level_and_limits_keys(tmp_path, root):
    topic = tmp_path / "reference" / "10_dl_basics"
    shutil.copytree(root / "reference" / "10_dl_basics", topic)
    text = (topic / "manifest.toml").read_text()
    (topic / "manifest.toml").write_text(text.replace("[limits]\n", "[limits]\nwall_sec = 5\n", 1))
    with pytest.raises(ManifestError, match=r"\[limits\]: unknown key 'wall_sec' \(did you mean 'wall_s'\?\)"):
        load_topic(topic)
    (topic / "manifest.toml").write_text("titel = 'x'\n" + text)
    with pytest.raises(ManifestError, match="unknown key 'titel'"):
        load_topic(topic)


@pytest.mark.parametrize("edit, phrase", [
    # an option of another check kind: a speed factor on a values test is an error, not ignored
    ('factor = 3\n', "(check 'allclose'): unknown key 'factor'"),
    ('flavour = 1\n', "(check 'allclose'): unknown key 'flavour'"),
    ('[tests.options]\nsped = 1\n', "'sped'"),
])
def test_each_check_kind_takes_only_its_own_options(tmp_path, root, edit, phrase):
    topic = tmp_path / "reference" / "10_dl_basics"
    shutil.copytree(root / "reference" / "10_dl_basics", topic)
    text = (topic / "manifest.toml").read_text()
    (topic / "manifest.toml").write_text(text + '\n[[tests]]\nid = "extra"\nname = "q1 x"\n'
                                         'points = 1\nkind = "V"\n' + edit)
    with pytest.raises(ManifestError) as exc:
        load_topic(topic)
    assert "manifest.toml" in str(exc.value) and "extra" in str(exc.value)
    assert phrase in str(exc.value)


def test_speed_options_and_timing_keys(tmp_path, root):
    from autograder.topics import check_options

    assert {"factor", "timing", "rtol", "no_warnings"} <= check_options("speed")
    assert "trusted_slack" not in check_options("speed")  # read by nothing: never accepted
    assert "factor" not in check_options("gradient") and "target" in check_options("custom")
    topic = tmp_path / "reference" / "10_dl_basics"
    shutil.copytree(root / "reference" / "10_dl_basics", topic)
    text = (topic / "manifest.toml").read_text()
    (topic / "manifest.toml").write_text(
        text + '\n[[tests]]\nid = "fast"\nname = "q1 speed"\npoints = 1\nkind = "P"\n'
        'check = "speed"\nfactor = 3\n[tests.timing]\nwarmup = 1\ncals = 5\n')
    with pytest.raises(ManifestError, match=r"\[tests.timing\]: unknown key 'cals' \(did you mean 'calls'\?\)"):
        load_topic(topic)


def test_cli_names_file_and_key_exit_2(tmp_path, root):
    import os
    import subprocess
    import sys

    topic = tmp_path / "reference" / "10_dl_basics"
    shutil.copytree(root / "reference" / "10_dl_basics", topic)
    (tmp_path / "assignments").mkdir()
    text = (topic / "manifest.toml").read_text()
    (topic / "manifest.toml").write_text(text.replace('kind = "V"\n', 'kind = "V"\nrtool = 1\n', 1))
    r = subprocess.run([sys.executable, "-m", "autograder", "list"], capture_output=True, text=True,
                       env={**os.environ, "AUTOGRADER_ROOT": str(tmp_path)}, timeout=120)
    assert r.returncode == 2, r
    err = r.stderr.strip()
    assert "manifest.toml" in err and "'rtool'" in err and len(err.splitlines()) == 1, err
