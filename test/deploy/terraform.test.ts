/**
 * What the Terraform promises, checked offline. Providers cannot be downloaded here, so neither
 * `terraform validate` nor a plan can run: every `.tf` file is parsed with @cdktf/hcl2json and the properties
 * that matter are asserted on the parsed modules — least privilege, TLS and AUTH on Redis, secrets only through
 * secret channels, documented variables, and references that resolve (a small offline stand-in for validate).
 * Each rule is also run against a deliberately broken snippet, so a rule that cannot fail is caught too.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { containerProblems, serviceCallProblems, taskDefinitionProblems } from './support/container-secrets';
import {
  block,
  blocks,
  type HclObject,
  isExpression,
  referencesIn,
  regexesIn,
  stringsIn,
} from './support/hcl-value';
import {
  actionProblems,
  forAllValuesProblems,
  policySourceProblems,
  resourceStarProblems,
  statementsOf,
  type Statement,
} from './support/iam-policy';
import {
  calledModule,
  callersOf,
  loadAllTerraform,
  loadTerraformModule,
  ofType,
  REPO_ROOT,
  type TerraformModule,
  TERRAFORM_ROOT,
} from './support/terraform-model';

jest.setTimeout(60_000);

let all: TerraformModule[];
const byDir = (dir: string): TerraformModule => {
  const found = all.find((module) => module.dir === `terraform/${dir}`);
  if (!found) throw new Error(`terraform/${dir} was not loaded; loaded: ${all.map((m) => m.dir).join(', ')}`);
  return found;
};

/** A module parsed from HCL text, for proving that a rule notices what it is meant to notice. */
async function snippet(files: Record<string, string>): Promise<TerraformModule> {
  return (await snippetTree({ '.': files }))[0] as TerraformModule;
}

