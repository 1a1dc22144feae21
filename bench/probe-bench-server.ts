/**
 * The endpoints of the probe benchmark, in their own process so the worker's CPU figures are its own:
 * plain HTTP listeners on several loopback addresses and ports, answering `200 ok` at once.
 *
 * Prints `{"listeners":[{"host":"127.0.0.1","port":12345},...]}` on stdout once listening; exits on SIGTERM.
 * Several destination addresses and ports give the kernel room for the TIME_WAIT sockets that thousands of
 * fresh connections per second leave behind.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const hosts = (process.env.BENCH_HOSTS ?? '127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4').split(',');
const portsPerHost = Number(process.env.BENCH_PORTS_PER_HOST ?? 4);

async function main(): Promise<void> {
  const servers: http.Server[] = [];
  const listeners: { host: string; port: number }[] = [];
  for (const host of hosts) {
    for (let i = 0; i < portsPerHost; i += 1) {
      const server = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end('ok');
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: 0, backlog: 4096 }, () => resolve());
      });
      listeners.push({ host, port: (server.address() as AddressInfo).port });
      servers.push(server);
    }
  }
  process.stdout.write(`${JSON.stringify({ listeners })}\n`);
  process.on('SIGTERM', () => {
    for (const server of servers) server.close();
    process.exit(0);
  });
}

void main();
