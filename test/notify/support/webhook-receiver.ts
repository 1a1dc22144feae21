/**
 * A real HTTP webhook receiver on 127.0.0.1 for notification tests: it records every request (path, headers,
 * body, arrival time) and answers from a script, one answer per request in arrival order, then a default.
 * An answer can be any status with headers (Retry-After) and a body, come after a delay, or never come
 * (`hang`: the request stays open until the test releases it or closes the receiver).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { waitFor } from '../../support/wait-for';

export interface ScriptedAnswer {
  /** @defaultValue 200 */
  status?: number;
  headers?: Record<string, string>;
  /** @defaultValue 'ok' */
  body?: string;
  /** Answer only after this long (ms). */
  delayMs?: number;
  /** Never answer (until `releaseHanging` or `close`). */
  hang?: boolean;
}

export interface ReceivedRequest {
  method: string;
  /** Path and query as sent. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Date.now() when the whole body had arrived. */
  at: number;
  /** 0-based arrival number. */
  index: number;
  answer: ScriptedAnswer;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests received whose answer is still to come (delayed or hanging). */
  pending(): number;
  /** Queues answers for the next requests, in order. */
  script(...answers: ScriptedAnswer[]): void;
  /** The answer once the script is used up. @defaultValue 200 'ok' */
  setDefault(answer: ScriptedAnswer): void;
  /** Requests whose path starts with `prefix`. */
  requestsTo(prefix: string): ReceivedRequest[];
  /** Waits (bounded polling) until at least `count` requests (to `prefix`, if given) have arrived. */
  waitForRequests(
    count: number,
    options?: { prefix?: string; timeoutMs?: number },
  ): Promise<ReceivedRequest[]>;
  /** Answers every hanging request with 200 now. */
  releaseHanging(): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const queued: ScriptedAnswer[] = [];
  let fallback: ScriptedAnswer = { status: 200, body: 'ok' };
  let open = 0;
  const hanging = new Set<http.ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const respond = (response: http.ServerResponse, answer: ScriptedAnswer): void => {
    open -= 1;
    if (response.destroyed) return;
    response.writeHead(answer.status ?? 200, answer.headers ?? {});
    response.end(answer.body ?? 'ok');
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = queued.shift() ?? fallback;
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        index: requests.length,
        answer,
      });
      open += 1;
      if (answer.hang) {
        hanging.add(response);
        response.on('close', () => {
          if (hanging.delete(response)) open -= 1;
        });
        return;
      }
      if (answer.delayMs !== undefined && answer.delayMs > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          respond(response, answer);
        }, answer.delayMs);
        timers.add(timer);
        return;
      }
      respond(response, answer);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    pending: () => open,
    script: (...answers) => queued.push(...answers),
    setDefault: (answer) => {
      fallback = answer;
    },
    requestsTo: (prefix) => requests.filter((request) => request.path.startsWith(prefix)),
    async waitForRequests(count, options = {}) {
      const matching = (): ReceivedRequest[] =>
        options.prefix === undefined
          ? requests
          : requests.filter((r) => r.path.startsWith(options.prefix ?? ''));
      await waitFor(() => matching().length >= count, {
        timeoutMs: options.timeoutMs ?? 20_000,
        what: `${count} request(s)${options.prefix ? ` to ${options.prefix}` : ''} at the webhook receiver`,
      });
      return matching();
    },
    releaseHanging() {
      for (const response of [...hanging]) {
        hanging.delete(response);
        respond(response, { status: 200, body: 'ok' });
      }
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      hanging.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
