#!/usr/bin/env node
import { processIo } from './cli/cli-io';
import { main } from './cli/main';

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  // main() never rejects; this is the last line of defence against a crash without a message.
  (error: unknown) => {
    process.stderr.write(`quorumdns: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
