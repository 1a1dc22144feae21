# Two roles per ECS convention: the execution role (ECS itself: pull the image, write logs, read the secrets it
# injects) and the task role (the evaluator's own AWS calls: Route 53 only). Every policy is an
# aws_iam_policy_document, so test/deploy/terraform.test.ts can read it.

locals {
  route53_zone_arns = [for id in var.route53_zone_ids : "arn:${local.partition}:route53:::hostedzone/${id}"]

  # IAM wants the secret's own ARN; an ECS valueFrom may add :json-key:version-stage:version-id after it.
  injected_secret_arns = distinct(concat(
    [aws_secretsmanager_secret.redis_url.arn],
    [for arn in values(var.secret_environment) : join(":", slice(split(":", arn), 0, 7))],
  ))
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

# --- task role: what the evaluator may do -------------------------------------------------------------------

data "aws_iam_policy_document" "route53" {
  statement {
    sid       = "ReadManagedZones"
    actions   = ["route53:ListResourceRecordSets", "route53:GetHostedZone"]
    resources = local.route53_zone_arns
  }

  statement {
    sid       = "ChangeManagedZones"
    actions   = ["route53:ChangeResourceRecordSets"]
    resources = local.route53_zone_arns

    # Optional: only the names the config steers. ForAllValues is also true when the key is missing, hence the
    # Null guard (AWS documents this pairing for the ChangeResourceRecordSets condition keys).
    dynamic "condition" {
      for_each = length(var.route53_record_names) > 0 ? [1] : []
      content {
        test     = "ForAllValues:StringEquals"
        variable = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
        values   = var.route53_record_names
      }
    }

    dynamic "condition" {
      for_each = length(var.route53_record_names) > 0 ? [1] : []
      content {
        test     = "Null"
        variable = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
        values   = ["false"]
      }
    }
  }

  # GetChange authorizes on the change resource (arn:aws:route53:::change/<id>), whose id is only known after
  # ChangeResourceRecordSets answered: change/* is the narrowest resource AWS allows for it. A change id reveals
  # only PENDING/INSYNC and a timestamp, never record data.
  statement {
    sid       = "WaitForChangesToSync"
    actions   = ["route53:GetChange"]
    resources = ["arn:${local.partition}:route53:::change/*"]
  }
}

resource "aws_iam_role" "evaluator_task" {
  name_prefix          = "${var.name}-evaluator-"
  description          = "quorumdns evaluator: Route 53 changes on the configured zones"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_trust.json
  max_session_duration = 3600
  tags                 = local.tags
}

resource "aws_iam_role_policy" "evaluator_route53" {
  name   = "route53-managed-zones"
  role   = aws_iam_role.evaluator_task.id
  policy = data.aws_iam_policy_document.route53.json
}

# --- execution role: what ECS may do on the evaluator's behalf -----------------------------------------------

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.evaluator.arn}:*"]
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

resource "aws_iam_role" "evaluator_execution" {
  name_prefix        = "${var.name}-eval-exec-"
  description        = "ECS execution role of the quorumdns evaluator: image, logs, injected secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_execution_trust.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "evaluator_execution" {
  name   = "pull-log-inject-secrets"
  role   = aws_iam_role.evaluator_execution.id
  policy = data.aws_iam_policy_document.execution.json
}
