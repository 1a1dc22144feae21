# The task's security group. Nothing may connect in except an optional metrics scrape; the egress rules are the
# caller's (an evaluator talks to Redis and HTTPS APIs only, a probe to whatever its checks name), added to
# output security_group_id.

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-${var.container_name}-"
  description = var.description
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-${var.service_name}" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "metrics" {
  for_each = toset(var.metrics_ingress_cidrs)

  security_group_id = aws_security_group.this.id
  description       = "Prometheus scrape of /metrics"
  ip_protocol       = "tcp"
  from_port         = local.metrics_port
  to_port           = local.metrics_port
  cidr_ipv4         = each.value
}
