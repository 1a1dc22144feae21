# The full Redis URL (rediss://:<token>@<primary endpoint>:6379) as one secret: every process reads it as
# REDIS_URL (config: `url: ${env:REDIS_URL}`), injected by ECS/Cloud Run/CloudFormation, never written in a
# task definition, a template or an image.

locals {
  redis_url = format(
    "rediss://:%s@%s:%d",
    urlencode(data.aws_secretsmanager_secret_version.redis_auth_token.secret_string),
    aws_elasticache_replication_group.redis.primary_endpoint_address,
    aws_elasticache_replication_group.redis.port,
  )
}

resource "aws_secretsmanager_secret" "redis_url" {
  name                    = "${var.name}/redis-url"
  description             = "quorumdns: Redis URL with its AUTH token (REDIS_URL of every quorumdns process)"
  recovery_window_in_days = 7
  tags                    = local.tags

  dynamic "replica" {
    for_each = toset(var.redis_url_secret_replica_regions)
    content {
      region = replica.value
    }
  }
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = local.redis_url
}
