"""``python -m eoc`` (and ``mpiexec -n P python -m mpi4py -m eoc``) runs the command line."""

import sys

from eoc.cli import main

sys.exit(main())
