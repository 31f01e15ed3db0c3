// The hosted login page sends a visitor back to the loopback host the login was
// started from (an app on 127.0.0.1 whose gate says localhost keeps its session
// cookie), never to another host or port; a gate without a redirect URL gets a
// page naming --redirect; the CLI's --name is the site name the page shows.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { startProcess } from '../../scripts/lib/processes.mjs';
import { emulatorLog } from '../support/log-capture.js';

const CLI = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'packages',
  'logup-emulator',
  'dist',
  'esm',
  'cli.js',
);
const LOCAL = {
  idGate: 'gate_local',
  secret: 'secret_local_value',
  redirectUrl: 'http://localhost:3000/logup/callback',
};
const BARE = { idGate: 'gate_bare', secret: 'secret_bare_value' };

describe('the hosted login page and the origin a login was started from', () => {
  let emu: LogupEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, gates: [LOCAL, BARE], log: emulatorLog });
  });
  afterAll(() => emu.stop());

  const open = (query: string, referer?: string) =>
    fetch(`${emu.url}/login?${query}`, referer ? { headers: { referer } } : {}).then(async (r) => ({
      status: r.status,
      html: await r.text(),
    }));
  const submit = (fields: Record<string, string>) =>
    fetch(`${emu.url}/login`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });

  it('returns a login started on 127.0.0.1 to 127.0.0.1 when the gate says localhost (same port)', async () => {
    const page = await open('gate=gate_local', 'http://127.0.0.1:3000/');
    expect(page.status).toBe(200);
    expect(page.html).toContain('name="redirect" value="http://127.0.0.1:3000/logup/callback"');
    const done = await submit({
      gate: 'gate_local',
      redirect: 'http://127.0.0.1:3000/logup/callback',
      email: 'a@example.com',
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:3000\/logup\/callback\?logupToken=/);
  });

  it('keeps the gate’s redirect URL for a login started anywhere else', async () => {
    for (const referer of ['http://localhost:3000/', 'http://127.0.0.1:3001/', 'https://evil.example/', undefined]) {
      const page = await open('gate=gate_local', referer);
      expect(page.status).toBe(200);
      expect(page.html).not.toContain('name="redirect"');
    }
    const elsewhere = await submit({
      gate: 'gate_local',
      redirect: 'http://127.0.0.1:3001/logup/callback',
      email: 'b@example.com',
    });
    expect(elsewhere.status).toBe(400);
    const plain = await submit({ gate: 'gate_local', email: 'c@example.com' });
    expect(plain.headers.get('location')).toMatch(/^http:\/\/localhost:3000\/logup\/callback\?logupToken=/);
  });

  it('names --redirect when a gate has no redirect URL and the link gives none', async () => {
    const page = await open('gate=gate_bare');
    expect(page.status).toBe(400);
    expect(page.html).toContain('--redirect gate_bare=');
  });
});

describe('logup-emulator --name and its hint about --redirect', () => {
  it('shows the --name on the login page, and prints a --redirect hint when none is given', async () => {
    const emulator = startProcess(process.execPath, [
      CLI,
      '--port',
      '0',
      '--gate',
      'gate_cli:secret_cli_value',
      '--name',
      'gate_cli=Acme Shop',
    ]);
    try {
      // Ready once it has printed every start-up line (the control API's is among the last).
      const [, url] = await emulator.waitFor(() =>
        emulator.stdout().includes('control') ? /listening on (http:\/\/\S+)/.exec(emulator.stdout()) : null,
      );
      const output = emulator.stdout();
      expect(output).toContain('--redirect gate_cli=http://localhost:3000/logup/callback');
      const html = await (await fetch(`${url}/login?gate=gate_cli&redirect=http://127.0.0.1:3000/cb`)).text();
      expect(html).toContain('<h1>Log in to Acme Shop</h1>');
    } finally {
      await emulator.stop();
    }
  });
});
