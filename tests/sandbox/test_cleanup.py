"""Clean-up that cannot fail (issue 9): whatever a submission leaves in its working folder."""
import os
import subprocess
import sys

from autograder.sandbox.cleanup import remove_tree, sweep_folders


def test_deep_long_unreadable_tree_is_removed(tmp_path):
    root = tmp_path / "ag-x"
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    for _ in range(1100):  # deeper than the recursion limit, longer than PATH_MAX
        os.mkdir("dddd", dir_fd=fd)
        nfd = os.open("dddd", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)
    (root / "locked").mkdir()
    (root / "locked" / "f").write_text("x")
    os.chmod(root / "locked", 0)
    outside = tmp_path / "keep.txt"
    outside.write_text("keep")
    os.symlink(outside, root / "link")
    os.symlink(tmp_path, root / "dirlink")
    os.mkfifo(root / "fifo")
    assert remove_tree(root) is True
    assert not root.exists() and outside.read_text() == "keep"
    assert remove_tree(root) is True  # already gone: still fine


def test_sweep_removes_only_folders_of_dead_graders(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    (tmp_path / f"ag-{dead}-abc").mkdir()
    (tmp_path / f"ag-docker-{dead}-abc").mkdir()
    (tmp_path / f"ag-{os.getpid()}-mine").mkdir()
    (tmp_path / "ag-noowner").mkdir()
    sweep_folders(tmp_path)
    assert sorted(os.listdir(tmp_path)) == [f"ag-{os.getpid()}-mine", "ag-noowner"]
