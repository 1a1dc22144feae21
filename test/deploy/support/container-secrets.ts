/**
 * The rule for ECS container definitions: secrets reach a container only through `secrets` (valueFrom, resolved
 * by ECS from Secrets Manager when the task starts); `environment` holds nothing secret. The modules build each
 * container as a `locals` object so its parts stay readable here (hcl2json keeps object literals as JSON).
 */
import {
  blocks,
  expressionText,
  type HclObject,
  type HclValue,
  isExpression,
  isObject,
  referencesIn,
} from './hcl-value';
import { ofType, type TerraformModule } from './terraform-model';

/** Variable names that carry credentials in quorumdns configs and deployments. */
export const SECRET_LOOKING_NAMES = [
  'REDIS_URL',
  'SLACK_WEBHOOK_URL',
  'TEAMS_WEBHOOK',
  'PD_ROUTING_KEY',
  'QDNS_HMAC',
  'DB_PASSWORD',
  'API_TOKEN',
  'WEBHOOK_SECRET',
];
/** A plain variable an environment must still accept. */
export const PLAIN_NAMES = ['NODE_ENV', 'GOOGLE_APPLICATION_CREDENTIALS', 'QUORUMDNS_METRICS_PORT'];

const SECRET_NAME_RE =
  /(REDIS_URL|SECRET|TOKEN|PASSWORD|PASSWD|WEBHOOK|ROUTING_KEY|HMAC|PRIVATE_KEY|API_KEY)/;
/** Expressions whose value is a secret itself (as opposed to a reference to where a secret is). */
const SECRET_VALUE_RE =
  /secret_string|\.auth_token\b|random_password|secret_data|(?:local|module\.[\w-]+)\.redis_url\b/;

/** The locals a task definition's `container_definitions = jsonencode([local.a, ...])` is made of. */
export function containerLocals(taskDefinition: HclObject): string[] | undefined {
  const value = taskDefinition.container_definitions;
  if (!isExpression(value)) return undefined;
  const match = /^jsonencode\(\[\s*(local\.[\w-]+(?:\s*,\s*local\.[\w-]+)*)\s*\]\)$/.exec(
    expressionText(value),
  );
  if (!match?.[1]) return undefined;
  return match[1].split(',').map((part) => part.trim().slice('local.'.length));
}

/** The `!can(regex("..."))` patterns of a variable's validations: what it refuses. */
export function refusedPatterns(variable: HclObject): RegExp[] {
  const found: RegExp[] = [];
  for (const validation of blocks(variable.validation)) {
    const condition = String(validation.condition ?? '');
    for (const match of condition.matchAll(/!\s*can\(regex\("((?:[^"\\]|\\.)*)"/g)) {
      found.push(new RegExp(JSON.parse(`"${match[1] ?? ''}"`) as string));
    }
  }
  return found;
}

function environmentNamesProblems(where: string, names: string[]): string[] {
  return names
    .filter((name) => SECRET_NAME_RE.test(name))
    .map((name) => `${where}: environment variable ${name} looks like a secret: use secrets (valueFrom)`);
}

/** Names of a literal environment: a list of `{ name, value }` or a map `{ NAME = value }`. */
function literalEnvironment(
  value: HclValue | undefined,
): { names: string[]; values: HclValue[] } | undefined {
  if (Array.isArray(value)) {
    const entries = value.filter(isObject);
    return {
      names: entries.map((entry) => String(entry.name)),
      values: entries.map((entry) => entry.value ?? null),
    };
  }
  if (isObject(value)) return { names: Object.keys(value), values: Object.values(value) };
  return undefined;
}

function environmentProblems(
  module: TerraformModule,
  where: string,
  environment: HclValue | undefined,
): string[] {
  if (environment === undefined) return [];
  const literal = literalEnvironment(environment);
  if (literal) {
    return [
      ...environmentNamesProblems(where, literal.names),
      ...literal.values
        .filter((value) => typeof value === 'string' && SECRET_VALUE_RE.test(value))
        .map((value) => `${where}: an environment value reads a secret (${String(value)})`),
    ];
  }
  if (typeof environment !== 'string') return [`${where}: environment is neither a list nor an expression`];
  const problems: string[] = [];
  if (SECRET_VALUE_RE.test(environment))
    problems.push(`${where}: environment reads a secret value (${environment})`);
  // Keys of object literals written inside the expression, e.g. merge(var.environment, { NAME = "..." }).
  const inlineNames = [...environment.matchAll(/(?<![\w.])"?([A-Z_][A-Z0-9_]*)"?\s*=(?!=)/g)].map(
    (match) => match[1] ?? '',
  );
  problems.push(...environmentNamesProblems(`${where} (inline)`, inlineNames));
  for (const reference of referencesIn(environment)) {
    if (reference.kind === 'local') {
      const local = literalEnvironment(module.locals.get(reference.name));
      if (!local) {
        problems.push(
          `${where}: environment uses local.${reference.name}, which is not a literal list or map`,
        );
        continue;
      }
      problems.push(
        ...environmentProblems(
          module,
          `${where} (local.${reference.name})`,
          module.locals.get(reference.name),
        ),
      );
    } else if (reference.kind === 'var') {
      const variable = module.variables.get(reference.name);
      const refused = variable ? refusedPatterns(variable) : [];
      const admitted = SECRET_LOOKING_NAMES.filter((name) => !refused.some((re) => re.test(name)));
      const wronglyRefused = PLAIN_NAMES.filter((name) => refused.some((re) => re.test(name)));
      if (admitted.length > 0) {
        problems.push(
          `${where}: var.${reference.name} would accept secret-looking names ${admitted.join(', ')}`,
        );
      }
      if (wronglyRefused.length > 0) {
        problems.push(`${where}: var.${reference.name} refuses plain names ${wronglyRefused.join(', ')}`);
      }
    } else {
      problems.push(
        `${where}: environment reads ${reference.kind} ${reference.name}; only literal locals and validated variables may feed it`,
      );
    }
  }
  return problems;
}

