"""The README as a front page, and the facts the docs state that the code also states."""

import re

from offline import exit_codes
from offline.harness import PROJECT_DIR
from teams import __main__ as teams_command

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


def test_the_exit_codes_in_the_reference_are_the_commands():
    """Its table's columns are the codes exit_codes.py declares, and each command's cell says what the code is for it."""
    body = section((DOCS / "reference.md").read_text(), "Exit codes")
    table = [[cell.strip() for cell in line.strip("|").split("|")] for line in body.splitlines() if line.startswith("| ")]
    header, rows = table[0], {row[0].strip("`"): row for row in table[2:]}
    codes = [int(code) for code in header[1:]]
    declared = {value for name, value in vars(exit_codes).items() if name.startswith("EXIT_")}
    assert sorted(declared) == codes
    said = {(command, code): cell for command, row in rows.items() for code, cell in zip(codes, row[1:], strict=True)}
    assert "mandatory policy finding" in said["python -m offline plan", exit_codes.EXIT_POLICY]
    assert "no plan" in said["python -m offline plan", exit_codes.EXIT_ERROR]
    assert said["python -m offline diff", exit_codes.EXIT_CHANGES] == "changes"
    assert "EKS would refuse" in said["python -m offline diff", exit_codes.EXIT_REFUSED]
    assert "conflict" in said["python -m teams list", teams_command.EXIT_CONFLICT]
    assert all(said[command, exit_codes.EXIT_CRASH] == "crashed" for command in rows)
    assert {"python -m offline plan", "python -m offline diff", "python -m cost", "python -m teams new"} <= set(rows)
