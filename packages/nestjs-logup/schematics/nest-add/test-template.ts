import type { LogupProject } from './project.js';

/** Environment variables of `.env.example`, with their comments. */
export function envVariables(project: LogupProject): [name: string, comment: string][] {
  const variables: [string, string][] = [
    ['LOGUP_ID_GATE', "Your gate's id, from LogUp's console"],
    ['LOGUP_SECRET', "Your gate's secret key: keep it out of git"],
    ['LOGUP_LOGIN_URL', "LogUp's hosted login page, exactly as LogUp's console gives it"],
    ['LOGUP_BASE_URL', 'Leave empty for the real LogUp; the emulator in local runs (http://127.0.0.1:4010)'],
    ['SESSION_SECRET', 'At least 32 random characters (e.g. `openssl rand -base64 32`)'],
  ];
  if (project.session === '@fastify/secure-session') {
    variables.push(['SESSION_SALT', 'Exactly 16 random characters']);
  }
  return variables;
}

/** `.env.example`, or the lines to append to an existing one (only variables it lacks). */
export function envExample(project: LogupProject, existing: string | undefined): string | undefined {
  const has = (name: string) => new RegExp(`^\\s*${name}\\s*=`, 'm').test(existing ?? '');
  const missing = envVariables(project).filter(([name]) => !has(name));
  if (missing.length === 0) return undefined;
  const lines = missing.map(([name, comment]) => `# ${comment}\n${name}=\n`).join('');
  const header = '# LogUp login (nestjs-logup); the app checks these when it boots\n';
  if (existing === undefined) return `${header}${lines}`;
  return `${existing}${existing.endsWith('\n') || existing === '' ? '' : '\n'}\n${header}${lines}`;
}

/** The spec's import lines, for its runner, adapter and module style. */
function specImports(project: LogupProject): string {
  const fastify = project.adapter === 'fastify';
  const lines = [
    !fastify && `import type { INestApplication } from '@nestjs/common';`,
    `import { ConfigModule } from '@nestjs/config';`,
    fastify && `import {\n  FastifyAdapter,\n  type NestFastifyApplication,\n} from '@nestjs/platform-fastify';`,
    `import { Test } from '@nestjs/testing';`,
    `import { startEmulator, type LogupEmulator } from 'logup-emulator';`,
    project.runner === 'vitest' && `import { afterAll, beforeAll, describe, expect, it } from 'vitest';`,
    `import { LogupAuthModule } from './logup-auth.module${project.ext}';`,
    `import { setupLogupSession } from './logup.session${project.ext}';`,
  ];
  return lines.filter(Boolean).join('\n');
}

const BROWSER = `const GATE = { idGate: 'gate_test', secret: 'a-test-gate-secret' };

/** A browser's cookie jar, enough for this test. */
class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly url: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => \`\${k}=\${v}\`).join('; ');
    const res = await fetch(\`\${this.url}\${path}\`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res;
  }
}

`;

/** The suite's set-up: the emulator, the environment, the app with its session. */
function specSetup(project: LogupProject): string {
  const fastify = project.adapter === 'fastify';
  const create = fastify
    ? `moduleRef.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter(),
      { logger: false },
    );
    await setupLogupSession(app);`
    : `moduleRef.createNestApplication({ logger: false });
    setupLogupSession(app);`;
  const appType = fastify ? 'NestFastifyApplication' : 'INestApplication';
  return `describe('LogUp login (against the LogUp emulator)', () => {
  let emulator: LogupEmulator;
  let app: ${appType} | undefined;
  let url: string;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      gates: { [GATE.idGate]: GATE.secret },
    });
    Object.assign(process.env, {
      LOGUP_ID_GATE: GATE.idGate,
      LOGUP_SECRET: GATE.secret,
      LOGUP_BASE_URL: emulator.url,
      LOGUP_LOGIN_URL: \`\${emulator.url}/login?gate=\${GATE.idGate}\`,
      SESSION_SECRET: 'a-test-session-secret-of-32-characters',
      SESSION_SALT: 'a-test-salt-16ch',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true }), LogupAuthModule],
    }).compile();
    app = ${create}
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await emulator?.stop();
  });

`;
}

const CASES = `  it('logs in with a POST from this site, shows the visitor, and logs out', async () => {
    const browser = new Browser(url);
    expect((await browser.fetch('/logup/me')).status).toBe(401);

    const start = await browser.fetch('/logup/login', {
      method: 'POST',
      headers: { origin: url },
    });
    expect(start.status).toBe(303);
    expect(start.headers.get('location')).toBe(process.env.LOGUP_LOGIN_URL);

    const login = emulator.login({
      idGate: GATE.idGate,
      email: 'ada@example.com',
    });
    const callback = await browser.fetch(
      \`/logup/callback?logupToken=\${login.logupToken}&isNewUser=false\`,
    );
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/logup/me');

    const me = await browser.fetch('/logup/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      idSubscription: login.idSubscription,
      isNewUser: false,
    });

    const logout = await browser.fetch('/logup/logout', { method: 'POST' });
    expect(logout.status).toBe(204);
    expect((await browser.fetch('/logup/me')).status).toBe(401);
  });

  it('refuses a login another site starts', async () => {
    const res = await new Browser(url).fetch('/logup/login', {
      method: 'POST',
      headers: { origin: 'https://attacker.example' },
    });
    expect(res.status).toBe(403);
  });

  it('refuses a callback this browser did not start', async () => {
    const login = emulator.login({
      idGate: GATE.idGate,
      email: 'eve@example.com',
    });
    const res = await new Browser(url).fetch(
      \`/logup/callback?logupToken=\${login.logupToken}&isNewUser=false\`,
    );
    expect(res.status).toBe(400);
  });
});
`;

/** `logup.controller.spec.ts`: the login over real HTTP against the LogUp emulator. */
export function specFile(project: LogupProject): string {
  return `${specImports(project)}\n\n${BROWSER}${specSetup(project)}${CASES}`;
}
