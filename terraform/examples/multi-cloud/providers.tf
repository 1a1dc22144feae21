# One provider per place something runs. Modules never configure providers themselves; each probe region gets
# its own aliased provider.

provider "aws" {
  region = var.aws_control_region

  default_tags {
    tags = var.tags
  }
}

provider "aws" {
  alias  = "secondary_probe"
  region = var.aws_secondary_probe_region

  default_tags {
    tags = var.tags
  }
}

provider "google" {
  project = var.gcp_project_id
  region  = var.gcp_probe_region
}
