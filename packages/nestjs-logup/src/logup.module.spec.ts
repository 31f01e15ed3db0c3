import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LOGUP_CONFIG } from './logup.constants.js';
import { LogupConfigurationError } from './errors/logup.errors.js';
import type { LogupConfig, LogupModuleOptions, LogupOptionsFactory } from './options/logup-module-options.interface.js';
import { LogupModule } from './logup.module.js';
import { LogupService } from './logup.service.js';

const OPTIONS = { idGate: 'gate_unit', secret: 'secret_unit_do_not_leak' };

@Injectable()
class OptionsFactory implements LogupOptionsFactory {
  createLogupOptions(): LogupModuleOptions {
    return { ...OPTIONS, apiVersion: 'v1_0' };
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class FactoryModule {}

async function configOf(imports: unknown[]): Promise<LogupConfig> {
  const moduleRef = await Test.createTestingModule({ imports: imports as never[] }).compile();
  expect(moduleRef.get(LogupService)).toBeInstanceOf(LogupService);
  const config = moduleRef.get<LogupConfig>(LOGUP_CONFIG);
  await moduleRef.close();
  return config;
}

const bootError = (options: unknown): Promise<LogupConfigurationError> =>
  Test.createTestingModule({ imports: [LogupModule.forRoot(options as LogupModuleOptions)] })
    .compile()
    .then(
      () => {
        throw new Error('the module booted');
      },
      (e: unknown) => e as LogupConfigurationError,
    );

describe('LogupModule', () => {
  it('forRoot applies defaults and freezes the configuration', async () => {
    const config = await configOf([LogupModule.forRoot(OPTIONS)]);
    expect(config).toMatchObject({
      idGate: 'gate_unit',
      apiVersion: 'v1_1',
      baseUrl: 'https://api.logup.co',
      apiUrl: 'https://api.logup.co/v1_1',
      callbackPath: '/logup/callback',
      loginBinding: 'pending',
      sessionMaxAgeSeconds: 28800,
      timeoutMs: 5000,
      retry: { retries: 2, minDelayMs: 100, maxDelayMs: 2000, budgetMs: 15000 },
      tokenQueryParam: 'logupToken',
      isNewUserQueryParam: 'isNewUser',
      sessionKey: 'logup',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.retry)).toBe(true);
  });
});

describe('LogupModule.forRootAsync and isGlobal', () => {
  it('forRootAsync with useFactory and inject', async () => {
    const config = await configOf([
      LogupModule.forRootAsync({
        imports: [FactoryModule],
        inject: [OptionsFactory],
        useFactory: (factory: OptionsFactory) => ({ ...factory.createLogupOptions(), baseUrl: 'http://127.0.0.1:9/' }),
      }),
    ]);
    expect(config).toMatchObject({ apiVersion: 'v1_0', apiUrl: 'http://127.0.0.1:9/v1_0' });
  });

  it('forRootAsync with useClass', async () => {
    const config = await configOf([LogupModule.forRootAsync({ useClass: OptionsFactory })]);
    expect(config.apiVersion).toBe('v1_0');
  });

  it('forRootAsync with useExisting', async () => {
    const config = await configOf([
      LogupModule.forRootAsync({ imports: [FactoryModule], useExisting: OptionsFactory }),
    ]);
    expect(config.idGate).toBe('gate_unit');
  });

  it('isGlobal makes LogupService injectable everywhere', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly logup: LogupService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [LogupModule.forRoot({ ...OPTIONS, isGlobal: true }), FeatureModule],
    }).compile();
    expect(moduleRef.get(Consumer).logup).toBeInstanceOf(LogupService);
    await moduleRef.close();
  });
});

