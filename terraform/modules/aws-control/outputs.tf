output "redis_primary_endpoint" {
  description = "Primary endpoint of the Redis replication group (follows automatic failover)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "redis_port" {
  description = "Redis port (TLS only)."
  value       = aws_elasticache_replication_group.redis.port
}

output "redis_url_secret_arn" {
  description = "Secrets Manager secret holding REDIS_URL; in a replica region the ARN is the same with that region."
  value       = aws_secretsmanager_secret.redis_url.arn
}

output "redis_url_secret_name" {
  description = "Name of the REDIS_URL secret (serverless.yml param redisUrlSecret)."
  value       = aws_secretsmanager_secret.redis_url.name
}

output "redis_url" {
  description = "The Redis URL with its token, for copying into another cloud's secret store. Sensitive."
  value       = local.redis_url
  sensitive   = true
}

output "redis_security_group_id" {
  description = "Security group of Redis."
  value       = aws_security_group.redis.id
}

output "evaluator_task_role_arn" {
  description = "Role the evaluator runs as (Route 53 rights on the configured zones; the AWS identity GCP workload identity federation trusts)."
  value       = module.evaluator.task_role_arn
}

output "evaluator_task_role_name" {
  description = "Name of the evaluator task role (gcp-dns-access: aws_role_name)."
  value       = module.evaluator.task_role_name
}

output "evaluator_execution_role_arn" {
  description = "ECS execution role of the evaluator (image pull, logs, injected secrets)."
  value       = module.evaluator.execution_role_arn
}

output "evaluator_security_group_id" {
  description = "Security group of the evaluator tasks."
  value       = module.evaluator.security_group_id
}

output "ecs_cluster_arn" {
  description = "ECS cluster of the control plane (a probe worker of the same region may run in it too)."
  value       = aws_ecs_cluster.this.arn
}

output "ecs_service_name" {
  description = "ECS service of the evaluator (aws ecs update-service --force-new-deployment restarts it)."
  value       = module.evaluator.service_name
}

output "log_group_name" {
  description = "CloudWatch log group of the evaluator's JSON logs."
  value       = module.evaluator.log_group_name
}
