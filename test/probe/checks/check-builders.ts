import type { DnsCheck, HttpCheck, TcpCheck } from '../../../src/config/types';
import { LOOPBACK } from '../../support/loopback';

/** An http check with the loader's defaults, pointed at 127.0.0.1. */
export function httpCheck(overrides: Partial<HttpCheck> = {}): HttpCheck {
  return {
    type: 'http',
    interval: 10_000,
    timeout: 2_000,
    host: LOOPBACK,
    port: 1,
    method: 'GET',
    path: '/',
    headers: {},
    expectStatus: [{ from: 200, to: 399 }],
    tlsVerify: true,
    followRedirects: false,
    ...overrides,
  };
}

export function tcpCheck(overrides: Partial<TcpCheck> = {}): TcpCheck {
  return { type: 'tcp', interval: 10_000, timeout: 2_000, host: LOOPBACK, port: 1, ...overrides };
}

export function dnsCheck(overrides: Partial<DnsCheck> = {}): DnsCheck {
  return {
    type: 'dns',
    interval: 10_000,
    timeout: 2_000,
    server: LOOPBACK,
    serverPort: 53,
    query: 'api.test',
    recordType: 'A',
    expectRcode: 'NOERROR',
    ...overrides,
  };
}
