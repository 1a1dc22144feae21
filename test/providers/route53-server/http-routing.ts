/**
 * HTTP in, Route 53 operation out: routes the four REST paths the adapter uses, applies the account rate limit
 * and injected faults before the operation runs (a rejected request changes nothing, as with the real
 * service), and records every request for the tests' assertions.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { invalidInput, Route53ApiError } from './api-error';
import { parseChangeBatchRequest, type ParsedChangeBatch } from './change-batch-xml';
import { injectedError, type FaultInjector, type Route53Operation } from './fault-injector';
import type { TokenBucket } from './rate-limiter';
import { cloneRecordSet, RECORD_TYPES, type ListPosition } from './record-set';
import type { ChangeBatchLimits } from './request-limits';
import {
  changeResourceRecordSetsResponse,
  errorResponse,
  getChangeResponse,
  getHostedZoneResponse,
  listResourceRecordSetsResponse,
} from './response-xml';
import type { ZoneStore } from './zone-store';

export interface RecordedRequest {
  operation: Route53Operation | 'Unknown';
  method: string;
  /** Path and query as sent. */
  url: string;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  /** Without the `/hostedzone/` prefix. */
  zoneId?: string;
  /** GetChange: the id asked about; an accepted ChangeResourceRecordSets: the id it was given. */
  changeId?: string;
  status: number;
  /** Route 53 error code answered, if the request failed. */
  errorCode?: string;
  /** Set when the rate limiter or an injected fault answered instead of the operation. */
  rejectedBy?: 'rate-limit' | 'fault';
  /** ChangeResourceRecordSets whose body parsed: the batch, names normalised (lower-case, no trailing dot). */
  batch?: ParsedChangeBatch;
  /** ChangeResourceRecordSets only: whether the batch was applied. */
  accepted?: boolean;
}

export interface ServerCounters {
  requests: Record<string, number>;
  acceptedChanges: number;
  throttled: number;
  appliedChanges: Record<string, number>;
}

export interface ServerState {
  store: ZoneStore;
  limits: ChangeBatchLimits;
  syncDelayMs: number;
  defaultPageSize: number;
  bucket: TokenBucket;
  faults: FaultInjector;
  requests: RecordedRequest[];
  counters: ServerCounters;
}

/** ListResourceRecordSets never returns more than this many sets per page, whatever maxitems asks. */
const MAX_PAGE_SIZE = 300;
/** Far above any legal batch (1,000 values of at most 4,000 characters plus markup). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface Route {
  operation: Route53Operation | 'Unknown';
  zoneId?: string;
  changeId?: string;
}

function route(method: string, pathname: string): Route {
  const hostedZone = /^\/2013-04-01\/hostedzone\/([^/]+)$/.exec(pathname);
  if (hostedZone?.[1] !== undefined && method === 'GET') {
    return { operation: 'GetHostedZone', zoneId: decodeURIComponent(hostedZone[1]) };
  }
  const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(pathname);
  if (rrset?.[1] !== undefined && (method === 'GET' || method === 'POST')) {
    const zoneId = decodeURIComponent(rrset[1]);
    return { operation: method === 'GET' ? 'ListResourceRecordSets' : 'ChangeResourceRecordSets', zoneId };
  }
  const change = /^\/2013-04-01\/change\/([^/]+)$/.exec(pathname);
  if (change?.[1] !== undefined && method === 'GET') {
    return { operation: 'GetChange', changeId: decodeURIComponent(change[1]) };
  }
  return { operation: 'Unknown' };
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Route53ApiError(400, 'InvalidInput', `request body larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function listStart(query: URLSearchParams): ListPosition | undefined {
  const name = query.get('name') ?? undefined;
  const type = query.get('type') ?? undefined;
  const identifier = query.get('identifier') ?? undefined;
  if (type !== undefined && !(RECORD_TYPES as readonly string[]).includes(type)) {
    throw invalidInput(
      `1 validation error detected: Value '${type}' at 'startRecordType' failed to satisfy constraint: ` +
        `Member must satisfy enum value set: [${RECORD_TYPES.join(', ')}]`,
    );
  }
  if (name === undefined) {
    if (type !== undefined) throw invalidInput('StartRecordType requires StartRecordName');
    return undefined;
  }
  const start: ListPosition = { name };
  if (type !== undefined) {
    start.type = type;
    if (identifier !== undefined) start.setIdentifier = identifier;
  }
  return start;
}

function pageSize(query: URLSearchParams, defaultPageSize: number): number {
  const raw = query.get('maxitems');
  if (raw === null) return Math.min(defaultPageSize, MAX_PAGE_SIZE);
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw invalidInput(
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must be a positive integer`,
    );
  }
  return Math.min(Number(raw), MAX_PAGE_SIZE);
}

function resourceArn(target: Route): string {
  if (target.changeId !== undefined) return `arn:aws:route53:::change/${target.changeId}`;
  return `arn:aws:route53:::hostedzone/${target.zoneId ?? '*'}`;
}

/** Runs the operation; returns the XML body of a 200 answer or throws a Route53ApiError. */
function runOperation(
  state: ServerState,
  target: Route,
  query: URLSearchParams,
  body: string,
  record: RecordedRequest,
): string {
  switch (target.operation) {
    case 'GetHostedZone':
      return getHostedZoneResponse(state.store.zone(target.zoneId ?? ''));
    case 'ListResourceRecordSets': {
      const zone = state.store.zone(target.zoneId ?? '');
      const size = pageSize(query, state.defaultPageSize);
      return listResourceRecordSetsResponse(state.store.list(zone, listStart(query), size), String(size));
    }
    case 'GetChange': {
      const change = state.store.change(target.changeId ?? '');
      const inSync = Date.now() - change.submittedAt.getTime() >= state.syncDelayMs;
      return getChangeResponse(change, inSync ? 'INSYNC' : 'PENDING');
    }
    case 'ChangeResourceRecordSets': {
      const zone = state.store.zone(target.zoneId ?? '');
      const batch = record.batch ?? parseChangeBatchRequest(body);
      const { change, appliedKeys } = state.store.applyBatch(zone, batch, state.limits, new Date());
      record.accepted = true;
      record.changeId = change.id;
      state.counters.acceptedChanges += 1;
      for (const key of appliedKeys)
        state.counters.appliedChanges[key] = (state.counters.appliedChanges[key] ?? 0) + 1;
      return changeResourceRecordSetsResponse(change);
    }
    case 'Unknown':
      throw new Route53ApiError(
        400,
        'UnsupportedOperation',
        `The local Route 53 test server implements GetHostedZone, ListResourceRecordSets, ChangeResourceRecordSets and GetChange, not ${record.method} ${record.url}`,
      );
  }
}

