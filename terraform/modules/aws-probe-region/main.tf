# One probe worker (`quorumdns probe --region <probe_region>`) as an ECS Fargate service in the region of the
# provider this module is given (`providers = { aws = aws.<alias> }`). The alternative is the scheduled Lambda
# of serverless.yml; both record into the same Redis.

data "aws_region" "current" {}

locals {
  tags    = merge({ "app" = "quorumdns", "quorumdns:deployment" = var.name, "quorumdns:probe-region" = var.probe_region }, var.tags)
  region  = data.aws_region.current.region
  cluster = var.ecs_cluster_arn != null ? var.ecs_cluster_arn : aws_ecs_cluster.probe[0].arn

  injected_secret_arns = distinct(concat(
    [join(":", slice(split(":", var.redis_url_secret_arn), 0, 7))],
    [for arn in values(var.secret_environment) : join(":", slice(split(":", arn), 0, 7))],
  ))
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

resource "aws_cloudwatch_log_group" "probe" {
  name              = "/ecs/${var.name}/probe-${var.probe_region}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

# Checks go to any port and protocol the config names (https 8443, tcp, dns over UDP 53) and to Redis, so
# egress is open; nothing may connect in except an optional metrics scrape.
resource "aws_security_group" "probe" {
  name_prefix = "${var.name}-probe-"
  description = "quorumdns probe worker ${var.probe_region}"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-probe-${var.probe_region}" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "probe_all" {
  security_group_id = aws_security_group.probe.id
  description       = "checks of any endpoint, Redis, AWS APIs"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "probe_metrics" {
  for_each = toset(var.metrics_ingress_cidrs)

  security_group_id = aws_security_group.probe.id
  description       = "Prometheus scrape of /metrics"
  ip_protocol       = "tcp"
  from_port         = 9464
  to_port           = 9464
  cidr_ipv4         = each.value
}

# --- IAM: the probe calls no AWS API, so it gets no task role at all; the execution role only pulls, logs and
# injects the secrets.

# The execution role is assumed by the ECS agent on the task's behalf; AWS documents its trust policy without
# source conditions (those are documented for task roles), so it gets none.
data "aws_iam_policy_document" "ecs_execution_trust" {
  statement {
    sid     = "EcsAgent"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.probe.arn}:*"]
  }

  statement {
    sid       = "ReadInjectedSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.injected_secret_arns
  }

  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "DecryptInjectedSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []
    content {
      sid       = "PullImage"
      actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = var.ecr_repository_arns
    }
  }

  # GetAuthorizationToken has no resource-level permissions: "*" is the only resource AWS accepts for it.
  dynamic "statement" {
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []
    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${var.name}-probe-exec-"
  description        = "ECS execution role of the quorumdns probe ${var.probe_region}: image, logs, injected secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_execution_trust.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-inject-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# --- the task ----------------------------------------------------------------------------------------------

locals {
  healthcheck_js = "require('http').get('http://127.0.0.1:'+(process.env.QUORUMDNS_METRICS_PORT||9464)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"

  # Plain environment: nothing secret may ever be added here (test/deploy/terraform.test.ts checks the names).
  probe_base_environment = {
    NODE_ENV               = "production"
    QUORUMDNS_METRICS_PORT = "9464"
  }

  redis_url_secret = {
    name      = "REDIS_URL"
    valueFrom = var.redis_url_secret_arn
  }

  probe_container = {
    name      = "probe"
    image     = var.image
    essential = true
    command = [
      "probe", "--region", var.probe_region, "--config", var.config_path,
      "--metrics-port", "9464", "--metrics-host", "0.0.0.0",
    ]
    environment            = [for name, value in merge(local.probe_base_environment, var.environment) : { name = name, value = value }]
    secrets                = concat([local.redis_url_secret], [for name, arn in var.secret_environment : { name = name, valueFrom = arn }])
    portMappings           = [{ containerPort = 9464, protocol = "tcp" }]
    readonlyRootFilesystem = true
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    # SIGTERM: in-flight checks finish (their timeout + 1 s), buffered observations are flushed (up to 5 s).
    stopTimeout = 30
    linuxParameters = {
      initProcessEnabled = true
    }
    healthCheck = {
      command     = ["CMD", "node", "-e", local.healthcheck_js]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.probe.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "probe"
      }
    }
  }
}

resource "aws_ecs_task_definition" "probe" {
  family                   = "${var.name}-probe-${var.probe_region}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions    = jsonencode([local.probe_container])
  tags                     = local.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_service" "probe" {
  name                    = "probe-${var.probe_region}"
  cluster                 = local.cluster
  task_definition         = aws_ecs_task_definition.probe.arn
  desired_count           = var.desired_count
  launch_type             = "FARGATE"
  platform_version        = "LATEST"
  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  tags                    = local.tags
  # Replace, then stop: a region without a live worker goes stale after `staleAfter` (its votes are ignored,
  # not counted as down), but there is no reason to risk it during a deployment.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.probe.id]
    assign_public_ip = var.assign_public_ip
  }
}
