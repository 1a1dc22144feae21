/**
 * The DNS server as an operator meets it: `dig @127.0.0.1 -p <port>` (BIND's own client, with its EDNS
 * cookies, its TC -> TCP retry and its parser) sees the answers a lab promises. Skipped, saying so, when
 * `dig` (Debian package bind9-dnsutils) is not installed.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { type DnsServer, startDnsServer } from '../../src/dns-server/dns-server';
import { LOCAL_LIMITS } from '../../src/providers/local/local-adapter';
import { LocalZoneStore } from '../../src/providers/local/local-zone-store';
import type { RecordSet } from '../../src/providers/record-set';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis-test-keys';
import { waitFor } from '../support/wait-for';

jest.setTimeout(30_000);

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const DIG = onPath('dig');
const ZONE = 'lab.test';
const a = (name: string, values: string[]): RecordSet => ({ name, type: 'A', ttl: 30, values });

if (DIG === undefined) {
  console.warn(
    'dig is not on the PATH: the dig checks of the DNS server are skipped (Debian: bind9-dnsutils)',
  );
  describe('dig against the quorumdns DNS server', () => {
    it.skip('SKIPPED: dig is not on the PATH (install Debian package bind9-dnsutils to run these checks)', () => {
      // Nothing to run without dig.
    });
  });
} else {
  const digPath = DIG;
  describe('dig against the quorumdns DNS server', () => {
    let redis: Redis;
    let prefix: string;
    let store: LocalZoneStore;
    let server: DnsServer;

    /** Runs dig against the server (never blocking the event loop the server answers on). */
    const dig = (...args: string[]): Promise<string> =>
      new Promise((resolve, reject) => {
        execFile(
          digPath,
          ['@127.0.0.1', '-p', String(server.port), '+time=3', '+tries=2', ...args],
          { timeout: 20_000 },
          (error, stdout, stderr) => {
            // dig exits 9 when no server answered: a failure worth its output.
            if (error)
              reject(new Error(`dig ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
            else resolve(stdout);
          },
        );
      });
    const short = async (...args: string[]): Promise<string[]> =>
      (await dig('+short', ...args))
        .split('\n')
        .filter((line) => line !== '')
        .sort();

    beforeAll(async () => {
      redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
      prefix = randomPrefix('dig');
      store = new LocalZoneStore({ redis, keyPrefix: prefix, zone: ZONE, limits: LOCAL_LIMITS });
      await store.applyChanges([
        { action: 'create', after: a('api.lab.test', ['192.0.2.10']) },
        {
          action: 'create',
          after: { name: 'www.lab.test', type: 'CNAME', ttl: 30, values: ['api.lab.test'] },
        },
        {
          action: 'create',
          after: a(
            'big.lab.test',
            Array.from({ length: 60 }, (_, i) => `10.0.0.${i + 1}`),
          ),
        },
      ]);
      server = await startDnsServer({ redis, keyPrefix: prefix, zones: [ZONE], host: '127.0.0.1', port: 0 });
    });

    afterAll(async () => {
      await server?.close();
      await deleteKeys(redis, prefix);
      await redis.quit();
    });

    it('shows the answer, and shows it change after a change is applied', async () => {
      expect(await short('api.lab.test', 'A')).toEqual(['192.0.2.10']);
      expect(await short('www.lab.test', 'A')).toEqual(['192.0.2.10', 'api.lab.test.']);

      await store.applyChanges([
        {
          action: 'update',
          before: a('api.lab.test', ['192.0.2.10']),
          after: a('api.lab.test', ['198.51.100.7']),
        },
      ]);
      await waitFor(async () => (await short('api.lab.test', 'A')).join() === '198.51.100.7', {
        what: 'dig to show the new address',
      });
    });

    it('reports NXDOMAIN and NODATA authoritatively, with the SOA', async () => {
      const nxdomain = await dig('nope.lab.test', 'A');
      expect(nxdomain).toContain('status: NXDOMAIN');
      expect(nxdomain).toMatch(/flags: qr aa/);
      expect(nxdomain).toMatch(/lab\.test\.\s+5\s+IN\s+SOA\s+ns1\.lab\.test\. hostmaster\.lab\.test\./);

      const nodata = await dig('api.lab.test', 'TXT');
      expect(nodata).toContain('status: NOERROR');
      expect(nodata).toContain('ANSWER: 0');
      expect(nodata).toContain('AUTHORITY: 1');
    });

    it('refuses a name outside the zone', async () => {
      const outside = await dig('example.com', 'A');
      expect(outside).toContain('status: REFUSED');
      expect(outside).not.toMatch(/flags: qr aa/);
    });

    it('sets TC on a large UDP answer, and dig gets it all over TCP', async () => {
      const truncated = await dig('+noedns', '+ignore', 'big.lab.test', 'A');
      expect(truncated).toMatch(/flags: qr aa tc/);

      expect(await short('big.lab.test', 'A')).toHaveLength(60);
      expect(await short('+tcp', 'big.lab.test', 'A')).toHaveLength(60);
    });
  });
}
