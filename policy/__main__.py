"""Serves the policy pack to the Pulumi engine: `pulumi preview --policy-pack policy`.

Only this file starts the pack's server (constructing `PolicyPack` does, and blocks); the
policies are assembled in `pack.py`. The engine runs this folder as a script, whatever the
folder is called, while the rules import each other as the package `policy` (as the program,
`policy.offline` and the tests do): so the folder is first loaded as that package.
"""

import importlib.util
import sys
from pathlib import Path

if "policy" not in sys.modules:
    _folder = Path(__file__).resolve().parent
    _spec = importlib.util.spec_from_file_location("policy", _folder / "__init__.py", submodule_search_locations=[str(_folder)])
    assert _spec is not None and _spec.loader is not None  # found from a .py file: source loader
    sys.modules["policy"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["policy"])

from pulumi_policy import PolicyPack  # noqa: E402

from policy.pack import PACK_NAME, POLICIES  # noqa: E402

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    description="What EKS on Fargate cannot run, and insecure settings, caught before pulumi up.",
)
