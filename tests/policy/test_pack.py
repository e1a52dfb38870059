"""The pack itself: the engine serves every declared rule from the pack's folder, with its pins."""

from __future__ import annotations

import importlib
import runpy
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
import yaml
from pulumi_policy import EnforcementLevel, Policy

from eksfargate.project import PLATFORM_PROJECT_DIR
from policy.pack import PACK_NAME, POLICIES

POLICY_DIR = PLATFORM_PROJECT_DIR / "policy"


def test_pack_serves_every_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """`__main__.py` builds one PolicyPack of all the policies (the real one would start serving here)."""
    built: dict[str, Any] = {}
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: built.update(kwargs))
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "pack", raising=False)
    runpy.run_path(str(POLICY_DIR), run_name="__main__")  # as the engine runs the pack: its folder
    sys.modules.pop("pack", None)
    assert built["name"] == PACK_NAME
    assert [p.name for p in built["policies"]] == [p.name for p in POLICIES]
    assert len({p.name for p in POLICIES}) == len(POLICIES)
    levels = {p.name: p.enforcement_level for p in POLICIES}
    assert {name for name, level in levels.items() if level == EnforcementLevel.ADVISORY} == {
        "ingress-has-tls",
        "cluster-endpoint-not-open-to-world",
        "cluster-control-plane-logging",
        "cluster-secrets-encryption",
        "kubernetes-version-in-standard-support",
        "fargate-logging-off",
        "image-tag-pinned",
        "workload-has-disruption-budget",
        "tenant-team-has-access",
    }
    assert set(levels.values()) == {EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY}


def test_the_engine_loads_the_pack_from_a_folder_of_any_name_without_the_project(tmp_path: Path) -> None:
    """As `pulumi.policy` runs the pack: its folder, under another name, and nothing of this checkout importable
    but what the project's venv has installed (the library, whose domain facts the rules read)."""
    folder = tmp_path / "eks-fargate-pack"
    shutil.copytree(POLICY_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    serve = (
        "import runpy, sys, pulumi_policy\n"
        "built = {}\n"
        "pulumi_policy.PolicyPack = lambda **kwargs: built.update(kwargs)\n"
        f"sys.path.insert(0, {str(folder)!r})\n"
        f"runpy.run_path({str(folder)!r}, run_name='__main__')\n"
        "print(built['name'], len(built['policies']), sys.modules['policy'].__file__)\n"
    )
    # -I: no current folder, no PYTHONPATH, no user site: only the pack's folder and the venv's packages.
    done = subprocess.run([sys.executable, "-I", "-c", serve], cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [PACK_NAME, str(len(POLICIES)), str(folder / "__init__.py")]


def test_every_declared_rule_is_in_the_pack() -> None:
    """A rule declared in a `*_rules.py` module but not listed in `pack.py` would silently never run."""
    declared = []
    for path in sorted(POLICY_DIR.glob("*_rules.py")):
        module = importlib.import_module(f"policy.{path.stem}")
        declared += [value for value in vars(module).values() if isinstance(value, Policy)]
    assert len(declared) >= 20
    assert sorted(map(id, declared)) == sorted(map(id, POLICIES))


def test_pack_project_and_pins() -> None:
    project = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python" and project["runtime"]["options"]["virtualenv"] == "../venv"
    requirements = (POLICY_DIR / "requirements.txt").read_text().split()
    assert requirements == [f"pulumi-policy=={pulumi_policy_version()}", f"pulumi=={pulumi_version()}"]


def pulumi_policy_version() -> str:
    return version("pulumi_policy")


def pulumi_version() -> str:
    return version("pulumi")
