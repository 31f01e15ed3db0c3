#!/usr/bin/env node
// The command npm links as `logup-emulator`. It is committed (not built) so that
// npm can link it at install time, before `npm run build` has made the CLI.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const cli = new URL('../dist/esm/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('logup-emulator: the emulator is not built yet; run npm run build first\n');
  process.exit(1);
}
await import(cli.href);
