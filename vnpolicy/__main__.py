"""`python -m vnpolicy` is the `vnpolicy` command."""

import sys

from vnpolicy.api.cli import main

sys.exit(main())
