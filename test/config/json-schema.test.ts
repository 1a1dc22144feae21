import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { configJsonSchema } from '../../src/config/json-schema';
import { schemaErrors } from './support/json-schema-check';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const schema = configJsonSchema() as Record<string, unknown>;

describe('JSON Schema', () => {
  it('matches the committed quorumdns.schema.json', () => {
    const committed: unknown = JSON.parse(readFileSync(join(ROOT, 'quorumdns.schema.json'), 'utf8'));
    if (!isDeepStrictEqual(committed, schema)) {
      throw new Error(
        'quorumdns.schema.json does not match the config schema in src/config; regenerate it with:\n' +
          '  npx tsx src/cli.ts schema > quorumdns.schema.json',
      );
    }
  });

  it('is draft 2020-12 with an id, a title and descriptions for editors', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('urn:quorumdns:config:v1');
    expect(schema.title).toBe('quorumdns configuration file');
    const services = (schema.properties as Record<string, Record<string, unknown>>).services;
    const service = services?.additionalProperties as {
      properties: Record<string, { description?: string }>;
    };
    expect(service.properties.policy?.description).toMatch(/^failover \(default\)/);
  });

  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')))('accepts examples/%s', (file) => {
    const data: unknown = parse(readFileSync(join(EXAMPLES, file), 'utf8'));
    expect(schemaErrors(schema, data)).toEqual([]);
  });

  it('refuses what an editor should flag: a typo, a bad duration, a literal secret, an unknown type', () => {
    const data = {
      deployment: { id: 'x', statusPage: 'https://x' },
      defaults: { check: { interval: '10 seconds' } },
      notifications: { slack: { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' } },
      providers: { aws: { type: 'route54' } },
      services: { Api: { names: ['a.example.com'], pools: {}, providers: [{ provider: 'aws' }] } },
    };
    const errors = schemaErrors(schema, data).join('\n');
    expect(errors).toContain('$.deployment: unknown property statusPage');
    expect(errors).toContain('$.defaults.check.interval: does not match');
    expect(errors).toContain('$.notifications.slack.url: does not match');
    expect(errors).toContain('$.providers.aws: matches 0 of oneOf');
    expect(errors).toContain('$.services.Api(name): does not match');
  });

  it('flags the provider, notification and drill options an editor can check alone', () => {
    const data = {
      providers: {
        lab: { type: 'local', zone: 'lab.test', syncDelay: 'soon', requestsPerSecond: 0 },
        aws: { type: 'route53', limits: { maxChanges: 0 }, nameServers: ['ns1.example.com:53', 'a b'] },
      },
      notifications: { hook: { type: 'webhook', url: 'https://x.example/', timeout: 10 } },
      services: {
        api: {
          names: ['api.lab.test'],
          pools: {},
          providers: [{ provider: 'lab' }],
          notify: [{ channel: 'hook', maxReminders: 0 }],
          drills: [
            {
              pool: 'a',
              cron: '0 0 * * * *',
              mode: 'wet',
              blockedWindows: [{ from: '2026-12-24', to: '2026-12-26T00:00:00Z' }],
            },
          ],
        },
      },
    };
    const errors = schemaErrors(schema, data).join('\n');
    const provider = (name: string) => `$.providers.${name}: matches 0 of oneOf`;
    expect(errors).toContain(provider('lab'));
    expect(errors).toContain('$.providers.lab.syncDelay: does not match');
    expect(errors).toContain('$.providers.lab.requestsPerSecond: not above 0');
    expect(errors).toContain('$.providers.aws.limits.maxChanges: below 1');
    expect(errors).toContain('$.providers.aws.nameServers[1]: does not match');
    expect(errors).toContain('$.notifications.hook.timeout: expected string');
    expect(errors).toContain('$.services.api.notify[0].maxReminders: below 1');
    expect(errors).toContain('$.services.api.drills[0].cron: does not match');
    expect(errors).toContain('$.services.api.drills[0].mode: expected one of dry, live');
    expect(errors).toContain('$.services.api.drills[0].blockedWindows[0].from: does not match');
    expect(errors).not.toContain('blockedWindows[0].to');
  });
});
