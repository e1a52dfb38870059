"""The README as a front page, and the facts the docs state that the code also states."""

import re

from offline import exit_codes
from offline.harness import PROJECT_DIR

README = (PROJECT_DIR / "README.md").read_text()
DOCS = PROJECT_DIR / "docs"
FRONT_PAGE_MAX_LINES = 170


def sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.M)


def section(text: str, title: str) -> str:
    """The body of the `## title` section of a Markdown text, up to the next `## `."""
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_deploying_for_real_comes_right_after_the_newcomers_first_screen():
    first_screen = README.split("\n## ", 1)[0]
    assert "make plan" in first_screen and "make test" in first_screen
    assert sections(README)[0] == "Deploying for real"


def test_the_front_page_stays_under_170_lines():
    assert len(README.splitlines()) < FRONT_PAGE_MAX_LINES


def test_the_commands_without_make_install_the_tools_they_run():
    first_screen = README.split("\n## ", 1)[0]
    assert "python3 -m venv venv && venv/bin/pip install -r requirements-dev.txt" in first_screen
    assert "venv/bin/python -m offline plan --stack dev" in first_screen
    # `python -m offline` finds tools/offline only because requirements-dev.txt installs the project.
    requirements = (PROJECT_DIR / "requirements-dev.txt").read_text().splitlines()
    assert "-e ." in requirements
    assert 'offline = "tools/offline"' in (PROJECT_DIR / "pyproject.toml").read_text()


def test_deploying_for_real_is_short_and_links_to_the_rest():
    body = section(README, "Deploying for real")
    for command in ("make venv", "pulumi login", "pulumi stack init dev", "pulumi up"):
        assert command in body, command
    assert "](docs/operating.md)" in body


def test_the_map_of_the_repository_names_what_exists():
    body = section(README, "The repository")
    places = {place.split()[0] for place in re.findall(r"`([\w./<>-]+/?)`", body) if place.endswith("/")}
    assert {"components/", "eksfargate/", "policy/", "tools/", "tests/", "tenant/", "bench/"} <= places
    assert [place for place in places if not (PROJECT_DIR / place).is_dir()] == []


def test_the_front_page_links_every_doc():
    for doc in sorted(DOCS.glob("*.md")):
        assert f"](docs/{doc.name})" in README, doc.name


def test_troubleshooting_covers_each_failure_with_commands_to_diagnose_it():
    body = section((DOCS / "operating.md").read_text(), "Troubleshooting")
    for symptom, command in (
        ("Pending", "kubectl describe pod"),
        ("mservice.elbv2.k8s.aws", "get endpoints aws-load-balancer-webhook-service"),
        ("no ALB", "describe ingress"),
        ("destroy", "elbv2.k8s.aws/cluster"),
    ):
        assert symptom in body and command in body, symptom


def test_the_plan_exit_codes_in_the_reference_are_the_commands():
    reference = (DOCS / "reference.md").read_text()
    stated = re.search(r"Exit status of `python -m offline plan`: 0, a plan; 1, (.+?);\s+2, no plan", reference, flags=re.S)
    assert stated and "mandatory policy finding" in stated.group(1)
    assert (exit_codes.EXIT_OK, exit_codes.EXIT_POLICY, exit_codes.EXIT_ERROR) == (0, 1, 2)
    assert "`make plan` runs that command" in reference


def test_the_diff_exit_codes_in_the_reference_are_the_commands():
    body = section((DOCS / "reference.md").read_text(), "The plan diff")
    assert re.search(r"Exit 0: no\s+change; 1: changes; 2: error; 3: a change EKS would refuse", body)
    assert (exit_codes.EXIT_OK, exit_codes.EXIT_CHANGES, exit_codes.EXIT_ERROR, exit_codes.EXIT_REFUSED) == (0, 1, 2, 3)
