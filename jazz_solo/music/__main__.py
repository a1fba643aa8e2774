"""`python -m jazz_solo.music ...`: the old spelling of `python -m jazz_solo.corpus ...`, still accepted."""

import sys

from jazz_solo.corpus.__main__ import main

if __name__ == "__main__":
    main(sys.argv[1:])
