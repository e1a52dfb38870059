"""`python -m verify.upgrade_target --stack <stack>`: the stack file's cluster name and Kubernetes version,
on one line, for the deploy job's upgrade-insights step (.github/workflows/deploy-stack.yml), which
compares the version with the cluster's and, on a change, reads EKS's upgrade insights first."""

from __future__ import annotations

import argparse
import sys

from eksfargate.project import PLATFORM_PROJECT_DIR
from eksfargate.stack_catalog import project, stack_files
from teams.stacks import cluster_name


def target(stack: str) -> tuple[str, str] | None:
    proj = project(PLATFORM_PROJECT_DIR)
    for stack_file in stack_files(PLATFORM_PROJECT_DIR):
        if stack_file.stack == stack:
            return cluster_name(proj, stack_file), str(proj.setting(stack_file, "kubernetesVersion"))
    return None


def main(argv: list[str] | None = None) -> int:
    command = argparse.ArgumentParser(prog="python -m verify.upgrade_target", description=__doc__)
    command.add_argument("--stack", required=True)
    args = command.parse_args(argv)
    found = target(args.stack)
    if found is None:
        print(f"error: no stack file Pulumi.{args.stack}.yaml", file=sys.stderr)
        return 2
    print(*found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
