"""HTTPS at the edge: the certificate, the Ingress's listeners and redirect, the DNS alias, and what
every ALB of the cluster gets from the IngressClass (TLS policy, access logs, web ACL)."""

import json

import pytest

from components.alb_access_logs import LOG_PREFIX
from components.alb_controller import TLS_POLICY
from eksfargate.facts.elb_access_logs import log_delivery_principals
from eksfargate.settings import SettingsError
from offline.harness import MOCK_ACCOUNT_ID, record
from tests.conftest import recording_of
from tests.stackfacts import PINNED_DEV, RELEASE, STACKS_DIR, setting

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
BUCKET = "aws:s3/bucket:Bucket"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
TLS_FIXTURE = STACKS_DIR / "Pulumi.tls.yaml"
ACM_ARN = "arn:aws:acm:ap-northeast-2:123456789012:certificate/4f0c8a2e-9b7d-4c1e-8a3f-2d6e5b7c9a10"


@pytest.fixture(scope="module")
def tls():
    return recording_of("tls", TLS_FIXTURE)


def annotations(recording):
    return recording.one(INGRESS).inputs["metadata"]["annotations"]


def class_params(recording):
    return recording.one(RELEASE, "alb-controller-release").inputs["values"]["ingressClassParams"]["spec"]


def test_a_certificate_for_the_host_is_validated_in_its_zone_and_the_ingress_waits_for_it(tls):
    certificate = tls.one(CERTIFICATE)
    assert certificate.inputs["domainName"] == setting(tls, "appHost")
    assert certificate.inputs["validationMethod"] == "DNS"
    (option,) = certificate.outputs["domainValidationOptions"]
    validation_record = next(r for r in tls.of_type(RECORD) if r.inputs["name"] == option["resourceRecordName"])
    assert validation_record.inputs["type"] == option["resourceRecordType"]
    assert validation_record.inputs["records"] == [option["resourceRecordValue"]]
    issued = tls.one(VALIDATION)
    assert issued.inputs["validationRecordFqdns"] == [validation_record.outputs["fqdn"]]
    # The Ingress names the certificate through the validation: the controller never sees it before it is issued.
    assert annotations(tls)["alb.ingress.kubernetes.io/certificate-arn"] == certificate.outputs["arn"]
    assert tls.one(INGRESS).depends_on(issued)


