locals {
  # Every AWS probe module block (main.tf explains why they cannot be one block with for_each).
  aws_probes = [module.probe_aws_primary, module.probe_aws_secondary]
}

output "probe_regions" {
  description = "The probe regions deployed: the config's probeRegions must be exactly these."
  value       = concat([for probe in local.aws_probes : probe.probe_region], [module.probe_gcp.probe_region])
}

output "redis_primary_endpoint" {
  description = "Redis primary endpoint (TLS, AUTH) in the control VPC."
  value       = module.control.redis_primary_endpoint
}

output "redis_url_secret_name" {
  description = "Secrets Manager name of REDIS_URL (also the serverless.yml param redisUrlSecret for Lambda probes)."
  value       = module.control.redis_url_secret_name
}

output "evaluator_task_role_arn" {
  description = "Role of the evaluators: Route 53 changes on route53_zone_ids only. Leave roleArn unset in the config's route53 provider."
  value       = module.control.evaluator_task_role_arn
}

output "evaluator_log_group" {
  description = "CloudWatch log group of the evaluators."
  value       = module.control.log_group_name
}

output "ecs_cluster_arn" {
  description = "ECS cluster of the control plane."
  value       = module.control.ecs_cluster_arn
}

output "cloud_dns_service_account_email" {
  description = "Service account the evaluators act as in Cloud DNS (through workload identity federation)."
  value       = module.gcp_dns.service_account_email
}

output "gcp_credential_config_json" {
  description = "Write this to gcp-credentials.json next to the config in the image (GOOGLE_APPLICATION_CREDENTIALS); it holds no secret."
  value       = module.gcp_dns.credential_config_json
}

output "gcp_probe_service_account_email" {
  description = "Service account of the Cloud Run probe worker."
  value       = module.probe_gcp.service_account_email
}

output "probe_services" {
  description = "Where each probe worker runs."
  value = merge(
    { for probe in local.aws_probes : probe.probe_region => "ECS ${probe.ecs_cluster_arn} / ${probe.ecs_service_name}" },
    { (module.probe_gcp.probe_region) = "Cloud Run ${var.gcp_probe_region} / ${module.probe_gcp.cloud_run_service_name}" },
  )
}
