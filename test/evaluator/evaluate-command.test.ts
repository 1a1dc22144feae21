/** `quorumdns evaluate` in-process: command-line and config errors, and a start/stop cycle on signals. */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIo, type CapturedIo } from '../support/capture-io';
import { configYaml, writeConfigFile } from '../support/config-yaml';
import { UsageError } from '../../src/cli/cli-io';
import { runEvaluateCommand, type SignalSource } from '../../src/cli/evaluate-command';
import { StateStore } from '../../src/evaluator/state-store';
import { REDIS_URL, testRedis, waitFor } from './support/fixtures';

const fixture = testRedis('command');
const dir = mkdtempSync(join(tmpdir(), 'quorumdns-evaluate-command-'));

afterAll(async () => {
  await fixture.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function memoryIo(): CapturedIo {
  return captureIo({ cwd: dir, env: { REDIS_URL } });
}

class FakeSignals extends EventEmitter implements SignalSource {
  send(signal: NodeJS.Signals): void {
    this.emit(signal);
  }
}

function config(name: string, body: string): string {
  return writeConfigFile(dir, body, name);
}

const VALID = configYaml({
  deploymentId: 'cmdtest',
  keyPrefix: fixture.prefix,
  providers: ['r53: { type: route53, hostedZoneId: Z123 }'],
  check: '{ type: tcp, interval: 1s, timeout: 500ms, port: 9 }',
  services: [
    {
      name: 'web',
      names: ['web.example.com'],
      pools: { a: { a1: '192.0.2.1' }, b: { b1: '192.0.2.2' } },
      providers: ['r53'],
    },
  ],
});

test.each([
  [['--tick', 'soon'], /--tick must be a duration/],
  [['--tick', '10ms'], /at least 100ms/],
  [['--metrics-port', '70000'], /--metrics-port must be a port number/],
  [['--concurrency', '0'], /--concurrency must be an integer/],
  [['--lock-duration', '10ms'], /--lock-duration/],
  [['--bogus'], /Unknown option '--bogus'/],
])('usage error: %j', async (args, message) => {
  const file = config('usage.yaml', VALID);
  await expect(
    runEvaluateCommand(['--config', file, ...args], memoryIo(), new FakeSignals()),
  ).rejects.toThrow(message);
  await expect(
    runEvaluateCommand(['--config', file, ...args], memoryIo(), new FakeSignals()),
  ).rejects.toThrow(UsageError);
});

test('no config at all, or a path that does not exist, is a usage error', async () => {
  await expect(runEvaluateCommand([], memoryIo(), new FakeSignals())).rejects.toThrow(/no configuration/);
  await expect(
    runEvaluateCommand(['--config', 'missing.yaml'], memoryIo(), new FakeSignals()),
  ).rejects.toThrow('config path not found: missing.yaml');
});

test('an invalid config is refused with file:line:col, exit 1, nothing started', async () => {
  const file = config('broken.yaml', `${VALID}    policy: sideways\n`);
  const io = memoryIo();
  expect(await runEvaluateCommand(['--config', file], io, new FakeSignals())).toBe(1);
  const text = io.err.join('');
  expect(text).toMatch(/broken\.yaml:\d+:\d+/);
  expect(text).toContain('invalid configuration, not started');
});

test('starts, evaluates, and stops with exit 0 on SIGTERM', async () => {
  const file = config('valid.yaml', VALID);
  const io = memoryIo();
  const signals = new FakeSignals();
  // --no-apply: the config names a Route 53 zone, and a test must never reach a real provider.
  const running = runEvaluateCommand(
    ['--config', file, '--tick', '200ms', '--id', 'cmd-1', '--no-apply'],
    io,
    signals,
  );
  const states = new StateStore(fixture.redis, fixture.keys);
  // A command that ends early (bad config, no Redis) fails the test at once, with what it printed.
  let stopping = false;
  const endedEarly = running.then((code) => {
    if (!stopping) throw new Error(`evaluate exited with ${code}: ${io.err.join('')}`);
    return undefined;
  });
  const first = await Promise.race([
    waitFor(() => states.read('web'), { what: 'first evaluation of web' }),
    endedEarly,
  ]);
  expect(first?.evaluatedBy).toBe('cmd-1');
  // The first evaluation can land before the command has finished starting (the apply, notify and drill
  // workers) and installed its signal handlers: a SIGTERM sent then would go unheard.
  await waitFor(() => signals.listenerCount('SIGTERM') > 0, { what: 'the SIGTERM handler' });
  stopping = true;
  signals.send('SIGTERM');
  expect(await running).toBe(0);
  const lines = io.err
    .join('')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string });
  expect(lines.map((line) => line.msg)).toEqual(
    expect.arrayContaining([
      'evaluator started',
      'stopping: finishing in-flight evaluations',
      'evaluator stopped',
    ]),
  );
  expect(signals.listenerCount('SIGTERM')).toBe(0);
  expect(signals.listenerCount('SIGHUP')).toBe(0);
});
