/**
 * A simulated data center: an HTTP server on its own loopback address whose health endpoint answers
 * 200 while the data center is up and 503 while it is down, switchable at any time.
 */
import { type HttpTestServer, startHttpServer } from '../../support/misbehaving-servers';

export type DataCenterState = 'up' | 'down';

export interface DataCenter {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly state: DataCenterState;
  /** When the state last changed (Date.now()). */
  readonly changedAt: number;
  /** Switches the state; returns the time of the switch (Date.now()). */
  set(state: DataCenterState): number;
  /** Health checks answered so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startDataCenter(name: string, host: string): Promise<DataCenter> {
  let state: DataCenterState = 'up';
  let changedAt = Date.now();
  const server: HttpTestServer = await startHttpServer(
    (_request, response) => {
      const up = state === 'up';
      response.writeHead(up ? 200 : 503, { 'Content-Type': 'text/plain' });
      response.end(up ? 'ok' : `${name} is down`);
    },
    { host },
  );
  return {
    name,
    host: server.host,
    port: server.port,
    get state() {
      return state;
    },
    get changedAt() {
      return changedAt;
    },
    set(next) {
      state = next;
      changedAt = Date.now();
      return changedAt;
    },
    requests: () => server.requests.length,
    close: () => server.close(),
  };
}
