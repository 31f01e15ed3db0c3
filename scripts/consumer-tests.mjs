// npm run test:consumers: packs nestjs-logup and logup-emulator, checks what the
// tarballs hold, then walks a newcomer's path twice, each on the oldest Node its Nest
// major supports (Node builds from the npm registry, see node-runtime.mjs):
// - `nest new` with the Nest 11 CLI (CommonJS, jest, the TypeScript it installs), the
//   README's Express main.ts;
// - `nest new` with the Nest 12 CLI (ESM, vitest), the README's Fastify main.ts.
// Into each app: the README's install lines (the two packages from the tarballs), its
// files verbatim (examples/ into src/, with each section's spec; main.ts for the
// app's adapter), its test set-up lines; then `npm run build` twice, the
// app's own `npm test` and `npm run test:e2e` — the latter starts `node dist/main.js`,
// logs in, and sees 400 for bad DB input and 503 with LogUp down.
// Nothing is skipped: every step that cannot run is reported as a failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import { installLines, jsonBlock, packAndCheck, ROOT } from './consumer-pack.mjs';
import { envWithNode, nodeBinDir, nodeVersion } from './node-runtime.mjs';

/** Each consumer: its Nest major, the oldest Node that major supports, and the README blocks it follows. */
const CONSUMERS = [
  {
    name: 'nest11-cjs',
    major: '11',
    node: 20,
    axios: '4',
    typescript: '5.', // what `nest new` (CLI 11) installs; a Nest 11 app needs no TypeScript 6
    format: 'commonjs',
    runner: 'jest',
    main: 'express',
    install: ['nest11', 'express-session', 'passport-nest11'],
  },
  {
    name: 'nest12-esm',
    major: '12',
    node: 22,
    axios: '12',
    typescript: '6.', // what `nest new` (CLI 12) installs
    format: 'esm',
    runner: 'vitest',
    main: 'fastify',
    install: ['nest12', 'express-session', 'fastify-session', 'passport-nest12'],
  },
];
/**
 * README sections the apps leave out of their copy of examples/, for the packages
 * they need that the README's install lines do not add.
 */
const NOT_COPIED = {
  graphql: '@nestjs/graphql, @nestjs/apollo, @apollo/server, graphql',
  opentelemetry: '@opentelemetry/api and its SDK',
};
/** The CLI's own spec: `npm test` must pass it beside every spec of examples/. */
const CLI_SPECS = ['app.controller.spec.ts'];
const E2E_SPECS = ['app.e2e-spec.ts'];

