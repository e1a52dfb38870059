"""The test suite.

tests/conftest.py imports the project. An import against the layers (the library importing a tool,
say) can make an import circle, whose traceback names no arrow: so before anything of the project
is imported, the arrows are read off its source and any such import is printed, above the traceback
(tests/repo/test_layers.py fails on them too when the project loads).
"""

from tests.repo.import_graph import print_imports_against_the_layers

print_imports_against_the_layers()
