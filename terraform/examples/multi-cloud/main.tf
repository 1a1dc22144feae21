# A complete multi-cloud quorumdns:
#   control plane (Redis + two evaluators) in aws_control_region;
#   three probe workers: AWS aws_control_region, AWS aws_secondary_probe_region, Google Cloud gcp_probe_region;
#   DNS steered in Route 53 (task role, zones only) and Cloud DNS (service account, zones only, reached from
#   AWS through workload identity federation).
# The config's probeRegions must be exactly the three `probe_regions` of the outputs.

locals {
  config_path         = "/etc/quorumdns"
  ecr_repository_arns = var.ecr_repository_arn == null ? [] : [var.ecr_repository_arn]
}

data "aws_caller_identity" "current" {}

module "control" {
  source = "../../modules/aws-control"

  name                        = var.name
  vpc_id                      = var.control_vpc_id
  subnet_ids                  = var.control_subnet_ids
  image                       = var.image
  config_path                 = local.config_path
  route53_zone_ids            = var.route53_zone_ids
  redis_auth_token_secret_arn = var.redis_auth_token_secret_arn
  ecr_repository_arns         = local.ecr_repository_arns

  # The probe of the control region shares the VPC; the others come over peering and VPN.
  redis_client_security_group_ids  = [module.probe_aws_primary.security_group_id]
  redis_client_cidrs               = concat(var.secondary_probe_cidrs, var.gcp_probe_cidrs)
  redis_url_secret_replica_regions = [var.aws_secondary_probe_region]

  secret_environment = var.notification_secret_arns
  environment = {
    # The credential configuration (output gcp_credential_config_json) baked into the image beside the config.
    GOOGLE_APPLICATION_CREDENTIALS = "${local.config_path}/gcp-credentials.json"
  }
}

# One module block per AWS probe region, not one block with for_each over the regions: a module block's
# `providers` map is fixed for all of its instances (Terraform cannot choose a provider configuration per
# for_each key), and each region needs its own aliased provider (providers.tf). Another AWS probe region is one
# more provider alias, one more block like these and one more entry in local.aws_probes.
module "probe_aws_primary" {
  source = "../../modules/aws-probe-region"
  providers = {
    aws = aws
  }

  name                 = var.name
  probe_region         = var.aws_control_region
  vpc_id               = var.control_vpc_id
  subnet_ids           = var.control_subnet_ids
  image                = var.image
  config_path          = local.config_path
  ecs_cluster_arn      = module.control.ecs_cluster_arn
  redis_url_secret_arn = module.control.redis_url_secret_arn
  ecr_repository_arns  = local.ecr_repository_arns
}

module "probe_aws_secondary" {
  source = "../../modules/aws-probe-region"
  providers = {
    aws = aws.secondary_probe
  }

  name         = var.name
  probe_region = var.aws_secondary_probe_region
  vpc_id       = var.secondary_probe_vpc_id
  subnet_ids   = var.secondary_probe_subnet_ids
  image        = var.image
  config_path  = local.config_path
  # The replica of the REDIS_URL secret in that region: same name and ARN, other region.
  redis_url_secret_arn = replace(module.control.redis_url_secret_arn, ":${var.aws_control_region}:", ":${var.aws_secondary_probe_region}:")
  # ECR pulls across regions work with the repository's ARN in its own region.
  ecr_repository_arns = local.ecr_repository_arns
}

# Cloud Run reads secrets from Secret Manager: a copy of REDIS_URL lives there, readable by the probe only.
resource "google_secret_manager_secret" "redis_url" {
  project   = var.gcp_project_id
  secret_id = "${var.name}-redis-url"
  labels    = { app = "quorumdns" }

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "redis_url" {
  secret      = google_secret_manager_secret.redis_url.id
  secret_data = module.control.redis_url
}

module "probe_gcp" {
  source = "../../modules/gcp-probe-region"
  providers = {
    google = google
  }

  name        = var.name
  project_id  = var.gcp_project_id
  region      = var.gcp_probe_region
  image       = var.gcp_image
  config_path = local.config_path
  network     = var.gcp_network
  subnetwork  = var.gcp_subnetwork
  secret_environment = {
    REDIS_URL = google_secret_manager_secret.redis_url.id
  }

  depends_on = [google_secret_manager_secret_version.redis_url]
}

module "gcp_dns" {
  source = "../../modules/gcp-dns-access"
  providers = {
    google = google
  }

  name           = var.name
  project_id     = var.cloud_dns_project_id
  managed_zones  = var.cloud_dns_managed_zones
  aws_account_id = data.aws_caller_identity.current.account_id
  aws_role_name  = module.control.evaluator_task_role_name
}
