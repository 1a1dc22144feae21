import { matchBody } from '../../../src/probe/checks/body-match';

describe('body match', () => {
  it('contains', () => {
    expect(matchBody('all ok', { kind: 'contains', text: 'ok' }, false)).toEqual({ ok: true });
    expect(matchBody('all good', { kind: 'contains', text: 'ok' }, false)).toEqual({
      ok: false,
      failureClass: 'body',
      detail: 'body lacks "ok"',
    });
    expect(matchBody('x'.repeat(10), { kind: 'contains', text: 'ok' }, true)).toMatchObject({
      detail: 'body lacks "ok" (first 64 KiB)',
    });
  });

  it('regex, and an invalid pattern fails the check with a clear detail instead of throwing', () => {
    expect(matchBody('state=UP', { kind: 'regex', pattern: '^state=(UP|OK)$' }, false)).toEqual({ ok: true });
    expect(matchBody('state=DOWN', { kind: 'regex', pattern: '^state=UP' }, false)).toMatchObject({
      detail: 'body does not match /^state=UP/',
    });
    const invalid = matchBody('x', { kind: 'regex', pattern: '(' }, false);
    expect(invalid).toMatchObject({ ok: false, failureClass: 'body' });
    expect(!invalid.ok && invalid.detail).toMatch(/^invalid body regex/);
  });

  it('jsonPath compares strictly: a number is not its string', () => {
    const body = JSON.stringify({ code: 1, ok: true, status: 'degraded', nothing: null, nested: { a: [1] } });
    const at = (path: string, equals: string | number | boolean | null) =>
      matchBody(body, { kind: 'jsonPath', path, equals }, false);
    expect(at('$.code', 1)).toEqual({ ok: true });
    expect(at('$.code', '1')).toMatchObject({ detail: '$.code is 1, expected "1"' });
    expect(at('$.ok', true)).toEqual({ ok: true });
    expect(at('$.nothing', null)).toEqual({ ok: true });
    expect(at('$.status', 'ok')).toMatchObject({ detail: '$.status is "degraded", expected "ok"' });
    expect(at('$.nested', 'x')).toMatchObject({ detail: '$.nested is {"a":[1]}, expected "x"' });
    expect(at('$.absent', 'ok')).toMatchObject({ detail: '$.absent is missing, expected "ok"' });
    expect(at('status', 'ok')).toMatchObject({
      failureClass: 'body',
      detail: expect.stringMatching(/invalid JSON path/),
    });
  });

  it('says when a cut body is not JSON', () => {
    expect(
      matchBody('{"status":"o', { kind: 'jsonPath', path: '$.status', equals: 'ok' }, true),
    ).toMatchObject({
      detail: 'body is not JSON (first 64 KiB)',
    });
  });

  it('keeps details short and on one line', () => {
    const long = matchBody('{}', { kind: 'contains', text: 'y\n'.repeat(500) }, false);
    expect(!long.ok && long.detail.length).toBeLessThanOrEqual(200);
    expect(!long.ok && long.detail).not.toContain('\n');
  });
});
