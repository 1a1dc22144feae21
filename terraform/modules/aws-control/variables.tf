variable "name" {
  description = "Prefix of every resource name (cluster, Redis, secrets, roles). One deployment per name and region."
  type        = string
  default     = "quorumdns"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,24}$", var.name))
    error_message = "name must be lower-case letters, digits and '-', starting with a letter, at most 25 characters (ElastiCache ids and IAM role name prefixes are short)."
  }
}

variable "vpc_id" {
  description = "VPC of Redis and the evaluator tasks."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnets in at least two availability zones: Redis nodes and evaluator tasks are spread over them. They need a route to the internet (NAT) for the Route 53 and Cloud DNS APIs and for webhooks."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids needs at least two subnet ids (subnet-...) in different availability zones: Redis fails over across zones."
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

variable "evaluator_count" {
  description = "Evaluator tasks. Two or more run safely side by side (compare-and-set commits, fenced apply jobs) and keep evaluating while one is replaced."
  type        = number
  default     = 2

  validation {
    condition     = var.evaluator_count >= 1 && var.evaluator_count <= 10 && floor(var.evaluator_count) == var.evaluator_count
    error_message = "evaluator_count must be a whole number from 1 to 10 (2 recommended)."
  }
}

variable "evaluator_cpu" {
  description = "Fargate CPU units of one evaluator task."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.evaluator_cpu)
    error_message = "evaluator_cpu must be one of the Fargate sizes 256, 512, 1024, 2048, 4096."
  }
}

variable "evaluator_memory" {
  description = "Memory (MiB) of one evaluator task; a valid Fargate pairing with evaluator_cpu."
  type        = number
  default     = 1024

  validation {
    condition     = var.evaluator_memory >= 512 && var.evaluator_memory <= 30720
    error_message = "evaluator_memory must be between 512 and 30720 MiB (and match a Fargate CPU size)."
  }
}

variable "evaluator_tick" {
  description = "Period of every service's scheduled evaluation (quorumdns evaluate --tick)."
  type        = string
  default     = "1s"

  validation {
    condition     = can(regex("^[0-9]+(ms|s|m)$", var.evaluator_tick))
    error_message = "evaluator_tick must be a duration such as 500ms, 1s or 2s."
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

variable "route53_zone_ids" {
  description = "Route 53 hosted zones the evaluator may read and change (bare ids such as Z0123456789ABC). The task role gets exactly ChangeResourceRecordSets, ListResourceRecordSets and GetHostedZone on these zones, and GetChange on change/*."
  type        = list(string)

  validation {
    condition     = length(var.route53_zone_ids) >= 1 && alltrue([for id in var.route53_zone_ids : can(regex("^[A-Z0-9]{1,32}$", id))])
    error_message = "route53_zone_ids needs at least one bare hosted zone id (upper-case letters and digits, without /hostedzone/); wildcards are refused."
  }
}

variable "route53_record_names" {
  description = "Optional: the only record names ChangeResourceRecordSets may touch (lower case, no trailing dot), enforced with the route53:ChangeResourceRecordSetsNormalizedRecordNames condition key. Include every name the config steers and its owner TXT records. Empty = any name in the zones."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.route53_record_names : can(regex("^[a-z0-9_.\\\\-]+$", n)) && !endswith(n, ".")])
    error_message = "route53_record_names must be lower case without a trailing dot; write other characters as \\ooo octal escapes like Route 53 does (\\052 for *)."
  }
}

variable "redis_auth_token_secret_arn" {
  description = "ARN of a Secrets Manager secret whose SecretString is the Redis AUTH token (16-128 printable characters; only ! & # $ ^ < > - as symbols). Create it before the first apply; the module never generates or prints it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.redis_auth_token_secret_arn))
    error_message = "redis_auth_token_secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = startswith(var.redis_node_type, "cache.") && !startswith(var.redis_node_type, "cache.t1.")
    error_message = "redis_node_type must be an ElastiCache node type (cache.*); T1 nodes cannot fail over automatically."
  }
}

variable "redis_node_count" {
  description = "Redis nodes (one primary, the rest replicas in other zones). At least 2: automatic failover needs a replica to promote."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_node_count >= 2 && var.redis_node_count <= 6 && floor(var.redis_node_count) == var.redis_node_count
    error_message = "redis_node_count must be a whole number from 2 to 6: automatic failover and Multi-AZ need at least one replica."
  }
}

variable "redis_engine_version" {
  description = "Redis OSS engine version (7.x: TLS, AUTH and the commands BullMQ uses)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.redis_engine_version))
    error_message = "redis_engine_version must be a 7.x version such as 7.1 (the parameter group family is redis7)."
  }
}

variable "redis_kms_key_arn" {
  description = "Optional customer managed KMS key for Redis encryption at rest (null = AWS managed key)."
  type        = string
  default     = null
}

variable "redis_client_cidrs" {
  description = "Networks outside this VPC that reach Redis over peering, Transit Gateway or VPN: the probe workers of the other AWS regions and of Google Cloud."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.redis_client_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "redis_client_cidrs must be CIDR blocks of your private networks; 0.0.0.0/0 is refused."
  }
}

variable "redis_client_security_group_ids" {
  description = "Security groups in this VPC whose members may reach Redis (for example a probe worker of this region)."
  type        = list(string)
  default     = []
}

variable "redis_url_secret_replica_regions" {
  description = "Regions the Redis URL secret is replicated to, so probe workers there read it locally (same name, same ARN but for the region)."
  type        = list(string)
  default     = []
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

variable "ecr_repository_arns" {
  description = "ECR repositories the image is pulled from (the execution role may pull from these only). Empty when the image is public."
  type        = list(string)
  default     = []
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

variable "assign_public_ip" {
  description = "Give the tasks a public IP (only for subnets without NAT; private subnets with NAT are the recommended setup)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the evaluator's JSON logs."
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
