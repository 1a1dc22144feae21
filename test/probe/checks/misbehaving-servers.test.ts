import { runCheck } from '../../../src/probe/checks/run-check';
import { startDnsServer, startStatusServer } from '../../support/misbehaving-servers';
import { dnsCheck, httpCheck } from './check-builders';

describe('misbehaving test servers', () => {
  it('listen on another loopback address when asked (one address per simulated data center)', async () => {
    const server = await startStatusServer(200, 'ok', { host: '127.0.0.2' });
    const dns = await startDnsServer(
      { 'api.test A': { answers: [{ type: 'A', data: '10.0.0.1' }] } },
      { host: '127.0.0.3' },
    );
    try {
      expect(server.url).toBe(`http://127.0.0.2:${server.port}`);
      expect(await runCheck(httpCheck({ host: '127.0.0.2', port: server.port }))).toMatchObject({ ok: true });
      expect(await runCheck(dnsCheck({ server: '127.0.0.3', serverPort: dns.port }))).toMatchObject({
        ok: true,
      });
    } finally {
      await server.close();
      await dns.close();
    }
  });

  it('refuse to listen outside loopback', async () => {
    await expect(startStatusServer(200, 'ok', { host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
    await expect(startDnsServer({}, { host: '10.0.0.1' })).rejects.toThrow(/loopback only/);
  });
});
