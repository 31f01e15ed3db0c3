// npm test: runs the stages in order — build, typecheck, jest, sample-pending, consumers, nest-add, cluster — with a
// banner per stage, stops at the first failure, and ends with one summary line
// naming the stage that failed (or saying that all passed).
// The jest stage runs on Node 24 (the active LTS; fetched once from the npm registry
// into .cache/node-24 unless this is Node 24), the consumers stage each app on the
// oldest Node its Nest major supports (see consumer-tests.mjs); the others on this Node.
// Usage: node scripts/test.mjs [stage ...]   (default: every stage)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envWithNode, nodeBinDir, nodeVersion } from './node-runtime.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const JEST_NODE = 24;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const STAGES = {
  build: { what: 'build every workspace package', cmd: npm, args: ['run', 'build'] },
  typecheck: { what: 'type-check sources and tests', cmd: npm, args: ['run', 'typecheck'] },
  jest: {
    what: `unit, end-to-end, browser, README and docs tests (one jest run, native ESM) on Node ${JEST_NODE}`,
    node: JEST_NODE,
    cmd: node,
    args: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js'],
  },
  'sample-pending': {
    what: "the embedded sample app's suites again with loginBinding 'pending' (production's; jest ran 'nonce')",
    cmd: node,
    args: [
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      'node_modules/jest/bin/jest.js',
      'test/sample-app',
      'test/browser/sample-app.e2e-spec.ts',
    ],
    env: { SAMPLE_LOGIN_BINDING: 'pending' },
  },
  consumers: {
    what: 'Nest 11 CommonJS and Nest 12 ESM apps built from the packed tarballs',
    cmd: node,
    args: ['scripts/consumer-tests.mjs'],
  },
  'nest-add': {
    what: '`nest new` (Nest 12 and 11) then `nest add nestjs-logup` from the packed tarball, build, log in',
    cmd: node,
    args: ['scripts/schematic-tests.mjs'],
  },
  cluster: {
    what: 'three sample-app replicas behind nginx with Redis (needs redis-server and nginx)',
    cmd: node,
    args: ['--test', 'test/cluster/'],
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((s) => !(s in STAGES));
if (unknown.length) {
  process.stderr.write(`Unknown stage(s): ${unknown.join(', ')}. Stages: ${Object.keys(STAGES).join(', ')}\n`);
  process.exit(2);
}
const stages = wanted.length ? wanted : Object.keys(STAGES);
const line = '='.repeat(78);
const done = [];
const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

for (const [i, name] of stages.entries()) {
  const stage = STAGES[name];
  process.stdout.write(`\n${line}\n== stage ${i + 1}/${stages.length}: ${name} — ${stage.what}\n${line}\n`);
  const t = Date.now();
  let { cmd } = stage;
  let env = { ...process.env, ...stage.env };
  if (stage.node) {
    const binDir = nodeBinDir(stage.node);
    [cmd, env] = [join(binDir, 'node'), { ...envWithNode(binDir), ...stage.env }];
  }
  process.stdout.write(`== on Node ${stage.node ? nodeVersion(dirname(cmd)) : process.version}
`);
  const result = spawnSync(cmd, stage.args, { cwd: ROOT, stdio: 'inherit', env });
  const how = result.error ? result.error.message : result.signal ? `signal ${result.signal}` : `exit ${result.status}`;
  if (result.status !== 0) {
    const skipped = stages.slice(i + 1);
    process.stdout.write(
      `\n${line}\nnpm test: FAILED at stage "${name}" (${how}, after ${seconds(t)})` +
        `${done.length ? `; passed: ${done.join(', ')}` : ''}` +
        `${skipped.length ? `; not run: ${skipped.join(', ')}` : ''}\n${line}\n`,
    );
    process.exit(result.status || 1);
  }
  done.push(name);
  process.stdout.write(`== stage ${name}: passed in ${seconds(t)}\n`);
}
process.stdout.write(
  `\n${line}\nnpm test: all ${done.length} stages passed (${done.join(', ')}) in ${seconds(started)}\n${line}\n`,
);
