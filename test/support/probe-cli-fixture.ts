import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type HttpTestServer, startStatusServer } from './misbehaving-servers';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from './redis-test-keys';

/** What the probe command tests share: a key prefix, a temp dir, a Redis admin client, an up and a down endpoint. */
export interface ProbeCliFixture {
  prefix: string;
  dir: string;
  admin: Redis;
  /** Answers 200 `ok`. */
  up: HttpTestServer;
  /** Answers 503 `no`. */
  down: HttpTestServer;
}

/**
 * Registers the jest hooks that start and tear down the fixture; the returned object is filled in by
 * `beforeAll`, so read its fields inside tests only.
 */
export function useProbeCliFixture(name: string): ProbeCliFixture {
  const fixture = {
    prefix: randomPrefix(name),
    dir: mkdtempSync(join(tmpdir(), `quorumdns-probe-${name}-`)),
  } as ProbeCliFixture;
  beforeAll(async () => {
    fixture.admin = new Redis(SHARED_REDIS_URL);
    fixture.up = await startStatusServer(200, 'ok');
    fixture.down = await startStatusServer(503, 'no');
  });
  afterAll(async () => {
    await deleteKeys(fixture.admin, fixture.prefix);
    await fixture.admin.quit();
    await fixture.up.close();
    await fixture.down.close();
    rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}

/** The JSON log lines among what a probe command printed (other text is skipped). */
export function jsonLogLines(chunks: string[]): { msg: string; [key: string]: unknown }[] {
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string });
}
