/**
 * A free loopback port, found by binding port 0 and closing again. The port can in theory be taken between the
 * check and its use; on loopback, with ports handed out from the kernel's ephemeral range, that does not happen
 * in practice, and whoever binds it next reports a clear "in use" error if it ever does.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export const LAB_HOST = '127.0.0.1';

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function udpPortIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/**
 * A TCP port on `host` that nothing listens on. With `udp: true` the same number is also free for UDP (a DNS
 * server binds both); a few candidates are tried before giving up.
 */
export async function freePort(options: { host?: string; udp?: boolean } = {}): Promise<number> {
  const host = options.host ?? LAB_HOST;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freeTcpPort(host);
    if (!options.udp || (await udpPortIsFree(host, port))) return port;
  }
  throw new Error(`no port free for both TCP and UDP on ${host} after 20 tries`);
}