/** A `{ name, valueFrom }` object, possibly behind a local. */
function secretEntry(module: TerraformModule, value: HclValue): HclObject | undefined {
  if (isObject(value)) return value;
  if (typeof value === 'string') {
    const match = /^\$\{local\.([\w-]+)\}$/.exec(value);
    const local = match?.[1] ? module.locals.get(match[1]) : undefined;
    if (isObject(local)) return local;
  }
  return undefined;
}

/** The REDIS_URL secret entries a `secrets` value names literally or through locals. */
function redisUrlEntries(module: TerraformModule, secrets: HclValue | undefined): HclObject[] {
  const candidates: HclValue[] = Array.isArray(secrets)
    ? secrets
    : typeof secrets === 'string'
      ? referencesIn(secrets)
          .filter((reference) => reference.kind === 'local')
          .map((reference) => `\${local.${reference.name}}`)
      : [];
  return candidates
    .map((candidate) => secretEntry(module, candidate))
    .filter((entry): entry is HclObject => entry !== undefined && entry.name === 'REDIS_URL');
}

/** A value that must name where a secret is (a Secrets Manager secret's ARN), never the secret itself. */
function secretArnProblems(where: string, value: HclValue | undefined): string[] {
  const from = typeof value === 'string' ? value : '';
  const fromSecretArn = referencesIn(from).some(
    (reference) =>
      (reference.kind === 'resource' && reference.name.startsWith('aws_secretsmanager_secret.')) ||
      (reference.kind === 'var' && reference.name.endsWith('secret_arn')),
  );
  return !fromSecretArn || SECRET_VALUE_RE.test(from)
    ? [`${where} must be a Secrets Manager secret ARN, got ${from || 'nothing'}`]
    : [];
}

export function containerProblems(module: TerraformModule, localName: string): string[] {
  const where = `${module.dir}: local.${localName}`;
  const container = module.locals.get(localName);
  if (!isObject(container)) return [`${where}: not an object literal, so its environment cannot be checked`];
  const problems = environmentProblems(module, where, container.environment);
  const redis = redisUrlEntries(module, container.secrets);
  if (redis.length !== 1) {
    problems.push(`${where}: secrets must name REDIS_URL exactly once (literally or through a local object)`);
  }
  for (const entry of redis) {
    if (entry.value !== undefined)
      problems.push(`${where}: REDIS_URL secret carries a value instead of valueFrom`);
    problems.push(...secretArnProblems(`${where}: REDIS_URL valueFrom`, entry.valueFrom));
  }
  if (typeof container.secrets === 'string' && /\bvalue\s*=/.test(container.secrets)) {
    problems.push(`${where}: a secrets entry has a value instead of valueFrom`);
  }
  return problems;
}

/** Every ECS task definition of a module with the problems of its containers. */
export function taskDefinitionProblems(module: TerraformModule): {
  taskDefinitions: number;
  problems: string[];
} {
  const problems: string[] = [];
  const definitions = ofType(module.resources, 'aws_ecs_task_definition');
  for (const [name, definition] of definitions) {
    const locals = containerLocals(definition);
    if (!locals) {
      problems.push(
        `${module.dir}: aws_ecs_task_definition.${name}: container_definitions must be jsonencode([local.<container>, ...])`,
      );
      continue;
    }
    for (const local of locals) problems.push(...containerProblems(module, local));
  }
  return { taskDefinitions: definitions.length, problems };
}

/**
 * A call of modules/ecs-fargate-service, whose container takes its environment and its REDIS_URL secret from
 * the call: what the caller passes must meet the same rules as a container written in place (the module's own
 * container is checked by taskDefinitionProblems).
 */
export function serviceCallProblems(caller: TerraformModule, name: string, call: HclObject): string[] {
  const where = `${caller.dir}: module.${name}`;
  return [
    ...environmentProblems(caller, `${where}.environment`, call.environment),
    ...secretArnProblems(`${where}.redis_url_secret_arn`, call.redis_url_secret_arn),
  ];
}
