"""`python -m tools.deploy`: the command line (`tools.deploy.cli`)."""

import sys

from tools.deploy.cli import main

if __name__ == "__main__":
    sys.exit(main())
