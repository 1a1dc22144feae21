output "probe_region" {
  description = "The probe region this worker speaks for (must be in the config's probeRegions)."
  value       = var.probe_region
}

output "security_group_id" {
  description = "Security group of the probe task; add it to aws-control's redis_client_security_group_ids when in the control VPC."
  value       = aws_security_group.probe.id
}

output "ecs_service_name" {
  description = "ECS service of the probe worker."
  value       = aws_ecs_service.probe.name
}

output "ecs_cluster_arn" {
  description = "ECS cluster the probe runs in."
  value       = local.cluster
}

output "execution_role_arn" {
  description = "ECS execution role of the probe (image pull, logs, injected secrets)."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the probe's JSON logs."
  value       = aws_cloudwatch_log_group.probe.name
}
