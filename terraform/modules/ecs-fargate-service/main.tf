# One long-running quorumdns process (`quorumdns evaluate` or `quorumdns probe`) as an ECS Fargate service: its
# log group, task definition, service and security group. Internal: aws-control and aws-probe-region call it, so
# the two kinds of task cannot drift apart in how they get secrets, logs, health checks and deployments.
# What differs between them stays with the caller: the command, the task role's policies (if any), the
# security group's egress rules, the cluster and the deployment's minimum healthy percent.

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  # AWS provider 6 calls it `region` (`name` is deprecated there).
  region = data.aws_region.current.region

  # The port the image's health check and the metrics server agree on (infra/Dockerfile: QUORUMDNS_METRICS_PORT).
  metrics_port = 9464
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}/${var.service_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

locals {
  # The container's health check: the same probe as the image's HEALTHCHECK (ECS does not use the image's).
  healthcheck_js = "require('http').get('http://127.0.0.1:'+(process.env.QUORUMDNS_METRICS_PORT||9464)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"

  # Plain environment: nothing secret may ever be added here (test/deploy/terraform.test.ts checks the names).
  base_environment = {
    NODE_ENV               = "production"
    QUORUMDNS_METRICS_PORT = "9464"
  }

  # Secrets reach the container only through ECS `secrets` (valueFrom), resolved by the execution role at start.
  redis_url_secret = {
    name      = "REDIS_URL"
    valueFrom = var.redis_url_secret_arn
  }

  container = {
    name      = var.container_name
    image     = var.image
    essential = true
    command = concat(var.command, [
      "--metrics-port", tostring(local.metrics_port), "--metrics-host", "0.0.0.0",
    ])
    environment            = [for name, value in merge(local.base_environment, var.environment) : { name = name, value = value }]
    secrets                = concat([local.redis_url_secret], [for name, arn in var.secret_environment : { name = name, valueFrom = arn }])
    portMappings           = [{ containerPort = local.metrics_port, protocol = "tcp" }]
    readonlyRootFilesystem = true
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    # SIGTERM: an evaluator finishes its in-flight evaluations; a probe finishes its in-flight checks (their
    # timeout + 1 s) and flushes buffered observations (up to 5 s). 30 s is far more than either takes.
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
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = local.region
        awslogs-stream-prefix = var.container_name
      }
    }
  }
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.name}-${var.service_name}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  # null without task_role_policies: a task that calls no AWS API gets no AWS identity at all.
  task_role_arn         = one(aws_iam_role.task[*].arn)
  container_definitions = jsonencode([local.container])
  tags                  = var.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_service" "this" {
  name                               = var.service_name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  deployment_maximum_percent         = 200
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  tags                               = var.tags

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.this.id]
    assign_public_ip = var.assign_public_ip
  }
}
