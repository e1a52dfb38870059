"""The README's order and the facts it states that the code also states."""

import re

from offline import __main__ as offline_cli
from offline.harness import PROJECT_DIR

README = (PROJECT_DIR / "README.md").read_text()


def sections() -> list[str]:
    return re.findall(r"^## (.+)$", README, flags=re.M)


def test_deploying_for_real_comes_right_after_the_newcomers_first_screen():
    first_screen = README.split("\n## ", 1)[0]
    assert "make plan" in first_screen and "make test" in first_screen
    assert sections()[0] == "Deploying for real"


def test_troubleshooting_covers_each_failure_with_commands_to_diagnose_it():
    body = README.split("## Troubleshooting\n", 1)[1].split("\n## ", 1)[0]
    for symptom, command in (
        ("Pending", "kubectl describe pod"),
        ("mservice.elbv2.k8s.aws", "get endpoints aws-load-balancer-webhook-service"),
        ("no ALB", "describe ingress"),
        ("destroy", "elbv2.k8s.aws/cluster"),
    ):
        assert symptom in body and command in body, symptom


def test_the_plan_exit_codes_in_the_readme_are_the_commands():
    stated = re.search(r"Exit status of `python -m offline plan`: 0, a plan; 1, (.+?);\s+2, no plan", README, flags=re.S)
    assert stated and "mandatory policy finding" in stated.group(1)
    assert (offline_cli.EXIT_OK, offline_cli.EXIT_POLICY, offline_cli.EXIT_ERROR) == (0, 1, 2)
    assert "`make plan` runs that command" in README