/** Several modules parsed from HCL text, side by side (`{ root: {...}, inner: {...} }`), in the order given. */
async function snippetTree(dirs: Record<string, Record<string, string>>): Promise<TerraformModule[]> {
  const root = mkdtempSync(join(tmpdir(), 'qdns-tf-'));
  try {
    const loaded: TerraformModule[] = [];
    for (const [name, files] of Object.entries(dirs)) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
      loaded.push(await loadTerraformModule(dir));
    }
    return loaded;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The calls of modules/ecs-fargate-service, by the directory of their caller. */
function fargateServiceCalls(): Map<string, Array<{ name: string; call: HclObject }>> {
  const calls = new Map<string, Array<{ name: string; call: HclObject }>>();
  for (const { caller, name, call } of callersOf(all, byDir('modules/ecs-fargate-service')))
    calls.set(caller.dir, [...(calls.get(caller.dir) ?? []), { name, call }]);
  return calls;
}

beforeAll(async () => {
  all = await loadAllTerraform();
});

describe('the Terraform tree', () => {
  test('has the five modules and the multi-cloud example, each with pinned provider requirements', () => {
    expect(all.map((module) => module.dir)).toEqual([
      'terraform/examples/multi-cloud',
      'terraform/modules/aws-control',
      'terraform/modules/aws-probe-region',
      'terraform/modules/ecs-fargate-service',
      'terraform/modules/gcp-dns-access',
      'terraform/modules/gcp-probe-region',
    ]);
    for (const module of all) {
      const settings = module.settings[0];
      expect(settings?.required_version).toMatch(/^>= 1\.\d+/);
      const required = block(settings ?? {}, 'required_providers') ?? {};
      expect(Object.keys(required).length).toBeGreaterThan(0);
      for (const [name, spec] of Object.entries(required)) {
        expect({ module: module.dir, name, version: (spec as HclObject).version }).toEqual({
          module: module.dir,
          name,
          version: expect.stringMatching(/^>= \d+\.\d+\.\d+, < \d+\.\d+\.\d+$/),
        });
      }
    }
  });

  test('is formatted (terraform fmt -check), where a terraform binary exists', () => {
    const which = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' });
    if (which.status !== 0) {
      // Not on every machine: the parse tests above and below are the check then.
      console.warn('terraform is not installed: fmt -check skipped');
      return;
    }
    const result = spawnSync('terraform', ['fmt', '-check', '-recursive', '-list=true', TERRAFORM_ROOT], {
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    expect({ status: result.status, unformatted: result.stdout.trim() }).toEqual({
      status: 0,
      unformatted: '',
    });
  });

  test('every variable has a description and a type, every output a description', () => {
    const problems: string[] = [];
    for (const module of all) {
      for (const [name, variable] of module.variables) {
        if (typeof variable.description !== 'string' || variable.description.length < 10)
          problems.push(`${module.dir}: variable ${name} has no description`);
        if (variable.type === undefined) problems.push(`${module.dir}: variable ${name} has no type`);
      }
      for (const [name, output] of module.outputs) {
        if (typeof output.description !== 'string')
          problems.push(`${module.dir}: output ${name} has no description`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every reference resolves inside its module (var, local, data, resource, module output)', () => {
    const problems: string[] = [];
    for (const module of all) {
      const sections: Array<[string, unknown]> = [
        ...[...module.resources].map(([k, v]): [string, unknown] => [k, v]),
        ...[...module.data].map(([k, v]): [string, unknown] => [`data.${k}`, v]),
        ...[...module.outputs].map(([k, v]): [string, unknown] => [`output.${k}`, v]),
        ...[...module.locals].map(([k, v]): [string, unknown] => [`local.${k}`, v]),
        ...[...module.modules].map(([k, v]): [string, unknown] => [`module.${k}`, v]),
        ...[...module.variables].map(([k, v]): [string, unknown] => [`variable.${k}`, v]),
        ...module.settings.map((v, i): [string, unknown] => [`terraform[${i}]`, v]),
        ...[...module.providers].map(([k, v]): [string, unknown] => [`provider.${k}`, v]),
      ];
      for (const [owner, body] of sections) {
        for (const { path, text } of stringsIn(body as HclObject)) {
          for (const reference of referencesIn(text)) {
            const at = `${module.dir}: ${owner}.${path}`;
            if (reference.kind === 'var' && !module.variables.has(reference.name))
              problems.push(`${at}: var.${reference.name} is not declared`);
            if (reference.kind === 'local' && !module.locals.has(reference.name))
              problems.push(`${at}: local.${reference.name} is not declared`);
            if (reference.kind === 'data' && !module.data.has(reference.name))
              problems.push(`${at}: data.${reference.name} is not declared`);
            if (reference.kind === 'resource' && !module.resources.has(reference.name))
              problems.push(`${at}: ${reference.name} is not declared`);
            if (reference.kind === 'module') {
              const call = module.modules.get(reference.name);
              if (!call) {
                problems.push(`${at}: module.${reference.name} is not declared`);
                continue;
              }
              const target = all.find(
                (m) =>
                  m.dir === resolve(REPO_ROOT, module.dir, String(call.source)).slice(REPO_ROOT.length + 1),
              );
              if (reference.attribute && target && !target.outputs.has(reference.attribute))
                problems.push(
                  `${at}: module.${reference.name}.${reference.attribute} is not an output of ${target.dir}`,
                );
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('every variable and local is used (no input that silently does nothing)', () => {
    const problems: string[] = [];
    for (const module of all) {
      const bodies = [
        ...module.resources.values(),
        ...module.data.values(),
        ...module.outputs.values(),
        ...module.modules.values(),
        ...module.settings,
        ...[...module.providers.values()].flat(),
        ...module.locals.values(),
        // A variable's validation may read only itself, so validations do not count as uses.
      ];
      const used = new Set(
        bodies.flatMap((body) =>
          [...stringsIn(body)].flatMap(({ text }) =>
            referencesIn(text).map((reference) => `${reference.kind}.${reference.name}`),
          ),
        ),
      );
      for (const name of module.variables.keys())
        if (!used.has(`var.${name}`)) problems.push(`${module.dir}: var.${name} is never used`);
      for (const name of module.locals.keys())
        if (!used.has(`local.${name}`)) problems.push(`${module.dir}: local.${name} is never used`);
    }
    expect(problems).toEqual([]);
  });

  test('every module call passes all required inputs and only declared ones', () => {
    const meta = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);
    const problems: string[] = [];
    let calls = 0;
    for (const module of all) {
      for (const [name, call] of module.modules) {
        calls += 1;
        const target = calledModule(all, module, call);
        if (!target) {
          problems.push(`${module.dir}: module.${name}: ${String(call.source)} was not loaded`);
          continue;
        }
        const given = Object.keys(call).filter((key) => !meta.has(key));
        for (const key of given)
          if (!target.variables.has(key))
            problems.push(`${module.dir}: module.${name}: ${key} is not a variable of ${target.dir}`);
        for (const [variable, body] of target.variables) {
          if (!('default' in body) && !given.includes(variable))
            problems.push(`${module.dir}: module.${name}: required ${variable} not given`);
        }
      }
    }
    expect(problems).toEqual([]);
    // The example's five calls and the two of the shared Fargate module.
    expect(calls).toBe(7);
  });

  test('the reference check notices an undeclared variable and a missing module output', async () => {
    const broken = await snippet({
      'main.tf':
        'locals {\n  a = var.missing\n}\noutput "o" {\n  description = "x"\n  value = local.nope\n}\n',
    });
    const texts = [
      ...stringsIn(broken.locals.get('a') ?? null),
      ...stringsIn(broken.outputs.get('o') ?? {}),
    ].flatMap(({ text }) => referencesIn(text));
    expect(texts).toEqual([
      { kind: 'var', name: 'missing' },
      { kind: 'local', name: 'nope' },
    ]);
    expect(broken.variables.has('missing')).toBe(false);
  });
});

describe('least privilege in AWS IAM', () => {
  test('no policy grants a wildcard action, and "*" resources only where AWS allows nothing else', () => {
    const statements = all.flatMap(statementsOf);
    // Every statement the deployment writes is read here (a parser that found nothing would pass the rules).
    expect([...new Set(statements.map((s) => s.sid))].sort()).toEqual([
      'ChangeManagedZones',
      'DecryptInjectedSecrets',
      'EcrLogin',
      'EcsAgent',
      'EcsTasksOfThisAccount',
      'PullImage',
      'ReadInjectedSecrets',
      'ReadManagedZones',
      'WaitForChangesToSync',
      'WriteOwnLogs',
    ]);
    const problems = statements.flatMap((s) => [
      ...actionProblems(s),
      ...resourceStarProblems(s),
      ...forAllValuesProblems(s),
    ]);
    expect(problems).toEqual([]);
  });

  test('the rules catch a wildcard action, a "*" resource and an unguarded ForAllValues', async () => {
    const broken = await snippet({
      'iam.tf': `
data "aws_iam_policy_document" "bad" {
  statement {
    actions   = ["route53:*", "s3:GetObject"]
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = [1]
    content {
      actions   = ["*"]
      resources = ["arn:aws:s3:::b"]
      condition {
        test     = "ForAllValues:StringEquals"
        variable = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
        values   = ["a.example.com"]
      }
    }
  }
}
`,
    });
    const problems = statementsOf(broken).flatMap((s) => [
      ...actionProblems(s),
      ...resourceStarProblems(s),
      ...forAllValuesProblems(s),
    ]);
    expect(problems).toEqual([
      expect.stringContaining('wildcard action "route53:*"'),
      expect.stringContaining('malformed action "route53:*"'),
      expect.stringContaining('resource "*" for route53:*, s3:GetObject'),
      expect.stringContaining('wildcard action "*"'),
      expect.stringContaining('malformed action "*"'),
      expect.stringContaining(
        'ForAllValues:StringEquals on route53:ChangeResourceRecordSetsNormalizedRecordNames without a Null=false guard',
      ),
    ]);
  });

  test('every IAM policy and trust policy is a policy document this test reads', () => {
    const problems: string[] = [];
    for (const module of all) {
      problems.push(...policySourceProblems(all, module));
      for (const key of module.resources.keys()) {
        if (key.startsWith('aws_iam_role_policy_attachment.') || key.startsWith('aws_iam_policy_attachment.'))
          problems.push(`${module.dir}: ${key} attaches a managed policy; write the statements instead`);
      }
    }
    expect(problems).toEqual([]);
    // The shared Fargate module's task role policies are followed to their callers' documents.
    const shared = byDir('modules/ecs-fargate-service');
    expect(shared.resources.get('aws_iam_role_policy.task')?.policy).toBe('${each.value}');
  });

  test('the policy rule notices a computed policy, and a policy input fed anything but documents', async () => {
    const [root, inner] = await snippetTree({
      root: {
        'main.tf': `
data "aws_iam_policy_document" "ok" {}
variable "policies" {
  description = "unchecked"
  type        = map(string)
}
module "documents" {
  source   = "../inner"
  policies = { fine = data.aws_iam_policy_document.ok.json, raw = jsonencode({ Statement = [] }) }
}
module "passthrough" {
  source   = "../inner"
  policies = var.policies
}
module "undeclared" {
  source   = "../inner"
  policies = { gone = data.aws_iam_policy_document.missing.json }
}
module "defaulted" {
  source = "../inner"
}
`,
      },
      inner: {
        'main.tf': `
variable "policies" {
  description = "name => document"
  type        = map(string)
  default     = { x = "{}" }
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({ Statement = [] })
}
resource "aws_iam_role_policy" "p" {
  for_each = var.policies
  role     = aws_iam_role.r.id
  policy   = each.value
}
resource "aws_iam_role_policy" "direct" {
  role   = aws_iam_role.r.id
  policy = var.policies["x"]
}
`,
      },
    });
    const tree = [root, inner] as TerraformModule[];
    expect(policySourceProblems(tree, inner as TerraformModule)).toEqual([
      expect.stringContaining('aws_iam_role.r.assume_role_policy is not data.aws_iam_policy_document'),
      expect.stringContaining('aws_iam_role_policy.direct.policy is not data.aws_iam_policy_document'),
      expect.stringContaining('module.defaulted.policies is not given and var.policies has no empty default'),
      expect.stringContaining('module.documents.policies["raw"] is not data.aws_iam_policy_document'),
      expect.stringContaining('module.passthrough.policies is not a literal map of policy documents'),
      expect.stringContaining(
        'module.undeclared.policies["gone"]: data.aws_iam_policy_document.missing is not declared',
      ),
    ]);
    expect(policySourceProblems([inner as TerraformModule], inner as TerraformModule)).toContainEqual(
      expect.stringContaining('var.policies has no caller whose policies can be read'),
    );
  });

  describe('Route 53 (aws-control task role)', () => {
    let route53: Statement[];
    beforeAll(() => {
      route53 = statementsOf(byDir('modules/aws-control')).filter((s) =>
        s.actions.some((a) => a.startsWith('route53:')),
      );
    });

    test('exactly ChangeResourceRecordSets, ListResourceRecordSets, GetHostedZone and GetChange', () => {
      const actions = [...new Set(route53.flatMap((s) => s.actions))].sort();
      expect(actions).toEqual([
        'route53:ChangeResourceRecordSets',
        'route53:GetChange',
        'route53:GetHostedZone',
        'route53:ListResourceRecordSets',
      ]);
      expect(
        route53.every((s) => s.actions.every((a) => a.startsWith('route53:')) && s.effect === 'Allow'),
      ).toBe(true);
    });

    test('zone actions apply to the configured hosted zones; GetChange alone to change/*', () => {
      const control = byDir('modules/aws-control');
      for (const statement of route53) {
        if (statement.actions.includes('route53:GetChange')) {
          expect(statement.actions).toEqual(['route53:GetChange']);
          expect(statement.resources).toEqual(['arn:${local.partition}:route53:::change/*']);
        } else {
          expect(statement.resources).toBe('${local.route53_zone_arns}');
        }
      }
      expect(control.locals.get('route53_zone_arns')).toBe(
        '${[for id in var.route53_zone_ids : "arn:${local.partition}:route53:::hostedzone/${id}"]}',
      );
    });

    test('the zone variable refuses wildcards and ARNs, and accepts hosted zone ids', () => {
      const zones = byDir('modules/aws-control').variables.get('route53_zone_ids');
      const patterns = blocks(zones?.validation).flatMap((v) => regexesIn(String(v.condition)));
      expect(patterns.length).toBeGreaterThan(0);
      const accepts = (id: string) => patterns.every((re) => re.test(id));
      expect(['Z0123456789ABC', 'Z35SXDOTRQ7X7K'].map(accepts)).toEqual([true, true]);
      expect(['*', 'Z*', '/hostedzone/Z0123', 'arn:aws:route53:::hostedzone/*'].map(accepts)).toEqual([
        false,
        false,
        false,
        false,
      ]);
    });

    test('the task role carries the Route 53 document and nothing else', () => {
      // aws-control makes no role of its own: its one Fargate service gets the Route 53 document as the only
      // task role policy ...
      const control = byDir('modules/aws-control');
      expect(ofType(control.resources, 'aws_iam_role')).toEqual([]);
      expect(ofType(control.resources, 'aws_iam_role_policy')).toEqual([]);
      const calls = fargateServiceCalls().get('terraform/modules/aws-control') ?? [];
      expect(calls.map(({ name }) => name)).toEqual(['evaluator']);
      expect(calls[0]?.call.task_role_policies).toEqual({
        'route53-managed-zones': '${data.aws_iam_policy_document.route53.json}',
      });
      // ... and the shared module puts exactly those policies on the task role the task definition names.
      const shared = byDir('modules/ecs-fargate-service');
      const onTaskRole = ofType(shared.resources, 'aws_iam_role_policy').filter(([, policy]) =>
        String(policy.role).includes('aws_iam_role.task'),
      );
      expect(onTaskRole).toEqual([
        [
          'task',
          {
            for_each: '${var.task_role_policies}',
            name: '${each.key}',
            role: '${aws_iam_role.task[0].id}',
            policy: '${each.value}',
          },
        ],
      ]);
      expect(shared.resources.get('aws_ecs_task_definition.this')?.task_role_arn).toBe(
        '${one(aws_iam_role.task[*].arn)}',
      );
      expect(shared.resources.get('aws_iam_role.task')?.assume_role_policy).toBe(
        '${data.aws_iam_policy_document.ecs_tasks_trust.json}',
      );
      expect(control.outputs.get('evaluator_task_role_name')?.value).toBe(
        '${module.evaluator.task_role_name}',
      );
    });
  });

  test('the probe worker gets no task role at all (it calls no AWS API)', () => {
    const probe = byDir('modules/aws-probe-region');
    const calls = fargateServiceCalls().get('terraform/modules/aws-probe-region') ?? [];
    expect(calls.map(({ name }) => name)).toEqual(['probe']);
    expect(calls[0]?.call.task_role_policies).toBeUndefined();
    expect(ofType(probe.resources, 'aws_iam_role')).toEqual([]);
    expect(ofType(probe.resources, 'aws_ecs_task_definition')).toEqual([]);
    // Without task_role_policies the shared module creates no task role, and the task definition names none.
    const shared = byDir('modules/ecs-fargate-service');
    expect(shared.variables.get('task_role_policies')?.default).toEqual({});
    expect(shared.resources.get('aws_iam_role.task')?.count).toBe(
      '${length(var.task_role_policies) > 0 ? 1 : 0}',
    );
    expect(shared.resources.get('aws_ecs_task_definition.this')?.task_role_arn).toBe(
      '${one(aws_iam_role.task[*].arn)}',
    );
    expect(
      [...statementsOf(probe), ...statementsOf(shared)]
        .flatMap((s) => s.actions)
        .filter((a) => a.startsWith('route53:')),
    ).toEqual([]);
  });
});

describe('ECS names', () => {
  test('a probe region named with a dot still makes an ECS service name ECS accepts', () => {
    const shared = byDir('modules/ecs-fargate-service');
    const patterns = blocks(shared.variables.get('service_name')?.validation).flatMap((v) =>
      regexesIn(String(v.condition)),
    );
    expect(patterns.length).toBeGreaterThan(0);
    const ecsAccepts = (name: string) => patterns.every((re) => re.test(name));
    expect(['evaluator', 'probe-eu-west-1', 'probe-gcp_us'].map(ecsAccepts)).toEqual([true, true, true]);
    expect(['probe-eu.west', 'probe eu', ''].map(ecsAccepts)).toEqual([false, false, false]);

    // aws-probe-region accepts quorumdns names ('.' allowed) and derives the ECS name with replace().
    const probe = byDir('modules/aws-probe-region');
    const regionPatterns = blocks(probe.variables.get('probe_region')?.validation).flatMap((v) =>
      regexesIn(String(v.condition)),
    );
    expect(regionPatterns.every((re) => re.test('aws.eu-west-1'))).toBe(true);
    expect(probe.locals.get('ecs_region')).toBe('${replace(var.probe_region, ".", "-")}');
    const [call] = fargateServiceCalls().get('terraform/modules/aws-probe-region') ?? [];
    expect(call?.call.service_name).toBe('probe-${local.ecs_region}');
    expect(ecsAccepts(`probe-${'aws.eu-west-1'.replaceAll('.', '-')}`)).toBe(true);
    // Every service name the modules pass must satisfy the shared module's own validation.
    const literal = fargateServiceCalls().get('terraform/modules/aws-control')?.[0]?.call.service_name;
    expect(ecsAccepts(String(literal))).toBe(true);
  });
});

describe('Redis (ElastiCache)', () => {
  let control: TerraformModule;
  let group: HclObject;
  beforeAll(() => {
    control = byDir('modules/aws-control');
    const groups = ofType(control.resources, 'aws_elasticache_replication_group');
    expect(groups).toHaveLength(1);
    group = groups[0]?.[1] ?? {};
  });

  test('TLS in transit, encryption at rest, automatic failover across zones', () => {
    expect({
      transit_encryption_enabled: group.transit_encryption_enabled,
      at_rest_encryption_enabled: group.at_rest_encryption_enabled,
      automatic_failover_enabled: group.automatic_failover_enabled,
      multi_az_enabled: group.multi_az_enabled,
    }).toEqual({
      transit_encryption_enabled: true,
      at_rest_encryption_enabled: true,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
    });
  });

  test('at least two nodes: the node count variable defaults to 2 and refuses 1', () => {
    expect(group.num_cache_clusters).toBe('${var.redis_node_count}');
    const variable = control.variables.get('redis_node_count');
    expect(variable?.default).toBe(2);
    expect(String(blocks(variable?.validation)[0]?.condition)).toContain('var.redis_node_count >= 2');
  });

  test('the AUTH token comes from Secrets Manager, never a literal', () => {
    expect(group.auth_token).toBe('${data.aws_secretsmanager_secret_version.redis_auth_token.secret_string}');
    const source = control.data.get('aws_secretsmanager_secret_version.redis_auth_token');
    expect(source?.secret_id).toBe('${var.redis_auth_token_secret_arn}');
    const patterns = blocks(control.variables.get('redis_auth_token_secret_arn')?.validation).flatMap((v) =>
      regexesIn(String(v.condition)),
    );
    expect(
      patterns.some((re) => re.test('arn:aws:secretsmanager:us-east-1:123456789012:secret:qdns/auth-AbCdEf')),
    ).toBe(true);
    expect(patterns.some((re) => re.test('my-literal-token-1234567890'))).toBe(false);
  });

  test('BullMQ keys are never evicted (maxmemory-policy noeviction)', () => {
    const parameterGroup = control.resources.get('aws_elasticache_parameter_group.redis');
    expect(group.parameter_group_name).toBe('${aws_elasticache_parameter_group.redis.name}');
    expect(blocks(parameterGroup?.parameter)).toContainEqual({
      name: 'maxmemory-policy',
      value: 'noeviction',
    });
  });

  test('the Redis URL secret is built from the endpoint and the token, with the rediss:// scheme', () => {
    const url = String(control.locals.get('redis_url'));
    expect(url).toContain('"rediss://:%s@%s:%d"');
    expect(url).toContain('urlencode(data.aws_secretsmanager_secret_version.redis_auth_token.secret_string)');
    expect(control.resources.get('aws_secretsmanager_secret_version.redis_url')?.secret_string).toBe(
      '${local.redis_url}',
    );
    expect(control.outputs.get('redis_url')?.sensitive).toBe(true);
  });
});

describe('ECS: secrets only through `secrets`', () => {
  test('the evaluator and probe containers keep secrets out of environment', () => {
    // Both run through the one task definition of the shared Fargate module ...
    const checked = all.map((module) => ({ dir: module.dir, ...taskDefinitionProblems(module) }));
    expect(checked.filter((c) => c.taskDefinitions > 0).map((c) => [c.dir, c.taskDefinitions])).toEqual([
      ['terraform/modules/ecs-fargate-service', 1],
    ]);
    expect(checked.flatMap((c) => c.problems)).toEqual([]);
    // ... which gets its environment and its REDIS_URL secret from the evaluator's and the probe's calls.
    const calls = fargateServiceCalls();
    expect([...calls].map(([dir, named]) => [dir, named.map(({ name }) => name)])).toEqual([
      ['terraform/modules/aws-control', ['evaluator']],
      ['terraform/modules/aws-probe-region', ['probe']],
    ]);
    const control = byDir('modules/aws-control');
    const probe = byDir('modules/aws-probe-region');
    expect(
      [...calls].flatMap(([dir, named]) =>
        named.flatMap(({ name, call }) =>
          serviceCallProblems(dir === control.dir ? control : probe, name, call),
        ),
      ),
    ).toEqual([]);
    expect(calls.get(control.dir)?.[0]?.call.redis_url_secret_arn).toBe(
      '${aws_secretsmanager_secret.redis_url.arn}',
    );
  });

  test('the evaluator runs two tasks by default', () => {
    const control = byDir('modules/aws-control');
    expect(fargateServiceCalls().get(control.dir)?.[0]?.call.desired_count).toBe('${var.evaluator_count}');
    expect(control.variables.get('evaluator_count')?.default).toBe(2);
  });

  test('the rule notices a secret in environment, a value instead of valueFrom, an unvalidated variable', async () => {
    const broken = await snippet({
      'main.tf': `
variable "env" {
  description = "unvalidated"
  type        = map(string)
}
locals {
  base = { NODE_ENV = "production", SLACK_WEBHOOK_URL = "x" }
  redis = { name = "REDIS_URL", value = "rediss://:pw@h:6379" }
  c1 = {
    name        = "a"
    environment = [{ name = "REDIS_URL", value = aws_secretsmanager_secret_version.r.secret_string }]
    secrets     = [local.redis]
  }
  c2 = {
    name        = "b"
    environment = [for k, v in merge(local.base, var.env) : { name = k, value = v }]
    secrets     = []
  }
}
resource "aws_ecs_task_definition" "t" {
  container_definitions = jsonencode([local.c1, local.c2])
}
`,
    });
    expect(taskDefinitionProblems(broken).problems).toEqual([
      expect.stringContaining('local.c1: environment variable REDIS_URL looks like a secret'),
      expect.stringContaining('local.c1: an environment value reads a secret'),
      expect.stringContaining('local.c1: REDIS_URL secret carries a value instead of valueFrom'),
      expect.stringContaining('local.c1: REDIS_URL valueFrom must be a Secrets Manager secret ARN'),
      expect.stringContaining('(local.base): environment variable SLACK_WEBHOOK_URL looks like a secret'),
      expect.stringContaining('var.env would accept secret-looking names REDIS_URL, SLACK_WEBHOOK_URL'),
      expect.stringContaining('local.c2: secrets must name REDIS_URL exactly once'),
    ]);
    expect(containerProblems(broken, 'missing')).toEqual([expect.stringContaining('not an object literal')]);
  });

  test('the rule notices a call of the shared module that passes a secret value or secret-looking names', async () => {
    const caller = await snippet({
      'main.tf': `
module "service" {
  source               = "../ecs-fargate-service"
  environment          = { NODE_ENV = "production", PD_ROUTING_KEY = "x" }
  redis_url_secret_arn = aws_secretsmanager_secret_version.r.secret_string
}
module "merged" {
  source               = "../ecs-fargate-service"
  environment          = merge(local.plain, { "NODE_ENV" = "production", SLACK_WEBHOOK_URL = var.hook })
  redis_url_secret_arn = var.redis_url_secret_arn
}
variable "hook" {
  description = "unused here"
  type        = string
}
locals {
  plain = { LOG_LEVEL = "info" }
}
`,
    });
    expect(serviceCallProblems(caller, 'service', caller.modules.get('service') ?? {})).toEqual([
      expect.stringContaining(
        'module.service.environment: environment variable PD_ROUTING_KEY looks like a secret',
      ),
      expect.stringContaining('module.service.redis_url_secret_arn must be a Secrets Manager secret ARN'),
    ]);
    expect(serviceCallProblems(caller, 'merged', caller.modules.get('merged') ?? {})).toEqual([
      expect.stringContaining(
        'module.merged.environment (inline): environment variable SLACK_WEBHOOK_URL looks',
      ),
      expect.stringContaining('module.merged.environment: var.hook would accept secret-looking names'),
    ]);
  });
});

describe('Google Cloud', () => {
  test('Cloud Run keeps exactly one always-on probe instance, private, with secrets from Secret Manager', () => {
    const probe = byDir('modules/gcp-probe-region');
    const services = ofType(probe.resources, 'google_cloud_run_v2_service');
    expect(services).toHaveLength(1);
    const service = services[0]?.[1] ?? {};
    const template = block(service, 'template') ?? {};
    expect(block(template, 'scaling')).toEqual({ min_instance_count: 1, max_instance_count: 1 });
    const container = block(template, 'containers') ?? {};
    expect(block(container, 'resources')?.cpu_idle).toBe(false);
    expect(service.ingress).toBe('INGRESS_TRAFFIC_INTERNAL_ONLY');
    expect(block(block(container, 'liveness_probe') ?? {}, 'http_get')?.path).toBe('/healthz');
    expect(template.service_account).toBe('${google_service_account.probe.email}');
    // Plain env entries are literal and harmless; the secret ones are a value_source, never a value.
    const literalEnv = blocks(container.env).map((env) => env.name);
    expect(literalEnv).toEqual(['NODE_ENV', 'QUORUMDNS_METRICS_PORT']);
    const dynamicEnv = blocks(block(container, 'dynamic')?.env);
    const secretEnv = dynamicEnv.find((env) => env.for_each === '${var.secret_environment}');
    const content = blocks(secretEnv?.content)[0] ?? {};
    expect(content.value).toBeUndefined();
    expect(block(block(content, 'value_source') ?? {}, 'secret_key_ref')?.secret).toBe('${env.value}');
    // Its service account reads exactly its own secrets.
    const access = probe.resources.get('google_secret_manager_secret_iam_member.probe_reads_secret');
    expect({ role: access?.role, for_each: access?.for_each }).toEqual({
      role: 'roles/secretmanager.secretAccessor',
      for_each: '${var.secret_environment}',
    });
  });

  test('DNS rights are a narrow custom role, bound per managed zone and nowhere else', () => {
    const problems: string[] = [];
    for (const module of all) {
      for (const [key, resource] of module.resources) {
        const role = typeof resource.role === 'string' ? resource.role : '';
        if (/roles\/dns\.(admin|editor)|roles\/(owner|editor)\b/.test(role))
          problems.push(`${module.dir}: ${key} grants ${role}`);
        const projectLevel = /^google_(project|folder|organization)_iam_(member|binding|policy)\./.test(key);
        if (projectLevel && /dns/i.test(role))
          problems.push(`${module.dir}: ${key} grants a DNS role above the zone`);
      }
    }
    expect(problems).toEqual([]);

    const access = byDir('modules/gcp-dns-access');
    const role = access.resources.get('google_project_iam_custom_role.dns_record_editor');
    expect(role?.permissions).toEqual([
      'dns.changes.create',
      'dns.changes.get',
      'dns.managedZones.get',
      'dns.resourceRecordSets.create',
      'dns.resourceRecordSets.delete',
      'dns.resourceRecordSets.list',
      'dns.resourceRecordSets.update',
    ]);
    const bindings = [...access.resources].filter(
      ([, r]) => r.role === '${google_project_iam_custom_role.dns_record_editor.name}',
    );
    expect(bindings.map(([key]) => key)).toEqual(['google_dns_managed_zone_iam_member.dns_record_editor']);
    const binding = bindings[0]?.[1] ?? {};
    expect({ for_each: binding.for_each, managed_zone: binding.managed_zone }).toEqual({
      for_each: '${toset(var.managed_zones)}',
      managed_zone: '${each.value}',
    });
  });

  test('workload identity: only sessions of the evaluator role may impersonate the DNS service account', () => {
    const access = byDir('modules/gcp-dns-access');
    const provider = access.resources.get('google_iam_workload_identity_pool_provider.aws') ?? {};
    expect(block(provider, 'aws')?.account_id).toBe('${var.aws_account_id}');
    expect(provider.attribute_condition).toBe("attribute.aws_role == '${local.aws_role_session_arn}'");
    expect(access.locals.get('aws_role_session_arn')).toBe(
      'arn:aws:sts::${var.aws_account_id}:assumed-role/${var.aws_role_name}',
    );
    const impersonation =
      access.resources.get('google_service_account_iam_member.evaluator_impersonates_dns') ?? {};
    expect(impersonation.role).toBe('roles/iam.workloadIdentityUser');
    expect(impersonation.member).toBe(
      'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.aws.name}/attribute.aws_role/${local.aws_role_session_arn}',
    );
    expect(ofType(access.resources, 'google_service_account_key')).toEqual([]);
  });
});

describe('examples/multi-cloud', () => {
  let example: TerraformModule;
  beforeAll(() => {
    example = byDir('examples/multi-cloud');
  });

  test('every module source resolves to a directory with .tf files, and every module is used', () => {
    // Used: called by the example, or by a module the example uses (ecs-fargate-service through aws-*).
    const used = new Set<string>();
    const visit = (module: TerraformModule): void => {
      for (const call of module.modules.values()) {
        const source = String(call.source);
        const dir = resolve(REPO_ROOT, module.dir, source);
        expect({ source, exists: existsSync(dir) && statSync(dir).isDirectory() }).toEqual({
          source,
          exists: true,
        });
        expect(readdirSync(dir).filter((file) => file.endsWith('.tf')).length).toBeGreaterThan(0);
        const target = calledModule(all, module, call);
        if (target && !used.has(dir)) {
          used.add(dir);
          visit(target);
        }
      }
    };
    visit(example);
    const modules = readdirSync(join(TERRAFORM_ROOT, 'modules')).map((name) =>
      join(TERRAFORM_ROOT, 'modules', name),
    );
    expect(modules.filter((dir) => !used.has(dir))).toEqual([]);
    expect(used.size).toBe(modules.length);
  });

  test('probes run in three regions across both clouds, each AWS region through its own provider', () => {
    const calls = [...example.modules.entries()];
    const probes = calls.filter(([, call]) => /probe-region$/.test(String(call.source)));
    expect(probes.map(([, call]) => String(call.source)).sort()).toEqual([
      '../../modules/aws-probe-region',
      '../../modules/aws-probe-region',
      '../../modules/gcp-probe-region',
    ]);
    const awsProviders = probes
      .filter(([, call]) => String(call.source).includes('aws-'))
      .map(([, call]) => (call.providers as HclObject | undefined)?.aws);
    expect(new Set(awsProviders)).toEqual(new Set(['${aws}', '${aws.secondary_probe}']));
    expect(example.providers.get('aws')?.map((p) => p.alias ?? null)).toEqual([null, 'secondary_probe']);
  });

  test('variables are typed, described and, when required, validated', () => {
    const unvalidated = [...example.variables]
      .filter(([, body]) => !('default' in body) && blocks(body.validation).length === 0)
      .map(([name]) => name);
    expect(unvalidated).toEqual([]);
  });

  test('outputs give an operator the Redis endpoint, the role and the service accounts', () => {
    expect([...example.outputs.keys()]).toEqual(
      expect.arrayContaining([
        'redis_primary_endpoint',
        'evaluator_task_role_arn',
        'cloud_dns_service_account_email',
        'gcp_probe_service_account_email',
        'probe_regions',
      ]),
    );
    const sensitiveLeak = [...example.outputs].filter(
      ([, output]) => String(output.value).includes('redis_url}') && output.sensitive !== true,
    );
    expect(sensitiveLeak).toEqual([]);
  });
});

test('no .tf or .tfvars file holds a literal credential', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(tf|tfvars|example)$/.test(entry)) files.push(path);
    }
  };
  walk(TERRAFORM_ROOT);
  expect(files.length).toBeGreaterThan(15);
  const leaks: string[] = [];
  const patterns = [
    /hooks\.slack\.com\/services\//,
    /AKIA[0-9A-Z]{16}/,
    /rediss?:\/\/[^$\s"<]*:[^$@\s"<%]+@/,
    /auth_token\s*=\s*"[^$]/,
    /"private_key"\s*:/,
  ];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) if (pattern.test(text)) leaks.push(`${file}: ${pattern}`);
  }
  expect(leaks).toEqual([]);
  // The leak patterns themselves find what they are for.
  expect(patterns[2]?.test('"rediss://:hunter2@redis:6379"')).toBe(true);
  expect(patterns[3]?.test('auth_token = "abcdefgh1234567890"')).toBe(true);
  expect(isExpression('${var.x}')).toBe(true);
});
