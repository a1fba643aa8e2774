"""`python -m jazz_solo.report SWEEP_DIR`: the old spelling of `python -m jazz_solo.training.sweep_report`."""

import sys

from jazz_solo.training.sweep_report import main

if __name__ == "__main__":
    main(sys.argv[1:])
