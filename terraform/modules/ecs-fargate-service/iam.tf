# Two roles per ECS convention: the execution role (ECS itself: pull the image, write logs, read the secrets it
# injects) and, only when the caller gives it policies, the task role (the process's own AWS calls). Every
# policy here is an aws_iam_policy_document, and a caller's task role policies must be too, so
# test/deploy/terraform.test.ts can read all of them.

locals {
  # IAM wants the secret's own ARN; an ECS valueFrom may add :json-key:version-stage:version-id after it.
  injected_secret_arns = distinct([
    for arn in concat([var.redis_url_secret_arn], values(var.secret_environment)) : join(":", slice(split(":", arn), 0, 7))
  ])
}

# Confused-deputy guard for the task role: only ECS tasks of this account and region may assume it.
data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    sid     = "EcsTasksOfThisAccount"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account}:*"]
    }
  }
}

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

# --- task role: what the process may do (only with task_role_policies) ---------------------------------------

# count and for_each on the policies' names, not their documents: names are known at plan time, documents that
# name resources created in the same apply are not.
resource "aws_iam_role" "task" {
  count = length(var.task_role_policies) > 0 ? 1 : 0

  name_prefix          = "${var.name}-${var.container_name}-"
  description          = "Task role of ${var.description}: ${join(", ", sort(keys(var.task_role_policies)))}"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "task" {
  for_each = var.task_role_policies

  name   = each.key
  role   = aws_iam_role.task[0].id
  policy = each.value
}

# --- execution role: what ECS may do on the task's behalf ----------------------------------------------------

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
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
  name_prefix        = var.execution_role_name_prefix
  description        = "ECS execution role of ${var.description}: image, logs, injected secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_execution_trust.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-inject-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}
