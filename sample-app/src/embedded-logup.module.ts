import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { startEmulator, type LogupEmulator } from 'logup-emulator';
import { DEMO_GATE, type SampleConfig } from './sample.config.js';

/** The embedded emulator, or `null` when the app talks to real LogUp. */
export const EMBEDDED_LOGUP = Symbol('EMBEDDED_LOGUP');

class EmbeddedLogupLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EMBEDDED_LOGUP) private readonly emulator: LogupEmulator | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.emulator?.stop();
  }
}

/** This site's name on the embedded emulator's login page ("Log in to LogUp sample"). */
export const DEMO_SITE_NAME = 'LogUp sample';

/** Starts the embedded emulator on a loopback port when no LogUp settings are given. */
@Global()
@Module({
  providers: [
    {
      provide: EMBEDDED_LOGUP,
      inject: [ConfigService],
      useFactory: async (config: ConfigService): Promise<LogupEmulator | null> => {
        if (config.getOrThrow<SampleConfig['mode']>('mode') !== 'embedded') return null;
        const publicUrl = config.get<string>('publicUrl');
        // With PUBLIC_URL the gate allows only that site's callback (as a gate's redirect
        // URL in LogUp's console would); without it, any loopback callback.
        // The name is the site the emulator's login page says the visitor is logging in to.
        const named = { ...DEMO_GATE, name: DEMO_SITE_NAME };
        const gate = publicUrl ? { ...named, redirectUrl: `${publicUrl}/logup/callback` } : named;
        const emulator = await startEmulator({ port: 0, host: '127.0.0.1', gates: [gate] });
        new Logger('EmbeddedLogup').log(`No LogUp settings: using the embedded LogUp emulator at ${emulator.url}`);
        return emulator;
      },
    },
    EmbeddedLogupLifecycle,
  ],
  exports: [EMBEDDED_LOGUP],
})
export class EmbeddedLogupModule {}
