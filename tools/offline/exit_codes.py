"""The exit codes of `python -m offline`: one copy for its command line (offline/__main__.py) and
the work behind it (offline/commands.py). docs/reference.md states them, and
tests/repo/test_readme.py holds the two to each other."""

EXIT_OK, EXIT_CHANGES, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2, 3
# `plan` exits 1 when the policy pack finds a mandatory violation or the subnets are too small
# for the pods (the files are written all the same).
EXIT_POLICY = 1
