// node scripts/schematic-tests.mjs [nest12 | nest11 | nest12-fastify ...]: `nest add nestjs-logup`
// on fresh apps made by the Nest CLI itself. For each app: `nest new` (Nest 12 with the
// latest CLI: vitest and oxlint; Nest 11 with CLI 11: jest and ESLint), install the packed
// nestjs-logup and logup-emulator tarballs, `nest add nestjs-logup`, run it a second time
// (nothing may change), build, check that the app refuses to boot without its LogUp
// environment, start `node dist/main.js` against the emulator and log in over real HTTP
// (a login start with another site's Origin refused, POST login start with the app's
// Origin, LogUp's hosted page and its form, callback, /logup/me, POST logout), then run the app's own lint and tests (the generated test included).
// First, the schematic's own tests on in-memory apps (node --test test/schematics/).
// The apps run side by side (their time is mostly npm and the network); each line names
// its app. Needs the build stage first (dist/ of both packages). Reuses the npm cache.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { stripVTControlCharacters } from 'node:util';
import { ROOT, loginOverHttp, refusesToBoot, snapshot, startStack } from './schematic-tests-lib.mjs';

const APPS = {
  nest12: { cli: '@nestjs/cli@latest', major: 12, runner: 'vitest', lint: [['run', 'lint', '--', '--deny-warnings']] },
  nest11: {
    cli: '@nestjs/cli@11',
    major: 11,
    runner: 'jest',
    // Its own main.ts has a warning (a floating bootstrap()): no warning allowed in src/logup only.
    lint: [
      ['exec', '--', 'eslint', 'src', 'test'],
      ['exec', '--', 'eslint', '--max-warnings', '0', 'src/logup'],
    ],
  },
  'nest12-fastify': {
    cli: '@nestjs/cli@latest',
    major: 12,
    runner: 'vitest',
    lint: [['run', 'lint', '--', '--deny-warnings']],
    fastify: true,
  },
};
const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(APPS);
const unknown = names.filter((n) => !(n in APPS));
if (unknown.length) {
  process.stderr.write(`unknown app(s): ${unknown.join(', ')}; known: ${Object.keys(APPS).join(', ')}\n`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'logup-nest-add-'));
