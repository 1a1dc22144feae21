output "service_name" {
  description = "ECS service of the task."
  value       = aws_ecs_service.this.name
}

output "security_group_id" {
  description = "Security group of the tasks; the caller adds its egress rules to it."
  value       = aws_security_group.this.id
}

output "execution_role_arn" {
  description = "ECS execution role (image pull, logs, injected secrets)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "Task role the process runs as; null without task_role_policies."
  value       = one(aws_iam_role.task[*].arn)
}

output "task_role_name" {
  description = "Name of the task role; null without task_role_policies."
  value       = one(aws_iam_role.task[*].name)
}

output "log_group_name" {
  description = "CloudWatch log group of the tasks' JSON logs."
  value       = aws_cloudwatch_log_group.this.name
}
