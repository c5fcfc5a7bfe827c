"""`python -m tools.doctor`: the command line (`tools.doctor.cli`)."""

import sys

from tools.doctor.cli import main

if __name__ == "__main__":
    sys.exit(main())