const results = [];
const check = (name, ok, detail = '') => {
  results.push(ok);
  process.stdout.write(`${ok ? 'ok' : 'FAILED'} - ${name}${detail && !ok ? `: ${detail}` : ''}\n`);
  return ok;
};
const QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];
/** Runs a command in `cwd` (at most 5 minutes): its exit status and output. */
function exec(cmd, args, cwd, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), 300_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output: stripVTControlCharacters(output) });
    });
  });
}
/** Runs a command in `cwd`; throws with its output when it fails. */
async function run(cmd, args, cwd) {
  const { status, output } = await exec(cmd, args, cwd);
  if (status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${status}):\n${output}`);
  return output;
}

function pack() {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const pkg of ['nestjs-logup', 'logup-emulator']) {
    const dir = join(ROOT, 'packages', pkg);
    if (!existsSync(join(dir, 'dist'))) throw new Error(`packages/${pkg}/dist is missing: run npm run build first`);
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', tarballs], { cwd: dir }));
    renameSync(join(tarballs, packed.filename), join(tarballs, `${pkg}.tgz`));
    if (pkg === 'nestjs-logup') {
      const files = packed.files.map((f) => f.path);
      check(
        'nestjs-logup: the tarball holds the schematics collection',
        ['dist/schematics/collection.json', 'dist/schematics/nest-add/index.js'].every((f) => files.includes(f)),
      );
    }
  }
  return tarballs;
}

/** Makes the app of `nest new` a Fastify app, as its README would have one do. */
async function toFastify(app, major) {
  await run('npm', ['install', `@nestjs/platform-fastify@^${major}`, ...QUIET], app);
  const main = join(app, 'src/main.ts');
  const text = readFileSync(main, 'utf8')
    .replace(
      "import { NestFactory } from '@nestjs/core';",
      "import { NestFactory } from '@nestjs/core';\nimport { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';",
    )
    .replace(
      'NestFactory.create(AppModule)',
      'NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter())',
    );
  writeFileSync(main, text);
}

/** `nest new` made the Nest major and test runner this case is for; Fastify apps get their adapter. */
async function newApp(name, { cli, major, runner, fastify }) {
  process.stdout.write(`== ${name}: npx ${cli} new\n`);
  await run('npx', ['-y', cli, 'new', name, '--package-manager', 'npm', '--skip-git'], work);
  const app = join(work, name);
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  const has = (dep) => Boolean(pkg.dependencies?.[dep] ?? pkg.devDependencies?.[dep]);
  check(
    `${name}: nest new made a Nest ${major} app tested with ${runner}`,
    pkg.dependencies['@nestjs/core'].includes(`${major}.`) && has(runner),
  );
  if (fastify) await toFastify(app, major);
  return app;
}

/** `nest add nestjs-logup` from the packed tarball: the right dependencies and session library, and a repeat changes nothing. */
async function addLogup(name, app, { major, fastify }, tarballs) {
  process.stdout.write(`== ${name}: nest add nestjs-logup (from the packed tarball)\n`);
  await run('npm', ['install', join(tarballs, 'nestjs-logup.tgz'), ...QUIET], app);
  await run('npm', ['install', '--save-dev', join(tarballs, 'logup-emulator.tgz'), ...QUIET], app);
  const added = await run('npx', ['nest', 'add', 'nestjs-logup', '--skip-install'], app);
  await run('npm', ['install', ...QUIET], app);
  const axios = { 11: '4.', 12: '12.' }[major];
  const installed = (dep) => JSON.parse(readFileSync(join(app, 'node_modules', dep, 'package.json'), 'utf8')).version;
  check(
    `${name}: installed @nestjs/axios ${installed('@nestjs/axios')} and @nestjs/config ${installed('@nestjs/config')}`,
    installed('@nestjs/axios').startsWith(axios) && installed('@nestjs/config').startsWith(major === 11 ? '4.' : '12.'),
  );
  const session = fastify ? '@fastify/secure-session' : 'express-session';
  check(
    `${name}: wired ${session}`,
    added.includes(`with ${session}`) && existsSync(join(app, 'node_modules', session)),
    added,
  );
  const before = snapshot(app);
  const again = await run('npx', ['nest', 'add', 'nestjs-logup', '--skip-install'], app);
  const after = snapshot(app);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
  check(`${name}: a second nest add changes nothing`, changed.length === 0, `${changed.join(', ')}\n${again}`);
}

/** The app logs in over HTTP against the emulator; its own lint and tests pass, the generated test included. */
async function useApp(name, app, { runner, lint }) {
  let stack;
  try {
    stack = await startStack(app);
    for (const step of await loginOverHttp(stack)) check(`${name}: ${step.name}`, step.ok, step.detail);
  } catch (error) {
    check(`${name}: logs in over HTTP against the emulator`, false, `${error.message}\n${stack?.output() ?? ''}`);
  } finally {
    stack?.stop();
  }
  for (const args of lint) {
    const linted = await exec('npm', args, app);
    check(`${name}: the app's lint passes (npm ${args.join(' ')})`, linted.status === 0, linted.output);
  }
  const test = await exec('npm', ['test'], app, { CI: '1' });
  const ranSpec = /(✓|PASS)\s+src\/logup\/logup\.controller\.spec\.ts/.test(test.output);
  check(`${name}: npm test (${runner}) passes, the generated test included`, test.status === 0 && ranSpec, test.output);
}

async function testApp(name, options, tarballs) {
  const app = await newApp(name, options);
  await addLogup(name, app, options, tarballs);
  const build = await exec('npm', ['run', 'build'], app);
  if (!check(`${name}: npm run build`, build.status === 0, build.output)) return;
  const boot = await refusesToBoot(app);
  check(`${name}: without its environment the app does not boot, and names each variable`, boot.ok, boot.detail);
  await useApp(name, app, options);
}

const started = Date.now();
try {
  process.stdout.write('== the schematic on in-memory apps: node --test test/schematics/\n');
  const unit = spawnSync(process.execPath, ['--test', 'test/schematics/'], { cwd: ROOT, encoding: 'utf8' });
  const summary = /^# (tests|pass|fail) \d+$/gm;
  process.stdout.write(`${unit.stdout.match(summary)?.join(', ') ?? ''}\n`);
  check('the schematic on in-memory apps', unit.status === 0, `${unit.stdout}${unit.stderr}`);
  const tarballs = pack();
  // One CLI download at a time: the apps then run side by side from the npx cache.
  for (const cli of new Set(names.map((n) => APPS[n].cli))) await run('npx', ['-y', cli, '--version'], work);
  await Promise.all(
    names.map(async (name) => {
      try {
        await testApp(name, APPS[name], tarballs);
      } catch (error) {
        check(`${name}: created, added, built and tested`, false, error.message);
      } finally {
        await rm(join(work, name), { recursive: true, force: true });
      }
    }),
  );
} catch (error) {
  check('nest add: packing', false, error.message);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((ok) => !ok).length;
const seconds = ((Date.now() - started) / 1000).toFixed(0);
process.stdout.write(`\nnest add: ${results.length - failed} passed, ${failed} failed (${seconds} s)\n`);
process.exit(failed || results.length === 0 ? 1 : 0);