function recordBatch(body: string, record: RecordedRequest): void {
  try {
    const parsed = parseChangeBatchRequest(body);
    record.batch = {
      ...parsed,
      changes: parsed.changes.map((change) => ({ ...change, recordSet: cloneRecordSet(change.recordSet) })),
    };
  } catch {
    // The operation reports the parse error itself if the request gets that far.
  }
}

function send(response: http.ServerResponse, status: number, body: string, requestId: string): void {
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  response.end(body);
}

async function handle(
  state: ServerState,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  const method = request.method ?? 'GET';
  const rawUrl = request.url ?? '/';
  const url = new URL(rawUrl, 'http://127.0.0.1');
  const target = route(method, url.pathname);
  const record: RecordedRequest = {
    operation: target.operation,
    method,
    url: rawUrl,
    at: Date.now(),
    status: 0,
  };
  if (target.zoneId !== undefined) record.zoneId = target.zoneId;
  if (target.changeId !== undefined) record.changeId = target.changeId;
  state.requests.push(record);
  state.counters.requests[target.operation] = (state.counters.requests[target.operation] ?? 0) + 1;

  try {
    const body = await readBody(request);
    if (target.operation === 'ChangeResourceRecordSets') {
      record.accepted = false;
      recordBatch(body, record);
    }
    if (request.headers.authorization === undefined) {
      throw new Route53ApiError(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
    }
    if (!state.bucket.tryTake()) {
      record.rejectedBy = 'rate-limit';
      throw new Route53ApiError(400, 'Throttling', 'Rate exceeded');
    }
    if (target.operation !== 'Unknown') {
      const fault = state.faults.take(target.operation);
      if (fault !== undefined) {
        record.rejectedBy = 'fault';
        throw injectedError(fault, target.operation, resourceArn(target));
      }
    }
    const xml = runOperation(state, target, url.searchParams, body, record);
    record.status = 200;
    send(response, 200, xml, requestId);
  } catch (caught) {
    const error =
      caught instanceof Route53ApiError
        ? caught
        : new Route53ApiError(500, 'InternalError', `local Route 53 test server bug: ${String(caught)}`);
    if (error.code === 'Throttling') state.counters.throttled += 1;
    record.status = error.status;
    record.errorCode = error.code;
    if (!response.destroyed) send(response, error.status, errorResponse(error, requestId), requestId);
  }
}

export function createRequestHandler(state: ServerState): http.RequestListener {
  return (request, response) => {
    void handle(state, request, response);
  };
}
