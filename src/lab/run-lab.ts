/**
 * `quorumdns lab`: the whole system on one machine, on loopback only.
 *
 * 1. Redis: `REDIS_URL` when set (under a random key prefix, removed afterwards), else a private
 *    `redis-server` on a free port in the lab's temp dir;
 * 2. three data centers (HTTP servers on 127.0.0.x), the webhook receiver, the generated config;
 * 3. `quorumdns sync` once, then `dns-server`, `evaluate` and one `probe` per probe region as child processes
 *    (logs in `<temp dir>/logs/`);
 * 4. the scenario (lab-scenario.ts), its timeline, and either the end or, with `--keep`, a running lab to
 *    explore until Ctrl-C.
 *
 * Teardown always runs: children stopped (SIGTERM to their process groups, SIGKILL after a grace period),
 * servers closed, the private Redis stopped (or the lab's keys deleted from the shared one) and the temp dir
 * removed — except after a failure, when the logs and the config stay for reading (the path is printed).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { type CliIo, ExitCode } from '../cli/cli-io';
import type { SignalSource } from '../cli/probe-command';
import { loadConfig } from '../config/load-config';
import { formatProblem } from '../config/problem';
import { redact } from '../config/resolve-secret';
import type { Config } from '../config/types';
import { createRedisClient, whenReady } from '../redis/connect';
import { styleFor, type TextStyle } from '../status/text-style';
import { DataCenter } from './data-center';
import { DnsAnswerPoller } from './dns-answer-poller';
import { freePort, LAB_HOST } from './free-port';
import {
  LAB_FAILOVER_SERVICE,
  LAB_PROBE_REGIONS,
  LAB_WEIGHTED_SERVICE,
  LAB_ZONE,
  labConfigYaml,
} from './lab-config';
import { LabError, LabInterruptedError } from './lab-errors';
import { currentLauncher, LabChild, type LabChildExit, type QuorumdnsLauncher } from './lab-processes';
import { LabScenario, type LabScenarioTimeouts } from './lab-scenario';
import { renderLabTimeline, renderMeasured } from './lab-timeline';
import { LabWebhookReceiver } from './lab-webhook-receiver';
import { type PrivateRedis, startPrivateRedis } from './private-redis';

/** The lab's data centers: pool name and the address DNS answers for it. The first is the primary. */
export const LAB_DATA_CENTERS = [
  { name: 'dc-east', address: '127.0.0.11' },
  { name: 'dc-west', address: '127.0.0.12' },
  { name: 'dc-central', address: '127.0.0.13' },
] as const;

export interface RunLabOptions {
  io: CliIo;
  /** Leave everything running after the scenario until SIGINT/SIGTERM. */
  keep: boolean;
  /** Also write the timeline as JSON here. */
  jsonTimeline?: string;
  /** @defaultValue process */
  signals?: SignalSource;
  timeouts?: Partial<LabScenarioTimeouts>;
  /** @defaultValue this installation (currentLauncher) */
  launcher?: QuorumdnsLauncher;
}

interface LabRedis {
  url: string;
  /** Shown to people: the private server's URL, or REDIS_URL with any credentials hidden. */
  displayUrl: string;
  keyPrefix: string;
  /** Written into the config (undefined: the children read REDIS_URL). */
  configUrl?: string;
  private?: PrivateRedis;
}

/** Everything the lab started, so teardown can stop exactly that. */
class LabResources {
  dir: string | undefined;
  redis: LabRedis | undefined;
  client: Redis | undefined;
  dataCenters: DataCenter[] = [];
  receiver: LabWebhookReceiver | undefined;
  poller: DnsAnswerPoller | undefined;
  children: LabChild[] = [];
}

