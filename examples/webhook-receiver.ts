/**
 * A minimal receiver of quorumdns's generic webhook, to copy into your own service. It
 *
 * 1. reads the raw body (the signature covers these exact bytes: verify BEFORE parsing JSON),
 * 2. checks `X-Quorumdns-Timestamp` is within 5 minutes of its own clock (rejects replays of old requests),
 * 3. recomputes `v1=` HMAC-SHA256(secret, `<timestamp>.<body>`) and compares in constant time,
 * 4. accepts each notification id once (quorumdns retries with the same id after a lost answer).
 *
 * It depends on node:http and node:crypto only, on purpose: it is documentation to copy into a service that
 * does not install quorumdns, so it repeats what quorumdns's own receiver code does (src/notify/webhook-signature.ts
 * `verifyWebhook`, which the lab's receiver uses) rather than importing it. Run it:
 *
 *   QDNS_HMAC=your-secret PORT=8787 npx tsx examples/webhook-receiver.ts
 *
 * and point a channel at it: `{ type: webhook, url: http://127.0.0.1:8787/, secret: '${env:QDNS_HMAC}' }`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

const SIGNATURE_HEADER = 'x-quorumdns-signature';
const TIMESTAMP_HEADER = 'x-quorumdns-timestamp';
const TOLERANCE_MS = 5 * 60_000;
const MAX_BODY_BYTES = 1024 * 1024;

export interface ReceivedNotification {
  version: number;
  id: string;
  kind: string;
  severity: string;
  service: string;
  title: string;
  drill: boolean;
  [field: string]: unknown;
}

export interface ReceiverOptions {
  secret: string;
  onNotification: (notification: ReceivedNotification) => void;
  /** Replays older than this are refused. Default 5 minutes. */
  toleranceMs?: number;
  /** Clock, epoch ms (tests pass a fixed one). */
  now?: () => number;
}

/** Returns why the request must be refused, or undefined when it is authentic and fresh. */
export function checkSignature(
  secret: string,
  headers: IncomingMessage['headers'],
  body: Buffer,
  now: number,
  toleranceMs = TOLERANCE_MS,
): string | undefined {
  const timestamp = String(headers[TIMESTAMP_HEADER] ?? '');
  const signature = String(headers[SIGNATURE_HEADER] ?? '');
  if (!/^\d+$/.test(timestamp)) return 'missing or malformed timestamp';
  const age = now - Number(timestamp);
  if (age > toleranceMs) return 'timestamp too old (replay?)';
  if (age < -toleranceMs) return 'timestamp in the future';
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
  const valid = signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .some((part) => {
      const given = Buffer.from(part.slice(3), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  return valid ? undefined : 'bad signature';
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function createReceiver(options: ReceiverOptions): Server {
  const now = options.now ?? Date.now;
  const tolerance = options.toleranceMs ?? TOLERANCE_MS;
  // Ids seen within the tolerance window; older ones cannot come back (their timestamps would be refused).
  const seen = new Map<string, number>();
  return createServer((request, response) => {
    const answer = (status: number, text: string): void => {
      response.writeHead(status, { 'Content-Type': 'text/plain' }).end(text);
    };
    if (request.method !== 'POST') return answer(405, 'POST only');
    readBody(request).then(
      (body) => {
        if (body === undefined) return answer(413, 'body too large');
        const refused = checkSignature(options.secret, request.headers, body, now(), tolerance);
        if (refused !== undefined) return answer(401, refused);
        let notification: ReceivedNotification;
        try {
          notification = JSON.parse(body.toString('utf8')) as ReceivedNotification;
        } catch {
          return answer(400, 'body is not JSON');
        }
        if (notification.version !== 1)
          return answer(400, `unsupported version ${String(notification.version)}`);
        for (const [id, at] of seen) if (now() - at > tolerance) seen.delete(id);
        if (seen.has(notification.id)) return answer(200, 'duplicate ignored');
        seen.set(notification.id, now());
        options.onNotification(notification);
        return answer(200, 'ok');
      },
      () => answer(400, 'unreadable body'),
    );
  });
}

if (require.main === module) {
  const secret = process.env.QDNS_HMAC;
  if (secret === undefined || secret === '') {
    console.error('set QDNS_HMAC to the channel secret');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8787);
  createReceiver({
    secret,
    onNotification: (n) => console.log(`${n.severity} ${n.title}`),
  }).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/`));
}
