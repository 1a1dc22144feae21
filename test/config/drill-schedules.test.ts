/**
 * Scheduled practice drills (`services.<name>.drills`): defaults, ids, every refusal with its
 * position, and the warnings for drills that cannot do what their author expects.
 */
import type { DrillSchedule, Service } from '../../src/config/types';
import { problemLines, SHARED, validConfig } from './support/config-text';

/** SHARED is lines 1-10; the service starts on line 11, `drills:` is line 19, the first drill line 20. */
const withDrills = (drills: string, extra = ''): string => `${SHARED}services:
  api:
    names: [api.example.com]
${extra}    pools:
      aws-use1: { endpoints: [{ address: 192.0.2.10 }] }
      gcp-euw1: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
    drill: { failoverWithin: 60s }
    drills:
${drills}`;

const drillsOf = (text: string): DrillSchedule[] => (validConfig(text).services.api as Service).drills;

describe('scheduled drills: resolved values', () => {
  it('default to no drills', () => {
    const config = validConfig(withDrills('      []\n'));
    expect((config.services.api as Service).drills).toEqual([]);
  });

  it('fill in id <pool>-<mode>, UTC, dry, 5m and no blocked windows', () => {
    expect(drillsOf(withDrills("      - { pool: aws-use1, cron: '0 10 * * TUE' }\n"))).toEqual<
      DrillSchedule[]
    >([
      {
        id: 'aws-use1-dry',
        pool: 'aws-use1',
        cron: '0 10 * * TUE',
        timezone: 'UTC',
        mode: 'dry',
        duration: 300_000,
        blockedWindows: [],
      },
    ]);
  });

  it('resolve every written field: time zone in its canonical spelling, windows in epoch ms', () => {
    const drills = drillsOf(
      withDrills(`      - id: quarterly-live
        pool: gcp-euw1
        cron: '30 9 1 1,4,7,10 *'
        timezone: europe/berlin
        mode: live
        duration: 15m
        blockedWindows:
          - { from: '2026-11-27T00:00:00-05:00', to: '2026-12-01T00:00:00-05:00', reason: Black Friday }
          - { from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00.500+01:00' }
      - { pool: aws-use1, cron: '@weekly', mode: live }
`),
    );
    expect(drills).toEqual<DrillSchedule[]>([
      {
        id: 'quarterly-live',
        pool: 'gcp-euw1',
        cron: '30 9 1 1,4,7,10 *',
        timezone: 'Europe/Berlin',
        mode: 'live',
        duration: 900_000,
        blockedWindows: [
          {
            from: Date.parse('2026-11-27T05:00:00Z'),
            to: Date.parse('2026-12-01T05:00:00Z'),
            reason: 'Black Friday',
          },
          { from: Date.parse('2026-12-20T00:00:00Z'), to: Date.parse('2027-01-03T23:00:00.500Z') },
        ],
      },
      {
        id: 'aws-use1-live',
        pool: 'aws-use1',
        cron: '@weekly',
        timezone: 'UTC',
        mode: 'live',
        duration: 300_000,
        blockedWindows: [],
      },
    ]);
  });
});

