data "aws_partition" "current" {}

locals {
  tags      = merge({ "app" = "quorumdns", "quorumdns:deployment" = var.name }, var.tags)
  partition = data.aws_partition.current.partition
}
