"""`python -m verify --stack <stack>`: the walkthrough's checks on a deployed stack, read-only.

After `pulumi up` (and in the nightly drift run) it reads the stack's outputs and, through the
kubeconfig among them, the cluster; through boto3 the pod log group and the alarms. It only reads:
no call it makes creates, changes or deletes anything (tests/tools/verify/test_read_only.py).
docs/verify.md lists the checks, the exit codes and the permissions it needs.
"""
