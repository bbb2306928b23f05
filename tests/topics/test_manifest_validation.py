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
