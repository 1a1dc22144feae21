# What the evaluator may do with its own AWS identity: Route 53 on the configured zones, nothing else. The roles
# themselves (task role with this policy, execution role) are made by modules/ecs-fargate-service. Every policy
# is an aws_iam_policy_document, so test/deploy/terraform.test.ts can read it.

locals {
  route53_zone_arns = [for id in var.route53_zone_ids : "arn:${local.partition}:route53:::hostedzone/${id}"]
}

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
