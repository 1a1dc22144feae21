/**
 * `quorumdns notify test <channel>` in-process through main(): sends a test message through the channel's
 * formatter to a real local receiver and prints the remote's status and answer, never the URL's secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { captureIo } from '../../support/capture-io';
import { randomPrefix } from '../../support/redis-test-keys';
import { cliConfig } from '../support/cli-config';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const SECRET = '/services/T0CLISECRET/B0CLISECRET/xoxCliSecretToken42';

let receiver: WebhookReceiver;
let dir: string;
let configPath: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  dir = mkdtempSync(join(tmpdir(), 'qdns-notify-cli-'));
  configPath = join(dir, 'quorumdns.yaml');
  writeFileSync(
    configPath,
    cliConfig(randomPrefix('notify-cli'), ["chat: { type: slack, url: '${env:QDNS_TEST_SLACK}' }"]),
  );
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  args: string[],
  env: NodeJS.ProcessEnv = {
    QDNS_TEST_HOOK_OPS: `${receiver.url}/ops${SECRET}`,
    QDNS_TEST_SLACK: `${receiver.url}/slack${SECRET}`,
  },
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd: dir, env });
  const code = await main([...args, '--config', configPath], io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

function expectNoSecret(text: string): void {
  for (const part of ['T0CLISECRET', 'B0CLISECRET', 'xoxCliSecretToken42']) expect(text).not.toContain(part);
}

test('sends a test message and prints the remote answer', async () => {
  receiver.script({ status: 200, body: 'thanks, got it' });
  const result = await run(['notify', 'test', 'ops']);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  expect(result.out).toMatch(
    new RegExp(`^channel ops \\(webhook\\): POST ${receiver.url}/\\*\\*\\* -> 200 in \\d+ ms: accepted\\n`),
  );
  expect(result.out).toContain('answer: thanks, got it');
  expectNoSecret(result.out);
  const request = receiver.requestsTo('/ops').at(-1);
  expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ version: 1, kind: 'test', severity: 'info' });
});

test("a refusal exits 1 with the remote's status and answer", async () => {
  receiver.script({ status: 400, body: `invalid_payload for ${SECRET}` });
  const result = await run(['notify', 'test', 'ops']);
  expect(result.code).toBe(1);
  expect(result.out).toBe('');
  expect(result.err).toContain('the test message was not accepted');
  expect(result.err).toContain('status: 400');
  expect(result.err).toMatch(/answer: invalid_payload for [/*]+\n/);
  expectNoSecret(result.err);
});

test('goes through the platform formatter (Slack) and its answer check', async () => {
  receiver.script({ status: 200, body: 'ok' }, { status: 200, body: 'invalid_blocks' });
  const accepted = await run(['notify', 'test', 'chat']);
  expect(accepted.code).toBe(0);
  const payload = JSON.parse(receiver.requestsTo('/slack').at(-1)?.body ?? '{}') as { blocks?: unknown[] };
  expect(Array.isArray(payload.blocks)).toBe(true);
  const rejected = await run(['notify', 'test', 'chat']);
  expect(rejected.code).toBe(1);
  expect(rejected.err).toContain('invalid_blocks');
});

test('an unreachable webhook, an unset secret, an unknown channel, a bad command line', async () => {
  const closed = await startWebhookReceiver();
  await closed.close();
  const refused = await run(['notify', 'test', 'ops'], { QDNS_TEST_HOOK_OPS: `${closed.url}${SECRET}` });
  expect(refused.code).toBe(1);
  expect(refused.err).toContain('connection refused');
  expect(refused.err).toContain('status: (no answer)');
  expectNoSecret(refused.err);

  const unset = await run(['notify', 'test', 'ops'], {});
  expect(unset.code).toBe(1);
  expect(unset.err).toContain('environment variable QDNS_TEST_HOOK_OPS is not set');

  const unknown = await run(['notify', 'test', 'opz']);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('unknown channel "opz" (did you mean "ops"?); known channels: chat, ops');

  expect((await run(['notify'])).code).toBe(2);
  expect((await run(['notify', 'tset', 'ops'])).err).toContain('did you mean "test"');
  expect((await run(['notify', 'retry'])).code).toBe(2);
  expect((await run(['notify', 'retry', '--all', 'x/y/z'])).code).toBe(2);
  expect((await run(['notify', 'test', 'ops', '--json'])).code).toBe(2);
});
