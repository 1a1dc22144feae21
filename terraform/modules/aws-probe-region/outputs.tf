output "probe_region" {
  description = "The probe region this worker speaks for (must be in the config's probeRegions)."
  value       = var.probe_region
}

output "security_group_id" {
  description = "Security group of the probe task; add it to aws-control's redis_client_security_group_ids when in the control VPC."
  value       = module.probe.security_group_id
}

output "ecs_service_name" {
  description = "ECS service of the probe worker."
  value       = module.probe.service_name
}

output "ecs_cluster_arn" {
  description = "ECS cluster the probe runs in."
  value       = local.cluster
}

output "execution_role_arn" {
  description = "ECS execution role of the probe (image pull, logs, injected secrets)."
  value       = module.probe.execution_role_arn
}

output "log_group_name" {
  description = "CloudWatch log group of the probe's JSON logs."
  value       = module.probe.log_group_name
}