describe('scheduled drills: errors', () => {
  it('report every bad field at once, where it was written', () => {
    const text =
      withDrills(`      - { pool: aws-use1, cron: '0 0 * * * *', timezone: Europe/Pari, mode: wet, duration: 10s }
      - { pool: aws-use1, cron: '*/90 * * * *', timezone: '+01:00', duration: 2h, id: Bad_Id }
      - { pool: aws-use1, cron: 10, every: 1d }
      - { cron: '0 10 * * MON' }
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:20:33: services.api.drills[0].cron: invalid cron expression "0 0 * * * *": expected 5 fields (minute hour day-of-month month day-of-week), got 6: a seconds (or year) field is not supported',
      'test.yaml:20:58: services.api.drills[0].timezone: unknown time zone "Europe/Pari" (did you mean "Europe/Paris"?): expected an IANA time zone like Europe/Paris, America/New_York or UTC',
      'test.yaml:20:77: services.api.drills[0].mode: expected one of dry, live; got "wet"',
      'test.yaml:20:92: services.api.drills[0].duration: must be at least 30s (30s to 1h), got "10s"',
      'test.yaml:21:33: services.api.drills[1].cron: invalid cron expression "*/90 * * * *": minute: step 90 in "*/90" is wider than the range 0-59: it would only match 0',
      'test.yaml:21:59: services.api.drills[1].timezone: unknown time zone "+01:00": expected an IANA time zone like Europe/Paris, America/New_York or UTC',
      'test.yaml:21:79: services.api.drills[1].duration: must be at most 1h (30s to 1h), got "2h"',
      'test.yaml:21:87: services.api.drills[1].id: expected a name of lower-case letters, digits, ".", "_" or "-", starting with a letter (at most 63), got "Bad_Id"',
      'test.yaml:22:33: services.api.drills[2].cron: expected a cron expression like "0 10 * * TUE", got 10',
      'test.yaml:22:37: services.api.drills[2].every: unknown field "every"',
      'test.yaml:23:9: services.api.drills[3].pool: missing required field "pool"',
    ]);
  });

  it('refuse blocked windows without an offset, impossible dates and windows that end before they start', () => {
    const text = withDrills(`      - pool: aws-use1
        cron: '0 10 * * TUE'
        blockedWindows:
          - { from: '2026-12-24', to: '2026-12-26T00:00:00' }
          - { from: '2026-02-30T00:00:00Z', to: '2026-03-01T24:00:00Z' }
          - { from: '2026-12-24T00:00:00+01:00', to: '2026-12-23T23:00:00Z', reason: '' }
          - { from: 'next tuesday', to: 2026-12-24T00:00:00Z, until: x }
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:23:21: services.api.drills[0].blockedWindows[0].from: date-time "2026-12-24" has no offset: add Z (UTC) or +hh:mm, e.g. 2026-12-24T00:00:00+01:00',
      'test.yaml:23:39: services.api.drills[0].blockedWindows[0].to: date-time "2026-12-26T00:00:00" has no offset: add Z (UTC) or +hh:mm, e.g. 2026-12-24T00:00:00+01:00',
      'test.yaml:24:21: services.api.drills[0].blockedWindows[1].from: "2026-02-30T00:00:00Z" is not a real date and time',
      'test.yaml:24:49: services.api.drills[0].blockedWindows[1].to: "2026-03-01T24:00:00Z" is not a real date and time',
      'test.yaml:25:54: services.api.drills[0].blockedWindows[2].to: the window ends before it starts: to 2026-12-23T23:00:00Z is not after from 2026-12-24T00:00:00+01:00',
      'test.yaml:25:86: services.api.drills[0].blockedWindows[2].reason: must not be empty',
      'test.yaml:26:21: services.api.drills[0].blockedWindows[3].from: expected an ISO 8601 date-time with an offset like 2026-12-24T00:00:00+01:00, got "next tuesday"',
      'test.yaml:26:63: services.api.drills[0].blockedWindows[3].until: unknown field "until"',
    ]);
  });

  it('refuse an unknown pool (with a suggestion) and duplicate ids, defaulted or written', () => {
    const text = withDrills(`      - { pool: aws-use2, cron: '0 10 * * TUE' }
      - { pool: aws-use1, cron: '0 10 * * TUE' }
      - { pool: aws-use1, cron: '0 10 * * THU' }
      - { pool: gcp-euw1, cron: '0 10 * * TUE', id: aws-use1-dry }
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:20:17: services.api.drills[0].pool: unknown pool "aws-use2" (did you mean "aws-use1"?); the pools of service "api" are: aws-use1, gcp-euw1',
      'test.yaml:22:9: services.api.drills[2]: duplicate drill id "aws-use1-dry" (the default <pool>-<mode>; also drills[1]): give one of them an id',
      'test.yaml:23:53: services.api.drills[3].id: duplicate drill id "aws-use1-dry" (also drills[1]): give one of them a distinct id',
    ]);
    expect(
      problemLines(text.replace("cron: '0 10 * * THU' }", "cron: '0 10 * * THU', id: thursday }")),
    ).toEqual([
      'test.yaml:20:17: services.api.drills[0].pool: unknown pool "aws-use2" (did you mean "aws-use1"?); the pools of service "api" are: aws-use1, gcp-euw1',
      'test.yaml:23:53: services.api.drills[3].id: duplicate drill id "aws-use1-dry" (also drills[1]): give one of them a distinct id',
    ]);
  });

  it('expect a list', () => {
    const text = `${SHARED}services:
  api:
    names: [api.example.com]
    pools:
      aws-use1: { endpoints: [{ address: 192.0.2.10 }] }
      gcp-euw1: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
    drills: { pool: aws-use1, cron: '0 10 * * TUE' }
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:18:13: services.api.drills: expected a list of scheduled drills, got a map',
    ]);
  });
});

