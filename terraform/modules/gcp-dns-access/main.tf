# Cloud DNS access for the evaluator, which runs on ECS in AWS:
#   - a custom role with exactly the permissions the Cloud DNS adapter uses (roles/dns.admin could also create
#     and delete zones, change DNSSEC and policies; no predefined role is narrower and still writes records);
#   - a service account holding that role on the configured managed zones only (zone-level IAM);
#   - workload identity federation: the evaluator's AWS task role exchanges its own AWS credentials for a
#     short-lived token of that service account. No service account key exists anywhere.

data "google_project" "dns" {
  project_id = var.project_id
}

resource "google_project_iam_custom_role" "dns_record_editor" {
  project     = var.project_id
  role_id     = "${replace(var.name, "-", "_")}_dns_record_editor"
  title       = "quorumdns DNS record editor"
  description = "Read and change record sets of a managed zone (granted per zone, never on the project)."
  permissions = [
    "dns.changes.create",
    "dns.changes.get",
    "dns.managedZones.get",
    "dns.resourceRecordSets.create",
    "dns.resourceRecordSets.delete",
    "dns.resourceRecordSets.list",
    "dns.resourceRecordSets.update",
  ]
}

resource "google_service_account" "dns" {
  project      = var.project_id
  account_id   = "${var.name}-dns"
  display_name = "quorumdns evaluator: Cloud DNS record changes"
  description  = "Impersonated by the quorumdns evaluator on AWS through workload identity federation."
}

resource "google_dns_managed_zone_iam_member" "dns_record_editor" {
  for_each = toset(var.managed_zones)

  project      = var.project_id
  managed_zone = each.value
  role         = google_project_iam_custom_role.dns_record_editor.name
  member       = "serviceAccount:${google_service_account.dns.email}"
}

resource "google_iam_workload_identity_pool" "aws" {
  project                   = var.project_id
  workload_identity_pool_id = "${var.name}-aws"
  display_name              = "quorumdns evaluator on AWS"
  description               = "AWS identities of the quorumdns evaluator"
}

locals {
  # The session ARN of an assumed role (arn:aws:sts::<account>:assumed-role/<role>/<session>) without the
  # session: the attribute the binding below and the condition match on.
  aws_role_session_arn = "arn:aws:sts::${var.aws_account_id}:assumed-role/${var.aws_role_name}"
}

resource "google_iam_workload_identity_pool_provider" "aws" {
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.aws.workload_identity_pool_id
  workload_identity_pool_provider_id = "${var.name}-aws-ecs"
  display_name                       = "AWS account ${var.aws_account_id}"
  description                        = "Sessions of the quorumdns evaluator task role"

  attribute_mapping = {
    "google.subject"     = "assertion.arn"
    "attribute.aws_role" = "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn"
  }

  # Any other role of the account is refused before it can even ask for a token.
  attribute_condition = "attribute.aws_role == '${local.aws_role_session_arn}'"

  aws {
    account_id = var.aws_account_id
  }
}

resource "google_service_account_iam_member" "evaluator_impersonates_dns" {
  service_account_id = google_service_account.dns.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.aws.name}/attribute.aws_role/${local.aws_role_session_arn}"
}

locals {
  # What google-auth-library reads (GOOGLE_APPLICATION_CREDENTIALS): no secret in it, only where to exchange
  # which AWS identity. Ship it in the image next to the config.
  credential_config = jsonencode({
    type                              = "external_account"
    audience                          = "//iam.googleapis.com/${google_iam_workload_identity_pool_provider.aws.name}"
    subject_token_type                = "urn:ietf:params:aws:token-type:aws4_request"
    token_url                         = "https://sts.googleapis.com/v1/token"
    service_account_impersonation_url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${google_service_account.dns.email}:generateAccessToken"
    credential_source = {
      environment_id                 = "aws1"
      regional_cred_verification_url = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"
    }
  })
}
