/**
 * Cloud DNS's REST/JSON v1 shapes as they travel (`ResourceRecordSet`, `Change`, `ManagedZone`), and checks
 * that an answer really has the shape the adapter relies on. The client library hands back whatever JSON came
 * in; a proxy's HTML page or a truncated body must become an error naming what was wrong, not a TypeError
 * three calls later.
 */
import { UnusableAnswerError } from '../unusable-answer-error';

/** One item of `routingPolicy.wrr.items[]`. Health-checked items carry `healthCheckedTargets` instead of rrdatas. */
export interface WireWrrItem {
  weight: number;
  rrdatas?: string[];
  [field: string]: unknown;
}

/** `routingPolicy`: quorumdns writes `wrr` only; `geo`, `primaryBackup` and health checks exist too. */
export interface WireRoutingPolicy {
  wrr?: { items: WireWrrItem[]; [field: string]: unknown };
  [field: string]: unknown;
}

export interface WireRrset {
  /** Fully qualified, with the trailing dot. */
  name: string;
  type: string;
  ttl?: number;
  rrdatas?: string[];
  routingPolicy?: WireRoutingPolicy;
  /** Output-only fields (`kind`, `signatureRrdatas`) may be present on what was read. */
  [field: string]: unknown;
}

/** The body of `changes.create`. */
export interface WireChangeRequest {
  additions: WireRrset[];
  deletions: WireRrset[];
}

/** The `Change` resource: `status` is `pending` until every Cloud DNS server has it, then `done`. */
export interface WireChange {
  id: string;
  status: string;
  /** RFC 3339. */
  startTime?: string;
}

export interface WireManagedZone {
  name: string;
  /** The zone apex, fully qualified, with the trailing dot. */
  dnsName: string;
  id?: string;
}

export interface WireRrsetPage {
  rrsets: WireRrset[];
  nextPageToken?: string;
}

/** An answer that is not the JSON the API documents. */
export class CloudDnsWireError extends UnusableAnswerError {
  readonly code = 'MALFORMED_RESPONSE';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Checks one rrset as the API answers it; `where` names it in the error (`rrsets[3]`). */
export function parseWireRrset(value: unknown, where: string): WireRrset {
  if (!isRecord(value)) throw new CloudDnsWireError(`${where} is not an object: ${describe(value)}`);
  const { name, type, ttl, rrdatas, routingPolicy } = value;
  if (typeof name !== 'string' || name === '') {
    throw new CloudDnsWireError(`${where}.name is not a name: ${describe(name)}`);
  }
  if (typeof type !== 'string' || type === '') {
    throw new CloudDnsWireError(`${where}.type is not a record type: ${describe(type)}`);
  }
  if (ttl !== undefined && !(typeof ttl === 'number' && Number.isFinite(ttl))) {
    throw new CloudDnsWireError(`${where}.ttl is not a number: ${describe(ttl)}`);
  }
  if (rrdatas !== undefined && !isStringArray(rrdatas)) {
    throw new CloudDnsWireError(`${where}.rrdatas is not a list of strings: ${describe(rrdatas)}`);
  }
  if (routingPolicy !== undefined) parseRoutingPolicy(routingPolicy, `${where}.routingPolicy`);
  return value as WireRrset;
}

function parseRoutingPolicy(value: unknown, where: string): void {
  if (!isRecord(value)) throw new CloudDnsWireError(`${where} is not an object: ${describe(value)}`);
  const { wrr } = value;
  if (wrr === undefined) return;
  if (!isRecord(wrr) || !Array.isArray(wrr.items)) {
    throw new CloudDnsWireError(`${where}.wrr has no items list: ${describe(wrr)}`);
  }
  wrr.items.forEach((item: unknown, index) => {
    const at = `${where}.wrr.items[${index}]`;
    if (!isRecord(item)) throw new CloudDnsWireError(`${at} is not an object: ${describe(item)}`);
    // The API types weight as a double; JSON may carry it as a number or (proto3 JSON) a string.
    const weight = typeof item.weight === 'string' ? Number(item.weight) : item.weight;
    if (!(typeof weight === 'number' && Number.isFinite(weight) && weight >= 0)) {
      throw new CloudDnsWireError(`${at}.weight is not a non-negative number: ${describe(item.weight)}`);
    }
    item.weight = weight;
    if (item.rrdatas !== undefined && !isStringArray(item.rrdatas)) {
      throw new CloudDnsWireError(`${at}.rrdatas is not a list of strings: ${describe(item.rrdatas)}`);
    }
  });
}

/** `rrsets.list`'s answer. */
export function parseRrsetPage(value: unknown): WireRrsetPage {
  if (!isRecord(value)) throw new CloudDnsWireError(`rrsets.list answered ${describe(value)}`);
  const { rrsets, nextPageToken } = value;
  if (rrsets !== undefined && !Array.isArray(rrsets)) {
    throw new CloudDnsWireError(`rrsets.list answered rrsets that are not a list: ${describe(rrsets)}`);
  }
  if (nextPageToken !== undefined && typeof nextPageToken !== 'string') {
    throw new CloudDnsWireError(`rrsets.list answered a nextPageToken that is not a string`);
  }
  const page: WireRrsetPage = {
    // An empty result has no `rrsets` field at all.
    rrsets: (rrsets ?? []).map((rrset: unknown, index) => parseWireRrset(rrset, `rrsets[${index}]`)),
  };
  if (nextPageToken !== undefined && nextPageToken !== '') page.nextPageToken = nextPageToken;
  return page;
}

/** `changes.create` and `changes.get`'s answer. */
export function parseWireChange(value: unknown, operation: string): WireChange {
  if (!isRecord(value)) throw new CloudDnsWireError(`${operation} answered ${describe(value)}`);
  const { id, status, startTime } = value;
  if (typeof id !== 'string' || id === '') {
    throw new CloudDnsWireError(`${operation} answered a change without an id: ${describe(value)}`);
  }
  if (typeof status !== 'string') {
    throw new CloudDnsWireError(`${operation} answered change ${id} without a status: ${describe(value)}`);
  }
  return { id, status, ...(typeof startTime === 'string' ? { startTime } : {}) };
}

/** `managedZones.get`'s answer. */
export function parseWireManagedZone(value: unknown): WireManagedZone {
  if (!isRecord(value)) throw new CloudDnsWireError(`managedZones.get answered ${describe(value)}`);
  const { name, dnsName, id } = value;
  if (typeof name !== 'string' || typeof dnsName !== 'string' || dnsName === '') {
    throw new CloudDnsWireError(
      `managedZones.get answered a zone without name or dnsName: ${describe(value)}`,
    );
  }
  return { name, dnsName, ...(typeof id === 'string' || typeof id === 'number' ? { id: String(id) } : {}) };
}
