import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { HttpCheck } from '../../config/types';
import { BODY_READ_LIMIT_BYTES, matchBody } from './body-match';
import type { CheckContext } from './check-context';
import { failed, PASSED, stoppedVerdict, type CheckVerdict } from './check-outcome';
import { classifyError, errorCode, type ErrorClassification } from './classify-error';
import { connectAddressFor } from './connect-via';
import { onDeadlineStop } from './deadline';
import {
  initialHttpTarget,
  MAX_REDIRECTS,
  REDIRECT_STATUSES,
  redirectTarget,
  tlsServerName,
  type HttpRequestTarget,
} from './http-target';
import { isExpectedStatus, unexpectedStatusDetail } from './status-ranges';

const USER_AGENT = 'quorumdns-probe';

type HttpPhase = 'connecting' | 'TLS handshake' | 'waiting for response' | 'reading body';

/** One request's outcome: a verdict, or a redirect the check is asked to follow. */
type HopOutcome =
  { kind: 'verdict'; verdict: CheckVerdict } | { kind: 'redirect'; status: number; location: string };

const noop = (): void => undefined;

/**
 * An http/https check: a fresh connection per request (`agent: false`, `Connection: close`) so that the
 * check sees connect failures instead of a pooled socket, one hard deadline over every hop, the body read
 * only when it is judged and never beyond 64 KiB.
 */
export async function runHttpCheck(check: HttpCheck, context: CheckContext): Promise<CheckVerdict> {
  const requestHeaders = buildRequestHeaders(check, context.headers);
  if (typeof requestHeaders === 'string') return failed('reset', requestHeaders);
  const { headers } = requestHeaders;

  let target: HttpRequestTarget = { ...initialHttpTarget(check), hostHeader: requestHeaders.hostHeader };
  for (let redirects = 0; ; redirects += 1) {
    const outcome = await sendRequest(check, target, headers, context);
    if (outcome.kind === 'verdict') return outcome.verdict;
    if (redirects >= MAX_REDIRECTS) {
      return failed('status', `too many redirects (more than ${MAX_REDIRECTS})`);
    }
    const next = redirectTarget(target, outcome.status, outcome.location);
    if (typeof next === 'string') return failed('status', next);
    target = next;
  }
}

/** The headers every request of a check sends, and the Host header it presents. */
export interface RequestHeaders {
  /** Without Host: each hop sets its own (a redirect to another name must not carry the old one). */
  headers: Record<string, string>;
  /** `check.hostHeader`, else a Host given among the check's headers, else `undefined` (Node derives it). */
  hostHeader: string | undefined;
}

/**
 * Literal `check.headers`, overridden by the worker's resolved values (secret references are only usable
 * once resolved), then the headers a health check must control itself.
 * @returns the headers, or a detail when one is invalid (naming the header, never its value).
 */
export function buildRequestHeaders(
  check: HttpCheck,
  resolved: Readonly<Record<string, string>> | undefined,
): RequestHeaders | string {
  const byLowerName = new Map<string, [string, string]>();
  for (const [name, value] of Object.entries(check.headers)) {
    if (typeof value === 'string') byLowerName.set(name.toLowerCase(), [name, value]);
  }
  for (const [name, value] of Object.entries(resolved ?? {})) {
    byLowerName.set(name.toLowerCase(), [name, value]);
  }
  if (!byLowerName.has('user-agent')) byLowerName.set('user-agent', ['User-Agent', USER_AGENT]);
  // Keep-alive would let a later check ride an old connection and miss that new connections fail.
  byLowerName.set('connection', ['Connection', 'close']);
  const hostHeader = check.hostHeader ?? byLowerName.get('host')?.[1];
  byLowerName.delete('host');

  const headers: Record<string, string> = {};
  const toValidate: Array<[string, string]> = [...byLowerName.values()];
  if (hostHeader !== undefined) toValidate.push(['Host', hostHeader]);
  for (const [name, value] of toValidate) {
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    } catch {
      return `request not sent: header ${JSON.stringify(name)} has an invalid name or value`;
    }
  }
  for (const [name, value] of byLowerName.values()) headers[name] = value;
  return { headers, hostHeader };
}

/** A reset says little without knowing when it came: during the handshake, or halfway through the body. */
function withPhase(classified: ErrorClassification, phase: HttpPhase, code: string | undefined): string {
  if (classified.failureClass !== 'reset') return classified.detail;
  if (phase === 'TLS handshake') {
    return `connection closed during TLS handshake (${code ?? classified.detail})`;
  }
  if (phase === 'reading body') return `connection closed while reading body (${classified.detail})`;
  return classified.detail;
}

function timeoutDetail(timeoutMs: number, phase: HttpPhase): string {
  return `no answer within ${timeoutMs} ms (${phase})`;
}

