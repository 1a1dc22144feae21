import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatSecretRef,
  parseSecretRef,
  redact,
  resolveSecret,
  SecretUnavailableError,
} from '../../src/config/resolve-secret';

describe('parseSecretRef', () => {
  it('reads env and file references', () => {
    expect(parseSecretRef('${env:SLACK_WEBHOOK_URL}')).toEqual({ kind: 'env', name: 'SLACK_WEBHOOK_URL' });
    expect(parseSecretRef('${file:/run/secrets/pd-key}')).toEqual({
      kind: 'file',
      path: '/run/secrets/pd-key',
    });
  });

  it.each([
    'https://hooks.slack.com/services/T/B/X',
    '${env:}',
    '${env:PD KEY}',
    '${env:1ABC}',
    '${file:relative/path}',
    '${file:/}',
    '${vault:secret/x}',
    'Bearer ${env:TOKEN}',
    '${env:A}${env:B}',
  ])('refuses %j', (text) => {
    expect(parseSecretRef(text)).toBeUndefined();
  });

  it('formats a reference back to its YAML form', () => {
    expect(formatSecretRef({ kind: 'env', name: 'X' })).toBe('${env:X}');
    expect(formatSecretRef({ kind: 'file', path: '/a/b' })).toBe('${file:/a/b}');
  });
});

describe('resolveSecret', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qdns-secret-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns literals as they are', async () => {
    await expect(resolveSecret('plain', {})).resolves.toBe('plain');
  });

  it('reads an environment variable', async () => {
    await expect(resolveSecret({ kind: 'env', name: 'HOOK' }, { HOOK: 'https://x/y' })).resolves.toBe(
      'https://x/y',
    );
  });

  it('names a missing or empty variable, with a stable code', async () => {
    const missing = resolveSecret({ kind: 'env', name: 'SLACK_WEBHOOK_URL' }, {});
    await expect(missing).rejects.toThrow('environment variable SLACK_WEBHOOK_URL is not set');
    await expect(missing).rejects.toMatchObject({ code: 'ESECRET' });
    await expect(resolveSecret({ kind: 'env', name: 'E' }, { E: '' })).rejects.toThrow(
      'environment variable E is empty',
    );
  });

  it('reads a file and drops one trailing newline', async () => {
    const path = join(dir, 'pd-key');
    writeFileSync(path, 's3cr3t-value\n');
    await expect(resolveSecret({ kind: 'file', path })).resolves.toBe('s3cr3t-value');
  });

  it('names an unreadable or empty file, never its content', async () => {
    const path = join(dir, 'missing');
    await expect(resolveSecret({ kind: 'file', path })).rejects.toThrow(
      `secret file ${path} cannot be read (ENOENT)`,
    );
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    await expect(resolveSecret({ kind: 'file', path: empty })).rejects.toThrow(
      `secret file ${empty} is empty`,
    );
    const error = await resolveSecret({ kind: 'file', path: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretUnavailableError);
  });
});

describe('redact', () => {
  it('hides the path and query of webhook URLs', () => {
    expect(redact('POST https://hooks.slack.com/services/T000/B000/XXXX failed')).toBe(
      'POST https://hooks.slack.com/*** failed',
    );
    expect(redact('https://discord.com/api/webhooks/1/abc?wait=true')).toBe('https://discord.com/***');
    expect(redact('https://status.example.com/')).toBe('https://status.example.com/');
  });

  it('hides passwords and tokens in userinfo, keeps the host and port', () => {
    expect(redact('redis://:hunter2@redis.internal:6379/0')).toBe('redis://***@redis.internal:6379/0');
    expect(redact('rediss://user:pw@10.0.0.1:6380')).toBe('rediss://***@10.0.0.1:6380');
    expect(redact('redis://h:6379/0?password=x')).toBe('redis://h:6379/0?***');
  });

  it('leaves text without URLs alone', () => {
    expect(redact('endpoint use1-a is down')).toBe('endpoint use1-a is down');
  });
});
