"""``python -m autograder.export.gradescope --topic T --root /autograder``: Gradescope's grading step."""
import sys

from autograder.export import main

if __name__ == "__main__":
    sys.exit(main())
