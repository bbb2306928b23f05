"""Bounded reading of what the sandbox leaves (issue 9): JSON by size/depth/count, .npz archives by
member count and declared sizes before anything is allocated, links never followed."""
import json
import os
import zipfile

import numpy as np

from autograder.probe import _read_arrays, _read_json, bounded


def test_deep_json_is_refused_without_recursion_error(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("[" * 200_000 + "]" * 200_000)
    assert _read_json(p) is None
    p.write_text(json.dumps({"a": [[[[1]]]]}))
    assert _read_json(p) == {"a": [[[[1]]]]}
    assert not bounded([[0]] * 300_000)


def test_links_are_never_followed(tmp_path):
    target = tmp_path / "secret.json"
    target.write_text('{"k": 1}')
    link = tmp_path / "obs.json"
    os.symlink(target, link)
    assert _read_json(link) is None
    os.symlink(tmp_path / "a.npz", tmp_path / "l.npz")
    assert isinstance(_read_arrays(tmp_path / "l.npz", ["x"]), str)


def test_npz_read_without_numpy_loader(tmp_path):
    p = tmp_path / "ok.npz"
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.savez(p, x=a, y=np.asfortranarray(a.astype(np.int64)))
    got = _read_arrays(p, ["x", "y"])
    assert np.array_equal(got["x"], a) and got["x"].dtype == np.float32
    assert np.array_equal(got["y"], a)


def test_npz_member_count_and_declared_size_checked_first(tmp_path):
    many = tmp_path / "many.npz"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(5000):
            z.writestr(f"m{i}.npy", b"")
    assert "too many members" in _read_arrays(many, ["x"])
    huge = tmp_path / "huge.npz"
    head = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    head = head + " " * (117 - len(head)) + "\n"
    with zipfile.ZipFile(huge, "w") as z:
        z.writestr("x.npy", b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little") + head.encode() + b"\0" * 8)
    assert "too large" in _read_arrays(huge, ["x"])
    obj = tmp_path / "obj.npz"
    np.savez(obj, x=np.array([{"a": 1}], dtype=object))
    assert isinstance(_read_arrays(obj, ["x"]), str)  # object arrays (pickles) never load
    small = tmp_path / "small.npz"
    np.savez(small, x=np.zeros(1000))
    assert "too large" in _read_arrays(small, ["x"], limit=100)
