# One probe worker (`quorumdns probe --region <probe_region>`) as an ECS Fargate service
# (modules/ecs-fargate-service) in the region of the provider this module is given
# (`providers = { aws = aws.<alias> }`). The alternative is the scheduled Lambda of serverless.yml; both record
# into the same Redis.

locals {
  tags    = merge({ "app" = "quorumdns", "quorumdns:deployment" = var.name, "quorumdns:probe-region" = var.probe_region }, var.tags)
  cluster = var.ecs_cluster_arn != null ? var.ecs_cluster_arn : aws_ecs_cluster.probe[0].arn
  # A quorumdns region name may hold '.', which ECS service names and task families refuse; the region keeps
  # its own name everywhere else (the --region flag, tags, the description).
  ecs_region = replace(var.probe_region, ".", "-")
}

resource "aws_ecs_cluster" "probe" {
  count = var.ecs_cluster_arn == null ? 1 : 0

  name = "${var.name}-probe"
  tags = local.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

module "probe" {
  source = "../ecs-fargate-service"

  name                       = var.name
  container_name             = "probe"
  service_name               = "probe-${local.ecs_region}"
  description                = "quorumdns probe worker ${var.probe_region}"
  execution_role_name_prefix = "${var.name}-probe-exec-"
  tags                       = local.tags

  image                = var.image
  command              = ["probe", "--region", var.probe_region, "--config", var.config_path]
  redis_url_secret_arn = var.redis_url_secret_arn
  secret_environment   = var.secret_environment
  secrets_kms_key_arns = var.secrets_kms_key_arns
  environment          = var.environment
  ecr_repository_arns  = var.ecr_repository_arns
  # No task_role_policies: the probe calls no AWS API, so it gets no task role at all.

  cluster_arn   = local.cluster
  desired_count = var.desired_count
  # Replace, then stop: a region without a live worker goes stale after `staleAfter` (its votes are ignored,
  # not counted as down), but there is no reason to risk it during a deployment.
  deployment_minimum_healthy_percent = 100
  cpu                                = var.cpu
  memory                             = var.memory
  cpu_architecture                   = var.cpu_architecture
  log_retention_days                 = var.log_retention_days

  vpc_id                = var.vpc_id
  subnet_ids            = var.subnet_ids
  assign_public_ip      = var.assign_public_ip
  metrics_ingress_cidrs = var.metrics_ingress_cidrs
}

# Checks go to any port and protocol the config names (https 8443, tcp, dns over UDP 53) and to Redis, so
# egress is open; nothing may connect in except an optional metrics scrape (in the shared module).
resource "aws_vpc_security_group_egress_rule" "probe_all" {
  security_group_id = module.probe.security_group_id
  description       = "checks of any endpoint, Redis, AWS APIs"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
