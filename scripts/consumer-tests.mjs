// npm run test:consumers: packs nestjs-logup and logup-emulator, checks what the
// tarballs hold, then makes two fresh apps from test/consumers/ — a Nest 11
// CommonJS app (Express, express-session) and a Nest 12 ESM app (Fastify,
// @fastify/secure-session) — installs into each exactly the install lines of the
// README (with the two packages taken from the tarballs), compiles them with
// skipLibCheck: false and runs their jest tests with the README's jest config: the
// README's complete test, the app started as `node dist/main.js`, and the README's
// Passport and several-gates files with their specs (FEATURES).
// Nothing is skipped: every step that cannot run is reported as a failure.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Each consumer: its Nest major, module format, and the README install blocks it follows. */
const CONSUMERS = [
  {
    name: 'nest11-cjs',
    major: '11',
    axios: '4',
    format: 'commonjs',
    install: ['nest11', 'express-session', 'passport-nest11', 'jest'],
  },
  {
    name: 'nest12-esm',
    major: '12',
    axios: '12',
    format: 'esm',
    // The README's complete test, Passport and gates specs run on Express (express-session), the app itself on Fastify.
    install: ['nest12', 'express-session', 'fastify-session', 'passport-nest12', 'jest'],
  },
];
/**
 * README files each consumer app gets in src/<dir>/, with the spec that runs them
 * there exactly as this repository's jest run does (only the published packages).
 */