describe('LogupModule: apiVersion', () => {
  it.each([
    [{ secret: OPTIONS.secret }, 'Invalid LogupModule option "idGate": is required'],
    [{ idGate: ' ', secret: OPTIONS.secret }, 'Invalid LogupModule option "idGate": must be a non-empty string'],
    [{ idGate: 'gate' }, 'Invalid LogupModule option "secret": is required'],
    [{ ...OPTIONS, apiVersion: '1_1' }, 'Invalid LogupModule option "apiVersion": must match'],
    [{ ...OPTIONS, apiVersion: 'v123_1' }, 'Invalid LogupModule option "apiVersion": must match'],
    [{ ...OPTIONS, baseUrl: 'ftp://x' }, 'Invalid LogupModule option "baseUrl"'],
    [{ ...OPTIONS, baseUrl: 'not a url' }, 'Invalid LogupModule option "baseUrl"'],
    [{ ...OPTIONS, baseUrl: `https://gate:${OPTIONS.secret}@x` }, 'Invalid LogupModule option "baseUrl"'],
    [{ ...OPTIONS, timeoutMs: 0 }, 'Invalid LogupModule option "timeoutMs": must be an integer from 1 to 300000'],
    [{ ...OPTIONS, retry: { retries: -1 } }, 'Invalid LogupModule option "retry.retries"'],
    [{ ...OPTIONS, tokenQueryParam: 'a b' }, 'Invalid LogupModule option "tokenQueryParam"'],
    [{ ...OPTIONS, sessionKey: '' }, 'Invalid LogupModule option "sessionKey"'],
  ])('fails the boot for %j with a message naming the option', async (options, message) => {
    const error = await Test.createTestingModule({ imports: [LogupModule.forRoot(options as LogupModuleOptions)] })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogupConfigurationError);
    expect((error as Error).message).toContain(message);
    expect(`${(error as Error).message}${JSON.stringify(error)}`).not.toContain(OPTIONS.secret);
  });

  it('accepts every valid version form', async () => {
    for (const apiVersion of ['v1_0', 'v1_1', 'v2_10', 'v99_999']) {
      expect((await configOf([LogupModule.forRoot({ ...OPTIONS, apiVersion })])).apiVersion).toBe(apiVersion);
    }
  });
});

describe('LogupModule: boot errors', () => {
  it('lists every problem at once', async () => {
    const error = await bootError({ idGate: '', timeoutMs: -1, retry: { budgetMs: 0 }, sessionKey: '' });
    expect(error).toBeInstanceOf(LogupConfigurationError);
    expect(error.problems.map((p) => p.option)).toEqual([
      'idGate',
      'secret',
      'sessionKey',
      'timeoutMs',
      'retry.budgetMs',
    ]);
    for (const option of ['idGate', 'secret', 'sessionKey', 'timeoutMs', 'retry.budgetMs']) {
      expect(error.message).toContain(`"${option}"`);
    }
  });

  it('says when a number came as a string (from the environment)', async () => {
    const error = await bootError({ ...OPTIONS, timeoutMs: '5000' });
    expect(error.message).toContain('"timeoutMs": must be an integer from 1 to 300000, received the string "5000"');
  });

  it('fails on an unknown key, naming the closest valid one', async () => {
    const error = await bootError({ ...OPTIONS, timeoutMS: 5000, retry: { retrys: 1 }, zzzzzzzz: 1 });
    expect(error.message).toContain('"timeoutMS": is not an option; did you mean "timeoutMs"?');
    expect(error.message).toContain('"retry.retrys": is not an option; did you mean "retry.retries"?');
    expect(error.message).toContain('"zzzzzzzz": is not an option');
    expect(error.message).not.toContain('"zzzzzzzz": is not an option; did you mean');
  });

  it("refuses a login binding without a session, and defaults to 'off' when sessionKey is false", async () => {
    expect((await bootError({ ...OPTIONS, sessionKey: false, loginBinding: 'pending' })).message).toContain(
      '"loginBinding"',
    );
    expect((await configOf([LogupModule.forRoot({ ...OPTIONS, sessionKey: false })])).loginBinding).toBe('off');
  });
});
