# --- where things run ---------------------------------------------------------------------------------------

variable "name" {
  description = "Prefix of every resource name; one deployment per name."
  type        = string
  default     = "quorumdns"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,12}$", var.name))
    error_message = "name must be 3-13 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "aws_control_region" {
  description = "AWS region of the control plane (Redis, evaluators) and of the first probe worker."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_control_region))
    error_message = "aws_control_region must be an AWS region such as us-east-1."
  }
}

variable "aws_secondary_probe_region" {
  description = "A second AWS region with a probe worker."
  type        = string
  default     = "us-west-2"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_secondary_probe_region))
    error_message = "aws_secondary_probe_region must be an AWS region such as us-west-2."
  }
}

variable "gcp_project_id" {
  description = "Google Cloud project of the Cloud Run probe worker."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.gcp_project_id))
    error_message = "gcp_project_id must be a Google Cloud project id."
  }
}

variable "gcp_probe_region" {
  description = "Google Cloud region of the third probe worker."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.gcp_probe_region))
    error_message = "gcp_probe_region must be a Google Cloud region such as europe-west1."
  }
}

# --- networks -----------------------------------------------------------------------------------------------

variable "control_vpc_id" {
  description = "VPC of the control plane in aws_control_region."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.control_vpc_id))
    error_message = "control_vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "control_subnet_ids" {
  description = "Private subnets (with NAT) of the control VPC in at least two availability zones."
  type        = list(string)

  validation {
    condition     = length(var.control_subnet_ids) >= 2
    error_message = "control_subnet_ids needs subnets in at least two availability zones (Redis Multi-AZ)."
  }
}

variable "secondary_probe_vpc_id" {
  description = "VPC of the probe worker in aws_secondary_probe_region, peered (or Transit Gateway attached) with the control VPC."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.secondary_probe_vpc_id))
    error_message = "secondary_probe_vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "secondary_probe_subnet_ids" {
  description = "Private subnets (with NAT) of the secondary probe VPC."
  type        = list(string)

  validation {
    condition     = length(var.secondary_probe_subnet_ids) >= 1
    error_message = "secondary_probe_subnet_ids needs at least one subnet."
  }
}

variable "secondary_probe_cidrs" {
  description = "Address ranges of the secondary probe subnets, allowed to reach Redis across the peering."
  type        = list(string)

  validation {
    condition     = length(var.secondary_probe_cidrs) >= 1 && alltrue([for c in var.secondary_probe_cidrs : can(cidrhost(c, 0))])
    error_message = "secondary_probe_cidrs must list the CIDR blocks of the secondary probe subnets."
  }
}

variable "gcp_network" {
  description = "VPC network of the Cloud Run probe (Direct VPC egress), connected to the control VPC by HA VPN or Interconnect: projects/<p>/global/networks/<n>."
  type        = string

  validation {
    condition     = can(regex("^projects/[a-z][a-z0-9-]+/global/networks/[a-z][a-z0-9-]*$", var.gcp_network))
    error_message = "gcp_network must be a full network name: projects/<project>/global/networks/<network>."
  }
}

variable "gcp_subnetwork" {
  description = "Subnetwork of the Cloud Run probe in gcp_probe_region: projects/<p>/regions/<r>/subnetworks/<s>."
  type        = string

  validation {
    condition     = can(regex("^projects/[a-z][a-z0-9-]+/regions/[a-z]+-[a-z]+[0-9]+/subnetworks/[a-z][a-z0-9-]*$", var.gcp_subnetwork))
    error_message = "gcp_subnetwork must be a full subnetwork name: projects/<project>/regions/<region>/subnetworks/<subnetwork>."
  }
}

variable "gcp_probe_cidrs" {
  description = "Address range(s) of gcp_subnetwork, allowed to reach Redis across the VPN."
  type        = list(string)

  validation {
    condition     = length(var.gcp_probe_cidrs) >= 1 && alltrue([for c in var.gcp_probe_cidrs : can(cidrhost(c, 0))])
    error_message = "gcp_probe_cidrs must list the CIDR blocks of the Cloud Run subnetwork."
  }
}

# --- what runs ----------------------------------------------------------------------------------------------

variable "image" {
  description = "quorumdns image with your service definitions in /etc/quorumdns, in ECR (or any registry ECS pulls from). Pin a tag or digest."
  type        = string

  validation {
    condition     = !endswith(var.image, ":latest") && (strcontains(var.image, "@sha256:") || can(regex(":[^/]+$", var.image)))
    error_message = "image must carry an explicit tag other than 'latest' (or a digest)."
  }
}

variable "gcp_image" {
  description = "The same image copied to Artifact Registry (Cloud Run pulls from there, not from ECR)."
  type        = string

  validation {
    condition     = !endswith(var.gcp_image, ":latest") && (strcontains(var.gcp_image, "@sha256:") || can(regex(":[^/]+$", var.gcp_image)))
    error_message = "gcp_image must carry an explicit tag other than 'latest' (or a digest)."
  }
}

variable "ecr_repository_arn" {
  description = "ECR repository of var.image (ECS may pull from it only); null when the image is public."
  type        = string
  default     = null
}

# --- DNS ----------------------------------------------------------------------------------------------------

variable "route53_zone_ids" {
  description = "Route 53 hosted zones quorumdns steers (bare ids); the evaluator may touch these and no other."
  type        = list(string)

  validation {
    condition     = length(var.route53_zone_ids) >= 1 && alltrue([for id in var.route53_zone_ids : can(regex("^[A-Z0-9]{1,32}$", id))])
    error_message = "route53_zone_ids needs at least one bare hosted zone id such as Z0123456789ABC."
  }
}

variable "cloud_dns_project_id" {
  description = "Google Cloud project of the Cloud DNS managed zones (the config's clouddns `project`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.cloud_dns_project_id))
    error_message = "cloud_dns_project_id must be a Google Cloud project id."
  }
}

variable "cloud_dns_managed_zones" {
  description = "Cloud DNS managed zone names quorumdns steers; the DNS role is bound on these zones only."
  type        = list(string)

  validation {
    condition     = length(var.cloud_dns_managed_zones) >= 1
    error_message = "cloud_dns_managed_zones needs at least one managed zone name."
  }
}

# --- secrets (references only) ------------------------------------------------------------------------------

variable "redis_auth_token_secret_arn" {
  description = "Secrets Manager secret (in aws_control_region) holding the Redis AUTH token; create it first (docs/deploy.md)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.redis_auth_token_secret_arn))
    error_message = "redis_auth_token_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "notification_secret_arns" {
  description = "Secrets of the notification channels, as the evaluator's environment: variable name used in the config ($${env:NAME}) => Secrets Manager secret ARN."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name, arn in var.notification_secret_arns : can(regex("^[A-Z_][A-Z0-9_]*$", name)) && can(regex("^arn:aws[a-z-]*:secretsmanager:", arn))])
    error_message = "notification_secret_arns must map upper-case variable names to Secrets Manager secret ARNs."
  }
}

variable "tags" {
  description = "Tags of every AWS resource."
  type        = map(string)
  default     = { app = "quorumdns" }
}