function sendRequest(
  check: HttpCheck,
  target: HttpRequestTarget,
  baseHeaders: Record<string, string>,
  context: CheckContext,
): Promise<HopOutcome> {
  return new Promise<HopOutcome>((resolve) => {
    let phase: HttpPhase = 'connecting';
    let request: http.ClientRequest | undefined;
    let response: http.IncomingMessage | undefined;
    let settled = false;
    let unsubscribe: () => void = noop;

    const settle = (outcome: HopOutcome): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      // Late errors from sockets we tear down must not become unhandled 'error' events.
      request?.on('error', noop);
      response?.on('error', noop);
      response?.destroy();
      request?.destroy();
      resolve(outcome);
    };
    const settleVerdict = (verdict: CheckVerdict): void => settle({ kind: 'verdict', verdict });
    const settleError = (error: unknown): void => {
      const classified = classifyError(error);
      settleVerdict(failed(classified.failureClass, withPhase(classified, phase, errorCode(error))));
    };

    unsubscribe = onDeadlineStop(context.deadline, (reason) =>
      settleVerdict(stoppedVerdict(reason, timeoutDetail(check.timeout, phase))),
    );
    if (settled) return;

    const via = connectAddressFor(context.connectVia, target.connectHost, target.port);
    const rerouted = via.host !== target.connectHost || via.port !== target.port;
    // Rerouted (`--via`): Node would derive Host from the address connected to; present the target's.
    const hostHeader =
      target.hostHeader ??
      (rerouted ? derivedHostHeader(target.connectHost, target.port, target.protocol) : undefined);
    const headers = hostHeader === undefined ? baseHeaders : { ...baseHeaders, Host: hostHeader };

    const options: https.RequestOptions = {
      host: via.host,
      port: via.port,
      method: target.method,
      path: target.path,
      headers,
      agent: false,
    };
    if (context.lookup !== undefined) options.lookup = context.lookup;
    if (target.protocol === 'https:') {
      options.servername = tlsServerName(target);
      options.rejectUnauthorized = check.tlsVerify;
      // Without SNI Node verifies the certificate against the address connected to: keep it the target's.
      if (rerouted && options.servername === '') {
        const verifiedHost = target.connectHost;
        options.checkServerIdentity = (_host, certificate) => checkServerIdentity(verifiedHost, certificate);
      }
    }

    try {
      request = (target.protocol === 'https:' ? https : http).request(options);
    } catch (error) {
      settleError(error);
      return;
    }

    request.on('socket', (socket: Socket) => {
      const secure = target.protocol === 'https:';
      socket.once('connect', () => {
        if (phase === 'connecting') phase = secure ? 'TLS handshake' : 'waiting for response';
      });
      if (secure) {
        socket.once('secureConnect', () => {
          if (phase === 'TLS handshake' || phase === 'connecting') phase = 'waiting for response';
        });
      }
    });
    request.on('error', settleError);
    request.on('response', (incoming) => {
      response = incoming;
      incoming.on('error', settleError);
      const status = incoming.statusCode ?? 0;
      const location = incoming.headers.location;
      if (check.followRedirects && REDIRECT_STATUSES.has(status) && location !== undefined) {
        settle({ kind: 'redirect', status, location });
        return;
      }
      if (!isExpectedStatus(status, check.expectStatus)) {
        settleVerdict(failed('status', unexpectedStatusDetail(status, check.expectStatus)));
        return;
      }
      if (check.bodyMatch === undefined) {
        settleVerdict(PASSED);
        return;
      }
      const bodyMatch = check.bodyMatch;
      phase = 'reading body';
      readLimitedBody(incoming, (body, truncated) => settleVerdict(matchBody(body, bodyMatch, truncated)));
    });
    request.end();
  });
}

/** The Host header Node derives for `host:port`: the port only when it is not the scheme's default. */
function derivedHostHeader(host: string, port: number, protocol: 'http:' | 'https:'): string {
  const name = host.includes(':') ? `[${host}]` : host;
  return port === (protocol === 'https:' ? 443 : 80) ? name : `${name}:${port}`;
}

/**
 * Reads at most `BODY_READ_LIMIT_BYTES`; reaching the limit ends the read at once (the caller then destroys
 * the socket), so a server streaming 10 MB costs the probe 64 KiB.
 */
function readLimitedBody(
  response: http.IncomingMessage,
  done: (body: string, truncated: boolean) => void,
): void {
  const chunks: Buffer[] = [];
  let received = 0;
  let finished = false;
  const finish = (truncated: boolean): void => {
    if (finished) return;
    finished = true;
    response.off('data', onData);
    const body = Buffer.concat(chunks, Math.min(received, BODY_READ_LIMIT_BYTES));
    done(body.toString('utf8'), truncated);
  };
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    received += chunk.length;
    if (received >= BODY_READ_LIMIT_BYTES) finish(received > BODY_READ_LIMIT_BYTES || !response.complete);
  };
  response.on('data', onData);
  response.once('end', () => finish(false));
}
