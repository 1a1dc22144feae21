import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from '../../../src/notify/webhook-signature';

const SECRET = 'whsec-test-0123456789';
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const BODY = JSON.stringify({
  type: 'quorumdns.notification',
  version: 1,
  id: 'abc',
  title: 'api: failover',
});

describe('webhook signatures', () => {
  it('is v1= hex HMAC-SHA256 over "<timestamp>.<body>" (the documented algorithm)', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, NOW, BODY)).toBe(`v1=${expected}`);
  });

  it('verifies its own signature (round trip)', () => {
    const header = signWebhook(SECRET, NOW, BODY);
    expect(
      verifyWebhook({ secret: SECRET, header, timestamp: String(NOW), body: BODY, now: NOW + 1000 }),
    ).toEqual({
      ok: true,
    });
  });

  it('rejects a tampered body, timestamp or secret', () => {
    const header = signWebhook(SECRET, NOW, BODY);
    const tampered = BODY.replace('failover', 'failback');
    expect(
      verifyWebhook({ secret: SECRET, header, timestamp: String(NOW), body: tampered, now: NOW }).ok,
    ).toBe(false);
    expect(
      verifyWebhook({ secret: SECRET, header, timestamp: String(NOW + 1), body: BODY, now: NOW }).ok,
    ).toBe(false);
    expect(verifyWebhook({ secret: 'other', header, timestamp: String(NOW), body: BODY, now: NOW }).ok).toBe(
      false,
    );
  });

  it('rejects replays older than 5 minutes, and timestamps far in the future', () => {
    const header = signWebhook(SECRET, NOW, BODY);
    const old = verifyWebhook({
      secret: SECRET,
      header,
      timestamp: String(NOW),
      body: BODY,
      now: NOW + 5 * 60_000 + 1,
    });
    expect(old.ok).toBe(false);
    expect(old.ok === false && old.reason).toMatch(/old .*replay/);
    const justInTime = verifyWebhook({
      secret: SECRET,
      header,
      timestamp: String(NOW),
      body: BODY,
      now: NOW + 5 * 60_000,
    });
    expect(justInTime.ok).toBe(true);
    const future = verifyWebhook({
      secret: SECRET,
      header,
      timestamp: String(NOW),
      body: BODY,
      now: NOW - 6 * 60_000,
    });
    expect(future.ok === false && future.reason).toMatch(/future/);
  });

  it('honours a custom tolerance', () => {
    const header = signWebhook(SECRET, NOW, BODY);
    const result = verifyWebhook({
      secret: SECRET,
      header,
      timestamp: String(NOW),
      body: BODY,
      now: NOW + 2000,
      toleranceMs: 1000,
    });
    expect(result.ok).toBe(false);
  });

  it('accepts any one of several signatures (secret rotation)', () => {
    const header = `${signWebhook('old-secret', NOW, BODY)}, ${signWebhook(SECRET, NOW, BODY)}`;
    expect(verifyWebhook({ secret: SECRET, header, timestamp: String(NOW), body: BODY, now: NOW }).ok).toBe(
      true,
    );
  });

  it('explains malformed headers without echoing the secret', () => {
    const cases = [
      { header: signWebhook(SECRET, NOW, BODY), timestamp: 'yesterday' },
      { header: 'sha1=deadbeef', timestamp: String(NOW) },
      { header: 'v1=not-hex', timestamp: String(NOW) },
    ];
    for (const { header, timestamp } of cases) {
      const result = verifyWebhook({ secret: SECRET, header, timestamp, body: BODY, now: NOW });
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.reason).not.toContain(SECRET);
    }
  });
});
