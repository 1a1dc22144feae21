/**
 * Notification grouping and reminders on a service's routes, and the delivery timeout of a
 * channel: resolved values and exact problems.
 */
import type { NotificationChannel, NotificationRoute, Service } from '../../src/config/types';
import { problemLines, SHARED, validConfig } from './support/config-text';

/** SHARED (lines 1-10) with two more channels on lines 8-9; services from line 12. */
const HEAD = SHARED.replace(
  'notifications:\n',
  `notifications:
  pager: { type: pagerduty, routingKey: '\${env:PD_KEY}', timeout: 30s }
  audit: { type: webhook, url: 'http://127.0.0.1:9/', timeout: 1s }
`,
);

const withNotify = (notify: string, extra = ''): string => `${HEAD}services:
  api:
    names: [api.example.com]
${extra}    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
    notify:
${notify}`;

describe('notification routes', () => {
  it('fill in quietPeriod 0, no reminders and maxReminders 3', () => {
    const config = validConfig(withNotify('      - { channel: ops-slack }\n'));
    expect((config.services.api as Service).notify).toEqual<NotificationRoute[]>([
      { channel: 'ops-slack', minSeverity: 'info', quietPeriod: 0, maxReminders: 3 },
    ]);
  });

  it('resolve written grouping and reminders', () => {
    const config = validConfig(
      withNotify(`      - { channel: ops-slack, minSeverity: warning, quietPeriod: 20s, repeatEvery: 30m, maxReminders: 10 }
      - { channel: pager, quietPeriod: 0s, repeatEvery: 1m }
`),
    );
    expect((config.services.api as Service).notify).toEqual<NotificationRoute[]>([
      {
        channel: 'ops-slack',
        minSeverity: 'warning',
        quietPeriod: 20_000,
        repeatEvery: 1_800_000,
        maxReminders: 10,
      },
      { channel: 'pager', minSeverity: 'info', quietPeriod: 0, repeatEvery: 60_000, maxReminders: 3 },
    ]);
  });

  it('refuse reminders more often than every minute, and reminder counts outside 1..100', () => {
    const text = withNotify(`      - { channel: ops-slack, repeatEvery: 30s, maxReminders: 0 }
      - { channel: pager, repeatEvery: 5m, maxReminders: 101, quietPeriod: -1s }
      - { channel: audit, repeatEvery: 0s, maxReminders: 2.5, quiet: 1s }
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:21:44: services.api.notify[0].repeatEvery: must be at least 1m, got "30s"',
      'test.yaml:21:63: services.api.notify[0].maxReminders: expected a reminder count (a whole number from 1 to 100), got 0',
      'test.yaml:22:58: services.api.notify[1].maxReminders: expected a reminder count (a whole number from 1 to 100), got 101',
      'test.yaml:22:76: services.api.notify[1].quietPeriod: expected a duration like 10s or 2m, got "-1s"',
      'test.yaml:23:40: services.api.notify[2].repeatEvery: must be longer than 0',
      'test.yaml:23:58: services.api.notify[2].maxReminders: expected a reminder count (a whole number from 1 to 100), got 2.5',
      'test.yaml:23:63: services.api.notify[2].quiet: unknown field "quiet"',
    ]);
  });

  it('warn about maxReminders without repeatEvery, and a quietPeriod a drill objective cannot absorb', () => {
    const text = withNotify(
      `      - { channel: ops-slack, maxReminders: 5 }
      - { channel: pager, quietPeriod: 45s }
      - { channel: audit, quietPeriod: 10s }
`,
      '    drill: { notifyWithin: 45s }\n',
    );
    expect(problemLines(text)).toEqual([
      'test.yaml:22:45: warning: services.api.notify[0].maxReminders: maxReminders has no effect without repeatEvery: no reminders are sent',
      'test.yaml:23:40: warning: services.api.notify[1].quietPeriod: quietPeriod 45s is not shorter than drill.notifyWithin 45s: grouping alone makes every drill miss its notification objective',
    ]);
    expect(validConfig(text).services.api?.notify.map((r) => r.quietPeriod)).toEqual([0, 45_000, 10_000]);
  });
});

describe('channel timeout', () => {
  it('defaults to 10s on every channel type and takes 1s..60s', () => {
    const config = validConfig(withNotify('      - { channel: ops-slack }\n'));
    expect(config.notifications['ops-slack']).toEqual<NotificationChannel>({
      name: 'ops-slack',
      type: 'slack',
      url: { kind: 'env', name: 'SLACK_WEBHOOK_URL' },
      timeout: 10_000,
    });
    expect(config.notifications.pager?.timeout).toBe(30_000);
    expect(config.notifications.audit?.timeout).toBe(1_000);
  });

  it('refuses a timeout outside 1s..60s', () => {
    const text = SHARED.replace(
      'notifications:\n',
      `notifications:
  pager: { type: pagerduty, routingKey: '\${env:PD_KEY}', timeout: 2m }
  audit: { type: webhook, url: 'http://127.0.0.1:9/', timeout: 999ms }
  chat: { type: teams, url: '\${env:TEAMS}', timeout: 10 }
`,
    );
    expect(problemLines(text)).toEqual([
      'test.yaml:8:67: notifications.pager.timeout: must be at most 1m (1s to 1m), got "2m"',
      'test.yaml:9:64: notifications.audit.timeout: must be at least 1s (1s to 1m), got "999ms"',
      'test.yaml:10:54: notifications.chat.timeout: expected a duration like 10s or 2m, got 10',
    ]);
  });
});
