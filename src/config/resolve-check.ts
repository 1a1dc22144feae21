/**
 * defaults.check -> service check -> endpoint check, merged per field, into one complete `Check`.
 *
 * Every merged field remembers the layer (and so the file and line) it came from, because a
 * problem of the effective check belongs where the offending field was written: a timeout set in
 * defaults and not shorter than an interval set on an endpoint is reported at the timeout.
 *
 * A field that does not apply to the effective check type is an error where it was written, unless
 * it was inherited from a less specific layer than the one that chose the type: `defaults.check`
 * may say `path: /healthz` for the http services while one service sets `type: tcp`.
 */
import type { z } from 'zod';
import { describeValue } from './describe-value';
import { BUILTIN_CHECK } from './builtin-defaults';
import { durationMs, formatDuration } from './duration';
import {
  CHECK_FIELDS_BY_TYPE,
  type CheckField,
  effectiveCheckSchema,
  type RawCheckLayer,
  type RawEffectiveCheck,
} from './config-schema';
import type { Problem } from './problem';
import { parseSecretRef } from './resolve-secret';
import type { BodyMatch, Check, EndpointTarget, MaybeSecret, StatusRange } from './types';
import { below, formatPath, type Origin, problemAt } from './yaml-source';
import { issueToProblems } from './zod-problems';

export interface CheckLayer {
  layer: RawCheckLayer;
  /** Where this layer's check map was written (e.g. `services.api.check`). */
  origin: Origin;
}

interface MergedField {
  value: unknown;
  /** -1: built in; otherwise the index of the layer that wrote it. */
  layer: number;
  origin?: Origin;
}

export interface ResolvedCheck {
  check: Check;
  /** Where each field came from; absent = built in or derived from the endpoint. */
  origins: Partial<Record<CheckField, Origin>>;
}

export interface ResolveCheckInput {
  /** Least specific first: defaults.check, the service's check, the endpoint's check. */
  layers: CheckLayer[];
  target: EndpointTarget;
  /** Where the endpoint was written: problems of fields nobody wrote point here. */
  endpoint: Origin;
  /** Fields written in an invalid way in defaults (already reported): their absence is not a new problem. */
  poisoned: ReadonlySet<string>;
}

export function resolveCheck(input: ResolveCheckInput): { resolved?: ResolvedCheck; problems: Problem[] } {
  const { layers, target, endpoint, poisoned } = input;
  const missingAt = (field: string): Origin => below(endpoint, 'check', field);
  const merged = new Map<string, MergedField>();
  for (const [field, value] of Object.entries(BUILTIN_CHECK)) merged.set(field, { value, layer: -1 });
  layers.forEach(({ layer, origin }, index) => {
    for (const [field, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const previous = merged.get(field);
      // Header maps merge per header: defaults can set a User-Agent while a service adds a token.
      const mergedValue =
        field === 'headers' && previous !== undefined
          ? { ...(previous.value as Record<string, string>), ...(value as Record<string, string>) }
          : value;
      merged.set(field, { value: mergedValue, layer: index, origin: below(origin, field) });
    }
  });

  const typeField = merged.get('type');
  if (typeField === undefined) {
    if (poisoned.has('check.type') || poisoned.has('check') || poisoned.has('*')) return { problems: [] };
    return {
      problems: [
        problemAt(
          missingAt('type'),
          'missing check type: set type (http, https, tcp or dns) in defaults.check, the service check or the endpoint check',
        ),
      ],
    };
  }
  const type = typeField.value as keyof typeof CHECK_FIELDS_BY_TYPE;
  const applicable = new Set<string>(CHECK_FIELDS_BY_TYPE[type]);

  const raw: Record<string, unknown> = {};
  for (const [field, entry] of merged) {
    if (applicable.has(field) || entry.layer >= typeField.layer) raw[field] = entry.value;
  }
  Object.assign(raw, derivedDefaults(type, target, raw));

  const parsed = effectiveCheckSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) =>
      effectiveIssue(issue, type, merged, missingAt, poisoned, raw),
    );
    return { problems };
  }

  const origins: Partial<Record<CheckField, Origin>> = {};
  for (const [field, entry] of merged) if (entry.origin) origins[field as CheckField] = entry.origin;

  const check = toCheck(parsed.data);
  const problems: Problem[] = [];
  if (check.timeout >= check.interval) {
    // Reported where the timeout was written; when the interval came from another layer, say where.
    const timeoutOrigin = origins.timeout;
    const intervalOrigin = origins.interval;
    const sameLayer = (a: Origin, b: Origin): boolean =>
      a.fragment === b.fragment && formatPath(a.path.slice(0, -1)) === formatPath(b.path.slice(0, -1));
    const timeoutText = `timeout ${formatDuration(check.timeout)}${timeoutOrigin ? '' : ' (the default)'}`;
    const intervalText = `interval ${formatDuration(check.interval)}${intervalOrigin ? '' : ' (the default)'}`;
    const elsewhere =
      timeoutOrigin && intervalOrigin && !sameLayer(timeoutOrigin, intervalOrigin)
        ? ` (interval set at ${formatPath(intervalOrigin.path)})`
        : '';
    problems.push(
      problemAt(
        timeoutOrigin ?? intervalOrigin ?? missingAt('timeout'),
        `${timeoutText} must be shorter than ${intervalText}${elsewhere}`,
      ),
    );
  }
  return problems.length > 0 ? { problems } : { resolved: { check, origins }, problems };
}

