"""deploy-stack.yml runs `python -m verify` after a successful `pulumi up` and after the drift preview,
and reads EKS's upgrade insights before `pulumi up`, on the pins `python -m verify` needs."""

import re

from tests.github.test_workflows import load

JOB = load("deploy-stack.yml")["jobs"]["stack"]
STEPS = JOB["steps"]


def index(predicate) -> int:
    found = [number for number, step in enumerate(STEPS) if predicate(step)]
    assert len(found) == 1
    return found[0]


PULUMI = index(lambda step: step.get("uses", "").startswith("pulumi/actions@"))
VERIFY = index(lambda step: "python -m verify --stack" in step.get("run", ""))
INSIGHTS = index(lambda step: "list-insights" in step.get("run", ""))
MARK = index(lambda step: "marker/" in step.get("run", ""))
INSTALL = index(lambda step: "pip install" in step.get("run", ""))


def test_verify_runs_after_pulumi_and_before_the_stack_is_marked_deployed():
    assert INSTALL < PULUMI < VERIFY < MARK
    assert STEPS[PULUMI]["id"] == "pulumi"
    condition = STEPS[VERIFY]["if"]
    # after a successful up; in the drift run after the preview whatever it found; never after a cancel
    assert "steps.pulumi.outcome == 'success'" in condition and "!cancelled()" in condition
    assert re.search(r"inputs\.drift && steps\.pulumi\.outcome == 'failure'", condition)


def test_verify_reads_the_stack_pulumi_deployed_in_its_project():
    step = STEPS[VERIFY]
    assert step["env"]["STACK"] == STEPS[PULUMI]["with"]["stack-name"]
    assert step["env"]["WORKDIR"] == "${{ inputs.workdir }}"
    assert '--project-dir "$WORKDIR"' in step["run"] and '--stack "$STACK"' in step["run"]
    assert {"PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"} <= step["env"].keys()


def test_the_job_installs_the_verify_pins_and_caches_on_them():
    assert "-r requirements-verify.txt" in STEPS[INSTALL]["run"]
    setup = next(step for step in STEPS if step.get("uses", "").startswith("actions/setup-python@"))
    assert "requirements-verify.txt" in setup["with"]["cache-dependency-path"]


def test_upgrade_insights_come_before_pulumi_up_on_platform_stacks_only():
    step = STEPS[INSIGHTS]
    assert INSIGHTS < PULUMI
    assert step["if"] == "${{ !inputs.drift && inputs.workdir == '.' }}"
    run = step["run"]
    assert '\\"categories\\":[\\"UPGRADE_READINESS\\"]' in run and '\\"kubernetesVersions\\":[\\"$target\\"]' in run
    assert 'select(.insightStatus.status == "ERROR")' in run and "exit 1" in run
    assert "python -m verify.upgrade_target" in run
