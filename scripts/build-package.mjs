// Builds the workspace package in the current directory twice: ESM (dist/esm,
// the package's own "type": "module") and CommonJS (dist/cjs, marked with its own
// package.json) so that both Nest 12 ESM apps and Nest 11 CommonJS apps can load it.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.cjs.json'], { stdio: 'inherit' });
writeFileSync('dist/cjs/package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
// The `nest add` schematics (nestjs-logup only): CommonJS, as the schematics engine
// require()s them, with their collection.json and schema.json files.
if (existsSync('schematics/tsconfig.json')) {
  execFileSync(process.execPath, [tsc, '-p', 'schematics/tsconfig.json'], { stdio: 'inherit' });
  cpSync('schematics', 'dist/schematics', {
    recursive: true,
    filter: (f) => !f.endsWith('.ts') && !f.endsWith('tsconfig.json'),
  });
  writeFileSync('dist/schematics/package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
}
