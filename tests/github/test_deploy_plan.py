"""The deployment order on main, and the refusal to deploy a protected stack without reviewers."""

import importlib.util

import pytest

from offline.harness import PROJECT_DIR

SCRIPT = PROJECT_DIR / ".github" / "scripts" / "deploy_plan.py"
spec = importlib.util.spec_from_file_location("deploy_plan", SCRIPT)
deploy_plan = importlib.util.module_from_spec(spec)
spec.loader.exec_module(deploy_plan)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    for stack, protect in (("b-prod", "true"), ("a-dev", "false"), ("c-dev", None)):
        extra = f"  eks-fargate:protect: {protect}\n" if protect else ""
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(f"config:\n  aws:region: ap-northeast-2\n{extra}")
    return tmp_path


REVIEWED = {"protection_rules": [{"type": "required_reviewers", "reviewers": [{"type": "Team"}]}]}


def test_protected_stacks_go_last(project):
    assert deploy_plan.plan(["c-dev", "b-prod", "a-dev"], project, lambda _: REVIEWED) == ["a-dev", "c-dev", "b-prod"]


@pytest.mark.parametrize("env", [None, {"protection_rules": [{"type": "wait_timer", "wait_timer": 5}]}])
def test_a_protected_stack_without_reviewers_is_refused_with_a_message(project, env):
    with pytest.raises(deploy_plan.Refused, match="pulumi-b-prod.*required reviewers"):
        deploy_plan.plan(["a-dev", "b-prod"], project, lambda _: env)
    # Unprotected stacks need no reviewers.
    assert deploy_plan.plan(["a-dev"], project, lambda _: None) == ["a-dev"]
