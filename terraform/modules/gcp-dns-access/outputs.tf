output "service_account_email" {
  description = "Service account the evaluator acts as in Cloud DNS."
  value       = google_service_account.dns.email
}

output "custom_role_name" {
  description = "The custom DNS role bound on each managed zone."
  value       = google_project_iam_custom_role.dns_record_editor.name
}

output "workload_identity_provider" {
  description = "Full name of the workload identity pool provider (the audience of the token exchange)."
  value       = google_iam_workload_identity_pool_provider.aws.name
}

output "credential_config_json" {
  description = "external_account credential configuration for google-auth-library (no secret inside); see docs/deploy.md."
  value       = local.credential_config
}

output "project_number" {
  description = "Number of the DNS project."
  value       = data.google_project.dns.number
}
