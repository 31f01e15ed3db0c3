// Misconfigurations that used to boot and fail later without a hint: each names the
// setting to change — at boot where possible.
import { Controller, Get, Module, Req } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LogupModule, LogupService } from 'nestjs-logup';
import { CaptureLogger } from '../support/log-capture.js';
import { GATE, emulator } from '../support/logup-fixture.js';
import { startNestApp } from '../support/nest-app.js';
import { useExpressSession } from '../support/sessions.js';

async function boot(options: Record<string, unknown>, lines: string[] = []) {
  const moduleRef = await Test.createTestingModule({ imports: [LogupModule.forRoot({ ...GATE, ...options })] })
    .setLogger(new CaptureLogger((line) => lines.push(line)))
    .compile();
  return moduleRef.init();
}

/** A route that starts a login, against a LogUp nobody answers at. */
@Controller()
class LoginController {
  constructor(private readonly logup: LogupService) {}

  @Get('logup/login')
  async login(@Req() request: object) {
    return { started: (await this.logup.startLogin(request)) !== undefined };
  }
}
@Module({
  imports: [LogupModule.forRoot({ ...GATE, baseUrl: 'http://127.0.0.1:9' })],
  controllers: [LoginController],
})
class AppModule {}

describe('misconfigurations named at boot, or when LogUp cannot be reached', () => {
  it('refuses at boot a baseUrl that ends with the API version, naming baseUrl and apiVersion', async () => {
    await expect(boot({ baseUrl: 'http://127.0.0.1:4010/v1_1' })).rejects.toThrow(
      /"baseUrl".*ends with the API version "\/v1_1".*apiVersion/,
    );
  });

  it('warns at boot about an apiVersion LogUp does not document, naming apiVersion', async () => {
    const lines: string[] = [];
    const app = await boot({ baseUrl: 'http://127.0.0.1:9', apiVersion: 'v2_0' }, lines);
    await app.close();
    expect(lines.join('\n')).toMatch(/apiVersion "v2_0" is not one LogUp documents.*set apiVersion to "v1_1"/);
  });

  it('names the host and the baseUrl option when LogUp cannot be reached', async () => {
    const app = await boot({ baseUrl: 'http://127.0.0.1:9', retry: { retries: 0 } });
    try {
      await expect(app.get(LogupService).checkConnection()).rejects.toThrow(
        /ECONNREFUSED reaching 127\.0\.0\.1:9: check the baseUrl option/,
      );
    } finally {
      await app.close();
    }
  });
});

describe('misconfigurations named when they first bite', () => {
  it('names the URL, baseUrl and apiVersion when LogUp has no token endpoint there (404)', async () => {
    const emu = await emulator();
    try {
      for (const options of [{ apiVersion: 'v2_0' }, { baseUrl: `${emu.url}/api` }]) {
        const app = await boot({ baseUrl: emu.url, ...options });
        const url = `${options.baseUrl ?? emu.url}/${options.apiVersion ?? 'v1_1'}/oauth/token`;
        try {
          await expect(app.get(LogupService).checkConnection()).rejects.toThrow(
            new RegExp(
              `HTTP 404 \\(\\w+\\) at ${url.replace(/[.?]/g, '\\$&')}: check the baseUrl option .* and apiVersion`,
            ),
          );
        } finally {
          await app.close();
        }
      }
    } finally {
      await emu.stop();
    }
  });

  it('warns, naming the fix, when Fastify gets express-session through app.use() and a route starts a login', async () => {
    const lines: string[] = [];
    const app = await startNestApp(AppModule, {
      platform: 'fastify',
      logger: new CaptureLogger((line) => lines.push(line)),
      setup: (nest) => useExpressSession(nest),
    });
    try {
      await fetch(`${app.url}/logup/login`);
      expect(lines.join('\n')).toMatch(/added with app\.use\(\) on Fastify.*Register @fastify\/secure-session/);
    } finally {
      await app.close();
    }
  });
});
