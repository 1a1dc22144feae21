/**
 * `serverless package` of serverless.yml, offline and without credentials, exactly as an operator runs it
 * before `serverless deploy`: the generated CloudFormation template and the zip are checked for what the probe
 * Lambda needs (schedule, runtime, handler, timeout, VPC) and for what it must never carry (secrets inline,
 * broad IAM, sources, tests, dev dependencies).
 *
 * The service is packaged from a scratch copy (serverless.yml, package files, a fresh `tsc` build as dist/,
 * examples/ as the config, node_modules linked), so the repository's own dist/ is never touched.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type ProcessResult } from './support/run-process';
import { REPO_ROOT } from './support/terraform-model';
import { type ZipEntry, zipEntries } from './support/zip-entries';

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}
interface Packaged {
  template: CfnTemplate;
  templateText: string;
  zip: ZipEntry[];
}

/** Values that must never reach the template: the test process "has" them in its environment. */
const SENTINELS = {
  REDIS_URL: 'rediss://:sentinel-redis-password@redis.internal:6379',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/sentinel-slack-token',
  QDNS_HMAC: 'sentinel-hmac-key',
};

let work: string;
let service: string;
let env: NodeJS.ProcessEnv;

function sls(args: string[]): Promise<ProcessResult> {
  return runProcess(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/serverless/bin/serverless.js'), ...args],
    {
      cwd: service,
      env,
      timeoutMs: 150_000,
    },
  );
}

async function packageTo(name: string, extra: string[]): Promise<Packaged> {
  const out = join(work, name);
  const result = await sls(['package', '--package', out, ...extra]);
  if (result.status !== 0)
    throw new Error(`serverless package failed (${result.status}):\n${result.stdout}${result.stderr}`);
  const templateText = readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
  return {
    template: JSON.parse(templateText) as CfnTemplate,
    templateText,
    zip: zipEntries(join(out, 'quorumdns-probe.zip')),
  };
}

function only(template: CfnTemplate, type: string): CfnResource & { Properties: Record<string, unknown> } {
  const found = Object.values(template.Resources).filter((resource) => resource.Type === type);
  expect(found.map((resource) => resource.Type)).toEqual([type]);
  const [resource] = found;
  return { Type: type, Properties: resource?.Properties ?? {} };
}

const VPC = ['--param=subnetIds=subnet-0aaa,subnet-0bbb', '--param=securityGroupIds=sg-0ccc'];
interface PrintedConfig {
  provider: { stage: string; region: string; environment: Record<string, string> };
  functions: { probe: { name: string } };
}

let prod: Packaged;
let staging: PrintedConfig;
let missingVpc: ProcessResult;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'qdns-sls-'));
  service = join(work, 'service');
  mkdirSync(join(service, 'config'), { recursive: true });
  for (const file of ['serverless.yml', 'package.json', 'package-lock.json']) {
    copyFileSync(join(REPO_ROOT, file), join(service, file));
  }
  cpSync(join(REPO_ROOT, 'examples'), join(service, 'config'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(service, 'node_modules'), 'dir');
  mkdirSync(join(work, 'home'));
  // No credentials, no metadata service, no telemetry: packaging must work on a laptop without an AWS login.
  env = {
    PATH: process.env.PATH,
    HOME: join(work, 'home'),
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The framework runs `npm ls` to find dev dependencies; npm would otherwise look for its own updates.
    npm_config_update_notifier: 'false',
    npm_config_offline: 'true',
    ...SENTINELS,
  };
  const build = await runProcess(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(service, 'dist'),
    ],
    { cwd: REPO_ROOT, env: process.env, timeoutMs: 150_000 },
  );
  // Type errors are `npm run typecheck`'s to report (tsc still emits); a build that emitted no handler is ours.
  if (!existsSync(join(service, 'dist/lambda/probe.js'))) {
    throw new Error(`tsc emitted no dist/lambda/probe.js (${build.status}):\n${build.stdout}${build.stderr}`);
  }
  // One packaging at a time (the framework stages its zip inside the service directory); `print` resolves the
  // same configuration for another stage and region in a fraction of the time.
  prod = await packageTo('prod', [...VPC, '--param=configDir=config']);
  const printed = await sls([
    'print',
    '--format',
    'json',
    '--stage',
    'staging',
    '--region',
    'eu-west-1',
    ...VPC,
  ]);
  if (printed.status !== 0) throw new Error(`serverless print failed:\n${printed.stdout}${printed.stderr}`);
  staging = JSON.parse(printed.stdout.slice(printed.stdout.indexOf('{'))) as PrintedConfig;
  missingVpc = await sls([
    'package',
    '--package',
    join(work, 'missing-vpc'),
    '--param=securityGroupIds=sg-0ccc',
  ]);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the probe function', () => {
  test('runs dist/lambda/probe.handler on nodejs20.x with a timeout above one minute', () => {
    const fn = only(prod.template, 'AWS::Lambda::Function').Properties;
    expect({ Runtime: fn.Runtime, Handler: fn.Handler }).toEqual({
      Runtime: 'nodejs20.x',
      Handler: 'dist/lambda/probe.handler',
    });
    // The handler probes until the next minute boundary and needs 15 s beyond it to flush (src/lambda/probe.ts).
    expect(fn.Timeout).toBeGreaterThanOrEqual(75);
    expect(fn.Timeout).toBeLessThanOrEqual(120);
  });

  test('is triggered every minute by one schedule rule, and a missed tick is not retried', () => {
    const rule = only(prod.template, 'AWS::Events::Rule').Properties;
    expect(rule.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.State).toBe('ENABLED');
    expect(rule.Targets).toEqual([
      { Arn: { 'Fn::GetAtt': ['ProbeLambdaFunction', 'Arn'] }, Id: expect.any(String) },
    ]);
    const permission = only(prod.template, 'AWS::Lambda::Permission').Properties;
    expect(permission.Principal).toBe('events.amazonaws.com');
    const invoke = only(prod.template, 'AWS::Lambda::EventInvokeConfig').Properties;
    expect(invoke.MaximumRetryAttempts).toBe(0);
  });

  test('runs in the VPC given as parameters', () => {
    const fn = only(prod.template, 'AWS::Lambda::Function').Properties;
    expect(fn.VpcConfig).toEqual({
      SubnetIds: { 'Fn::Split': [',', 'subnet-0aaa,subnet-0bbb'] },
      SecurityGroupIds: { 'Fn::Split': [',', 'sg-0ccc'] },
    });
  });

  test('without the VPC parameters packaging stops and names the missing one', () => {
    expect(missingVpc.status).not.toBe(0);
    expect(missingVpc.stdout + missingVpc.stderr).toContain('"subnetIds"');
  });
});

