import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A certificate and key in PEM form. */
export interface TlsMaterial {
  cert: string;
  key: string;
}

const TLS_FIXTURES = path.join(__dirname, '..', 'fixtures', 'tls');

let cached: TlsMaterial | undefined;

/**
 * The committed self-signed test certificate: CN/SAN `localhost` and `127.0.0.1`, valid for 100 years
 * (see test/fixtures/tls/README.md for the openssl command that made it). Never trusted by default, so a
 * check with `tlsVerify: true` must fail against it.
 */
export function loadTestTls(): TlsMaterial {
  cached ??= {
    cert: readFileSync(path.join(TLS_FIXTURES, 'localhost-cert.pem'), 'utf8'),
    key: readFileSync(path.join(TLS_FIXTURES, 'localhost-key.pem'), 'utf8'),
  };
  return cached;
}
