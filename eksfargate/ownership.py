"""Who a stack belongs to, in both projects: its team, cost center and owner, tagged on every taggable AWS resource."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TeamSettings:
    """Who a stack belongs to: tagged on every taggable AWS resource."""

    name: str
    cost_center: str
    owner: str


def stack_tags(project: str, stack: str, team: TeamSettings) -> dict[str, str]:
    """The tags of a stack's taggable AWS resources: where they come from, and who owns them."""
    return {
        "pulumi:project": project,
        "pulumi:stack": stack,
        "managed-by": "pulumi",
        "team": team.name,
        "cost-center": team.cost_center,
        "owner": team.owner,
    }