/** Values that depend on the endpoint or the type, filled in only where no layer wrote one. */
function derivedDefaults(
  type: string,
  target: EndpointTarget,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const targetHost =
    target.kind === 'address' ? target.address : target.kind === 'cname' ? target.cname : target.dnsName;
  const fill: Record<string, unknown> = {};
  const set = (field: string, value: unknown): void => {
    if (raw[field] === undefined && value !== undefined) fill[field] = value;
  };
  if (type === 'http' || type === 'https') {
    set('host', targetHost);
    set('port', type === 'https' ? 443 : 80);
    set('method', 'GET');
    set('path', '/');
  } else if (type === 'tcp') {
    set('host', targetHost);
  } else if (type === 'dns') {
    // The endpoint is a name server when it is an address; a name server is asked by IP.
    set('server', target.kind === 'address' ? target.address : undefined);
    set('serverPort', 53);
    set('recordType', 'A');
    set('expectRcode', 'NOERROR');
  }
  return fill;
}

function effectiveIssue(
  issue: z.core.$ZodIssue,
  type: string,
  merged: Map<string, MergedField>,
  missingAt: (field: string) => Origin,
  poisoned: ReadonlySet<string>,
  raw: Record<string, unknown>,
): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const origin = merged.get(key)?.origin ?? missingAt(key);
      return problemAt(origin, `field "${key}" does not apply to ${type} checks`, { anchor: 'key' });
    });
  }
  const field = String(issue.path[0] ?? '');
  if (raw[field] === undefined) {
    if (poisoned.has(`check.${field}`) || poisoned.has('check') || poisoned.has('*')) return [];
    const why = field === 'server' ? ' (the endpoint is not an IP address, so name the server to ask)' : '';
    return [problemAt(missingAt(field), `missing required field "${field}" for ${type} checks${why}`)];
  }
  // Layers were validated field by field already; this is a safety net with the best position known.
  const origin = merged.get(field)?.origin;
  if (origin) return issueToProblems({ ...issue, path: issue.path.slice(1) }, raw[field], origin);
  return [problemAt(missingAt(field), `invalid ${field} ${describeValue(raw[field])}`)];
}

function toStatusRanges(specs: ReadonlyArray<number | string> | undefined): StatusRange[] {
  if (specs === undefined) return [{ from: 200, to: 399 }];
  return specs.map((spec) => {
    if (typeof spec === 'number') return { from: spec, to: spec };
    const [from, to] = spec.split('-').map(Number) as [number, number | undefined];
    return { from, to: to ?? from };
  });
}

function toBodyMatch(match: RawCheckLayer['bodyMatch']): BodyMatch | undefined {
  if (match === undefined) return undefined;
  if (match.contains !== undefined) return { kind: 'contains', text: match.contains };
  if (match.regex !== undefined) return { kind: 'regex', pattern: match.regex };
  if (match.jsonPath !== undefined)
    return { kind: 'jsonPath', path: match.jsonPath, equals: match.equals ?? null };
  return undefined;
}

export function toMaybeSecret(text: string): MaybeSecret {
  return parseSecretRef(text) ?? text;
}

function toCheck(raw: RawEffectiveCheck): Check {
  const base = { interval: durationMs(raw.interval), timeout: durationMs(raw.timeout) };
  if (raw.type === 'tcp') return { type: 'tcp', ...base, host: raw.host, port: raw.port };
  if (raw.type === 'dns') {
    return {
      type: 'dns',
      ...base,
      server: raw.server,
      serverPort: raw.serverPort,
      query: raw.query.toLowerCase().replace(/\.$/, ''),
      recordType: raw.recordType,
      expectRcode: raw.expectRcode,
      ...(raw.expectAnswer !== undefined ? { expectAnswer: raw.expectAnswer } : {}),
    };
  }
  const headers: Record<string, MaybeSecret> = {};
  for (const [name, value] of Object.entries(raw.headers ?? {})) headers[name] = toMaybeSecret(value);
  const bodyMatch = toBodyMatch(raw.bodyMatch);
  return {
    type: raw.type,
    ...base,
    host: raw.host,
    port: raw.port,
    method: raw.method,
    path: raw.path,
    headers,
    ...(raw.hostHeader !== undefined ? { hostHeader: raw.hostHeader } : {}),
    ...(raw.sni !== undefined ? { sni: raw.sni } : {}),
    expectStatus: toStatusRanges(raw.expectStatus),
    ...(bodyMatch !== undefined ? { bodyMatch } : {}),
    ...(raw.latencyBudget !== undefined ? { latencyBudget: durationMs(raw.latencyBudget) } : {}),
    tlsVerify: raw.tlsVerify ?? true,
    followRedirects: raw.followRedirects ?? false,
  };
}
