/**
 * One simulated data center of the lab: an HTTP server on loopback answering `/healthz` with 200. "Down" is
 * what a dead data center looks like from outside: nothing listens any more, connections are refused. "Up"
 * listens again on the same address and port, so the probes' configured targets stay valid.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { LAB_HOST } from './free-port';

export interface DataCenterOptions {
  /** Pool name, e.g. `dc-east`. */
  name: string;
  /**
   * The address the lab's DNS answers for this data center (`127.0.0.11`). The server listens on it when the
   * system routes it to loopback (Linux does for all of 127/8), else on 127.0.0.1 with the address as a label.
   */
  address: string;
}

export class DataCenter {
  readonly name: string;
  readonly address: string;
  /** Where it listens (the probes' check host); set by `start()`. */
  host = LAB_HOST;
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(options: DataCenterOptions) {
    this.name = options.name;
    this.address = options.address;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  get url(): string {
    return `http://${this.host}:${this.port}/`;
  }

  /** First start: on its own loopback address when possible, on a free port. */
  async start(): Promise<void> {
    try {
      await this.listen(this.address, 0);
      this.host = this.address;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw error;
      await this.listen(LAB_HOST, 0);
      this.host = LAB_HOST;
    }
  }

  /** Listens again where it listened before (after `down()`). */
  async up(): Promise<void> {
    if (this.server !== undefined) return;
    await this.listen(this.host, this.port);
  }

  /** Stops listening and drops open connections: from now on every connection is refused. */
  async down(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  private listen(host: string, port: number): Promise<void> {
    const server = createServer((request, response) => {
      const healthy = request.url === '/healthz' || request.url?.startsWith('/healthz?');
      if (healthy || request.url === '/') {
        response.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'close' });
        response.end(healthy ? `ok ${this.name}\n` : `hello from ${this.name} (quorumdns lab)\n`);
        return;
      }
      response.writeHead(404, { 'Content-Type': 'text/plain', Connection: 'close' }).end('not found\n');
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        this.server = server;
        resolve();
      });
    });
  }
}