export async function runLab(options: RunLabOptions): Promise<number> {
  const { io } = options;
  const style = styleFor(io);
  const say = (line: string): void => io.stdout(`${line}\n`);
  const signals = options.signals ?? process;
  const controller = new AbortController();
  let signalCount = 0;
  const resources = new LabResources();
  const onSignal = (signal: NodeJS.Signals) => () => {
    signalCount += 1;
    if (signalCount === 1) {
      say(`\nquorumdns lab: ${signal}: stopping everything`);
      controller.abort(signal);
    } else {
      // A second Ctrl-C: no more grace for the children.
      for (const child of resources.children) void child.stop(0);
    }
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  signals.on('SIGINT', onInt);
  signals.on('SIGTERM', onTerm);

  let failed = false;
  try {
    await startLab(resources, options, controller.signal, style, say);
    return ExitCode.ok;
  } catch (error) {
    failed = true;
    if (error instanceof LabInterruptedError) {
      io.stderr(`quorumdns lab: interrupted (${error.signal}) before the scenario was over\n`);
    } else if (error instanceof LabError) {
      io.stderr(`quorumdns lab: ${error.message}\n`);
    } else {
      throw error;
    }
    return ExitCode.failure;
  } finally {
    // After a failure the children's logs say why: keep them (nothing to read when no child ever started).
    const keepLogs = failed && !controller.signal.aborted && resources.children.length > 0;
    await teardown(resources, keepLogs, say);
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
  }
}

async function startLab(
  resources: LabResources,
  options: RunLabOptions,
  signal: AbortSignal,
  style: TextStyle,
  say: (line: string) => void,
): Promise<void> {
  const { io } = options;
  const goOn = (): void => {
    if (signal.aborted) throw new LabInterruptedError(String(signal.reason));
  };
  const dir = mkdtempSync(join(tmpdir(), 'quorumdns-lab-'));
  resources.dir = dir;
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  say(`${style.bold('quorumdns lab')}: a multi-region lab on loopback (files and logs in ${dir})`);

  // 1. Redis.
  const redis = await labRedis(io.env, dir, logs);
  resources.redis = redis;
  resources.client = createRedisClient(redis.url, { connectionName: 'quorumdns-lab' });
  say(
    redis.private !== undefined
      ? `  redis       private redis-server on ${redis.displayUrl} (pid ${redis.private.pid ?? '?'})`
      : `  redis       ${redis.displayUrl} (REDIS_URL), keys under ${redis.keyPrefix}: removed afterwards`,
  );
  goOn();

  // 2. Data centers, receiver, config.
  for (const spec of LAB_DATA_CENTERS) {
    const dc = new DataCenter(spec);
    await dc.start();
    resources.dataCenters.push(dc);
  }
  say(`  data ctrs   ${resources.dataCenters.map((dc) => `${dc.name} ${dc.url}healthz`).join(', ')}`);
  const secret = randomBytes(24).toString('hex');
  const secretFile = join(dir, 'webhook-secret');
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  // The receiver and the DNS poller start before the scenario exists; they reach it through this.
  const relay: { scenario?: LabScenario } = {};
  const receiver = new LabWebhookReceiver({
    secret,
    onNotification: (notification) => {
      say(
        `  ${style.warn('notification')} [${notification.severity}] ${notification.title}` +
          `${notification.summary ? ` — ${notification.summary}` : ''}`,
      );
      relay.scenario?.onNotification(notification);
    },
    onRejected: (reason) => say(`  ${style.bad('webhook refused')}: ${reason}`),
  });
  await receiver.start();
  resources.receiver = receiver;
  const dnsPort = await freePort({ udp: true });
  const configFile = join(dir, 'quorumdns.yaml');
  writeFileSync(
    configFile,
    labConfigYaml({
      ...(redis.configUrl !== undefined ? { redisUrl: redis.configUrl } : {}),
      keyPrefix: redis.keyPrefix,
      dnsPort,
      receiverUrl: receiver.url,
      secretFile,
      dataCenters: resources.dataCenters.map((dc) => ({
        name: dc.name,
        address: dc.address,
        host: dc.host,
        port: dc.port,
      })),
    }),
  );
  const config = await loadLabConfig(configFile, io);
  say(`  config      ${configFile}`);
  say(`  webhook     ${receiver.url} (signed; secret in ${secretFile})`);
  goOn();

  // 3. Processes: sync once, then the long-running ones.
  const launcher = options.launcher ?? currentLauncher();
  const env: NodeJS.ProcessEnv = {
    ...io.env,
    QUORUMDNS_CONFIG: configFile,
    // The lab never talks to a cloud: keep the SDKs from looking for instance metadata off the machine.
    AWS_EC2_METADATA_DISABLED: 'true',
    METADATA_SERVER_DETECTION: 'none',
  };
  const spawnChild = (name: string, file: string, args: string[]): LabChild => {
    const child = new LabChild({ name, args, logFile: join(logs, file), env, cwd: io.cwd, launcher });
    resources.children.push(child);
    return child;
  };
  const sync = spawnChild('sync', 'sync.log', ['sync', '--config', configFile, '--by', 'lab']);
  const syncExit = await raceAbort(sync.exited, signal, 60_000);
  goOn();
  if (syncExit === undefined) throw sync.failure({ code: null, signal: null }, 'did not finish within 60 s');
  if (syncExit.code !== 0) throw sync.failure(syncExit, 'at start (it creates the lab records)');
  say(`  sync        records and owner TXT created in ${LAB_ZONE} (log: ${sync.logFile})`);

  const dnsServer = spawnChild('dns-server', 'dns-server.log', [
    'dns-server',
    '--config',
    configFile,
    '--listen',
    `${LAB_HOST}:${dnsPort}`,
  ]);
  const evaluator = spawnChild('evaluate', 'evaluate.log', [
    'evaluate',
    '--config',
    configFile,
    '--id',
    'lab',
  ]);
  const probes = LAB_PROBE_REGIONS.map((region) =>
    spawnChild(`probe ${region}`, `probe-${region}.log`, [
      'probe',
      '--region',
      region,
      '--config',
      configFile,
      '--worker-id',
      `${region}-worker`,
    ]),
  );
  const running = [dnsServer, evaluator, ...probes];
  let died: { child: LabChild; exit: LabChildExit } | undefined;
  let keeping = false;
  for (const child of running) {
    void child.exited.then((exit) => {
      if (child.isStopping) return;
      if (keeping) {
        say(`\n  ${style.bad(child.describeExit(exit))}; last lines of ${child.logFile}:`);
        say(child.failure(exit, '').message.split('\n').slice(1).join('\n'));
        return;
      }
      died ??= { child, exit };
    });
  }
  say(
    `  processes   ${running.map((child) => `${child.name} (pid ${child.pid ?? '?'})`).join(', ')}; logs in ${logs}`,
  );

  // 4. The scenario.
  const server = { address: LAB_HOST, port: dnsPort, label: `${LAB_HOST}:${dnsPort}` };
  const apiName = config.services[LAB_FAILOVER_SERVICE]?.dnsNames[0] ?? `${LAB_FAILOVER_SERVICE}.${LAB_ZONE}`;
  const poller = new DnsAnswerPoller({
    server,
    name: apiName,
    type: 'A',
    onChange: (change) => relay.scenario?.onAnswer(change),
  });
  resources.poller = poller;
  const scenario = new LabScenario({
    config,
    redis: resources.client,
    service: LAB_FAILOVER_SERVICE,
    dataCenters: resources.dataCenters,
    currentAnswer: () => poller.current?.values,
    checkHealth: () => {
      if (died !== undefined) throw died.child.failure(died.exit, 'while the lab was running');
    },
    signal,
    print: say,
    style,
    ...(options.timeouts !== undefined ? { timeouts: options.timeouts } : {}),
  });
  relay.scenario = scenario;
  poller.start();
  say(
    `\nwaiting for the steady state (probes agree every pool is up; dig @${LAB_HOST} -p ${dnsPort} ${apiName})`,
  );
  await whenReady(resources.client, 10_000).catch(() => {
    throw new LabError(`Redis at ${redis.displayUrl} does not answer`, 'EREDIS');
  });
  const timeline = await scenario.run();

  say(
    `\n${style.bold('timeline')} of ${timeline.service} (offsets from the moment ${timeline.pool} went down; Redis clock)`,
  );
  for (const line of renderLabTimeline(timeline, style)) say(line);
  say(`\n${style.bold('measured')}`);
  for (const line of renderMeasured(timeline, style)) say(line);
  if (options.jsonTimeline !== undefined) {
    writeFileSync(options.jsonTimeline, `${JSON.stringify(timeline, null, 2)}\n`);
    say(`\n  timeline JSON written to ${options.jsonTimeline}`);
  }

  if (!options.keep) {
    say(`\n${style.good('the lab scenario passed')}; stopping everything (run with --keep to explore)`);
    return;
  }
  keeping = true;
  printExplore({
    say,
    style,
    dir,
    logs,
    configFile,
    redis,
    dnsPort,
    running,
    dataCenters: resources.dataCenters,
  });
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function labRedis(env: NodeJS.ProcessEnv, dir: string, logs: string): Promise<LabRedis> {
  const shared = env.REDIS_URL?.trim();
  if (shared) {
    const keyPrefix = `quorumdns:lab-${randomBytes(4).toString('hex')}`;
    const displayUrl = redact(shared);
    const client = createRedisClient(shared, { connectionName: 'quorumdns-lab-check', commandTimeout: 3000 });
    try {
      await whenReady(client, 3000);
    } catch {
      throw new LabError(
        `REDIS_URL ${displayUrl} does not answer: start that Redis, or unset REDIS_URL to let the lab start its own redis-server`,
        'EREDIS',
      );
    } finally {
      client.disconnect();
    }
    return { url: shared, displayUrl, keyPrefix };
  }
  const privateRedis = await startPrivateRedis({
    dir: join(dir, 'redis'),
    logFile: join(logs, 'redis.log'),
    detached: true,
    env,
  });
  return {
    url: privateRedis.url,
    displayUrl: privateRedis.url,
    keyPrefix: 'quorumdns:lab',
    configUrl: privateRedis.url,
    private: privateRedis,
  };
}

async function loadLabConfig(file: string, io: CliIo): Promise<Config> {
  const result = await loadConfig([file], { cwd: io.cwd });
  if (result.ok) return result.config;
  // A bug of the lab, not of the user: show what the loader said.
  const problems = result.problems.filter((problem) => problem.severity === 'error').map(formatProblem);
  throw new LabError(`the generated lab config is invalid (a bug):\n${problems.join('\n')}`, 'ECONFIG');
}

/** The exit of `promise`, or undefined when the signal aborted or `timeoutMs` passed first. */
async function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

function printExplore(input: {
  say: (line: string) => void;
  style: TextStyle;
  dir: string;
  logs: string;
  configFile: string;
  redis: LabRedis;
  dnsPort: number;
  running: LabChild[];
  dataCenters: DataCenter[];
}): void {
  const { say, style, redis, dnsPort } = input;
  const redisUrl = redis.private !== undefined || redis.displayUrl === redis.url ? redis.url : '"$REDIS_URL"';
  say(`\n${style.bold('the lab keeps running')} (--keep). From another terminal, in this directory:`);
  say(
    `  dig @${LAB_HOST} -p ${dnsPort} ${LAB_FAILOVER_SERVICE}.${LAB_ZONE}      # failover: ${input.dataCenters[0]?.name ?? ''}'s address`,
  );
  say(
    `  dig @${LAB_HOST} -p ${dnsPort} ${LAB_WEIGHTED_SERVICE}.${LAB_ZONE}      # weighted: one pool per answer, by weight`,
  );
  say(`  export QUORUMDNS_CONFIG=${input.configFile} REDIS_URL=${redisUrl}`);
  say(`  npx quorumdns status`);
  say(`  npx quorumdns events --follow`);
  say(
    `  npx quorumdns drill run --service ${LAB_FAILOVER_SERVICE} --pool ${input.dataCenters[0]?.name ?? 'dc-east'} --mode live --duration 20s --report-dir ${join(input.dir, 'drill-reports')}`,
  );
  say(`  npx quorumdns drill history      # past drills and their verdicts`);
  say(`  curl ${input.dataCenters.map((dc) => `${dc.url}healthz`).join(' ')}`);
  say(`  processes: ${input.running.map((child) => `${child.name} pid ${child.pid ?? '?'}`).join(', ')}`);
  say(`  logs: ${input.logs}`);
  say(`stop with Ctrl-C (or kill -TERM ${process.pid}): every process stops and ${input.dir} is removed`);
}

async function teardown(
  resources: LabResources,
  keepLogs: boolean,
  say: (line: string) => void,
): Promise<void> {
  const problems: string[] = [];
  const attempt = async (what: string, step: () => Promise<unknown>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await attempt('DNS poller', async () => resources.poller?.stop());
  // Probes first would make the evaluator see stale regions for nothing: stop them all at once.
  await attempt('child processes', () => Promise.all(resources.children.map((child) => child.stop())));
  await attempt('data centers', () => Promise.all(resources.dataCenters.map((dc) => dc.down())));
  await attempt('webhook receiver', async () => resources.receiver?.close());
  const redis = resources.redis;
  const client = resources.client;
  if (redis !== undefined && redis.private === undefined && client !== undefined) {
    await attempt('lab keys in REDIS_URL', () => deleteLabKeys(client, redis.keyPrefix));
  }
  client?.disconnect();
  await attempt('private redis-server', async () => redis?.private?.dispose());
  const dir = resources.dir;
  if (dir !== undefined) {
    if (keepLogs) {
      rmSync(join(dir, 'webhook-secret'), { force: true });
      say(`quorumdns lab: logs and config kept in ${dir} (remove it when done)`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const problem of problems) say(`quorumdns lab: teardown: ${problem}`);
}

/** Deletes the lab's keys from a shared Redis (SCAN, never FLUSHDB: other data lives there). */
async function deleteLabKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}
