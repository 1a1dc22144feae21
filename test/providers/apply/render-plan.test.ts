/**
 * Plan rendering (pure): what a pull-request reviewer and an operator read. Updates show old and new data,
 * weighted and wrr sets say their weights, errors never break the Markdown, the summary counts every target.
 */
import type { Plan } from '../../../src/providers/plan';
import {
  formatRecordSet,
  planJson,
  renderPlanMarkdown,
  renderPlanText,
  summaryLine,
  type TargetPlanView,
} from '../../../src/providers/render-plan';
import type { RecordChange, RecordSet } from '../../../src/providers/record-set';

function view(changes: RecordChange[], extra: Partial<TargetPlanView> = {}): TargetPlanView {
  const plan: Plan = {
    service: 'api',
    provider: 'aws',
    zone: 'Z1',
    mode: 'weights',
    changes,
    unchanged: [],
    current: [],
    desired: [],
  };
  return {
    service: 'api',
    provider: 'aws',
    providerType: 'route53',
    zone: 'Z1',
    mode: 'weights',
    generation: 7,
    source: 'decision',
    plan,
    ...extra,
  };
}

const drained: RecordSet = {
  name: 'api.example.com',
  type: 'A',
  ttl: 60,
  setIdentifier: 'use1',
  weight: 0,
  values: ['192.0.2.10'],
};
const drain: RecordChange = { action: 'update', before: { ...drained, weight: 1 }, after: drained };
const removed: RecordChange = {
  action: 'delete',
  before: { name: 'api.example.com', type: 'A', ttl: 60, values: ['203.0.113.9'] },
};
const aliasSet: RecordSet = {
  name: 'www.example.com',
  type: 'A',
  ttl: 0,
  alias: { hostedZoneId: 'Z2', dnsName: 'lb-1.elb.amazonaws.com', evaluateTargetHealth: true },
};
const created: RecordChange = { action: 'create', after: aliasSet };

test('record sets as one line each: plain, weighted, wrr, alias', () => {
  expect(
    formatRecordSet(
      { name: 'a.example.com', type: 'A', ttl: 30, values: ['192.0.2.1', '192.0.2.2'] },
      { ttl: true },
    ),
  ).toBe('a.example.com 30 A 192.0.2.1, 192.0.2.2');
  expect(formatRecordSet(drained)).toBe('api.example.com A [use1] weight 0: 192.0.2.10');
  expect(
    formatRecordSet({
      name: 'b.example.com',
      type: 'A',
      ttl: 30,
      wrr: [
        { weight: 1, values: ['192.0.2.1'] },
        { weight: 0, values: ['198.51.100.1'] },
      ],
    }),
  ).toBe('b.example.com A wrr weight 1: 192.0.2.1 | weight 0: 198.51.100.1');
  expect(formatRecordSet(aliasSet, { ttl: true })).toBe(
    'www.example.com A alias lb-1.elb.amazonaws.com (evaluate target health)',
  );
});

test('text: + create, - delete, ~ update with before -> after; one summary line', () => {
  const text = renderPlanText([view([removed, created, drain])]);
  expect(text).toBe(
    [
      'api at route53 aws/Z1 (weights mode · decision generation 7)',
      '  - api.example.com 60 A 203.0.113.9',
      '  + www.example.com A alias lb-1.elb.amazonaws.com (evaluate target health)',
      '  ~ api.example.com A [use1] weight 1: 192.0.2.10 -> [use1] weight 0: 192.0.2.10',
      '',
      'Plan: 1 to change, 1 to create, 1 to delete.',
      '',
    ].join('\n'),
  );
});

test('markdown: a heading per target, a diff block, errors escaped, a bold summary over every target', () => {
  const markdown = renderPlanMarkdown([
    view([drain]),
    view([], { provider: 'gcp', providerType: 'clouddns', zone: 'prod', generation: 7 }),
    view([], {
      provider: 'r53b',
      plan: undefined,
      generation: null,
      source: null,
      error: {
        code: 'FORBIDDEN',
        message: 'User: arn:aws:iam::1:user/ci is not authorized <AccessDenied> `x`',
      },
    }),
  ]);
  expect(markdown).toContain(
    [
      '### api → route53 `aws/Z1`',
      '',
      'weights mode · decision generation 7',
      '',
      '1 to change, 0 to create, 0 to delete',
      '',
      '```diff',
      '- api.example.com 60 A [use1] weight 1: 192.0.2.10',
      '+ api.example.com 60 A [use1] weight 0: 192.0.2.10',
      '```',
    ].join('\n'),
  );
  expect(markdown).toContain(
    '### api → clouddns `gcp/prod`\n\nweights mode · decision generation 7\n\nNo changes.',
  );
  expect(markdown).toContain(
    '### api → route53 `r53b/Z1`\n\nweights mode\n\n**Error** `FORBIDDEN`: User: arn:aws:iam::1:user/ci is not authorized \\<AccessDenied\\> \\`x\\`',
  );
  expect(markdown.trimEnd().split('\n').at(-1)).toBe(
    '**Plan: 1 to change, 0 to create, 0 to delete. 1 target could not be planned.**',
  );
});

test('json: changes, counts and errors per target', () => {
  const json = planJson([
    view([created, removed]),
    view([], { plan: undefined, error: { code: 'THROTTLED', message: 'slow down' } }),
  ]);
  expect(json.summary).toEqual({ create: 1, update: 0, delete: 1, errors: 1 });
  expect(json.targets[0]?.changes).toEqual([created, removed]);
  expect(json.targets[1]).toMatchObject({
    changes: [],
    unchanged: 0,
    error: { code: 'THROTTLED', message: 'slow down' },
  });
  expect(summaryLine({ create: 0, update: 0, delete: 0, errors: 0 })).toBe(
    'Plan: 0 to change, 0 to create, 0 to delete.',
  );
});
