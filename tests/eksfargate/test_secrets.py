"""Secrets from AWS by name (eksfargate/secrets.py): the item's shape, the team's prefix, and the read policy."""

import fnmatch

import pytest

from eksfargate import secrets
from eksfargate.facts.external_secrets import PARAMETER_STORE, SECRETS_MANAGER
from eksfargate.secrets import AwsSecret, parse_item, read_policy

REGION, ACCOUNT = "ap-northeast-2", "123456789012"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:checkout/db-AbC123"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            "DB_PASSWORD=secretsmanager:checkout/db#password",
            AwsSecret("DB_PASSWORD", SECRETS_MANAGER, "checkout/db", "", "password"),
        ),
        ("/etc/app/url=ssm:/checkout/api/url", AwsSecret("/etc/app/url", PARAMETER_STORE, "/checkout/api/url")),
        (f"DB={SECRET_ARN}#user", AwsSecret("DB", SECRETS_MANAGER, "checkout/db", SECRET_ARN, "user")),
        (
            f"URL=arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/checkout/url",
            AwsSecret("URL", PARAMETER_STORE, "/checkout/url", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/checkout/url"),
        ),
    ],
)
def test_an_item_names_its_target_its_source_and_a_json_key(item, expected):
    assert parse_item(item) == expected


@pytest.mark.parametrize(
    "item",
    [
        "DB_PASSWORD",  # no source
        "DB_PASSWORD=checkout/db",  # no service
        "DB_PASSWORD=vault:checkout/db",  # another service
        "DB_PASSWORD=secretsmanager:checkout/db#",  # an empty JSON key
        "1DB=secretsmanager:checkout/db",  # not a variable name
        "/etc/../db=secretsmanager:checkout/db",  # not a normalized path
        "/db=secretsmanager:checkout/db",  # a file directly under /
        "URL=ssm:checkout/url",  # a parameter name without its leading slash
        "DB=arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:checkout/db",  # no 6-character suffix
        "DB=arn:aws:secretsmanager:ap-northeast-2:1234:secret:checkout/db-AbC123",  # no account id
        "DB=arn:aws:s3:::checkout/db",  # not a secret or parameter
    ],
)
def test_anything_else_is_not_an_item(item):
    assert parse_item(item) is None


def test_a_team_reads_only_its_own_prefix_and_region():
    own = parse_item("A=secretsmanager:checkout/db")
    assert own is not None and secrets.item_problem(own, "checkout", REGION) is None
    for item, team in (
        ("A=secretsmanager:ledger/db", "checkout"),
        ("A=secretsmanager:checkoutx/db", "checkout"),  # a longer team name sharing the prefix
        ("A=ssm:/ledger/url", "checkout"),
        ("A=ssm:/checkout/", "checkout"),  # the prefix alone names nothing
    ):
        parsed = parse_item(item)
        assert parsed is not None and "team checkout's own" in (secrets.item_problem(parsed, team, REGION) or "")
    elsewhere = parse_item(f"A=arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:checkout/db-AbC123")
    assert elsewhere is not None and REGION in (secrets.item_problem(elsewhere, "checkout", REGION) or "")


def granted(policy: dict, action: str) -> list[str]:
    return [r for s in policy["Statement"] if action in s["Action"] for r in s["Resource"]]


def test_the_read_policy_grants_each_named_secret_and_no_other():
    items = tuple(
        parse_item(i)
        for i in ("A=secretsmanager:checkout/db#password", "B=secretsmanager:checkout/db#user", "/etc/x/u=ssm:/checkout/url")
    )
    policy = read_policy(items, "", "aws", REGION, ACCOUNT)  # type: ignore[arg-type]
    (secret,) = granted(policy, "secretsmanager:GetSecretValue")
    # The ARN Secrets Manager gives checkout/db (its name, '-' and 6 random characters), not checkout/db-old's.
    assert fnmatch.fnmatchcase(SECRET_ARN, secret)
    assert not fnmatch.fnmatchcase(SECRET_ARN.replace("checkout/db-", "checkout/db-old-"), secret)
    assert not fnmatch.fnmatchcase(SECRET_ARN.replace("checkout/db-AbC123", "checkout/db2-AbC123"), secret)
    assert granted(policy, "ssm:GetParameter") == [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/checkout/url"]
    assert not any("kms:Decrypt" in s["Action"] for s in policy["Statement"])
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions == {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "ssm:GetParameter"}


def test_a_customer_managed_key_is_granted_through_those_services_only():
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
    items = (parse_item("A=ssm:/checkout/url"),)
    policy = read_policy(items, key, "aws", REGION, ACCOUNT)  # type: ignore[arg-type]
    (decrypt,) = [s for s in policy["Statement"] if s["Action"] == "kms:Decrypt"]
    assert decrypt["Resource"] == key
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": [f"ssm.{REGION}.amazonaws.com"]}}


@pytest.mark.parametrize(("text", "seconds"), [("1h", 3600), ("15m", 900), ("1h30m", 5400), ("90s", 90)])
def test_a_refresh_interval_is_a_go_duration(text, seconds):
    assert secrets.refresh_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "1d", "h", "1.5h", "-1h", "1m1h"])
def test_anything_else_is_no_refresh_interval(text):
    assert secrets.refresh_seconds(text) is None
