/**
 * The structure of one configuration file, as zod v4 schemas.
 *
 * These schemas describe what may be WRITTEN (raw YAML): every layer is partial (defaults, a
 * service and an endpoint each may set some check fields), durations are strings, secrets are
 * reference strings. `resolve-config.ts` merges the layers, fills in the defaults and checks
 * what needs more than one field (references, counts, record types). The descriptions become
 * the JSON Schema that editors show as help, so they are written for the person editing YAML.
 *
 * No transforms here on purpose: the same schema must describe the input for `z.toJSONSchema`
 * and validate it, so parsing never changes a value.
 */
import { z } from 'zod';
import { describeKind, describeValue } from './describe-value';
import { CRON_SHAPE_PATTERN, parseCron } from './cron-expression';
import { DURATION_PATTERN, formatDuration, parseDuration } from './duration';
import { NAME_SERVER_PATTERN, parseNameServer } from './name-server';
import {
  AWS_REGION_PATTERN,
  DEPLOYMENT_ID_PATTERN,
  DNS_NAME_PATTERN,
  GCP_PROJECT_PATTERN,
  HEADER_NAME_PATTERN,
  HOSTED_ZONE_ID_PATTERN,
  JSON_PATH_PATTERN,
  MANAGED_ZONE_PATTERN,
  NAME_PATTERN,
  NAME_RULE,
  ROLE_ARN_PATTERN,
} from './names';
import { lacksOffset, OFFSET_DATE_TIME_PATTERN, parseOffsetDateTime } from './offset-date-time';
import { SECRET_REF_PATTERN, looksLikeSecretRef } from './resolve-secret';
import { canonicalTimeZone, timeZoneSuggestion } from './time-zone';
import type { Millis } from './types';

type IssueInput = { readonly input?: unknown };

// ---------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------

function patternString(pattern: string, expected: string) {
  const message = (iss: IssueInput) => `expected ${expected}, got ${describeValue(iss.input)}`;
  return z.string({ error: message }).regex(new RegExp(pattern), { error: message });
}

/** A name used as a key or a reference (service, pool, provider, channel, probe region). */
const nameString = () => patternString(NAME_PATTERN, `a name of ${NAME_RULE}`);

/**
 * The key of a named map. Parsing accepts any string so that a badly named entry is still
 * checked inside; the name itself is checked by the loader with a position on the key.
 */
const nameKey = (description: string) => z.string().meta({ pattern: NAME_PATTERN, description });

const dnsName = (description: string) =>
  patternString(DNS_NAME_PATTERN, 'a DNS name like api.example.com').meta({ description });

