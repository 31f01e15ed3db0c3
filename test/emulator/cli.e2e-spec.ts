import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReady, type RunningProcess } from '../../scripts/lib/processes.mjs';
import { captureLog } from '../support/log-capture.js';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'logup-emulator');

/** The environment of a newcomer's shell: no npm_* variables inherited from a running npm script. */
function shellEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
}

/** Runs the linked command to its end, as a newcomer's shell would. */
const runCommand = (bin: string, args: string[]) =>
  spawnSync(bin, args, { env: shellEnv(), encoding: 'utf8', timeout: 30_000 });

/** A fresh clone: a workspace holding only this package, after `npm install` (offline, in a second). */
function freshClone(): string {
  const clone = mkdtempSync(join(tmpdir(), 'logup-emulator-clone-'));
  const pkg = join(clone, 'packages', 'logup-emulator');
  mkdirSync(pkg, { recursive: true });
  for (const file of ['package.json', 'README.md', 'LICENSE', 'bin']) {
    cpSync(join(PACKAGE, file), join(pkg, file), { recursive: true });
  }
  writeFileSync(
    join(clone, 'package.json'),
    JSON.stringify({ name: 'fresh-clone', private: true, workspaces: ['packages/logup-emulator'] }),
  );
  const install = spawnSync('npm', ['install', '--ignore-scripts'], {
    cwd: clone,
    env: shellEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  captureLog('npm install (fresh clone)', `${install.stdout}${install.stderr}`);
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stdout}${install.stderr}`);
  return clone;
}

/** The flags of the emulator the last test starts: port 0, quiet, gate_cli with its redirect, status 200. */
const SERVE_FLAGS = [
  ...['--port', '0', '--quiet', '--gate', 'gate_cli:secret_cli'],
  ...['--redirect', 'gate_cli=http://localhost:3000/logup/callback?from=cli', '--verification-status', '200'],
];

/** The API and the login page of an emulator started with SERVE_FLAGS: gate_cli, its redirect, status 200. */
async function expectServesAsFlagsSay(url: string): Promise<void> {
  expect(await (await fetch(`${url}/`)).json()).toEqual({ name: 'logup-emulator', versions: ['v1_0', 'v1_1'] });

  const login = await fetch(`${url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: 'cli@example.com', isNewUser: 'true' }),
    redirect: 'manual',
  });
  expect(login.status).toBe(303);
  const location = new URL(login.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe('http://localhost:3000/logup/callback');
  expect(location.searchParams.get('from')).toBe('cli');

  const json = { 'content-type': 'application/json' };
  const grant = await fetch(`${url}/v1_1/oauth/token`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ client_id: 'gate_cli', client_secret: 'secret_cli', grant_type: 'client_credentials' }),
  });
  const { access_token } = (await grant.json()) as { access_token: string };
  const verification = await fetch(`${url}/v1_1/verification`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${access_token}` },
    body: JSON.stringify({ logupToken: location.searchParams.get('logupToken') }),
  });
  expect(verification.status).toBe(200);
  expect(await verification.json()).toMatchObject({ verified: true });
}

let clone: string;
let bin: string;
beforeAll(() => {
  clone = freshClone();
  bin = join(clone, 'node_modules', '.bin', 'logup-emulator');
});
afterAll(() => rmSync(clone, { recursive: true, force: true }));

/**
 * A newcomer clones the repository, runs `npm install` (which links workspace
 * bins, but only those whose file exists at that moment), then `npm run build`,
 * then `npx logup-emulator`. The clone is simulated with a workspace holding only
 * this package, so `npm install` runs offline in a second.
 */
describe('npx logup-emulator in a fresh clone', () => {
  it('links node_modules/.bin/logup-emulator at install time, before any build', () => {
    expect(existsSync(bin)).toBe(true);
  });

  it('ships the launcher in the published package', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: join(clone, 'packages', 'logup-emulator'),
      env: shellEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(pack.status).toBe(0);
    const [{ files }] = JSON.parse(pack.stdout) as [{ files: { path: string; mode: number }[] }];
    expect(files).toContainEqual(expect.objectContaining({ path: 'bin/logup-emulator.js' }));
  });

  it('says in one line to build first, and exits 1, while the build is missing', () => {
    const run = runCommand(bin, ['--help']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('logup-emulator: the emulator is not built yet; run npm run build first\n');
  });
});

describe('npx logup-emulator in a fresh clone, after npm run build', () => {
  let emulator: RunningProcess | undefined;
  beforeAll(() =>
    cpSync(join(PACKAGE, 'dist'), join(clone, 'packages', 'logup-emulator', 'dist'), { recursive: true }),
  );
  afterAll(async () => {
    await emulator?.stop();
  });

  it.each([
    [
      'prints its usage with --help',
      ['--help'],
      0,
      'stdout',
      ['Usage: logup-emulator [options]', '--verification-status'],
    ],
    [
      'refuses a bad flag with exit code 2',
      ['--verification-status', '204'],
      2,
      'stderr',
      ['--verification-status must be 200 or 201'],
    ],
  ] as const)('%s', (_name, args, status, stream, texts) => {
    const run = runCommand(bin, [...args]);
    expect(run.status).toBe(status);
    for (const text of texts) expect(run[stream]).toContain(text);
  });

  it('starts on port 0, serves the API and the login page as its flags say, and stops on SIGTERM', async () => {
    const started = await startReady(bin, SERVE_FLAGS, /listening on (http:\/\/\S+)/, {
      name: 'logup-emulator',
      env: shellEnv(),
    });
    emulator = started;
    await expectServesAsFlagsSay(started.ready[1]);
    expect((await started.stop()).code).toBe(0);
  });
});