def test_with_tls_the_alb_listens_on_https_and_redirects_http(tls):
    found = annotations(tls)
    assert json.loads(found["alb.ingress.kubernetes.io/listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert found["alb.ingress.kubernetes.io/ssl-redirect"] == "443"
    assert tls.one(INGRESS).inputs["spec"]["rules"][0]["host"] == setting(tls, "appHost")
    assert tls.outputs["ingressUrl"] == f"https://{setting(tls, 'appHost')}"


def test_the_hosts_alias_record_points_at_the_apps_alb(tls):
    alias = next(r for r in tls.of_type(RECORD) if r.inputs["name"] == setting(tls, "appHost"))
    hostname = tls.one(INGRESS).outputs["status"]["loadBalancer"]["ingress"][0]["hostname"]
    assert alias.inputs["type"] == "A"
    (target,) = alias.inputs["aliases"]
    assert target["name"] == hostname and target["evaluateTargetHealth"] is True
    validation = tls.one(CERTIFICATE).outputs["domainValidationOptions"][0]["resourceRecordName"]
    assert {r.inputs["zoneId"] for r in tls.of_type(RECORD) if r.inputs["name"] in (validation, setting(tls, "appHost"))} == {
        alias.inputs["zoneId"]
    }


def test_an_existing_certificate_is_used_as_it_is(dev):
    recording = record("dev", overrides={"appHost": "game.example.com", "appCertificateArn": ACM_ARN}, stack_file=PINNED_DEV)
    assert recording.error is None, recording.error
    assert recording.of_type(CERTIFICATE) == [] and recording.of_type(RECORD) == []
    assert annotations(recording)["alb.ingress.kubernetes.io/certificate-arn"] == ACM_ARN
    assert recording.outputs["ingressUrl"] == "https://game.example.com"


def test_without_a_certificate_the_ingress_is_plain_http_and_nothing_is_made_for_tls(dev):
    found = annotations(dev)
    assert not {"alb.ingress.kubernetes.io/certificate-arn", "alb.ingress.kubernetes.io/ssl-redirect"} & found.keys()
    assert dev.of_type(CERTIFICATE) == dev.of_type(RECORD) == dev.of_type(BUCKET) == []
    assert dev.outputs["ingressUrl"].startswith("http://")


def test_every_stacks_alb_class_has_a_tls_1_2_or_later_policy_and_says_whether_it_logs(stack):
    params = class_params(stack)
    assert params["sslPolicy"] == TLS_POLICY and TLS_POLICY.startswith("ELBSecurityPolicy-TLS13-1-2-")
    attributes = {a["key"]: a["value"] for a in params["loadBalancerAttributes"]}
    # Said either way, so that turning logs off turns them off on ALBs that had them.
    assert attributes["access_logs.s3.enabled"] == setting(stack, "albAccessLogs")


def test_access_logs_go_to_a_private_encrypted_expiring_bucket_elb_may_write_to(tls):
    bucket = tls.one(BUCKET)
    attributes = {a["key"]: a["value"] for a in class_params(tls)["loadBalancerAttributes"]}
    assert attributes == {
        "access_logs.s3.enabled": "true",
        "access_logs.s3.bucket": bucket.outputs["bucket"],
        "access_logs.s3.prefix": LOG_PREFIX,
    }
    by_type = {r.type.rsplit(":", 1)[-1]: r.inputs for r in tls.children(tls.by_urn(bucket.parent))}
    (sse,) = by_type["BucketServerSideEncryptionConfiguration"]["rules"]
    assert sse["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"  # SSE-S3, the only one ELB supports
    block = by_type["BucketPublicAccessBlock"]
    assert all(block[key] for key in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    (rule,) = by_type["BucketLifecycleConfiguration"]["rules"]
    assert rule["expiration"]["days"] == int(setting(tls, "albAccessLogRetentionDays"))
    assert rule["filter"]["prefix"] == f"{LOG_PREFIX}/"
    policy = json.loads(by_type["BucketPolicy"]["policy"])
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == log_delivery_principals(tls.config["aws:region"])
    assert {s["Resource"] for s in allows} == {f"{bucket.outputs['arn']}/{LOG_PREFIX}/AWSLogs/{MOCK_ACCOUNT_ID}/*"}
    (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_controller_configures_logging_only_once_elb_may_write_to_the_bucket(tls):
    policy = tls.one("aws:s3/bucketPolicy:BucketPolicy")
    assert tls.one(RELEASE, "alb-controller-release").depends_on(policy)


def test_the_web_acl_is_the_classs(tls, dev):
    assert class_params(tls)["wafv2AclArn"] == setting(tls, "albWebAclArn")
    assert "wafv2AclArn" not in class_params(dev)  # unset: each ALB's web ACL is left as it is


OTHER_REGION_ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge/0d6b3d0a-7a4f-4b7e-9a2e-3c0f9d1e2b3a"


@pytest.mark.parametrize(
    ("overrides", "key", "allowed"),
    [
        ({"appCertificateArn": ACM_ARN}, "appHost", "a certificate is for a host"),
        (
            {"appHost": "game.example.com", "appCertificateArn": "arn:aws:acm:ap-northeast-2:1:cert"},
            "appCertificateArn",
            "an ACM certificate ARN",
        ),
        (
            {"appHost": "game.example.com", "appCertificateArn": ACM_ARN.replace("ap-northeast-2", "us-east-1")},
            "appCertificateArn",
            "a certificate in ap-northeast-2",
        ),
        ({"appHost": "game.example.org", "appHostedZone": "example.com"}, "appHost", "a host in the hosted zone example.com"),
        ({"appHost": "game.example.com", "appDnsRecord": True}, "appDnsRecord", "set the host and the hosted zone"),
        ({"appHost": "Game Example"}, "appHost", "a DNS host name"),
        ({"appHostedZone": "example.com"}, "appHost", "a certificate is for a host"),
        ({"albWebAclArn": OTHER_REGION_ACL}, "albWebAclArn", "a web ACL in ap-northeast-2"),
        ({"albWebAclArn": "arn:aws:wafv2:ap-northeast-2:1:global/webacl/x"}, "albWebAclArn", "regional WAFv2 web ACL ARN"),
        ({"albAccessLogRetentionDays": 0}, "albAccessLogRetentionDays", "a whole number from 1 to 3650"),
    ],
)
def test_edge_misuse_is_a_settings_error_naming_the_key(overrides, key, allowed):
    recording = record("dev", overrides=overrides, stack_file=PINNED_DEV)
    assert isinstance(recording.error, SettingsError), recording.error
    assert recording.error.key == f"eks-fargate:{key}" and allowed in recording.error.allowed
    assert recording.resources == [] or all(r.type == "pulumi:pulumi:Stack" for r in recording.resources)
