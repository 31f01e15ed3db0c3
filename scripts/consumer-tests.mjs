// npm run test:consumers: packs nestjs-logup and logup-emulator, checks what the
// tarballs hold, then builds and tests two fresh apps that install them from the
// tarballs: a Nest 11 CommonJS app and a Nest 12 ESM app (test/consumers/).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONSUMERS = ['nest11-cjs', 'nest12-esm'];
const work = mkdtempSync(join(tmpdir(), 'logup-consumers-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  process.stdout.write(`${ok ? 'ok' : 'FAILED'} - ${name}${detail ? `: ${detail}` : ''}\n`);
};
const npm = (args, cwd) => execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

try {
  for (const [pkg, required] of [
    [
      'nestjs-logup',
      [
        'dist/esm/index.js',
        'dist/esm/index.d.ts',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/cjs/package.json',
        'dist/esm/logup.testing.js',
        'dist/cjs/logup.health.js',
      ],
    ],
    ['logup-emulator', ['dist/esm/index.js', 'dist/cjs/index.js', 'dist/esm/cli.js', 'dist/cjs/package.json']],
  ]) {
    const dir = join(ROOT, 'packages', pkg);
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', tarballs], dir));
    renameSync(join(tarballs, packed.filename), join(tarballs, `${pkg}.tgz`));
    const files = packed.files.map((f) => f.path);
    const stray = files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(f));
    check(
      `${pkg}: the tarball holds only dist, package.json, README and LICENSE`,
      stray.length === 0,
      stray.join(', '),
    );
    check(`${pkg}: no specs or source maps packed`, !files.some((f) => /\.spec\.|\.map$/.test(f)));
    const missing = required.filter((f) => !files.includes(f));
    check(`${pkg}: ESM and CommonJS entry points packed`, missing.length === 0, missing.join(', '));
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const firstKeys = Object.values(manifest.exports).flatMap((e) =>
      typeof e === 'object' ? Object.values(e).map((c) => Object.keys(c)[0]) : [],
    );
    check(
      `${pkg}: every exports condition lists types first`,
      firstKeys.every((k) => k === 'types'),
    );
  }
  const dts = readFileSync(join(ROOT, 'packages/nestjs-logup/dist/esm/logup.service.d.ts'), 'utf8');
  check('nestjs-logup: JSDoc kept in the .d.ts', dts.includes('/**') && dts.includes('@example'));
  check(
    'logup-emulator: bin is declared',
    Boolean(
      JSON.parse(readFileSync(join(ROOT, 'packages/logup-emulator/package.json'), 'utf8')).bin?.['logup-emulator'],
    ),
  );

  for (const consumer of CONSUMERS) {
    const app = join(work, consumer);
    cpSync(join(ROOT, 'test/consumers', consumer), app, { recursive: true });
    cpSync(join(ROOT, 'test/consumers/src'), join(app, 'src'), { recursive: true });
    process.stdout.write(`\n== ${consumer}: npm install (from the registry and the tarballs)\n`);
    npm(['install', '--no-audit', '--no-fund', '--loglevel=error'], app);
    const [major, format] = consumer === 'nest11-cjs' ? ['11', 'commonjs'] : ['12', 'esm'];
    const core = JSON.parse(readFileSync(join(app, 'node_modules/@nestjs/core/package.json'), 'utf8')).version;
    check(`${consumer}: runs on @nestjs/core ${core}`, core.startsWith(`${major}.`));
    try {
      npm(['run', 'build'], app);
      check(`${consumer}: compiles against the packed types`, true);
      const compiled = readFileSync(join(app, 'dist/app.module.js'), 'utf8');
      const loads = format === 'commonjs' ? /require\("nestjs-logup"\)/ : /from 'nestjs-logup'/;
      check(`${consumer}: loads nestjs-logup as ${format}`, loads.test(compiled));
      const output = npm(['test'], app);
      process.stdout.write(output);
      check(
        `${consumer}: end-to-end test against the emulator`,
        /# fail 0/.test(output) && /# pass [1-9]/.test(output),
      );
    } catch (error) {
      process.stdout.write(String(error.stdout ?? ''));
      check(`${consumer}: builds and passes`, false, error.message.split('\n')[0]);
    }
  }
} finally {
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((ok) => !ok).length;
process.stdout.write(`\nconsumers: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
