/**
 * The lab's webhook receiver: the endpoint of the lab's generic `webhook` channel, inside the lab process. It
 * verifies every request the way a real receiver must (src/notify/webhook-signature.ts: HMAC over the exact
 * body bytes and the timestamp, within the replay tolerance) before it believes a word, accepts each
 * notification id once (retries repeat the id), and hands each notification over as it arrives.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { NOTIFICATION_ID_HEADER, WEBHOOK_BODY_TYPE } from '../notify/channels/webhook';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../notify/webhook-signature';
import { LAB_HOST } from './free-port';

const MAX_BODY_BYTES = 1024 * 1024;

/** The fields of the webhook body the lab reads (the full shape is `Notification`, src/notify/notification.ts). */
export interface ReceivedNotification {
  id: string;
  kind: string;
  severity: string;
  service: string;
  title: string;
  summary: string;
  drill: boolean;
  generation: number;
}

export interface LabWebhookReceiverOptions {
  secret: string;
  /** Every authentic notification, once, when it arrives. */
  onNotification: (notification: ReceivedNotification, receivedAt: number) => void;
  /** A request that was refused (bad signature, not JSON, ...): the lab says so, it should never happen. */
  onRejected: (reason: string) => void;
  now?: () => number;
}

export class LabWebhookReceiver {
  private server: Server | undefined;
  private readonly seen = new Set<string>();
  port = 0;

  constructor(private readonly options: LabWebhookReceiverOptions) {}

  get url(): string {
    return `http://${LAB_HOST}:${this.port}/`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const answer = (status: number, text: string): void => {
        response.writeHead(status, { 'Content-Type': 'text/plain' }).end(text);
      };
      if (request.method !== 'POST') return answer(405, 'POST only');
      readBody(request).then(
        (body) => {
          if (body === undefined) return answer(413, 'body too large');
          const refused = this.check(request, body);
          if (refused !== undefined) {
            this.options.onRejected(refused.reason);
            return answer(refused.status, refused.reason);
          }
          const notification = JSON.parse(body) as ReceivedNotification;
          if (!this.seen.has(notification.id)) {
            this.seen.add(notification.id);
            this.options.onNotification(notification, (this.options.now ?? Date.now)());
          }
          return answer(200, 'ok');
        },
        () => answer(400, 'unreadable body'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, LAB_HOST, () => {
        server.off('error', reject);
        const address = server.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
    });
    this.server = server;
  }

  /** Why the request is refused (401: not authentic, 400: malformed), or undefined when it is fine. */
  private check(request: IncomingMessage, body: string): { status: 400 | 401; reason: string } | undefined {
    const header = (name: string): string => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(',') : (value ?? '');
    };
    if (header(SIGNATURE_HEADER) === '')
      return { status: 401, reason: `signature missing (${SIGNATURE_HEADER})` };
    const verified = verifyWebhook({
      secret: this.options.secret,
      header: header(SIGNATURE_HEADER),
      timestamp: header(TIMESTAMP_HEADER),
      body,
      now: (this.options.now ?? Date.now)(),
    });
    if (!verified.ok) return { status: 401, reason: `signature rejected: ${verified.reason}` };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { status: 400, reason: 'body is not JSON' };
    }
    const value = parsed as Partial<ReceivedNotification> & { type?: unknown; version?: unknown };
    if (value.type !== WEBHOOK_BODY_TYPE || value.version !== 1) {
      const got = `type ${String(value.type)}, version ${String(value.version)}`;
      return { status: 400, reason: `not a version 1 ${WEBHOOK_BODY_TYPE} body (${got})` };
    }
    if (
      typeof value.id !== 'string' ||
      typeof value.title !== 'string' ||
      typeof value.service !== 'string'
    ) {
      return { status: 400, reason: 'body lacks id, title or service' };
    }
    const idHeader = header(NOTIFICATION_ID_HEADER);
    if (idHeader !== '' && idHeader !== value.id) {
      return { status: 400, reason: `${NOTIFICATION_ID_HEADER} does not match the body's id` };
    }
    return undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
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
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