function integer(min: number, max: number, what: string) {
  const message = (iss: IssueInput) =>
    `expected ${what} (a whole number from ${min} to ${max}), got ${describeValue(iss.input)}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

const port = (description: string) => integer(1, 65535, 'a port').meta({ description });

function boolean(description: string) {
  return z
    .boolean({ error: (iss) => `expected true or false, got ${describeValue(iss.input)}` })
    .meta({ description });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z
    .enum(values, {
      error: (iss) => `expected one of ${values.join(', ')}; got ${describeValue(iss.input)}`,
    })
    .meta({ description });
}

/**
 * A duration string (`500ms`, `10s`, `2m`, `1h`, `1d`, or sums like `1m30s`).
 * Zero is refused unless allowed: a zero interval, timeout or delay is always a slip of the pen.
 * `min` / `max` bound it where a value outside makes no sense (a reminder every second).
 */
function duration(description: string, options: { allowZero?: boolean; min?: Millis; max?: Millis } = {}) {
  const expected = (iss: IssueInput) => `expected a duration like 10s or 2m, got ${describeValue(iss.input)}`;
  const { min, max } = options;
  return z
    .string({ error: expected })
    .regex(new RegExp(DURATION_PATTERN), { error: expected, abort: true })
    .refine((text) => parseDuration(text) !== undefined, {
      error: (iss) => `duration ${describeValue(iss.input)} is not a whole number of milliseconds`,
      abort: true,
    })
    .refine((text) => options.allowZero === true || (parseDuration(text) ?? 0) > 0, {
      error: 'must be longer than 0',
      abort: true,
    })
    .refine((text) => min === undefined || (parseDuration(text) ?? 0) >= min, {
      error: (iss) =>
        `must be at least ${formatDuration(min ?? 0)}${max !== undefined ? ` (${formatDuration(min ?? 0)} to ${formatDuration(max)})` : ''}, got ${describeValue(iss.input)}`,
    })
    .refine((text) => max === undefined || (parseDuration(text) ?? 0) <= max, {
      error: (iss) =>
        `must be at most ${formatDuration(max ?? 0)}${min !== undefined ? ` (${formatDuration(min)} to ${formatDuration(max ?? 0)})` : ''}, got ${describeValue(iss.input)}`,
    })
    .meta({ description });
}

const SECRET_LITERAL_MESSAGE =
  'secrets must not live in the config repo: write ${env:NAME} or ${file:/path} instead of the value';
const SECRET_MALFORMED_MESSAGE =
  'malformed secret reference: expected ${env:NAME} (letters, digits, _) or ${file:/absolute/path}';

/** A field that holds a credential: only a reference is accepted, and the value is never echoed. */
function secretRef(description: string) {
  return z
    .string({
      error: (iss) => `expected a secret reference like \${env:NAME}, got ${describeKind(iss.input)}`,
    })
    .regex(new RegExp(SECRET_REF_PATTERN), {
      error: (iss) =>
        typeof iss.input === 'string' && looksLikeSecretRef(iss.input)
          ? SECRET_MALFORMED_MESSAGE
          : SECRET_LITERAL_MESSAGE,
    })
    .meta({ description });
}

/** Literal, or exactly one well-formed reference (never a reference embedded in a longer string). */
const MAYBE_SECRET_PATTERN = `^(?:${SECRET_REF_PATTERN.slice(1, -1)}|(?![\\s\\S]*\\$\\{)[\\s\\S]*)$`;

function maybeSecret(description: string) {
  return z
    .string({ error: (iss) => `expected a string or a secret reference, got ${describeKind(iss.input)}` })
    .regex(new RegExp(MAYBE_SECRET_PATTERN), { error: SECRET_MALFORMED_MESSAGE, abort: true })
    .meta({ description });
}

function isUrlWithScheme(text: string, schemes: readonly string[]): boolean {
  try {
    return schemes.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** An http(s) URL written literally, or a secret reference to one. */
function urlOrSecret(description: string, schemes: readonly string[], expected: string) {
  return maybeSecret(description).refine(
    (text) => looksLikeSecretRef(text) || isUrlWithScheme(text, schemes),
    {
      error: (iss) => `expected ${expected} or a secret reference, got ${describeValue(iss.input)}`,
    },
  );
}

function httpUrl(description: string) {
  return z
    .url({ protocol: /^https?$/, error: (iss) => `expected an http(s) URL, got ${describeValue(iss.input)}` })
    .meta({ description });
}

function ipAddress(description: string) {
  return z
    .union([z.ipv4(), z.ipv6()], {
      error: (iss) => `expected an IPv4 or IPv6 address, got ${describeValue(iss.input)}`,
    })
    .meta({ description });
}

function hostOrAddress(description: string) {
  return z
    .union([z.ipv4(), z.ipv6(), z.string().regex(new RegExp(DNS_NAME_PATTERN))], {
      error: (iss) => `expected a host name or an IP address, got ${describeValue(iss.input)}`,
    })
    .meta({ description });
}

function percentOrCount(description: string) {
  return z
    .union([z.number().int(), z.string().regex(/^\d+%$/)], {
      error: (iss) =>
        `expected an endpoint count like 2 or a percentage like "50%", got ${describeValue(iss.input)}`,
    })
    .meta({ description });
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

const STATUS_RANGE_RE = /^([1-5]\d\d)(?:-([1-5]\d\d))?$/;
const httpStatus = integer(100, 599, 'an HTTP status').meta({ description: 'An HTTP status.' });

const statusSpec = z
  .union([httpStatus, z.string().regex(STATUS_RANGE_RE)], {
    error: (iss) =>
      `expected an HTTP status like 200 or a range like "200-299", got ${describeValue(iss.input)}`,
  })
  .refine(
    (spec) => {
      if (typeof spec === 'number') return true;
      const [, from, to] = STATUS_RANGE_RE.exec(spec) ?? [];
      return to === undefined || Number(from) <= Number(to);
    },
    { error: (iss) => `status range ${describeValue(iss.input)} ends before it starts` },
  );

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export const bodyMatchSchema = z
  .strictObject({
    contains: z.string().min(1, { error: 'must not be empty' }).meta({
      description: 'The body (first 64 KiB) must contain this text.',
    }),
    regex: z
      .string()
      .refine(isValidRegex, { error: (iss) => `invalid regular expression ${describeValue(iss.input)}` })
      .meta({ description: 'The body (first 64 KiB) must match this JavaScript regular expression.' }),
    jsonPath: patternString(JSON_PATH_PATTERN, 'a JSON path like $.status or $.items[0].state').meta({
      description: 'The body is JSON and the value at this path (`$.a.b[0].c`) must equal `equals`.',
    }),
    equals: z
      .union([z.string(), z.number(), z.boolean(), z.null()], {
        error: (iss) => `expected a string, number, true/false or null, got ${describeValue(iss.input)}`,
      })
      .meta({ description: 'The value expected at `jsonPath`.' }),
  })
  .partial()
  .superRefine((match, ctx) => {
    const kinds = (['contains', 'regex', 'jsonPath'] as const).filter((kind) => match[kind] !== undefined);
    if (kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'expected one of contains, regex or jsonPath' });
    } else if (kinds.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [kinds[1] as string],
        message: `${kinds.join(' and ')} are exclusive: a body match has one of contains, regex or jsonPath`,
      });
    }
    if (match.jsonPath !== undefined && match.equals === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['equals'],
        message: 'missing required field "equals" (with jsonPath)',
      });
    }
    if (match.jsonPath === undefined && match.equals !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['equals'], message: 'equals only goes with jsonPath' });
    }
  })
  .meta({
    description:
      'What the response body must hold: `{contains: text}`, `{regex: pattern}` or `{jsonPath: $.status, equals: ok}`.',
  });

export const CHECK_TYPES = ['http', 'https', 'tcp', 'dns'] as const;
export const DNS_CHECK_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SOA', 'SRV'] as const;
export const DNS_RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED'] as const;

const checkFieldSchemas = {
  type: oneOf(
    CHECK_TYPES,
    'How the endpoint is probed: http, https, tcp (connect) or dns (ask a name server).',
  ),
  interval: duration('How often each probe region runs the check. Default 10s.'),
  timeout: duration(
    'Hard deadline of one check (connect, TLS, request, body); shorter than interval. Default 3s.',
  ),
  host: hostOrAddress(
    'http(s)/tcp: host or IP to connect to. Default: the endpoint address, CNAME target or alias DNS name.',
  ),
  port: port('http(s)/tcp: port to connect to. Default 80 (http) or 443 (https); required for tcp.'),
  method: patternString('^[A-Z]+$', 'an HTTP method in capitals like GET or HEAD').meta({
    description: 'http(s): request method. Default GET.',
  }),
  path: patternString('^/', 'a path starting with /').meta({
    description: 'http(s): request path. Default /.',
  }),
  headers: z
    .record(
      z.string().regex(new RegExp(HEADER_NAME_PATTERN), { error: 'not a valid HTTP header name' }),
      maybeSecret('Header value; may be a secret reference like ${env:HEALTH_TOKEN}.'),
    )
    .meta({
      description: 'http(s): request headers. Merged per header over the less specific layers.',
    }),
  hostHeader: dnsName('http(s): Host header to send, e.g. to probe an IP while presenting the service name.'),
  sni: dnsName('https: TLS server name to present. Default: hostHeader when set.'),
  expectStatus: z
    .array(statusSpec)
    .min(1, { error: 'must list at least one status or range' })
    .meta({ description: 'http(s): accepted statuses, e.g. [200, "300-399"]. Default ["200-399"].' }),
  bodyMatch: bodyMatchSchema,
  latencyBudget: duration('http(s): an answer slower than this fails the check (class latency).'),
  tlsVerify: boolean('https: verify the server certificate. Default true.'),
  followRedirects: boolean(
    'http(s): follow up to 5 redirects. Default false: a health check judges the answer it gets.',
  ),
  server: ipAddress('dns: IP of the name server to ask. Default: the endpoint address.'),
  serverPort: port('dns: port of the name server. Default 53.'),
  query: dnsName('dns: the name to resolve (required for dns checks).'),
  recordType: oneOf(DNS_CHECK_RECORD_TYPES, 'dns: record type to ask for. Default A.'),
  expectRcode: oneOf(DNS_RCODES, 'dns: expected response code. Default NOERROR.'),
  expectAnswer: z
    .string()
    .min(1)
    .meta({ description: 'dns: when set, at least one answer must equal this value.' }),
};

/** http and https take the same fields: the scheme only changes the transport. */
const HTTP_CHECK_FIELDS = [
  'type',
  'interval',
  'timeout',
  'host',
  'port',
  'method',
  'path',
  'headers',
  'hostHeader',
  'sni',
  'expectStatus',
  'bodyMatch',
  'latencyBudget',
  'tlsVerify',
  'followRedirects',
] as const;

/** Fields that make sense per check type; any other field is an error where it was written. */
export const CHECK_FIELDS_BY_TYPE = {
  http: HTTP_CHECK_FIELDS,
  https: HTTP_CHECK_FIELDS,
  tcp: ['type', 'interval', 'timeout', 'host', 'port'],
  dns: [
    'type',
    'interval',
    'timeout',
    'server',
    'serverPort',
    'query',
    'recordType',
    'expectRcode',
    'expectAnswer',
  ],
} as const satisfies Record<(typeof CHECK_TYPES)[number], ReadonlyArray<keyof typeof checkFieldSchemas>>;

/** One layer of a check (defaults.check, a service's check, an endpoint's check): every field optional. */
export const checkLayerSchema = z.strictObject(checkFieldSchemas).partial().meta({
  description:
    'How endpoints are probed. Set in defaults.check, on a service and on an endpoint; merged per field in that order.',
});

/**
 * The merged, effective check of one endpoint: complete for its type. Defaults that depend on the
 * endpoint (host, server, port) are filled in before it is parsed.
 */
export const effectiveCheckSchema = z.discriminatedUnion('type', [
  z
    .strictObject({ ...checkFieldSchemas, type: oneOf(['http', 'https'], 'http or https') })
    .partial()
    .required({
      type: true,
      interval: true,
      timeout: true,
      host: true,
      port: true,
      method: true,
      path: true,
    }),
  z.strictObject({
    type: z.literal('tcp'),
    interval: checkFieldSchemas.interval,
    timeout: checkFieldSchemas.timeout,
    host: checkFieldSchemas.host,
    port: checkFieldSchemas.port,
  }),
  z.strictObject({
    type: z.literal('dns'),
    interval: checkFieldSchemas.interval,
    timeout: checkFieldSchemas.timeout,
    server: checkFieldSchemas.server,
    serverPort: checkFieldSchemas.serverPort,
    query: checkFieldSchemas.query,
    recordType: checkFieldSchemas.recordType,
    expectRcode: checkFieldSchemas.expectRcode,
    expectAnswer: checkFieldSchemas.expectAnswer.optional(),
  }),
]);

// ---------------------------------------------------------------------------------------------
// Shared service settings
// ---------------------------------------------------------------------------------------------

const quorumSchema = z
  .union(
    [
      z.enum(['majority', 'all', 'any']),
      z.strictObject({
        atLeast: integer(1, 1000, 'a region count').meta({
          description: 'At least this many probe regions must agree.',
        }),
      }),
    ],
    {
      error: (iss) => `expected majority, all, any or { atLeast: n }, got ${describeValue(iss.input)}`,
    },
  )
  .meta({
    description:
      'How many probe regions must agree before an endpoint is declared down (or up): majority (default), all, any or { atLeast: n }. Counted over the configured regions.',
  });

const thresholdFields = {
  failureThreshold: integer(1, 100, 'a check count').meta({
    description:
      'A probe region believes an endpoint down after this many consecutive failed checks. Default 3.',
  }),
  successThreshold: integer(1, 100, 'a check count').meta({
    description:
      'A probe region believes an endpoint up after this many consecutive successful checks. Default 2.',
  }),
  quorum: quorumSchema,
  minHealthy: percentOrCount(
    'A pool is healthy while at least this many (or this percentage) of its endpoints are up. Default 1.',
  ),
  ttl: integer(0, 604800, 'a TTL in seconds').meta({
    description:
      'TTL of the steered records, in seconds. Default 30. Resolvers keep an answer up to this long.',
  }),
  staleAfter: duration(
    "A probe region whose heartbeat is older than this is stale and its opinions are ignored. Default 3 x the service's shortest check interval.",
  ),
};

export const safetyLayerSchema = z
  .strictObject({
    maxDrainedPools: integer(1, 1000, 'a pool count').meta({
      description:
        'At most this many pools drained at once; a decision that would drain more is clamped. Default: no limit.',
    }),
    failback: oneOf(
      ['auto', 'manual'],
      'auto (default): restore a recovered pool after failbackAfter; manual: only an operator restores.',
    ),
    failbackAfter: duration(
      'A recovered pool gets traffic back after being continuously healthy this long. Default 5m.',
    ),
    flapWindow: duration(
      'A pool drained again within this long after its last restore has its next failbackAfter doubled. Default 30m; 0s disables damping.',
      { allowZero: true },
    ),
    maxFailbackAfter: duration('Flap damping never delays a restore longer than this. Default 1h.'),
  })
  .partial()
  .meta({
    description: 'Safety rules applied after the routing policy. Merged per field over defaults.safety.',
  });

// ---------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------

const aliasSchema = z
  .strictObject({
    hostedZoneId: patternString(HOSTED_ZONE_ID_PATTERN, 'a Route 53 hosted zone id like Z35SXDOTRQ7X7K').meta(
      {
        description: 'Hosted zone id of the alias target (e.g. the load balancer zone).',
      },
    ),
    dnsName: dnsName('DNS name of the alias target, e.g. my-alb-123.us-east-1.elb.amazonaws.com.'),
    evaluateTargetHealth: boolean('Let Route 53 also evaluate the target health. Default false.').optional(),
  })
  .meta({ description: 'A Route 53 alias target (Route 53 providers only).' });

export const endpointSchema = z
  .strictObject({
    name: nameString().meta({
      description:
        'Endpoint id, unique in the service. Default: the address, CNAME target or alias DNS name.',
    }),
    address: ipAddress('An IPv4 (A record) or IPv6 (AAAA record) address served for this endpoint.'),
    cname: dnsName('A CNAME target served for this endpoint.'),
    alias: aliasSchema,
    check: checkLayerSchema,
  })
  .partial()
  .meta({
    description:
      'One probed target and the DNS value it contributes: exactly one of address, cname or alias.',
  });

export const poolSchema = z
  .strictObject({
    priority: integer(1, 1000, 'a priority').optional().meta({
      description:
        'Failover order: lower is preferred. Default: the position of the pool in the file (1-based).',
    }),
    weight: z
      .number({ error: (iss) => `expected a weight from 0 to 255, got ${describeValue(iss.input)}` })
      .int({ error: (iss) => `expected a weight from 0 to 255, got ${describeValue(iss.input)}` })
      .optional()
      .meta({ description: 'Weighted policy: share of traffic, 0..255 (Route 53 range). Default 1.' }),
    minHealthy: thresholdFields.minHealthy.optional(),
    endpoints: z
      .array(endpointSchema, {
        error: (iss) => `expected a list of endpoints, got ${describeValue(iss.input)}`,
      })
      .meta({ description: 'The endpoints of this pool.' }),
  })
  .meta({ description: 'A group of endpoints serving the service from one data center or cloud region.' });

const providerTargetSchema = z
  .strictObject({
    provider: nameString().meta({ description: 'Name of a provider from the top-level providers map.' }),
    zone: z.string().min(1).optional().meta({
      description: "Route 53 hosted zone id or Cloud DNS managed zone name. Default: the provider's zone.",
    }),
    mode: oneOf(
      ['rewrite', 'weights'],
      'rewrite (default): replace the values of a plain record set; weights: provider-native weighted records.',
    ).optional(),
  })
  .meta({ description: 'Where the decision of this service is written.' });

const notifyRouteSchema = z
  .strictObject({
    channel: nameString().meta({ description: 'Name of a channel from the top-level notifications map.' }),
    minSeverity: oneOf(
      ['info', 'warning', 'critical'],
      'Only events at or above this severity. Default info.',
    ).optional(),
    quietPeriod: duration(
      'Events of this service arriving within this long of the first undelivered one go out as one message. Default 0s: only the events of one evaluation are grouped.',
      { allowZero: true },
    ).optional(),
    repeatEvery: duration(
      'While a pool stays drained, remind this channel this often (at least 1m). Default: no reminders.',
      { min: 60_000 },
    ).optional(),
    maxReminders: integer(1, 100, 'a reminder count')
      .optional()
      .meta({ description: 'At most this many reminders per drain (with repeatEvery). Default 3.' }),
  })
  .meta({ description: 'Sends the events of this service to a notification channel.' });

const drillSchema = z
  .strictObject({
    failoverWithin: duration('A drill passes only if traffic moved off the drilled pool within this long.'),
    failbackWithin: duration('... and moved back within this long after the drill ended.'),
    notifyWithin: duration('... and the notification was delivered within this long.'),
  })
  .partial()
  .meta({ description: 'Objectives a region outage drill of this service is checked against.' });

function offsetDateTime(description: string) {
  const message = (iss: IssueInput) =>
    typeof iss.input === 'string' && lacksOffset(iss.input)
      ? `date-time ${describeValue(iss.input)} has no offset: add Z (UTC) or +hh:mm, e.g. 2026-12-24T00:00:00+01:00`
      : `expected an ISO 8601 date-time with an offset like 2026-12-24T00:00:00+01:00, got ${describeValue(iss.input)}`;
  return z
    .string({ error: message })
    .regex(new RegExp(OFFSET_DATE_TIME_PATTERN), { error: message, abort: true })
    .refine((text) => parseOffsetDateTime(text) !== undefined, {
      error: (iss) => `${describeValue(iss.input)} is not a real date and time`,
    })
    .meta({ description });
}

const blockedWindowSchema = z
  .strictObject({
    from: offsetDateTime('Start of the window (inclusive), e.g. 2026-11-27T00:00:00-05:00.'),
    to: offsetDateTime('End of the window (exclusive), after from.'),
    reason: z
      .string({ error: (iss) => `expected a text, got ${describeValue(iss.input)}` })
      .min(1, { error: 'must not be empty' })
      .optional()
      .meta({ description: 'Why no drill may start then (shown when a drill is skipped).' }),
  })
  .superRefine((window, ctx) => {
    const from = parseOffsetDateTime(window.from);
    const to = parseOffsetDateTime(window.to);
    if (from !== undefined && to !== undefined && from >= to) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the window ends before it starts: to ${window.to} is not after from ${window.from}`,
      });
    }
  })
  .meta({ description: 'A period during which scheduled drills of this service do not start.' });

