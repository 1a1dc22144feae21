/**
 * Turns a record set from a request body (untrusted JSON) into a `CloudDnsRrset`, or reports every problem
 * with the field path Cloud DNS names (`entity.change.additions[0].ttl`). A bad record set never reaches the
 * store: an adapter that sends one gets the 400 the real API would give, not a silently "fixed" record.
 */
import net from 'node:net';
import { problems, type GoogleErrorDetail } from './cloud-dns-api-error';
import type { CloudDnsRrset, CloudDnsWrrItem } from './types';

/** Record types Cloud DNS accepts (cloud.google.com/dns/docs/records-overview#supported_dns_record_types). */
export const SUPPORTED_RECORD_TYPES: ReadonlySet<string> = new Set([
  'A',
  'AAAA',
  'ALIAS',
  'CAA',
  'CNAME',
  'DNSKEY',
  'DS',
  'HTTPS',
  'IPSECKEY',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
]);

/** Types whose values are host names, which Cloud DNS wants fully qualified (with the trailing dot). */
const HOST_NAME_TYPES: ReadonlySet<string> = new Set(['CNAME', 'NS', 'PTR', 'ALIAS']);

const MAX_TTL = 2_147_483_647;
const LABEL = /^(\*|[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A fully qualified DNS name with its trailing dot: labels of 1..63 characters, 253 characters in all. */
export function isFqdn(name: string): boolean {
  if (!name.endsWith('.') || name.length > 254) return false;
  if (name === '.') return true;
  const labels = name.slice(0, -1).split('.');
  return labels.every((label, index) => LABEL.test(label) && (label !== '*' || index === 0));
}

/** Google's JSON accepts int32/double fields as numbers or numeric strings. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function checkRrdata(type: string, value: string, field: string, found: GoogleErrorDetail[]): void {
  if (value.trim() === '') {
    found.push(problems.invalid(field, 'a record value may not be empty'));
  } else if (type === 'A' && !net.isIPv4(value)) {
    found.push(problems.invalidValue(field, value));
  } else if (type === 'AAAA' && !net.isIPv6(value)) {
    found.push(problems.invalidValue(field, value));
  } else if (HOST_NAME_TYPES.has(type) && !isFqdn(value)) {
    found.push(problems.invalid(field, `'${value}' is not a fully qualified host name (with trailing dot)`));
  } else if (type === 'MX' && !/^\d{1,5} \S+\.$/.test(value)) {
    found.push(problems.invalidValue(field, value));
  }
}

/** Validates a list of values; returns them when they are all strings (even if some are invalid). */
function parseRrdatas(
  raw: unknown,
  type: string,
  field: string,
  found: GoogleErrorDetail[],
): string[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    found.push(
      Array.isArray(raw)
        ? problems.invalid(field, 'at least one value is required')
        : problems.invalidValue(field, raw),
    );
    return undefined;
  }
  const values: string[] = [];
  raw.forEach((value: unknown, index) => {
    if (typeof value !== 'string') {
      found.push(problems.invalidValue(`${field}[${index}]`, value));
      return;
    }
    checkRrdata(type, value, `${field}[${index}]`, found);
    if (values.includes(value))
      found.push(problems.invalid(`${field}[${index}]`, `duplicate value '${value}'`));
    values.push(value);
  });
  if (type === 'CNAME' && values.length > 1) {
    found.push(problems.invalid(field, 'a CNAME record set holds exactly one value'));
  }
  return values;
}

function parseWrr(
  raw: unknown,
  type: string,
  field: string,
  found: GoogleErrorDetail[],
): CloudDnsWrrItem[] | undefined {
  if (!isRecord(raw)) {
    found.push(problems.invalidValue(field, raw));
    return undefined;
  }
  const others = Object.keys(raw).filter((key) => key !== 'kind' && key !== 'wrr');
  if (others.length > 0) {
    // geo and primaryBackup exist in the real API; quorumdns steers with wrr only, so this server does too.
    found.push(problems.invalid(`${field}.${others[0]}`, 'this test server supports only routingPolicy.wrr'));
    return undefined;
  }
  const wrr = raw.wrr;
  if (!isRecord(wrr)) {
    found.push(
      wrr === undefined ? problems.required(`${field}.wrr`) : problems.invalidValue(`${field}.wrr`, wrr),
    );
    return undefined;
  }
  const itemsField = `${field}.wrr.items`;
  if (!Array.isArray(wrr.items) || wrr.items.length === 0) {
    found.push(
      Array.isArray(wrr.items)
        ? problems.invalid(itemsField, 'at least one item is required')
        : problems.required(itemsField),
    );
    return undefined;
  }
  const items: CloudDnsWrrItem[] = [];
  wrr.items.forEach((item: unknown, index) => {
    const itemField = `${itemsField}[${index}]`;
    if (!isRecord(item)) {
      found.push(problems.invalidValue(itemField, item));
      return;
    }
    const weight = toNumber(item.weight);
    if (item.weight === undefined) found.push(problems.required(`${itemField}.weight`));
    else if (weight === undefined || !Number.isFinite(weight) || weight < 0) {
      found.push(
        problems.invalid(`${itemField}.weight`, `'${String(item.weight)}' must be a non-negative number`),
      );
    }
    const rrdatas = parseRrdatas(item.rrdatas, type, `${itemField}.rrdatas`, found);
    if (weight !== undefined && rrdatas !== undefined) items.push({ weight, rrdatas });
  });
  return items.length === wrr.items.length ? items : undefined;
}

/**
 * Parses one record set at `field` (e.g. `entity.change.additions[2]`), pushing every problem onto `found`.
 * Returns the normalised record set (name lower-cased, `kind` fields dropped) only when there was none.
 */
export function parseRrset(
  raw: unknown,
  field: string,
  found: GoogleErrorDetail[],
): CloudDnsRrset | undefined {
  if (!isRecord(raw)) {
    found.push(problems.invalidValue(field, raw));
    return undefined;
  }
  const before = found.length;

  const { name, type } = raw;
  if (name === undefined) found.push(problems.required(`${field}.name`));
  else if (typeof name !== 'string' || !isFqdn(name))
    found.push(problems.invalidValue(`${field}.name`, name));

  if (type === undefined) found.push(problems.required(`${field}.type`));
  else if (typeof type !== 'string' || !SUPPORTED_RECORD_TYPES.has(type)) {
    found.push(problems.invalidValue(`${field}.type`, type));
  }
  const typeName = typeof type === 'string' ? type : '';

  const ttl = toNumber(raw.ttl);
  if (raw.ttl === undefined) found.push(problems.required(`${field}.ttl`));
  else if (ttl === undefined || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL) {
    found.push(problems.invalidValue(`${field}.ttl`, raw.ttl));
  }

  let rrdatas: string[] | undefined;
  let items: CloudDnsWrrItem[] | undefined;
  const hasRrdatas = raw.rrdatas !== undefined && raw.rrdatas !== null;
  const hasPolicy = raw.routingPolicy !== undefined && raw.routingPolicy !== null;
  if (hasRrdatas && hasPolicy) {
    found.push(problems.invalid(field, 'a record set holds either rrdatas or a routingPolicy, not both'));
  } else if (hasPolicy) {
    items = parseWrr(raw.routingPolicy, typeName, `${field}.routingPolicy`, found);
  } else if (hasRrdatas) {
    rrdatas = parseRrdatas(raw.rrdatas, typeName, `${field}.rrdatas`, found);
  } else {
    found.push(problems.required(`${field}.rrdatas`));
  }

  if (found.length > before || typeof name !== 'string' || ttl === undefined) return undefined;
  const rrset: CloudDnsRrset = { name: name.toLowerCase(), type: typeName, ttl };
  if (rrdatas !== undefined) rrset.rrdatas = rrdatas;
  if (items !== undefined) rrset.routingPolicy = { wrr: { items } };
  return rrset;
}

/** Whether `name` is the zone's apex or lies under it. */
export function isInZone(name: string, zoneDnsName: string): boolean {
  const lower = name.toLowerCase();
  const apex = zoneDnsName.toLowerCase();
  return apex === '.' || lower === apex || lower.endsWith(`.${apex}`);
}
