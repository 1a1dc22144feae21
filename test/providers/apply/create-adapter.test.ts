/**
 * The adapter factory: the cloud SDKs are loaded only when a provider of their type is used, so commands
 * that never reach Route 53 or Cloud DNS (validate, plan of a local zone) do not pay for them.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

test('loading the factory, the apply worker and the sync/plan commands loads no cloud SDK', () => {
  const script = `
    require('./src/providers/create-adapter');
    require('./src/providers/apply-worker');
    require('./src/cli/sync-command');
    require('./src/cli/plan-command');
    const loaded = Object.keys(require.cache).filter((path) => /@aws-sdk|@google-cloud|google-auth-library/.test(path));
    process.stdout.write(JSON.stringify(loaded));
  `;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', METADATA_SERVER_DETECTION: 'none' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(JSON.parse(output)).toEqual([]);
});
