/** Test servers only ever listen on loopback: tests and benchmarks never send anywhere else. */
export const LOOPBACK = '127.0.0.1';

/**
 * The address a test server listens on: 127.0.0.1 by default, another 127.x.y.z (a lab can give each
 * simulated data center its own address) or ::1. Anything outside loopback is refused.
 */
export function loopbackHost(host: string | undefined): string {
  const chosen = host ?? LOOPBACK;
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(chosen) && chosen !== '::1') {
    throw new Error(`test servers listen on loopback only, not ${chosen}`);
  }
  return chosen;
}
