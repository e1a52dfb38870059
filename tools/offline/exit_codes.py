"""The tools' exit codes: one copy for `python -m offline` (offline/__main__.py and the work behind it,
offline/commands.py), `python -m cost` and `python -m teams`. docs/reference.md ("Exit codes") states
them, and tests/repo/test_readme.py holds the two to each other."""

import sys
import traceback

EXIT_OK, EXIT_CHANGES, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2, 3
# `plan` exits 1 when the policy pack finds a mandatory violation or the subnets are too small
# for the pods (the files are written all the same).
EXIT_POLICY = 1
# A Python exception escaped the command: a bug, never a finding (1) nor input to fix (2). Without
# this code Python exits 1, which callers that let 1 pass (`make security`, the diff in CI) read as
# a plan with findings or a diff with changes. 70 is sysexits.h's EX_SOFTWARE, "internal software error"
# (sysexits.h(3head), https://manpages.ubuntu.com/manpages/noble/man3/sysexits.h.3head.html; os.EX_SOFTWARE).
EXIT_CRASH = 70


def crashed(command: str) -> int:
    """For a command's `except Exception`: the traceback, then a line naming the crash, on stderr; EXIT_CRASH.

    The line ends with the exception, which is what a caller that shows only the last line
    (a diff's side, a stack reference's plan) reports."""
    error = sys.exception()
    traceback.print_exc()
    print(f"error: {command} crashed (a bug; the traceback is above): {type(error).__name__}: {error}", file=sys.stderr)
    return EXIT_CRASH
