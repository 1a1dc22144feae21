variable "project_id" {
  description = "Google Cloud project that holds the Cloud DNS managed zones (the config's clouddns provider `project`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lower-case letters, digits, '-')."
  }
}

variable "managed_zones" {
  description = "Cloud DNS managed zone names (not DNS names) the evaluator may read and change; the role is bound on each of these zones and nowhere else."
  type        = list(string)

  validation {
    condition     = length(var.managed_zones) >= 1 && alltrue([for z in var.managed_zones : can(regex("^[a-z][a-z0-9-]{0,62}$", z))])
    error_message = "managed_zones needs at least one managed zone name (lower-case letters, digits, '-'); wildcards are refused."
  }
}

variable "name" {
  description = "Prefix of the service account, custom role and workload identity pool ids."
  type        = string
  default     = "quorumdns"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,16}$", var.name))
    error_message = "name must be 3-17 lower-case letters, digits or '-', starting with a letter (it prefixes ids with short limits)."
  }
}

variable "aws_account_id" {
  description = "AWS account the evaluator runs in (ECS tasks of aws-control)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be the 12-digit AWS account id."
  }
}

variable "aws_role_name" {
  description = "Name of the evaluator's ECS task role (aws-control output evaluator_task_role_name). Only sessions of this role may impersonate the DNS service account."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.aws_role_name))
    error_message = "aws_role_name must be an IAM role name (not an ARN)."
  }
}
