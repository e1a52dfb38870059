"""Pulumi type tokens of the resources (and the invokes) the programs declare and the tools
and the policy pack read back: each spelled once. A token is part of every resource's URN: a changed
token is a new resource to Pulumi, so these follow the pinned SDKs (requirements.txt)."""

# pulumi-eks
EKS_CLUSTER_COMPONENT = "eks:index:Cluster"

# AWS: EKS
EKS_CLUSTER = "aws:eks/cluster:Cluster"
FARGATE_PROFILE = "aws:eks/fargateProfile:FargateProfile"
EKS_ADDON = "aws:eks/addon:Addon"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"

# AWS: network
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
ELASTIC_IP = "aws:ec2/eip:Eip"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECURITY_GROUP_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"

# AWS: IAM, KMS, logs
IAM_ROLE = "aws:iam/role:Role"
IAM_POLICY = "aws:iam/policy:Policy"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
KMS_KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"

# AWS: the edge (certificates, DNS, access logs)
ACM_CERTIFICATE = "aws:acm/certificate:Certificate"
ROUTE53_RECORD = "aws:route53/record:Record"
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
GET_HOSTED_ZONE = "aws:route53/getZone:getZone"
GET_LOAD_BALANCER_HOSTED_ZONE_ID = "aws:lb/getHostedZoneId:getHostedZoneId"

# AWS: alarms, the topic they notify, dashboards; the controller's ALB and target groups looked up
SNS_TOPIC = "aws:sns/topic:Topic"
SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SNS_TOPIC_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
GET_LOAD_BALANCER = "aws:lb/getLoadBalancer:getLoadBalancer"
GET_TARGET_GROUP = "aws:lb/getTargetGroup:getTargetGroup"

# Kubernetes
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
SERVICE = "kubernetes:core/v1:Service"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
# The VPC resource controller's custom resource (aws/amazon-vpc-resource-controller-k8s).
SECURITY_GROUP_POLICY = "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"
# External Secrets Operator's custom resources (eksfargate/facts/external_secrets.py).
SECRET_STORE = "kubernetes:external-secrets.io/v1:SecretStore"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"

# Pulumi
KUBERNETES_PROVIDER = "pulumi:providers:kubernetes"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
