import { classifyError, errorCode } from '../../../src/probe/checks/classify-error';
import { CheckAbortedError, CheckDeadlineExpiredError } from '../../../src/probe/checks/deadline';

function nodeError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe('classifyError', () => {
  it.each([
    [
      'ECONNREFUSED',
      'connect ECONNREFUSED 127.0.0.1:41234',
      'refused',
      'connect ECONNREFUSED 127.0.0.1:41234',
    ],
    ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.1.1.1:80', 'refused', 'connect EHOSTUNREACH 10.1.1.1:80'],
    ['ECONNRESET', 'socket hang up', 'reset', 'socket hang up (ECONNRESET)'],
    ['EPIPE', 'write EPIPE', 'reset', 'write EPIPE'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND api.example.com', 'dns', 'getaddrinfo ENOTFOUND api.example.com'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.example.com', 'dns', 'getaddrinfo EAI_AGAIN api.example.com'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:443', 'timeout', 'connect ETIMEDOUT 10.0.0.1:443'],
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'self-signed certificate',
      'tls',
      'TLS self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    ],
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'tls', 'TLS certificate has expired (CERT_HAS_EXPIRED)'],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames",
      'tls',
      "TLS Hostname/IP does not match certificate's altnames (ERR_TLS_CERT_ALTNAME_INVALID)",
    ],
    [
      'EPROTO',
      'write EPROTO 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/ssl.c:350:',
      'tls',
      'TLS handshake failed: wrong version number (EPROTO)',
    ],
    [
      'HPE_INVALID_CONSTANT',
      'Parse Error: Expected HTTP/',
      'status',
      'invalid HTTP response (HPE_INVALID_CONSTANT)',
    ],
    ['ESOMETHINGNEW', 'something new', 'reset', 'something new (ESOMETHINGNEW)'],
  ])('%s -> %s', (code, message, failureClass, detail) => {
    expect(classifyError(nodeError(code, message))).toEqual({ failureClass, detail });
  });

  it('uses the OpenSSL reason property when there is one', () => {
    const error = nodeError('ERR_SSL_TLSV1_ALERT_UNRECOGNIZED_NAME', 'long trace', {
      reason: 'tlsv1 unrecognized name',
    });
    expect(classifyError(error)).toEqual({
      failureClass: 'tls',
      detail: 'TLS handshake failed: tlsv1 unrecognized name (ERR_SSL_TLSV1_ALERT_UNRECOGNIZED_NAME)',
    });
  });

  it('classifies the deadline and aborts as timeout', () => {
    expect(classifyError(new CheckDeadlineExpiredError(2000)).failureClass).toBe('timeout');
    expect(classifyError(new CheckAbortedError()).failureClass).toBe('timeout');
  });

  it('reads the code of a happy-eyeballs AggregateError from its attempts', () => {
    const aggregate = new AggregateError([
      nodeError('ECONNREFUSED', 'connect ECONNREFUSED ::1:8080'),
      nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8080'),
    ]);
    expect(errorCode(aggregate)).toBe('ECONNREFUSED');
    expect(classifyError(aggregate)).toEqual({
      failureClass: 'refused',
      detail: 'connect ECONNREFUSED ::1:8080; connect ECONNREFUSED 127.0.0.1:8080',
    });
  });

  it('never repeats a header value quoted by Node in its message', () => {
    const error = nodeError(
      'ERR_HTTP_INVALID_HEADER_VALUE',
      'Invalid value "Bearer s3cret" for header "Authorization"',
    );
    const classified = classifyError(error);
    expect(classified.detail).not.toContain('s3cret');
    expect(classified.detail).toContain('ERR_HTTP_INVALID_HEADER_VALUE');
  });

  it('handles values that are not errors and keeps details to 200 characters', () => {
    expect(classifyError('boom')).toEqual({ failureClass: 'reset', detail: 'boom' });
    expect(classifyError(undefined)).toEqual({ failureClass: 'reset', detail: 'undefined' });
    expect(classifyError(nodeError('ECONNRESET', 'x'.repeat(500))).detail.length).toBeLessThanOrEqual(200);
  });
});
