data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  tags      = merge({ "app" = "quorumdns", "quorumdns:deployment" = var.name }, var.tags)
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  # AWS provider 6 calls it `region` (`name` is deprecated there).
  region = data.aws_region.current.region

  # The port the image's health check and the metrics server agree on (infra/Dockerfile: QUORUMDNS_METRICS_PORT).
  metrics_port = 9464
}
