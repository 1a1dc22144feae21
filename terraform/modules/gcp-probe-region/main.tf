# One probe worker (`quorumdns probe --region <probe_region>`) on Cloud Run. Cloud Run runs request-driven
# containers; the probe is a long-lived worker with its own timer, so the service is pinned to exactly one
# instance (min = max = 1) whose CPU is always allocated (cpu_idle = false), and nothing but Cloud Run itself
# may call it (internal ingress, no invoker binding). Its HTTP port serves /healthz, /readyz and /metrics.

locals {
  probe_region = coalesce(var.probe_region, var.region)
  labels       = merge({ app = "quorumdns", probe-region = replace(local.probe_region, ".", "-") }, var.labels)
  port         = 8080
}

resource "google_service_account" "probe" {
  project      = var.project_id
  account_id   = "${var.name}-probe-${substr(md5(local.probe_region), 0, 8)}"
  display_name = "quorumdns probe worker ${local.probe_region}"
  description  = "Runs the quorumdns probe on Cloud Run; reads its own secrets and nothing else."
}

resource "google_secret_manager_secret_iam_member" "probe_reads_secret" {
  for_each = var.secret_environment

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.probe.email}"
}

resource "google_cloud_run_v2_service" "probe" {
  project  = var.project_id
  name     = "${var.name}-probe-${replace(local.probe_region, ".", "-")}"
  location = var.region
  ingress  = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  labels   = local.labels

  template {
    service_account = google_service_account.probe.email
    labels          = local.labels

    scaling {
      min_instance_count = 1
      max_instance_count = 1
    }

    vpc_access {
      egress = var.vpc_egress

      network_interfaces {
        network    = var.network
        subnetwork = var.subnetwork
      }
    }

    containers {
      image = var.image
      args = [
        "probe", "--region", local.probe_region, "--config", var.config_path,
        "--metrics-port", tostring(local.port), "--metrics-host", "0.0.0.0",
      ]

      ports {
        container_port = local.port
      }

      resources {
        # The worker schedules its own checks: with CPU only during requests it would stall between them.
        cpu_idle = false
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
      }

      env {
        name  = "NODE_ENV"
        value = "production"
      }

      env {
        name  = "QUORUMDNS_METRICS_PORT"
        value = tostring(local.port)
      }

      dynamic "env" {
        for_each = var.environment
        content {
          name  = env.key
          value = env.value
        }
      }

      # Secrets come from Secret Manager at instance start; the service definition holds only their names.
      dynamic "env" {
        for_each = var.secret_environment
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }

      # Started = listening (the port opens once the config is valid and the worker exists); alive = /healthz.
      # Readiness (/readyz) is not a probe here: Redis being away must not restart the worker, whose buffer
      # keeps the observations until Redis is back.
      startup_probe {
        tcp_socket {
          port = local.port
        }
        period_seconds    = 5
        failure_threshold = 12
      }

      liveness_probe {
        http_get {
          path = "/healthz"
          port = local.port
        }
        period_seconds    = 15
        failure_threshold = 3
      }
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.probe_reads_secret]
}
