# Who may talk to whom. Redis accepts only the evaluator, the listed client security groups and the listed
# private networks; the evaluator (its security group and optional metrics scrapes: modules/ecs-fargate-service)
# talks to Redis and to HTTPS APIs only.

resource "aws_security_group" "redis" {
  name_prefix = "${var.name}-redis-"
  description = "quorumdns Redis: evaluator and probe workers only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-redis" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_evaluator" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the evaluator"
  ip_protocol                  = "tcp"
  from_port                    = aws_elasticache_replication_group.redis.port
  to_port                      = aws_elasticache_replication_group.redis.port
  referenced_security_group_id = module.evaluator.security_group_id
}

# count, not for_each: the ids are often created in the same apply (unknown at plan time), their number is not.
resource "aws_vpc_security_group_ingress_rule" "redis_from_client_groups" {
  count = length(var.redis_client_security_group_ids)

  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from a probe worker security group"
  ip_protocol                  = "tcp"
  from_port                    = aws_elasticache_replication_group.redis.port
  to_port                      = aws_elasticache_replication_group.redis.port
  referenced_security_group_id = var.redis_client_security_group_ids[count.index]
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_client_networks" {
  for_each = toset(var.redis_client_cidrs)

  security_group_id = aws_security_group.redis.id
  description       = "Redis from a peered or VPN-connected probe network"
  ip_protocol       = "tcp"
  from_port         = aws_elasticache_replication_group.redis.port
  to_port           = aws_elasticache_replication_group.redis.port
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "evaluator_to_redis" {
  security_group_id            = module.evaluator.security_group_id
  description                  = "Redis"
  ip_protocol                  = "tcp"
  from_port                    = aws_elasticache_replication_group.redis.port
  to_port                      = aws_elasticache_replication_group.redis.port
  referenced_security_group_id = aws_security_group.redis.id
}

# Route 53, Cloud DNS, Google STS, Secrets Manager, ECR, CloudWatch Logs and chat webhooks are all HTTPS.
resource "aws_vpc_security_group_egress_rule" "evaluator_https" {
  security_group_id = module.evaluator.security_group_id
  description       = "HTTPS APIs and webhooks"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
