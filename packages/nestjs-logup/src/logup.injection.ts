import { Inject } from '@nestjs/common';
import { LOGUP_CONFIG, LOGUP_DEFAULT_NAME, LOGUP_SERVICE } from './logup.constants.js';
import { LogupService } from './logup.service.js';

/** The injection token of a gate's `LogupService` (the class itself for the default gate). */
export const getLogupServiceToken = (name: string = LOGUP_DEFAULT_NAME): string | typeof LogupService =>
  name === LOGUP_DEFAULT_NAME ? LogupService : `LogupService:${name}`;

/** The injection token of a gate's resolved configuration. */
export const getLogupConfigToken = (name: string = LOGUP_DEFAULT_NAME): string | symbol =>
  name === LOGUP_DEFAULT_NAME ? LOGUP_CONFIG : `LogupConfig:${name}`;

/**
 * Injects the `LogupService` of a gate (`LogupModule.forRoot({ name })`; the default
 * gate without a name). Unlike the class token, it works when two copies of the
 * package are loaded (README, "Two copies of the package").
 * @example constructor(@InjectLogup('b2b') private readonly b2b: LogupService) {}
 */
export const InjectLogup = (name: string = LOGUP_DEFAULT_NAME): PropertyDecorator & ParameterDecorator =>
  Inject(name === LOGUP_DEFAULT_NAME ? LOGUP_SERVICE : getLogupServiceToken(name));

/**
 * Injects a gate's resolved configuration (`LogupConfig`: every option with its
 * default applied, frozen; the secret readable but out of `inspect` and JSON), e.g.
 * to read `callbackPath` or `loginUrl` in the app's own code.
 * @example constructor(@InjectLogupConfig() private readonly logupConfig: LogupConfig) {}
 */
export const InjectLogupConfig = (name: string = LOGUP_DEFAULT_NAME): PropertyDecorator & ParameterDecorator =>
  Inject(getLogupConfigToken(name));
