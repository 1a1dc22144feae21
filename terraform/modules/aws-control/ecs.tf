# The evaluator as an ECS Fargate service (modules/ecs-fargate-service). Two tasks by default: the evaluator's
# compare-and-set commits and the generation fencing of apply jobs make concurrent evaluators safe, and one
# keeps working while the other is replaced (deployment_minimum_healthy_percent = 50).

resource "aws_ecs_cluster" "this" {
  name = var.name
  tags = local.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

module "evaluator" {
  source = "../ecs-fargate-service"

  name                       = var.name
  container_name             = "evaluator"
  service_name               = "evaluator"
  description                = "quorumdns evaluator tasks"
  execution_role_name_prefix = "${var.name}-eval-exec-"
  tags                       = local.tags

  image   = var.image
  command = ["evaluate", "--config", var.config_path, "--tick", var.evaluator_tick]
  # Secrets reach the container only through ECS `secrets` (valueFrom), resolved by the execution role at start.
  redis_url_secret_arn = aws_secretsmanager_secret.redis_url.arn
  secret_environment   = var.secret_environment
  secrets_kms_key_arns = var.secrets_kms_key_arns
  environment          = var.environment
  ecr_repository_arns  = var.ecr_repository_arns
  # The evaluator's own AWS calls: Route 53 only (iam.tf).
  task_role_policies = {
    route53-managed-zones = data.aws_iam_policy_document.route53.json
  }

  cluster_arn                        = aws_ecs_cluster.this.arn
  desired_count                      = var.evaluator_count
  deployment_minimum_healthy_percent = 50
  cpu                                = var.evaluator_cpu
  memory                             = var.evaluator_memory
  cpu_architecture                   = var.cpu_architecture
  log_retention_days                 = var.log_retention_days

  vpc_id                = var.vpc_id
  subnet_ids            = var.subnet_ids
  assign_public_ip      = var.assign_public_ip
  metrics_ingress_cidrs = var.metrics_ingress_cidrs
}
