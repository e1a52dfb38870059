"""Serves the policy pack to the Pulumi engine: `pulumi preview --policy-pack policy`.

Only this file starts the pack's server (constructing `PolicyPack` does, and blocks); the
policies are assembled in `pack.py`, which the engine finds because it runs this folder.
"""

from pack import PACK_NAME, POLICIES
from pulumi_policy import PolicyPack

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    description="What EKS on Fargate cannot run, and insecure settings, caught before pulumi up.",
)