const FEATURES = [
  {
    dir: 'passport',
    from: 'test/passport',
    files: [
      'auth.module.ts',
      'auth.controller.ts',
      'app-user.strategy.ts',
      'app-user.serializer.ts',
      'logup-auth.guard.ts',
      'auth.module.e2e-spec.ts',
    ],
  },
  { dir: 'gates', from: 'test/integrations', files: ['gates.module.ts', 'gates.e2e-spec.ts'] },
];
/** The README's complete test, the app's end-to-end test, and one spec per feature. */
const SUITES = 2 + FEATURES.length;
const work = mkdtempSync(join(tmpdir(), 'logup-consumers-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  process.stdout.write(`${ok ? 'ok' : 'FAILED'} - ${name}${detail && !ok ? `: ${detail}` : ''}\n`);
  return ok;
};
const npm = (args, cwd) => execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
const versionOf = (app, pkg) => {
  const file = join(app, 'node_modules', pkg, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : 'missing';
};

/** The `npm install` commands of a README block marked `<!-- install: name -->`, comments removed. */
function installLines(name) {
  const block = new RegExp(`<!-- install: ${name} -->\\n\`\`\`bash\\n([\\s\\S]*?)\`\`\``).exec(README)?.[1];
  if (!block) throw new Error(`README.md has no "<!-- install: ${name} -->" block`);
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** Copies a source file; the CommonJS app gets Nest 11's usual extensionless relative imports. */
function copySource(from, to, format) {
  const text = readFileSync(from, 'utf8');
  writeFileSync(to, format === 'commonjs' ? text.replace(/(from '\.{1,2}\/[^']+)\.js'/g, "$1'") : text);
}

function packAndCheck() {
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
        'dist/esm/logup.passport.js',
        'dist/esm/logup.passport.d.ts',
        'dist/cjs/logup.passport.js',
        'dist/cjs/logup.passport.d.ts',
        'README.md',
        'LICENSE',
      ],
    ],
    ['logup-emulator', ['dist/esm/index.js', 'dist/cjs/index.js', 'dist/esm/cli.js', 'dist/cjs/package.json']],
  ]) {
    const dir = join(ROOT, 'packages', pkg);
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', tarballs], dir));
    renameSync(join(tarballs, packed.filename), join(tarballs, `${pkg}.tgz`));
    const files = packed.files.map((f) => f.path);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const bins = Object.values(manifest.bin ?? {}).map((b) => b.replace(/^\.\//, ''));
    const stray = files.filter(
      (f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', ...bins].includes(f),
    );
    check(
      `${pkg}: the tarball holds only dist, its bin, package.json, README and LICENSE`,
      stray.length === 0 && bins.every((b) => files.includes(b)),
      stray.join(', '),
    );
    check(`${pkg}: no specs or source maps packed`, !files.some((f) => /\.spec\.|\.map$/.test(f)));
    const missing = required.filter((f) => !files.includes(f));
    check(`${pkg}: ESM and CommonJS entry points packed`, missing.length === 0, missing.join(', '));
    const firstKeys = Object.values(manifest.exports).flatMap((e) =>
      typeof e === 'object' ? Object.values(e).map((c) => Object.keys(c)[0]) : [],
    );
    check(
      `${pkg}: every exports condition lists types first`,
      firstKeys.every((k) => k === 'types'),
    );
  }
  const manifest = JSON.parse(readFileSync(join(ROOT, 'packages/nestjs-logup/package.json'), 'utf8'));
  check(
    'nestjs-logup: package.json has repository, homepage and bugs',
    Boolean(manifest.repository?.url && manifest.homepage && manifest.bugs?.url),
  );
  const dts = readFileSync(join(ROOT, 'packages/nestjs-logup/dist/esm/logup.service.d.ts'), 'utf8');
  check('nestjs-logup: JSDoc kept in the .d.ts', dts.includes('/**') && dts.includes('@example'));
  check(
    'logup-emulator: bin is declared',
    Boolean(
      JSON.parse(readFileSync(join(ROOT, 'packages/logup-emulator/package.json'), 'utf8')).bin?.['logup-emulator'],
    ),
  );
}

function runConsumer({ name, major, axios, format, install }) {
  const app = join(work, name);
  cpSync(join(ROOT, 'test/consumers', name), app, { recursive: true });
  mkdirSync(join(app, 'test'));
  for (const file of readdirSync(join(ROOT, 'test/consumers/shared/src'))) {
    copySource(join(ROOT, 'test/consumers/shared/src', file), join(app, 'src', file), format);
  }
  copySource(join(app, 'src/main.ts'), join(app, 'src/main.ts'), format);
  copySource(
    join(ROOT, 'test/readme-example/auth.controller.spec.ts'),
    join(app, 'src/auth.controller.spec.ts'),
    format,
  );
  copySource(join(ROOT, 'test/consumers/shared/test/app.e2e.ts'), join(app, 'test/app.e2e-spec.ts'), format);
  for (const { dir, from, files } of FEATURES) {
    mkdirSync(join(app, 'src', dir));
    for (const file of files) copySource(join(ROOT, from, file), join(app, 'src', dir, file), format);
  }

  process.stdout.write(`\n== ${name}: the README's install lines\n`);
  for (const block of install) {
    for (const line of installLines(block)) {
      const args = line.split(/\s+/);
      if (args[0] !== 'npm' || args[1] !== 'install') throw new Error(`not an npm install line: ${line}`);
      const packages = args
        .slice(2)
        .map((a) => (a === 'nestjs-logup' || a === 'logup-emulator' ? `file:${join(tarballs, `${a}.tgz`)}` : a));
      process.stdout.write(`$ ${line}\n`);
      npm(['install', ...packages, '--no-audit', '--no-fund', '--loglevel=error'], app);
    }
  }
  const core = versionOf(app, '@nestjs/core');
  check(`${name}: runs on @nestjs/core ${core}`, core.startsWith(`${major}.`));
  const nestAxios = versionOf(app, '@nestjs/axios');
  check(`${name}: the README's line installed @nestjs/axios ${nestAxios}`, nestAxios.startsWith(`${axios}.`));
  const nestPassport = versionOf(app, '@nestjs/passport');
  check(
    `${name}: the README's line installed @nestjs/passport ${nestPassport} with passport ${versionOf(app, 'passport')}`,
    nestPassport.startsWith(`${major}.`),
  );
  const typescript = versionOf(app, 'typescript');
  check(`${name}: the README's line installed typescript ${typescript}`, typescript.startsWith('6.0.'));

  const tsconfig = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8'));
  check(`${name}: compiles with skipLibCheck: false`, tsconfig.compilerOptions.skipLibCheck === false);
  const build = spawnSync('npm', ['run', 'build'], { cwd: app, encoding: 'utf8' });
  if (!check(`${name}: tsc compiles the app against the packed types`, build.status === 0, build.stdout)) {
    process.stdout.write(`${build.stdout}${build.stderr}`);
    return;
  }
  const compiled = readFileSync(join(app, 'dist/app.module.js'), 'utf8');
  const loads = format === 'commonjs' ? /require\("nestjs-logup"\)/ : /from 'nestjs-logup'/;
  check(`${name}: loads nestjs-logup as ${format}`, loads.test(compiled));
  const strategy = readFileSync(join(app, 'dist/passport/app-user.strategy.js'), 'utf8');
  const loadsPassport = format === 'commonjs' ? /require\("nestjs-logup\/passport"\)/ : /from 'nestjs-logup\/passport'/;
  check(`${name}: loads nestjs-logup/passport as ${format}`, loadsPassport.test(strategy));

  process.stdout.write(`\n== ${name}: npm test (jest)\n`);
  const test = spawnSync('npm', ['test', '--', '--ci', '--colors=false'], { cwd: app, encoding: 'utf8' });
  const output = `${test.stdout}${test.stderr}`;
  process.stdout.write(output);
  const suites = /Test Suites:\s+(.*)/.exec(output)?.[1] ?? 'no summary';
  const tests = /Tests:\s+(.*)/.exec(output)?.[1] ?? 'no summary';
  check(
    `${name}: jest ran ${SUITES} suites, none failed or skipped (${suites})`,
    test.status === 0 && suites === `${SUITES} passed, ${SUITES} total`,
  );
  for (const { dir, files } of FEATURES) {
    const spec = `src/${dir}/${files.find((f) => f.endsWith('spec.ts'))}`;
    check(`${name}: ran ${spec} from the packed tarball`, test.status === 0 && output.includes(`PASS ${spec}`));
  }
  check(`${name}: every test passed (${tests})`, test.status === 0 && /^\d+ passed, \d+ total$/.test(tests));
}

try {
  packAndCheck();
  for (const consumer of CONSUMERS) {
    try {
      runConsumer(consumer);
    } catch (error) {
      process.stdout.write(String(error.stdout ?? ''));
      check(`${consumer.name}: set up, built and tested`, false, error.message.split('\n')[0]);
    }
  }
} catch (error) {
  check('consumers: packing', false, error.message.split('\n')[0]);
} finally {
  if (existsSync(work)) rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((ok) => !ok).length;
process.stdout.write(`\nconsumers: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed || results.length === 0 ? 1 : 0);
