output "probe_region" {
  description = "The probe region this worker speaks for (must be in the config's probeRegions)."
  value       = local.probe_region
}

output "service_account_email" {
  description = "Service account of the probe worker."
  value       = google_service_account.probe.email
}

output "cloud_run_service_name" {
  description = "Cloud Run service of the probe worker."
  value       = google_cloud_run_v2_service.probe.name
}
