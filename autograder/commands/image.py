"""`autograder image build`: the Docker grading image (debootstrap base, local wheelhouse)."""
from __future__ import annotations


def _cmd_image_build(args, console) -> int:
    from autograder.image import build_image

    tag = build_image(force=args.force, base=args.base,
                      log=lambda m: console.print(m, markup=False, highlight=False))
    console.print(f"grading image: {tag} (also tagged autograder-grader:current)", markup=False)
    return 0


def register(subparsers, console) -> None:
    p = subparsers.add_parser("image", help="the Docker grading image")
    verbs = p.add_subparsers(dest="image_verb", required=True)
    b = verbs.add_parser("build", help="build the grading image (rebuilt only when its inputs change)")
    b.add_argument("--force", action="store_true", help="rebuild from scratch, debootstrap included")
    b.add_argument("--base", default=None,
                   help="build on this registry image (python3 3.11) instead of a debootstrap rootfs")
    b.set_defaults(fn=lambda args: _cmd_image_build(args, console))
