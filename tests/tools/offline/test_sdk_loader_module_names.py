"""A lazily loaded package module named like one of its own functions (pulumi_aws's get_caller_identity) still
binds the function, as `from .get_caller_identity import *` does, whichever of its names is read first."""

from tests.tools.offline.test_sdk_loader import load, write_package  # noqa: F401  (load is a fixture)

SDK = {
    "__init__.py": "from .get_identity import *\n",
    "get_identity.py": (
        "__all__ = ['get_identity', 'get_identity_output']\n"
        "def get_identity():\n    return 'plain'\n"
        "def get_identity_output():\n    return 'output'\n"
    ),
}


def test_reading_the_output_form_first_leaves_the_plain_function_callable(tmp_path, load):  # noqa: F811
    package = load(write_package(tmp_path, SDK))
    assert package.get_identity_output() == "output"
    # Importing the submodule binds it on the package under its own name; the star import rebinds the function.
    assert package.get_identity() == "plain"