describe('secrets', () => {
  test('REDIS_URL is a Secrets Manager dynamic reference resolved by CloudFormation at deploy time', () => {
    const fn = only(prod.template, 'AWS::Lambda::Function').Properties;
    const variables = (fn.Environment as { Variables: Record<string, string> }).Variables;
    expect(variables).toEqual({
      NODE_ENV: 'production',
      QUORUMDNS_REGION: 'us-east-1',
      QUORUMDNS_CONFIG: './config',
      REDIS_URL: '{{resolve:secretsmanager:quorumdns/redis-url:SecretString}}',
    });
  });

  test('no secret value of the packaging environment reaches the template', () => {
    for (const value of Object.values(SENTINELS)) expect(prod.templateText).not.toContain(value);
    expect(prod.templateText).not.toMatch(/rediss?:\/\/[^"{]*:[^"@{]+@/);
    expect(prod.templateText).not.toContain('hooks.slack.com');
  });

  test('the function role may write its logs and use its VPC, nothing more', () => {
    const role = only(prod.template, 'AWS::IAM::Role').Properties;
    const statements = (
      role.Policies as Array<{ PolicyDocument: { Statement: Array<Record<string, unknown>> } }>
    ).flatMap((policy) => policy.PolicyDocument.Statement);
    const actions = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action as string[]);
    expect(actions.every((action) => action.startsWith('logs:') && !action.includes('*'))).toBe(true);
    expect(JSON.stringify(role.ManagedPolicyArns)).toContain(
      ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
    );
    expect((role.ManagedPolicyArns as unknown[]).length).toBe(1);
  });
});

describe('the package', () => {
  const names = (): string[] => prod.zip.map((entry) => entry.name);

  test('carries the handler, the config and the production dependencies', () => {
    expect(names()).toEqual(
      expect.arrayContaining([
        'dist/lambda/probe.js',
        'dist/probe/worker.js',
        'config/quorumdns.yaml',
        'config/two-cloud-failover.yaml',
        'package.json',
        'node_modules/ioredis/package.json',
        'node_modules/bullmq/package.json',
        'node_modules/yaml/package.json',
        'node_modules/zod/package.json',
      ]),
    );
  });

  test('leaves out sources, tests, infrastructure, source maps and dev dependencies', () => {
    const forbidden = names().filter((name) =>
      /^(src|test|terraform|infra|docs|bench|examples|\.serverless)\/|\.map$|^node_modules\/(typescript|jest|ts-jest|serverless|eslint|prettier|@types\/jest|fast-check|tsx|@cdktf|autocannon)\//.test(
        name,
      ),
    );
    expect(forbidden).toEqual([]);
    const total = prod.zip.reduce((sum, entry) => sum + entry.size, 0);
    // Lambda's limit for an unzipped package is 250 MB; staying far below keeps cold starts short.
    expect(total).toBeLessThan(120 * 1024 * 1024);
  });
});

test('stage and region come from the command line (defaults prod and us-east-1)', () => {
  expect(staging.provider.stage).toBe('staging');
  expect(staging.provider.region).toBe('eu-west-1');
  expect(staging.functions.probe.name).toBe('quorumdns-probe-staging-probe');
  expect(staging.provider.environment.QUORUMDNS_REGION).toBe('eu-west-1');
  const fn = only(prod.template, 'AWS::Lambda::Function').Properties;
  expect(fn.FunctionName).toBe('quorumdns-probe-prod-probe');
  expect((fn.Environment as { Variables: Record<string, string> }).Variables.QUORUMDNS_REGION).toBe(
    'us-east-1',
  );
});
