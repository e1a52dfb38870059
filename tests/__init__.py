"""The test suite.

tests/conftest.py imports the project. An import against the layers (the library importing a tool,
say) can make an import circle, whose traceback names no arrow: so before anything of the project
is imported, the arrows are read off its source and any such import is printed, above the traceback
(tests/repo/test_layers.py fails on them too when the project loads).

Before that too, the suite keeps Python's bytecode of the project's sources and of the tests as
pytest rewrites them, where PYTHONDONTWRITEBYTECODE is set (this project's build machines set it):
every test worker and every plan process the tests start would otherwise compile them again, about
2.5 s of CPU a worker's collection and 0.25 s a plan process. It is Python's own cache beside the
sources (gitignored), read only while they are unchanged; a fresh clone's first process writes it.
No plan's files depend on it.
"""

import os
import sys

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # for the test workers and every process the tests start
sys.dont_write_bytecode = False

from tests.repo.import_graph import print_imports_against_the_layers  # noqa: E402 - bytecode kept from here on

print_imports_against_the_layers()
