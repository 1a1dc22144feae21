# The evaluator as an ECS Fargate service. Two tasks by default: the evaluator's compare-and-set commits and the
# generation fencing of apply jobs make concurrent evaluators safe, and one keeps working while the other is
# replaced (deployment_minimum_healthy_percent = 50).

resource "aws_cloudwatch_log_group" "evaluator" {
  name              = "/ecs/${var.name}/evaluator"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  tags = local.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

locals {
  # The container's health check: the same probe as the image's HEALTHCHECK (ECS does not use the image's).
  healthcheck_js = "require('http').get('http://127.0.0.1:'+(process.env.QUORUMDNS_METRICS_PORT||9464)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"

  # Plain environment: nothing secret may ever be added here (test/deploy/terraform.test.ts checks the names).
  evaluator_base_environment = {
    NODE_ENV               = "production"
    QUORUMDNS_METRICS_PORT = "9464"
  }

  # Secrets reach the container only through ECS `secrets` (valueFrom), resolved by the execution role at start.
  redis_url_secret = {
    name      = "REDIS_URL"
    valueFrom = aws_secretsmanager_secret.redis_url.arn
  }

  evaluator_container = {
    name      = "evaluator"
    image     = var.image
    essential = true
    command = [
      "evaluate", "--config", var.config_path, "--tick", var.evaluator_tick,
      "--metrics-port", "9464", "--metrics-host", "0.0.0.0",
    ]
    environment            = [for name, value in merge(local.evaluator_base_environment, var.environment) : { name = name, value = value }]
    secrets                = concat([local.redis_url_secret], [for name, arn in var.secret_environment : { name = name, valueFrom = arn }])
    portMappings           = [{ containerPort = 9464, protocol = "tcp" }]
    readonlyRootFilesystem = true
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    # SIGTERM lets in-flight evaluations finish; 30 s is far more than one evaluation takes.
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
        awslogs-group         = aws_cloudwatch_log_group.evaluator.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "evaluator"
      }
    }
  }
}

resource "aws_ecs_task_definition" "evaluator" {
  family                   = "${var.name}-evaluator"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.evaluator_cpu
  memory                   = var.evaluator_memory
  execution_role_arn       = aws_iam_role.evaluator_execution.arn
  task_role_arn            = aws_iam_role.evaluator_task.arn
  container_definitions    = jsonencode([local.evaluator_container])
  tags                     = local.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }
}

resource "aws_ecs_service" "evaluator" {
  name                               = "evaluator"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.evaluator.arn
  desired_count                      = var.evaluator_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 50
  deployment_maximum_percent         = 200
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  tags                               = local.tags

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.evaluator.id]
    assign_public_ip = var.assign_public_ip
  }
}
