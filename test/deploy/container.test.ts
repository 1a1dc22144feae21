/**
 * The container image and the local stack, checked without a Docker engine (none runs here): the Dockerfile's
 * stages and instructions, the compose file as parsed YAML, the config it mounts validated like
 * `quorumdns validate` would, and the health check command executed for real against a health server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { startHealthServer } from '../../src/api/health-server';
import { loadConfig } from '../../src/config/load-config';
import { type Dockerfile, execForm, parseDockerfile, type Stage } from './support/dockerfile';
import { runProcess } from './support/run-process';
import { loadTerraformModule, REPO_ROOT } from './support/terraform-model';

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

let dockerfile: Dockerfile;
let runtime: Stage;
beforeAll(() => {
  dockerfile = parseDockerfile(read('infra/Dockerfile'));
  const last = dockerfile.stages[dockerfile.stages.length - 1];
  if (!last) throw new Error('infra/Dockerfile has no FROM');
  runtime = last;
});

const instructions = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** The HEALTHCHECK command of the image: `node -e <script>`. */
function healthcheckScript(): string {
  const args = instructions(runtime, 'HEALTHCHECK')[0] ?? '';
  expect(args).toMatch(/(^|\s)CMD \[/);
  const command = execForm(args.slice(args.indexOf('CMD')));
  expect(command?.slice(0, 2)).toEqual(['node', '-e']);
  return command?.[2] ?? '';
}

describe('infra/Dockerfile', () => {
  test('builds in separate stages and ships only production dependencies', () => {
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(['build', 'deps', 'runtime']);
    const deps = dockerfile.stages.find((stage) => stage.name === 'deps');
    expect(instructions(deps as Stage, 'RUN').some((run) => /npm (ci|prune) [^&]*--omit=dev/.test(run))).toBe(
      true,
    );
    // The runtime stage installs nothing itself: it takes node_modules from deps and dist/ from build.
    expect(instructions(runtime, 'RUN').some((run) => /npm (ci|install|i)\b/.test(run))).toBe(false);
    expect(instructions(runtime, 'COPY')).toEqual(
      expect.arrayContaining([
        '--from=deps /app/node_modules ./node_modules',
        '--from=build /src/dist ./dist',
      ]),
    );
    const fromContext = instructions(runtime, 'COPY').filter((copy) => !copy.startsWith('--from'));
    expect(fromContext.some((copy) => /(^|\s)(src|test)\b/.test(copy))).toBe(false);
  });

  test('runs as a non-root user, by number', () => {
    const users = instructions(runtime, 'USER');
    const user = users[users.length - 1] ?? 'root';
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
  });

  test('one entrypoint for every role: quorumdns, linked to the package bin', () => {
    expect(execForm(instructions(runtime, 'ENTRYPOINT')[0] ?? '')).toEqual(['quorumdns']);
    const bin = (JSON.parse(read('package.json')) as { bin: Record<string, string> }).bin.quorumdns;
    expect(instructions(runtime, 'RUN').join('\n')).toContain(`ln -s /app/${bin} /usr/local/bin/quorumdns`);
    expect(instructions(runtime, 'ENV').join(' ')).toContain('QUORUMDNS_METRICS_PORT=9464');
    expect(instructions(runtime, 'EXPOSE')).toEqual(['9464']);
  });

  test('its health check asks /healthz, the same command compose and the ECS tasks run', async () => {
    const script = healthcheckScript();
    expect(script).toContain('/healthz');
    const compose = parseYaml(read('infra/compose.yaml'), { merge: true }) as ComposeFile;
    expect(compose.services.evaluator?.healthcheck?.test).toEqual(['CMD', 'node', '-e', script]);
    // The evaluator's and the probe's ECS tasks are both the shared Fargate module's task definition.
    const shared = await loadTerraformModule(join(REPO_ROOT, 'terraform/modules/ecs-fargate-service'));
    expect(shared.locals.get('healthcheck_js')).toBe(script);
    for (const dir of ['aws-control', 'aws-probe-region']) {
      const module = await loadTerraformModule(join(REPO_ROOT, 'terraform/modules', dir));
      expect([...module.modules.values()].map((call) => call.source)).toEqual(['../ecs-fargate-service']);
    }
  });

  test('the health check command passes against a live health server and fails otherwise', async () => {
    const script = healthcheckScript();
    const check = (port: number) =>
      runProcess(process.execPath, ['-e', script], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, QUORUMDNS_METRICS_PORT: String(port) },
        timeoutMs: 30_000,
      });
    const health = await startHealthServer({
      port: 0,
      registry: new Registry(),
      ready: () => ({ ready: true, reasons: [] }),
    });
    const unhealthy: Server = createServer((_request, response) => response.writeHead(500).end('broken'));
    await new Promise<void>((resolve) => unhealthy.listen(0, '127.0.0.1', resolve));
    const unhealthyPort = (unhealthy.address() as AddressInfo).port;
    try {
      expect((await check(health.port)).status).toBe(0);
      expect((await check(unhealthyPort)).status).toBe(1);
    } finally {
      await health.close();
      await new Promise<void>((resolve) => unhealthy.close(() => resolve()));
    }
    // Nothing listens there any more: connection refused is unhealthy too.
    expect((await check(health.port)).status).toBe(1);
  });

  test('.dockerignore sends only what the Dockerfile copies', () => {
    const rules = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(rules[0]).toBe('*');
    const allowed = new Set(rules.filter((rule) => rule.startsWith('!')).map((rule) => rule.slice(1)));
    const copied = dockerfile.stages
      .flatMap((stage) => instructions(stage, 'COPY'))
      .filter((copy) => !copy.startsWith('--from'))
      .flatMap((copy) => copy.split(/\s+/).slice(0, -1))
      .map((source) => source.replace(/\/$/, ''));
    expect(copied.length).toBeGreaterThan(3);
    expect(copied.filter((source) => !allowed.has(source))).toEqual([]);
    expect(
      [...allowed].filter((path) => /node_modules|dist|test|terraform|\.env|secrets/.test(path)),
    ).toEqual([]);
  });
});

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string[];
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean } | string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  init?: boolean;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

