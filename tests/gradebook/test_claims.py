"""Two runs into one gradebook grade each submission once (issue 9): claims."""
import socket

from autograder.gradebook import Gradebook, run_owner

KEY = dict(student="ann", topic="10_dl_basics", sha256="0" * 64, version="v")


def test_claim_record_and_takeover(tmp_path):
    book = Gradebook(str(tmp_path / "gb.sqlite"))
    a, b = run_owner(), run_owner()
    assert book.claim(**KEY, owner=a) == "mine"
    assert book.claim(**KEY, owner=b) == "busy"  # a is alive (this very process)
    assert book.record(**KEY, score=1, max_score=1, seed=1, sandbox="process", report_path="r", owner=a)
    assert book.claim(**KEY, owner=b) == "done"
    other = dict(KEY, student="bob")
    assert book.claim(**other, owner=f"{socket.gethostname()} 999999 dead") == "mine"
    assert book.claim(**other, owner=a) == "mine"  # its owner is gone: taken over
    book.release(**other, owner=a)
    assert book.claim(**other, owner=b) == "mine"
    book.close()