const work = mkdtempSync(join(tmpdir(), 'logup-consumers-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  process.stdout.write(`${ok ? 'ok' : 'FAILED'} - ${name}${detail && !ok ? `: ${detail}` : ''}\n`);
  return ok;
};
const versionOf = (app, pkg) => {
  const file = join(app, 'node_modules', pkg, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : 'missing';
};
const copy = (from, to) => cpSync(join(ROOT, from), to);
const EXAMPLES = join(ROOT, 'examples');
// eslint-disable-next-line no-control-regex
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs `cmd` in `cwd` on the consumer's Node; prints and returns its output. */
function run(env, cwd, cmd, args, { quiet = false } = {}) {
  process.stdout.write(`$ ${[cmd, ...args].join(' ')}\n`);
  const result = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = plain(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (!quiet || result.status !== 0) process.stdout.write(output);
  return { ok: result.status === 0, output };
}

/** `nest new` as a newcomer runs it, then the README's install lines. */
function generate({ name, major, install }, env) {
  const made = run(
    env,
    work,
    'npx',
    ['-y', `@nestjs/cli@${major}`, 'new', name, '--package-manager', 'npm', '--skip-git'],
    {
      quiet: true,
    },
  );
  if (
    !check(`${name}: \`nest new\` (CLI ${major}) made the app`, made.ok && existsSync(join(work, name, 'package.json')))
  ) {
    throw new Error('nest new failed');
  }
  const app = join(work, name);
  process.stdout.write(`\n== ${name}: the README's install lines\n`);
  for (const block of install) {
    for (const line of installLines(block)) {
      const args = line.split(/\s+/);
      if (args[0] !== 'npm' || args[1] !== 'install') throw new Error(`not an npm install line: ${line}`);
      const packages = args
        .slice(2)
        .map((a) => (a === 'nestjs-logup' || a === 'logup-emulator' ? `file:${join(tarballs, `${a}.tgz`)}` : a));
      process.stdout.write(`$ ${line}\n`);
      execFileSync('npm', ['install', ...packages, '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: app,
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    }
  }
  return app;
}

/** Whether `path` (below examples/) is a file the app gets: not a left-out section, not a main.ts. */
const copied = (path) => !(relative(EXAMPLES, path).split(sep)[0] in NOT_COPIED) && !/main\.\w+\.ts$/.test(path);

/**
 * examples/ copied as it is into src/ (the README's files, `.js` imports included),
 * the adapter's main.ts as src/main.ts, the app's own glue, and its test set-up lines.
 * Returns the spec files `npm test` must pass.
 */
function addReadmeFiles(app, { runner, main }) {
  cpSync(EXAMPLES, join(app, 'src'), { recursive: true, filter: copied });
  for (const [section, needs] of Object.entries(NOT_COPIED)) {
    process.stdout.write(`examples/${section}/ left out: it needs ${needs}\n`);
  }
  copy(`examples/quick-start/main.${main}.ts`, join(app, 'src/main.ts'));
  // The glue: main.ts imports ./app.module.js, which is the quick start's AppModule.
  writeFileSync(join(app, 'src/app.module.ts'), "export { AppModule } from './quick-start/app.module.js';\n");
  copy('test/consumers/shared/test/app.e2e.ts', join(app, 'test/app.e2e-spec.ts'));
  if (runner === 'jest') {
    // The README's Nest 11 jest lines: the same keys in package.json's "jest" and test/jest-e2e.json.
    const extra = jsonBlock('nest11-jest');
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    manifest.jest = { ...manifest.jest, ...extra };
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const e2e = JSON.parse(readFileSync(join(app, 'test/jest-e2e.json'), 'utf8'));
    writeFileSync(join(app, 'test/jest-e2e.json'), `${JSON.stringify({ ...e2e, ...extra }, null, 2)}\n`);
  }
  const specs = readdirSync(EXAMPLES, { recursive: true }).filter((f) => f.endsWith('.spec.ts'));
  return [...CLI_SPECS, ...specs.filter((f) => copied(join(EXAMPLES, f))).map((f) => basename(f))];
}

/** Which spec files a jest or vitest run reports as passed. */
function passedSpecs(output) {
  const files = [...output.matchAll(/^\s*(?:PASS|✓)\s+(\S+\.(?:e2e-)?spec\.ts)/gm)].map((m) => basename(m[1]));
  return new Set(files);
}

/** The app got the Nest, @nestjs/axios, @nestjs/passport and TypeScript versions its README line says. */
function checkVersions(app, consumer) {
  const { name, major, axios, typescript } = consumer;
  const core = versionOf(app, '@nestjs/core');
  check(`${name}: runs on @nestjs/core ${core}`, core.startsWith(`${major}.`));
  const nestAxios = versionOf(app, '@nestjs/axios');
  check(`${name}: the README's line installed @nestjs/axios ${nestAxios}`, nestAxios.startsWith(`${axios}.`));
  const nestPassport = versionOf(app, '@nestjs/passport');
  check(`${name}: the README's line installed @nestjs/passport ${nestPassport}`, nestPassport.startsWith(`${major}.`));
  const ts = versionOf(app, 'typescript');
  check(`${name}: keeps the TypeScript \`nest new\` installed (${ts})`, ts.startsWith(typescript));
}

/** Two builds in a row write dist/main.js, the app type-checks, and it loads the package in its module format. */
function checkBuild(app, consumer, env) {
  const { name, format } = consumer;
  for (const round of ['first', 'second']) {
    rmSync(join(app, 'dist/main.js'), { force: true }); // a stale file must not pass for a fresh one
    const build = run(env, app, 'npm', ['run', 'build'], { quiet: true });
    check(
      `${name}: the ${round} \`npm run build\` writes dist/main.js`,
      build.ok && existsSync(join(app, 'dist/main.js')),
    );
  }
  const tscArgs = ['tsc', '-p', 'tsconfig.json', '--noEmit', '--incremental', 'false', '--skipLibCheck', 'false'];
  const types = run(env, app, 'npx', tscArgs, { quiet: true });
  check(`${name}: the app and its tests type-check against the packed types with skipLibCheck: false`, types.ok);
  for (const [entry, file] of [
    ['nestjs-logup', 'dist/quick-start/app.module.js'],
    ['nestjs-logup/passport', 'dist/passport/app-user.strategy.js'],
  ]) {
    const compiled = readFileSync(join(app, file), 'utf8');
    const loads =
      format === 'commonjs' ? compiled.includes(`require("${entry}")`) : compiled.includes(`from '${entry}'`);
    check(`${name}: loads ${entry} as ${format}`, loads);
  }
}

/** `npm run <script>` passed every spec named, with nothing failed or skipped. */
function checkTests(app, consumer, env, script, specs) {
  const { name, runner } = consumer;
  process.stdout.write(`\n== ${name}: npm run ${script} (${runner})\n`);
  const test = run(env, app, 'npm', ['run', script]);
  const passed = passedSpecs(test.output);
  const missing = specs.filter((s) => !passed.has(s));
  const failed = /\b(\d+) failed\b/.exec(test.output)?.[1];
  const skipped = /\b(\d+) (?:skipped|todo)\b/.exec(test.output)?.[1];
  check(
    `${name}: \`npm run ${script}\` passed ${specs.join(', ')} with nothing failed or skipped`,
    test.ok && missing.length === 0 && !failed && !skipped,
    `missing ${missing.join(', ') || 'none'}, ${failed ?? 0} failed, ${skipped ?? 0} skipped`,
  );
}

function runConsumer(consumer) {
  const { name, major, node } = consumer;
  const binDir = nodeBinDir(node);
  const env = envWithNode(binDir, { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' });
  const version = nodeVersion(binDir);
  process.stdout.write(`\n== ${name}: Nest ${major} on Node ${version} (the oldest Node Nest ${major} supports)\n`);
  check(`${name}: runs on Node ${version}`, version.startsWith(`v${node}.`));
  const app = generate(consumer, env);
  const unitSpecs = addReadmeFiles(app, consumer);
  checkVersions(app, consumer);
  checkBuild(app, consumer, env);
  checkTests(app, consumer, env, 'test', unitSpecs);
  checkTests(app, consumer, env, 'test:e2e', E2E_SPECS);
}

try {
  packAndCheck(tarballs, check);
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
