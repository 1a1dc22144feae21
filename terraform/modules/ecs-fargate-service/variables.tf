# An internal module: aws-control and aws-probe-region validate what their users set. Validated again here is
# only what this module's own guarantees rest on (no secret in plain environment, REDIS_URL from a secret, no
# metrics for the whole internet, names that fit AWS's limits).

# --- what it is called ---------------------------------------------------------------------------------------

variable "name" {
  description = "Prefix of every resource name: the calling module's name (one deployment per name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,24}$", var.name))
    error_message = "name must be lower-case letters, digits and '-', starting with a letter, at most 25 characters (ElastiCache ids and IAM role name prefixes are short)."
  }
}

variable "container_name" {
  description = "The container and its log stream prefix (evaluator, probe); also the middle of the security group's and the task role's name prefix (<name>-<container_name>-)."
  type        = string

  validation {
    # <name>-<container_name>- must fit the 38 characters IAM leaves a name_prefix.
    condition     = can(regex("^[a-z][a-z0-9-]{0,10}$", var.container_name))
    error_message = "container_name must be 1-11 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "service_name" {
  description = "The ECS service; the task definition family is <name>-<service_name>, the log group /ecs/<name>/<service_name>."
  type        = string

  validation {
    # What ECS accepts in a service name and a task definition family (the family adds <name>-).
    condition     = can(regex("^[A-Za-z0-9_-]{1,200}$", var.service_name))
    error_message = "service_name must be 1 to 200 letters, digits, '_' or '-' (ECS refuses anything else, '.' included)."
  }
}

variable "description" {
  description = "What runs, in words (e.g. quorumdns evaluator tasks): the security group's description and part of the roles'. Changing it replaces the security group."
  type        = string
}

variable "execution_role_name_prefix" {
  description = "Name prefix of the ECS execution role, at most 38 characters (IAM appends a 26-character suffix)."
  type        = string

  validation {
    condition     = length(var.execution_role_name_prefix) >= 1 && length(var.execution_role_name_prefix) <= 38
    error_message = "execution_role_name_prefix must be 1 to 38 characters."
  }
}

# --- what runs -----------------------------------------------------------------------------------------------

variable "image" {
  description = "Container image (infra/Dockerfile with your service definitions under config_path), the same for the evaluator and every probe worker. Pin a tag or a digest: a rolling deployment is how a config change reaches the tasks."
  type        = string
}

variable "command" {
  description = "The quorumdns command and its arguments (e.g. [\"probe\", \"--region\", \"us-east-1\", \"--config\", \"/etc/quorumdns\"]); the module appends --metrics-port 9464 --metrics-host 0.0.0.0."
  type        = list(string)
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

variable "redis_url_secret_arn" {
  description = "ARN of the Secrets Manager secret holding REDIS_URL, in the task's region."
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

variable "ecr_repository_arns" {
  description = "ECR repositories the image is pulled from (the execution role may pull from these only). Empty when the image is public."
  type        = list(string)
  default     = []
}

variable "task_role_policies" {
  description = "Inline policies of the task role: policy name => JSON of a data.aws_iam_policy_document. Empty = no task role at all (the process calls no AWS API)."
  type        = map(string)
  default     = {}
}

# --- how it runs ---------------------------------------------------------------------------------------------

variable "cluster_arn" {
  description = "ECS cluster the service runs in."
  type        = string
}

variable "desired_count" {
  description = "Tasks of the service."
  type        = number
}

variable "deployment_minimum_healthy_percent" {
  description = "How much of desired_count keeps running while a deployment replaces the tasks (the callers say why theirs)."
  type        = number

  validation {
    condition     = var.deployment_minimum_healthy_percent >= 0 && var.deployment_minimum_healthy_percent <= 100
    error_message = "deployment_minimum_healthy_percent must be between 0 and 100."
  }
}

variable "cpu" {
  description = "Fargate CPU units of one task."
  type        = number
}

variable "memory" {
  description = "Memory (MiB) of one task; a valid Fargate pairing with cpu."
  type        = number
}

variable "cpu_architecture" {
  description = "CPU architecture of the Fargate tasks; the image must be built for it."
  type        = string
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the tasks' JSON logs."
  type        = number
}

# --- network -------------------------------------------------------------------------------------------------

variable "vpc_id" {
  description = "VPC of the tasks."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the tasks."
  type        = list(string)
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

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
