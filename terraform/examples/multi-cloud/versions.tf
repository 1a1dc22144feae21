terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0.0, < 7.0.0"
    }
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0.0, < 8.0.0"
    }
  }

  # Keep the state in an encrypted, access-controlled backend: it holds the Redis AUTH token (ElastiCache takes
  # it as an argument) and the Redis URL. For example:
  # backend "s3" {
  #   bucket       = "acme-terraform-state"
  #   key          = "quorumdns/prod.tfstate"
  #   region       = "us-east-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}
