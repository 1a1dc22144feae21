# The control plane's Redis: opinions, heartbeats, decisions, the audit streams and the BullMQ queues.
# TLS in transit with an AUTH token, encryption at rest, a replica in another zone promoted automatically.

data "aws_secretsmanager_secret_version" "redis_auth_token" {
  secret_id = var.redis_auth_token_secret_arn
}

resource "aws_elasticache_subnet_group" "redis" {
  name        = "${var.name}-redis"
  description = "quorumdns Redis subnets"
  subnet_ids  = var.subnet_ids
  tags        = local.tags
}

resource "aws_elasticache_parameter_group" "redis" {
  name        = "${var.name}-redis7"
  family      = "redis7"
  description = "quorumdns: BullMQ needs noeviction"
  tags        = local.tags

  # The default volatile-lru would let Redis evict queue and state keys under memory pressure: BullMQ refuses to
  # guarantee anything then, and a lost decision generation breaks the fencing of apply jobs.
  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = "${var.name}-redis"
  description          = "quorumdns control plane (opinions, decisions, queues)"
  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  port                 = 6379
  num_cache_clusters   = var.redis_node_count
  parameter_group_name = aws_elasticache_parameter_group.redis.name
  subnet_group_name    = aws_elasticache_subnet_group.redis.name
  security_group_ids   = [aws_security_group.redis.id]

  automatic_failover_enabled = true
  multi_az_enabled           = true

  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  kms_key_id                 = var.redis_kms_key_arn
  # The token lives in Secrets Manager; Terraform reads it to configure the group (so the state holds it: keep
  # the state encrypted and access-controlled). Rotate by changing the secret: ROTATE accepts old and new token
  # until the next change.
  auth_token                 = data.aws_secretsmanager_secret_version.redis_auth_token.secret_string
  auth_token_update_strategy = "ROTATE"

  snapshot_retention_limit   = 7
  auto_minor_version_upgrade = true
  apply_immediately          = false
  tags                       = local.tags
}