const drillScheduleSchema = z
  .strictObject({
    id: nameString().optional().meta({
      description: 'Names the drill in reports and events; unique in the service. Default <pool>-<mode>.',
    }),
    pool: nameString().meta({ description: 'The pool whose outage is simulated (a pool of this service).' }),
    cron: z
      .string({
        error: (iss) => `expected a cron expression like "0 10 * * TUE", got ${describeValue(iss.input)}`,
      })
      .superRefine((text, ctx) => {
        const parsed = parseCron(text);
        if (!parsed.ok)
          ctx.addIssue({ code: 'custom', message: `invalid cron expression "${text}": ${parsed.message}` });
      })
      .meta({
        pattern: CRON_SHAPE_PATTERN,
        description:
          'When the drill starts: five fields, minute hour day-of-month month day-of-week (e.g. "0 10 * * TUE"), read in timezone.',
      }),
    timezone: z
      .string({
        error: (iss) => `expected an IANA time zone like Europe/Paris, got ${describeValue(iss.input)}`,
      })
      .superRefine((text, ctx) => {
        if (canonicalTimeZone(text) === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown time zone "${text}"${timeZoneSuggestion(text)}: expected an IANA time zone like Europe/Paris, America/New_York or UTC`,
          });
        }
      })
      .optional()
      .meta({
        description: 'IANA time zone the cron expression is read in (daylight saving included). Default UTC.',
      }),
    mode: oneOf(
      ['dry', 'live'],
      'dry (default): plan only, DNS is not changed; live: DNS really changes.',
    ).optional(),
    duration: duration('How long the drilled pool is reported failing: 30s to 1h. Default 5m.', {
      min: 30_000,
      max: 3_600_000,
    }).optional(),
    blockedWindows: z
      .array(blockedWindowSchema, {
        error: (iss) => `expected a list of { from, to, reason } windows, got ${describeValue(iss.input)}`,
      })
      .optional()
      .meta({ description: 'Periods (change freezes, sales events) in which this drill does not start.' }),
  })
  .meta({ description: 'A practice drill started on a schedule by the evaluator.' });

export const serviceSchema = z
  .strictObject({
    names: z
      .array(dnsName('A DNS name steered by this service.'), {
        error: (iss) => `expected a list of DNS names, got ${describeValue(iss.input)}`,
      })
      .min(1, { error: 'must list at least one DNS name' })
      .meta({ description: 'The DNS names that move together.' }),
    type: oneOf(
      ['A', 'AAAA', 'CNAME'],
      'Record type of the answer. Default: inferred from the endpoints.',
    ).optional(),
    ttl: thresholdFields.ttl.optional(),
    policy: oneOf(
      ['failover', 'weighted', 'all-healthy'],
      'failover (default): the first healthy pool by priority; weighted: healthy pools keep their weights; all-healthy: every healthy endpoint.',
    ).optional(),
    probeRegions: z
      .array(nameString(), {
        error: (iss) => `expected a list of probe region names, got ${describeValue(iss.input)}`,
      })
      .min(1, { error: 'must list at least one probe region' })
      .optional()
      .meta({
        description: 'The probe regions that vote on this service. Default: every top-level probe region.',
      }),
    check: checkLayerSchema.optional(),
    quorum: thresholdFields.quorum.optional(),
    failureThreshold: thresholdFields.failureThreshold.optional(),
    successThreshold: thresholdFields.successThreshold.optional(),
    staleAfter: thresholdFields.staleAfter.optional(),
    minHealthy: thresholdFields.minHealthy.optional(),
    safety: safetyLayerSchema.optional(),
    pools: z
      .record(nameKey('Pool name.'), poolSchema, {
        error: (iss) => `expected a map of pools, got ${describeValue(iss.input)}`,
      })
      .meta({ description: 'The pools of the service, in failover order unless priorities say otherwise.' }),
    providers: z
      .array(providerTargetSchema, {
        error: (iss) => `expected a list of provider targets, got ${describeValue(iss.input)}`,
      })
      .min(1, { error: 'must list at least one provider target: a service that steers nothing is a mistake' })
      .meta({ description: 'The DNS providers (and zones) where this service is steered.' }),
    notify: z
      .array(notifyRouteSchema, {
        error: (iss) => `expected a list of notification routes, got ${describeValue(iss.input)}`,
      })
      .optional()
      .meta({ description: 'Notification routes of this service. Default: none.' }),
    drill: drillSchema.optional(),
    drills: z
      .array(drillScheduleSchema, {
        error: (iss) => `expected a list of scheduled drills, got ${describeValue(iss.input)}`,
      })
      .optional()
      .meta({ description: 'Practice drills run on a schedule. Default: none.' }),
  })
  .meta({ description: 'One steered DNS name (or several names that move together).' });

// ---------------------------------------------------------------------------------------------
// Top level
// ---------------------------------------------------------------------------------------------

const positiveNumber = (what: string) => {
  const message = (iss: IssueInput) => `expected ${what} (a number above 0), got ${describeValue(iss.input)}`;
  return z.number({ error: message }).positive({ error: message });
};

/** Options of every provider type. */
const providerCommonFields = {
  ownerRecords: boolean(
    'Write and check the owner TXT record _quorumdns.<name> holding deployment.id, so two deployments never fight over a name. Default true.',
  ).optional(),
  limits: z
    .strictObject({
      maxChanges: integer(1, 1_000_000, 'a change count').meta({
        description: 'Record set changes per request.',
      }),
      maxRecordValues: integer(1, 1_000_000, 'a record value count').meta({
        description: 'Record values per request (Route 53: 1000, UPSERT counting twice).',
      }),
      maxValueChars: integer(1, 100_000_000, 'a character count').meta({
        description: 'Characters of record values per request (Route 53: 32000, UPSERT counting twice).',
      }),
    })
    .partial()
    .optional()
    .meta({
      description:
        "Lower the per-request limits of the provider's API (for an account with lower quotas). Default: the provider's documented limits.",
    }),
  requestsPerSecond: positiveNumber('a request rate').optional().meta({
    description:
      "Client-side rate limit of API calls to this provider. Default: the provider's documented rate.",
  }),
  syncTimeout: duration(
    'How long to wait for a submitted change to be in sync before the apply counts as failed. Default 2m.',
  ).optional(),
  maxDeletes: integer(0, 1_000_000, 'a record set count').optional().meta({
    description: 'A plan that would delete more record sets than this is refused as unsafe. Default 10.',
  }),
  nameServers: z
    .array(
      z
        .string({
          error: (iss) => `expected a name server (host or host:port), got ${describeValue(iss.input)}`,
        })
        .refine((text) => parseNameServer(text) !== undefined, {
          error: (iss) =>
            `expected a name server host or host:port like ns1.example.com, 192.0.2.53:5353 or [2001:db8::53]:53, got ${describeValue(iss.input)}`,
        })
        .meta({
          pattern: NAME_SERVER_PATTERN,
          description: 'host or host:port (IPv6 in brackets with a port).',
        }),
      { error: (iss) => `expected a list of name servers, got ${describeValue(iss.input)}` },
    )
    .min(1, { error: 'must list at least one name server (or leave nameServers out)' })
    .optional()
    .meta({
      description:
        "Authoritative name servers where drills watch the answer change. Default: the zone's NS records, looked up at drill time.",
    }),
};

const providerSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.literal('route53'),
        hostedZoneId: patternString(HOSTED_ZONE_ID_PATTERN, 'a Route 53 hosted zone id like Z0123456789ABC')
          .optional()
          .meta({ description: 'Default hosted zone of the targets that name no zone.' }),
        region: patternString(AWS_REGION_PATTERN, 'an AWS region like us-east-1')
          .optional()
          .meta({ description: 'AWS region of the API client. Default: the SDK default.' }),
        roleArn: patternString(ROLE_ARN_PATTERN, 'an IAM role ARN like arn:aws:iam::123456789012:role/dns')
          .optional()
          .meta({ description: 'IAM role to assume for DNS changes.' }),
        endpoint: httpUrl('API endpoint override, for tests and local labs only.').optional(),
        ...providerCommonFields,
      })
      .meta({ description: 'Amazon Route 53.' }),
    z
      .strictObject({
        type: z.literal('clouddns'),
        project: patternString(GCP_PROJECT_PATTERN, 'a Google Cloud project id').meta({
          description: 'Google Cloud project of the managed zones.',
        }),
        managedZone: patternString(MANAGED_ZONE_PATTERN, 'a Cloud DNS managed zone name like example-com')
          .optional()
          .meta({ description: 'Default managed zone of the targets that name no zone.' }),
        endpoint: httpUrl('API endpoint override, for tests and local labs only.').optional(),
        ...providerCommonFields,
      })
      .meta({ description: 'Google Cloud DNS.' }),
    z
      .strictObject({
        type: z.literal('local'),
        zone: dnsName(
          'The zone apex served, e.g. lab.test. Targets of this provider use it as their zone.',
        ).refine((text) => !text.startsWith('*'), { error: 'a zone apex cannot be a wildcard' }),
        syncDelay: duration(
          'How long a change stays pending before it is in sync, to make the sync step visible. Default 0s.',
          { allowZero: true },
        ).optional(),
        ...providerCommonFields,
      })
      .meta({
        description:
          "quorumdns's own lab DNS: zones kept in Redis and served by `quorumdns dns-server`. For labs, demos and tests.",
      }),
  ])
  .meta({ description: 'A DNS provider account. `type` is route53, clouddns or local.' });

const channelTimeout = () =>
  duration('Hard deadline of one delivery request: 1s to 60s. Default 10s.', {
    min: 1_000,
    max: 60_000,
  }).optional();

export const CHAT_CHANNEL_TYPES = ['slack', 'teams', 'discord', 'googlechat', 'mattermost'] as const;

const channelSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.enum(CHAT_CHANNEL_TYPES),
        url: secretRef('Incoming webhook URL. It is a credential: always ${env:NAME} or ${file:/path}.'),
        timeout: channelTimeout(),
      })
      .meta({ description: 'A chat incoming webhook.' }),
    z
      .strictObject({
        type: z.literal('pagerduty'),
        routingKey: secretRef('Events API v2 routing key: always ${env:NAME} or ${file:/path}.'),
        timeout: channelTimeout(),
      })
      .meta({ description: 'PagerDuty Events API v2.' }),
    z
      .strictObject({
        type: z.literal('webhook'),
        url: urlOrSecret('Where events are POSTed as JSON.', ['http:', 'https:'], 'an http(s) URL'),
        secret: secretRef('HMAC-SHA256 signing secret: always ${env:NAME} or ${file:/path}.').optional(),
        timeout: channelTimeout(),
      })
      .meta({ description: 'A generic JSON webhook, optionally signed.' }),
  ])
  .meta({
    description:
      'A notification channel. `type` is slack, teams, discord, googlechat, mattermost, pagerduty or webhook.',
  });

const deploymentSchema = z
  .strictObject({
    id: patternString(DEPLOYMENT_ID_PATTERN, 'an id of lower-case letters, digits and "-"').meta({
      description:
        'Identifies this deployment in owner TXT records; default Redis key prefix quorumdns:<id>.',
    }),
    redis: z
      .strictObject({
        url: urlOrSecret(
          'Redis URL (redis:// or rediss://), usually ${env:REDIS_URL}. Default: REDIS_URL, else redis://127.0.0.1:6379.',
          ['redis:', 'rediss:'],
          'a redis:// or rediss:// URL',
        ).optional(),
        keyPrefix: z
          .string()
          .min(1)
          .optional()
          .meta({ description: 'Prefix of every Redis key. Default quorumdns:<id>.' }),
      })
      .optional(),
    statusPageUrl: httpUrl('Linked from notifications.').optional(),
  })
  .meta({ description: 'This deployment. Must appear in exactly one of the files.' });

export const defaultsSchema = z
  .strictObject({
    check: checkLayerSchema,
    ...thresholdFields,
    safety: safetyLayerSchema,
  })
  .partial()
  .meta({ description: 'Defaults for every service. Must appear in at most one of the files.' });

/**
 * One configuration file. Files are merged: named maps (providers, notifications, services) and
 * probeRegions are combined, deployment and defaults may each appear in one file only.
 */
export const configFileSchema = z
  .strictObject({
    deployment: deploymentSchema,
    probeRegions: z
      .array(nameString(), {
        error: (iss) => `expected a list of probe region names, got ${describeValue(iss.input)}`,
      })
      .meta({
        description: 'Every probe region (vantage point) of the deployment, e.g. [us-east-1, europe-west1].',
      }),
    providers: z
      .record(nameKey('Provider name, referenced by services.'), providerSchema, {
        error: (iss) => `expected a map of providers, got ${describeValue(iss.input)}`,
      })
      .meta({ description: 'Named DNS provider accounts.' }),
    notifications: z
      .record(nameKey('Channel name, referenced by services.'), channelSchema, {
        error: (iss) => `expected a map of notification channels, got ${describeValue(iss.input)}`,
      })
      .meta({ description: 'Named notification channels.' }),
    defaults: defaultsSchema,
    services: z
      .record(nameKey('Service name.'), serviceSchema, {
        error: (iss) => `expected a map of services, got ${describeValue(iss.input)}`,
      })
      .meta({ description: 'The steered services.' }),
  })
  .partial();

export type RawConfigFile = z.infer<typeof configFileSchema>;
export type RawDeployment = z.infer<typeof deploymentSchema>;
export type RawProvider = z.infer<typeof providerSchema>;
export type RawChannel = z.infer<typeof channelSchema>;
export type RawDefaults = z.infer<typeof defaultsSchema>;
export type RawService = z.infer<typeof serviceSchema>;
export type RawPool = z.infer<typeof poolSchema>;
export type RawEndpoint = z.infer<typeof endpointSchema>;
export type RawCheckLayer = z.infer<typeof checkLayerSchema>;
export type RawSafety = z.infer<typeof safetyLayerSchema>;
export type RawDrillSchedule = z.infer<typeof drillScheduleSchema>;
export type RawNotifyRoute = z.infer<typeof notifyRouteSchema>;
export type RawQuorum = z.infer<typeof quorumSchema>;
export type RawMinHealthy = z.infer<typeof thresholdFields.minHealthy>;
export type RawEffectiveCheck = z.infer<typeof effectiveCheckSchema>;
export type CheckField = keyof typeof checkFieldSchemas;

export const schemaForSection = {
  deployment: deploymentSchema,
  providers: providerSchema,
  notifications: channelSchema,
  defaults: defaultsSchema,
  services: serviceSchema,
} as const;
