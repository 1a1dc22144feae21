variable "name" {
  description = "Prefix of every resource name: the same as aws-control's name (one deployment per name)."
  type        = string
  default     = "quorumdns"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,24}$", var.name))
    error_message = "name must be lower-case letters, digits and '-', starting with a letter, at most 25 characters (ElastiCache ids and IAM role name prefixes are short)."
  }
}

variable "probe_region" {
  description = "The probe region this worker speaks for: one of the config's probeRegions (often the AWS region name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9._-]{0,61}[a-z0-9])?$", var.probe_region))
    error_message = "probe_region must be a quorumdns name: lower-case letters, digits, '.', '_', '-', starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the probe worker; it needs a route to Redis (same VPC, peering or Transit Gateway) and to the probed endpoints."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Subnets of the probe task (private with NAT recommended; two zones let ECS replace a task in another zone)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids needs at least one subnet id (subnet-...)."
  }
}

variable "image" {
  description = "Container image (infra/Dockerfile with your service definitions under config_path), the same for the evaluator and every probe worker. Pin a tag or a digest: a rolling deployment is how a config change reaches the tasks."
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

variable "redis_url_secret_arn" {
  description = "ARN of the REDIS_URL secret in this region (aws-control's redis_url_secret_arn, or its replica here)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.redis_url_secret_arn))
    error_message = "redis_url_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "secret_environment" {
  description = "More secrets as environment variables of the container (name => Secrets Manager secret ARN, optionally with a :json-key:: suffix), for values the config reads as $${env:NAME} (webhook URLs, check headers). Injected through ECS secrets, never as plain environment; REDIS_URL is set by the module."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for name, arn in var.secret_environment :
      can(regex("^[A-Z_][A-Z0-9_]*$", name)) && name != "REDIS_URL" && can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", arn))
    ])
    error_message = "secret_environment keys must be upper-case variable names other than REDIS_URL (the module sets it) and values Secrets Manager secret ARNs."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer managed KMS keys that encrypt the injected secrets, if any (the execution role may decrypt with them, through Secrets Manager only)."
  type        = list(string)
  default     = []
}

variable "environment" {
  description = "Plain, non-secret environment variables of the container (e.g. GOOGLE_APPLICATION_CREDENTIALS pointing at a credential configuration file in the image). Names that look like secrets are refused: use secret_environment."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for name in keys(var.environment) :
      can(regex("^[A-Z_][A-Z0-9_]*$", name)) && !can(regex("(REDIS_URL|SECRET|TOKEN|PASSWORD|PASSWD|WEBHOOK|ROUTING_KEY|HMAC|PRIVATE_KEY|API_KEY)", name))
    ])
    error_message = "environment names must be upper-case variable names and must not look like secrets (REDIS_URL, *SECRET*, *TOKEN*, *PASSWORD*, *WEBHOOK*, *ROUTING_KEY*, *HMAC*, *PRIVATE_KEY*, *API_KEY*): pass those through secret_environment."
  }
}

variable "ecs_cluster_arn" {
  description = "Run in this existing ECS cluster (e.g. the control plane's in the same region); null creates one for the probe."
  type        = string
  default     = null
}

variable "desired_count" {
  description = "Probe tasks. One speaks for the region; a second one only doubles the checks (both record into the same streaks)."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count >= 1 && var.desired_count <= 3 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be 1, 2 or 3."
  }
}

variable "cpu" {
  description = "Fargate CPU units of one probe task."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be one of the Fargate sizes 256, 512, 1024, 2048, 4096."
  }
}

variable "memory" {
  description = "Memory (MiB) of one probe task; a valid Fargate pairing with cpu."
  type        = number
  default     = 512

  validation {
    condition     = var.memory >= 512 && var.memory <= 30720
    error_message = "memory must be between 512 and 30720 MiB."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the Fargate tasks; the image must be built for it."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "ecr_repository_arns" {
  description = "ECR repositories the image is pulled from (the execution role may pull from these only). Empty when the image is public."
  type        = list(string)
  default     = []
}

variable "assign_public_ip" {
  description = "Give the tasks a public IP (only for subnets without NAT; private subnets with NAT are the recommended setup)."
  type        = bool
  default     = false
}

variable "metrics_ingress_cidrs" {
  description = "Networks allowed to scrape /metrics on port 9464 (Prometheus). Empty = nobody."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.metrics_ingress_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "metrics_ingress_cidrs must be CIDR blocks of your monitoring networks; 0.0.0.0/0 is refused (metrics name every service and endpoint)."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the probe's JSON logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
