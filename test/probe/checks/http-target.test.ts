import {
  hostNameOfHostHeader,
  initialHttpTarget,
  redirectTarget,
  tlsServerName,
  type HttpRequestTarget,
} from '../../../src/probe/checks/http-target';
import { httpCheck } from './check-builders';

const base: HttpRequestTarget = {
  protocol: 'https:',
  connectHost: '192.0.2.10',
  port: 8443,
  method: 'GET',
  path: '/health',
  hostHeader: 'api.example.com',
  sniOverride: undefined,
};

describe('initialHttpTarget', () => {
  it('takes protocol, upper-cased method and the path from the check', () => {
    expect(
      initialHttpTarget(httpCheck({ type: 'https', method: 'head', path: '', port: 443 })),
    ).toMatchObject({
      protocol: 'https:',
      method: 'HEAD',
      path: '/',
      port: 443,
    });
  });
});

describe('tlsServerName', () => {
  it('prefers sni, then the Host header name, then the connect host; never an IP', () => {
    expect(tlsServerName({ ...base, sniOverride: 'edge.example.net' })).toBe('edge.example.net');
    expect(tlsServerName({ ...base, hostHeader: 'api.example.com:8443' })).toBe('api.example.com');
    expect(tlsServerName({ ...base, hostHeader: undefined })).toBe('');
    expect(tlsServerName({ ...base, hostHeader: undefined, connectHost: 'origin.example.com' })).toBe(
      'origin.example.com',
    );
    expect(tlsServerName({ ...base, hostHeader: '[2001:db8::1]:443' })).toBe('');
  });

  it('reads the name of any Host header', () => {
    expect(hostNameOfHostHeader('a.example:80')).toBe('a.example');
    expect(hostNameOfHostHeader('[::1]:8080')).toBe('::1');
    expect(hostNameOfHostHeader('2001:db8::1')).toBe('2001:db8::1');
  });
});

describe('redirectTarget', () => {
  it('keeps the address under test, port and Host for a relative redirect', () => {
    expect(redirectTarget(base, 302, '/ready?x=1')).toEqual({ ...base, path: '/ready?x=1' });
  });

  it('stays on the address under test for an absolute redirect to the presented name', () => {
    expect(
      redirectTarget({ ...base, protocol: 'http:', port: 80 }, 301, 'https://API.example.com/health'),
    ).toEqual({
      ...base,
      protocol: 'https:',
      port: 443,
      hostHeader: 'api.example.com',
    });
  });

  it('connects to another name, without the old Host or sni, when redirected elsewhere', () => {
    expect(
      redirectTarget({ ...base, sniOverride: 'x.example' }, 307, 'http://status.example.org:8080/up'),
    ).toEqual({
      protocol: 'http:',
      connectHost: 'status.example.org',
      port: 8080,
      method: 'GET',
      path: '/up',
      hostHeader: undefined,
      sniOverride: undefined,
    });
  });

  it('turns 303 (and POST on 301/302) into GET, keeps the method on 307/308', () => {
    expect(redirectTarget({ ...base, method: 'POST' }, 303, '/a')).toMatchObject({ method: 'GET' });
    expect(redirectTarget({ ...base, method: 'HEAD' }, 303, '/a')).toMatchObject({ method: 'HEAD' });
    expect(redirectTarget({ ...base, method: 'POST' }, 302, '/a')).toMatchObject({ method: 'GET' });
    expect(redirectTarget({ ...base, method: 'POST' }, 307, '/a')).toMatchObject({ method: 'POST' });
  });

  it('refuses locations it cannot follow', () => {
    expect(redirectTarget(base, 302, 'ftp://files.example.com/')).toBe(
      'HTTP 302 redirect to unsupported scheme ftp:',
    );
    expect(redirectTarget(base, 302, 'http://[bad')).toBe('HTTP 302 redirect to an invalid location');
  });
});