describe('infra/compose.yaml', () => {
  let compose: ComposeFile;
  let quorumdns: Array<[string, ComposeService]>;
  beforeAll(() => {
    compose = parseYaml(read('infra/compose.yaml'), { merge: true }) as ComposeFile;
    quorumdns = Object.entries(compose.services).filter(([, service]) =>
      ['evaluate', 'probe'].includes(service.command?.[0] ?? ''),
    );
  });

  const regionOf = (service: ComposeService): string | undefined => {
    const command = service.command ?? [];
    return command[command.indexOf('--region') + 1];
  };

  test('Redis, one evaluator and three probe workers in three different regions', async () => {
    expect(Object.keys(compose.services)).toContain('redis');
    expect(quorumdns.filter(([, s]) => s.command?.[0] === 'evaluate').map(([name]) => name)).toEqual([
      'evaluator',
    ]);
    const regions = quorumdns.filter(([, s]) => s.command?.[0] === 'probe').map(([, s]) => regionOf(s));
    expect(regions).toEqual(['lab-a', 'lab-b', 'lab-c']);
    // ... and they are exactly the probe regions of the config the stack mounts.
    const result = await loadConfig([join(REPO_ROOT, 'infra/quorumdns.compose.yaml')]);
    if (!result.ok)
      throw new Error(`infra/quorumdns.compose.yaml is invalid: ${JSON.stringify(result.problems)}`);
    expect(result.warnings).toEqual([]);
    expect(result.config.probeRegions).toEqual(regions);
  });

  test('every quorumdns container is health-checked on the port its command serves', () => {
    for (const [name, service] of quorumdns) {
      const command = service.command ?? [];
      const port = command[command.indexOf('--metrics-port') + 1];
      expect({ name, port, envPort: service.environment?.QUORUMDNS_METRICS_PORT }).toEqual({
        name,
        port: '9464',
        envPort: '9464',
      });
      expect(service.healthcheck?.test.join(' ')).toContain('/healthz');
      expect(service.depends_on?.redis?.condition).toBe('service_healthy');
      expect(service.init).toBe(true);
    }
    expect(compose.services.redis?.healthcheck?.test.join(' ')).toContain('redis-cli ping');
  });

  test('the config is mounted read-only where QUORUMDNS_CONFIG points', () => {
    for (const [, service] of quorumdns) {
      const configDir = service.environment?.QUORUMDNS_CONFIG ?? '';
      const mounts = (service.volumes ?? []).filter(
        (volume): volume is { type: string; source: string; target: string; read_only?: boolean } =>
          typeof volume === 'object' && volume.target.startsWith(`${configDir}/`),
      );
      expect(mounts).toEqual([
        {
          type: 'bind',
          source: './quorumdns.compose.yaml',
          target: '/etc/quorumdns/quorumdns.yaml',
          read_only: true,
        },
      ]);
    }
  });

  test('secrets come from env_file only: none is written in the compose file', () => {
    const text = read('infra/compose.yaml');
    // (A printf template such as redis://:%s@ is fine: it is how the docs build the env file.)
    expect(text).not.toMatch(/rediss?:\/\/[^\s'"]*:[^\s'"$%]+@/);
    expect(text).not.toMatch(/hooks\.slack\.com|requirepass\s+[^$\s]/);
    for (const [name, service] of [
      ...quorumdns,
      ['redis', compose.services.redis ?? {}] as [string, ComposeService],
    ]) {
      expect({ name, env_file: service.env_file }).toEqual({ name, env_file: ['./quorumdns.env'] });
      const names = Object.keys(service.environment ?? {});
      expect(names.filter((n) => /REDIS_URL|PASSWORD|SECRET|TOKEN|WEBHOOK|HMAC|ROUTING_KEY/.test(n))).toEqual(
        [],
      );
    }
    // Redis takes its password from that environment, with BullMQ's eviction policy.
    const redisCommand = (compose.services.redis?.command ?? []).join(' ');
    expect(redisCommand).toContain('requirepass $$REDIS_PASSWORD');
    expect(redisCommand).toContain('--maxmemory-policy noeviction');
    // The env file itself is never committed.
    expect(read('.gitignore').split('\n')).toContain('infra/*.env');
  });

  test('metrics are published on the loopback interface only', () => {
    const published = Object.values(compose.services).flatMap((service) => service.ports ?? []);
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter((port) => !port.startsWith('127.0.0.1:'))).toEqual([]);
  });
});
