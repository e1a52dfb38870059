"""EKS on Fargate serving the 2048 game through an ALB.

network ─► cluster ─► fargate (profiles, CoreDNS) ─► ALB controller ─► 2048 game
"""

import pulumi

import settings as stack_settings
from components.alb_controller import AlbController, AlbControllerArgs
from components.cluster import Cluster, ClusterArgs
from components.fargate import Fargate, FargateArgs
from components.game_2048 import Game2048, Game2048Args
from components.network import Network, NetworkArgs, NetworkIds

config = stack_settings.load()

if config.network.existing_vpc:
    network = NetworkIds.existing(config.network.existing_vpc)
else:
    network = Network(
        "network",
        NetworkArgs(
            cidr=config.network.vpc_cidr,
            az_count=config.network.az_count,
            nat_mode=config.network.nat_mode,
            name_prefix=config.cluster.name,
            protect=config.protect,
            tags=config.tags,
        ),
    ).ids

cluster = Cluster(
    "cluster",
    ClusterArgs(
        name=config.cluster.name,
        kubernetes_version=config.cluster.kubernetes_version,
        vpc_id=network.vpc_id,
        private_subnet_ids=network.private_subnet_ids,
        public_subnet_ids=network.public_subnet_ids,
        admin_principal_arns=config.cluster.admin_principal_arns,
        log_types=config.cluster.log_types,
        endpoint_public_access=config.cluster.endpoint_public_access,
        endpoint_private_access=config.cluster.endpoint_private_access,
        public_access_cidrs=config.cluster.public_access_cidrs,
        secrets_encryption=config.cluster.secrets_encryption,
        protect=config.protect,
        tags=config.tags,
    ),
)

fargate = Fargate(
    "fargate",
    FargateArgs(
        cluster_name=cluster.name,
        region=config.region,
        private_subnet_ids=network.private_subnet_ids,
        workload_namespaces=[config.app.namespace],
        tags=config.tags,
    ),
)

alb_controller = AlbController(
    "alb-controller",
    AlbControllerArgs(
        cluster_name=cluster.name,
        region=config.region,
        vpc_id=network.vpc_id,
        oidc_provider_arn=cluster.oidc_provider_arn,
        oidc_issuer=cluster.oidc_issuer,
        provider=cluster.provider,
        runs_after=[fargate.kube_system_profile, fargate.coredns],
        tags=config.tags,
    ),
)

game = Game2048(
    "game-2048",
    Game2048Args(
        namespace=config.app.namespace,
        replicas=config.app.replicas,
        image=config.app.image,
        provider=cluster.provider,
        ingress_controller=alb_controller.release,
        runs_after=[fargate.workload_profile],
        public_subnet_ids=network.public_subnet_ids if config.network.existing_vpc else None,
    ),
)

pulumi.export("ingressUrl", game.url)
pulumi.export("clusterName", cluster.name)
pulumi.export("kubeconfig", cluster.kubeconfig)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("podExecutionRoleArn", fargate.pod_execution_role_arn)
pulumi.export("fargateProfileNames", fargate.profile_names)
pulumi.export("albControllerRoleArn", alb_controller.role_arn)
