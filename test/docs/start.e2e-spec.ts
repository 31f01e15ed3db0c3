// The README's first command: `npm start` runs the sample app and stops cleanly on
// Ctrl-C. The terminal's Ctrl-C is a SIGINT to the whole foreground process group
// (npm, scripts/start.mjs, and whatever they started): reproduced here by starting
// npm in its own group and signalling the group. (The build stage has built the
// workspace already, so the script is told not to build again.)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../../scripts/lib/processes.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function startAndStop(signal: NodeJS.Signals, to: 'group' | 'npm', script = 'start') {
  const npm = startProcess('npm', ['run', script, '--', '--no-build'], {
    name: 'npm start',
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOGUP_ID_GATE: '', LOGUP_SECRET: '', LOGUP_LOGIN_URL: '', NO_COLOR: '1' },
    detached: true,
  });
  await npm.waitFor(() => npm.stdout().includes('is running'), { timeoutMs: 60_000, intervalMs: 100 });
  process.kill(to === 'group' ? -npm.pid! : npm.pid!, signal);
  return { ...(await npm.exited), stdout: npm.stdout(), stderr: npm.stderr() };
}

describe('npm start', () => {
  it('stops on Ctrl-C with exit code 0 and no npm error lines', async () => {
    const result = await startAndStop('SIGINT', 'group');
    expect(result.stdout).toMatch(/LogUp sample app \(express\) is running: open http:\/\/localhost:\d+/);
    expect(result.stderr).not.toMatch(/npm (error|ERR!)/);
    expect(result.stdout).toContain('Sample app stopped.');
    expect(result).toMatchObject({ code: 0, signal: null });
  }, 90_000);

  it('stops on a SIGTERM sent to npm alone (a process manager), on Fastify (npm run start:fastify)', async () => {
    const result = await startAndStop('SIGTERM', 'npm', 'start:fastify');
    expect(result.stdout).toContain('(fastify) is running');
    expect(result.stderr).not.toMatch(/npm (error|ERR!)/);
    expect(result.stdout).toContain('Sample app stopped.');
    expect(result).toMatchObject({ code: 0, signal: null });
  }, 90_000);
});
