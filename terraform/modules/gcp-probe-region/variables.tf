variable "project_id" {
  description = "Google Cloud project the probe worker runs in."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lower-case letters, digits, '-')."
  }
}

variable "region" {
  description = "Google Cloud region of the Cloud Run service, e.g. europe-west1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as europe-west1."
  }
}

variable "probe_region" {
  description = "The probe region this worker speaks for (one of the config's probeRegions); null = the Google Cloud region name."
  type        = string
  default     = null

  validation {
    condition     = var.probe_region == null || can(regex("^[a-z]([a-z0-9._-]{0,61}[a-z0-9])?$", var.probe_region))
    error_message = "probe_region must be a quorumdns name: lower-case letters, digits, '.', '_', '-', starting with a letter."
  }
}

variable "name" {
  description = "Prefix of the Cloud Run service and service account names."
  type        = string
  default     = "quorumdns"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,12}$", var.name))
    error_message = "name must be 3-13 lower-case letters, digits or '-', starting with a letter (service account ids are short)."
  }
}

variable "image" {
  description = "Container image (infra/Dockerfile with your service definitions under config_path), the same for the evaluator and every probe worker, copied to Artifact Registry (Cloud Run does not pull from ECR). Pin a tag or a digest: a rolling deployment is how a config change reaches the instance."
  type        = string

  validation {
    condition     = length(var.image) > 0 && !endswith(var.image, ":latest") && (strcontains(var.image, "@sha256:") || can(regex(":[^/]+$", var.image)))
    error_message = "image must carry an explicit tag other than 'latest' (or a @sha256 digest), so every task of a rollout runs the same config."
  }
}

variable "config_path" {
  description = "Path of the service definitions inside the image (a file or a directory), passed as --config."
  type        = string
  default     = "/etc/quorumdns"

  validation {
    condition     = startswith(var.config_path, "/")
    error_message = "config_path must be an absolute path inside the container."
  }
}

variable "secret_environment" {
  description = "Secrets as environment variables of the container (name => Secret Manager secret id: projects/<p>/secrets/<s> or <s>), REDIS_URL and the values the config reads as $${env:NAME}. Must contain REDIS_URL. The probe's service account may read exactly these secrets."
  type        = map(string)

  validation {
    condition     = contains(keys(var.secret_environment), "REDIS_URL") && alltrue([for name in keys(var.secret_environment) : can(regex("^[A-Z_][A-Z0-9_]*$", name))])
    error_message = "secret_environment must map upper-case variable names to Secret Manager secrets and contain REDIS_URL."
  }
}

variable "environment" {
  description = "Plain, non-secret environment variables of the container. Names that look like secrets are refused: use secret_environment; PORT is refused too (Cloud Run sets it)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for name in keys(var.environment) :
      can(regex("^[A-Z_][A-Z0-9_]*$", name)) && !can(regex("(REDIS_URL|SECRET|TOKEN|PASSWORD|PASSWD|WEBHOOK|ROUTING_KEY|HMAC|PRIVATE_KEY|API_KEY)", name)) && name != "PORT"
    ])
    error_message = "environment names must be upper-case variable names other than PORT (Cloud Run sets it) and must not look like secrets (REDIS_URL, *SECRET*, *TOKEN*, *PASSWORD*, *WEBHOOK*, *ROUTING_KEY*, *HMAC*, *PRIVATE_KEY*, *API_KEY*): pass those through secret_environment."
  }
}

variable "network" {
  description = "VPC network for Direct VPC egress: the route to Redis (VPN or Interconnect to the AWS control VPC)."
  type        = string
}

variable "subnetwork" {
  description = "Subnetwork (in var.region) the Cloud Run instance takes its address from; add its range to aws-control's redis_client_cidrs."
  type        = string
}

variable "vpc_egress" {
  description = "PRIVATE_RANGES_ONLY sends only private destinations (Redis) through the VPC; ALL_TRAFFIC also the checks (then the VPC needs Cloud NAT)."
  type        = string
  default     = "PRIVATE_RANGES_ONLY"

  validation {
    condition     = contains(["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"], var.vpc_egress)
    error_message = "vpc_egress must be PRIVATE_RANGES_ONLY or ALL_TRAFFIC."
  }
}

variable "cpu" {
  description = "CPU limit of the instance (CPU stays allocated between requests: the worker runs on its own timer)."
  type        = string
  default     = "1"

  validation {
    condition     = contains(["1", "2", "4", "8"], var.cpu)
    error_message = "cpu must be 1, 2, 4 or 8."
  }
}

variable "memory" {
  description = "Memory limit of the instance."
  type        = string
  default     = "512Mi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "memory must look like 512Mi or 1Gi."
  }
}

variable "labels" {
  description = "Labels added to the Cloud Run service."
  type        = map(string)
  default     = {}
}
