// The AWS CDK equivalent of `python -m offline plan --stack dev`, for bench/plan.py to time:
// an EKS FargateCluster with the AWS Load Balancer Controller and the 2048 game, synthesized
// to CloudFormation (nothing is deployed). Versions follow the Pulumi stack's pins.
const os = require("os");
const path = require("path");
const fs = require("fs");
const cdk = require("aws-cdk-lib");
const eks = require("aws-cdk-lib/aws-eks");
const { KubectlV35Layer } = require("@aws-cdk/lambda-layer-kubectl-v35");

const NAMESPACE = "fargate-game-2048";
const LABELS = { "app.kubernetes.io/name": "app-2048" };
const RESOURCES = { cpu: "250m", memory: "256Mi" };
// A controller version CDK does not list needs its IAM policy: the one the Pulumi stack pins.
const CONTROLLER_POLICY = require("../../components/data/aws-load-balancer-controller-iam-policy-v3.5.0.json");

const outdir = process.env.CDK_OUTDIR || fs.mkdtempSync(path.join(os.tmpdir(), "cdk-bench-"));
const app = new cdk.App({ outdir });
// CDK_STACKS=N: the same stack N times in one app (bench/many_stacks.py), as one stack file per team would be.
const count = Number(process.env.CDK_STACKS || 1);
for (let index = 0; index < count; index++) {
  const stack = new cdk.Stack(app, index === 0 ? "EksFargateDev" : `EksFargateDev${index}`, {
    env: { account: "123456789012", region: "ap-northeast-2" },
  });

  const cluster = new eks.FargateCluster(stack, "Cluster", {
    version: eks.KubernetesVersion.V1_35,
    kubectlLayer: new KubectlV35Layer(stack, "Kubectl"),
    albController: { version: eks.AlbControllerVersion.of("v3.5.0", "3.5.0"), policy: CONTROLLER_POLICY },
  });
  cluster.addFargateProfile("Game", { fargateProfileName: NAMESPACE, selectors: [{ namespace: NAMESPACE }] });

  cluster.addManifest(
    "Game2048",
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "deployment-2048", namespace: NAMESPACE, labels: LABELS },
      spec: {
        replicas: 5,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            containers: [
              {
                name: "app-2048",
                image: "public.ecr.aws/l6m2t8p7/docker-2048:latest",
                ports: [{ name: "http", containerPort: 80 }],
                resources: { requests: RESOURCES, limits: RESOURCES },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "service-2048", namespace: NAMESPACE, labels: LABELS },
      spec: { type: "ClusterIP", selector: LABELS, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: {
        name: "ingress-2048",
        namespace: NAMESPACE,
        annotations: {
          "alb.ingress.kubernetes.io/scheme": "internet-facing",
          "alb.ingress.kubernetes.io/target-type": "ip",
        },
      },
      spec: {
        ingressClassName: "alb",
        rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "service-2048", port: { name: "http" } } } }] } }],
      },
    },
  );
}

const assembly = app.synth();
console.log(`synthesized ${assembly.stacks.length} stack(s) into ${assembly.directory}`);
