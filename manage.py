#!/usr/bin/env python
"""Django's command-line utility; ``lantian`` is the same thing installed as a console script."""

import sys

from lantian.cli import main

if __name__ == "__main__":
    sys.exit(main())