describe('scheduled drills: warnings (the config stays valid)', () => {
  it('warn about a live drill on a service that only fails back by hand', () => {
    const text = withDrills(
      `      - { pool: aws-use1, cron: '0 10 * * TUE', mode: live }
      - { pool: aws-use1, cron: '0 10 * * THU' }
`,
      '    safety: { failback: manual }\n',
    );
    expect(problemLines(text)).toEqual([
      'test.yaml:21:55: warning: services.api.drills[0].mode: a live drill drains pool "aws-use1" for real and this service\'s failback is manual: the pool will not come back by itself after the drill',
    ]);
    expect(drillsOf(text).map((d) => d.id)).toEqual(['aws-use1-live', 'aws-use1-dry']);
  });

  it('warn when manual failback is inherited from defaults, at the drill', () => {
    const text = withDrills("      - { pool: aws-use1, cron: '0 10 * * TUE', mode: live }\n").replace(
      'defaults:\n',
      'defaults:\n  safety: { failback: manual }\n',
    );
    expect(problemLines(text)).toEqual([
      'test.yaml:21:55: warning: services.api.drills[0].mode: a live drill drains pool "aws-use1" for real and this service\'s failback is manual: the pool will not come back by itself after the drill',
    ]);
  });

  it('warn about drills that start again before the previous one is over', () => {
    const text = withDrills(`      - { pool: aws-use1, cron: '*/3 * * * *' }
      - { pool: gcp-euw1, cron: '0,20 10 * * *', duration: 30m }
      - { pool: gcp-euw1, cron: '0 10,11 * * *', duration: 1h, id: hourly-ok }
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:20:33: warning: services.api.drills[0].cron: cron "*/3 * * * *" can start this drill 3m after the previous start, before its duration 5m (the default) is over',
      'test.yaml:21:33: warning: services.api.drills[1].cron: cron "0,20 10 * * *" can start this drill 20m after the previous start, before its duration 30m is over',
    ]);
  });

  it('warn about a drill shorter than the failover objective, once at the objective for the default', () => {
    const text = withDrills(`      - { pool: aws-use1, cron: '0 10 * * TUE', duration: 30s }
      - { pool: gcp-euw1, cron: '0 10 * * THU' }
      - { pool: gcp-euw1, cron: '0 10 * * FRI', id: friday }
`).replace('drill: { failoverWithin: 60s }', 'drill: { failoverWithin: 10m }');
    expect(problemLines(text)).toEqual([
      'test.yaml:18:30: warning: services.api.drill.failoverWithin: drill.failoverWithin 10m is longer than the default drill duration 5m: scheduled drills can end before traffic is expected to move (set their duration)',
      'test.yaml:20:59: warning: services.api.drills[0].duration: drill duration 30s is shorter than drill.failoverWithin 10m: the drill can end before traffic is expected to move',
    ]);
  });
});
