/** The name of the instance `LogupModule.forRoot()` registers when given no `name`. */
export const LOGUP_DEFAULT_NAME = 'default';

/** LogUp's production API host. */
export const LOGUP_DEFAULT_BASE_URL = 'https://api.logup.co';

/** The API version used when none is configured. */
export const LOGUP_DEFAULT_API_VERSION = 'v1_1';

/** What LogUp accepts as an API version: `v1_1`, `v1_0`, `v2_10`, ... */
export const LOGUP_API_VERSION_PATTERN = /^v\d{1,2}_\d{1,3}$/;

/** LogUp's per-subscription DB limits (enforced by LogUp; checked here before sending). */
export const LOGUP_DB_LIMITS = Object.freeze({
  /** Different keys a subscription DB may hold (and so keys one update may name). */
  maxKeys: 20,
  /** Characters in a key. */
  maxKeyLength: 32,
  /** Characters in a string value. */
  maxValueLength: 1024,
});

/** Route metadata key set by `@LogupPublic()`. */
export const LOGUP_PUBLIC_KEY = 'logup:public';

/** Route metadata key set by `@LogupCallback()`. */
export const LOGUP_CALLBACK_KEY = 'logup:callback';

// Injection tokens are registry symbols (Symbol.for): two copies of the package in one
// process (an ESM import and a CommonJS require) then name the same providers.

/** Injection token of the resolved, validated, frozen configuration (internal). */
export const LOGUP_CONFIG = Symbol.for('nestjs-logup.config');

/** Injection token of the module options as given (internal; the secret is held privately). */
export const LOGUP_MODULE_OPTIONS = Symbol.for('nestjs-logup.module-options');

/**
 * Injection token of the default gate's `LogupService`, the same in every copy of the
 * package (the class token is not: each copy has its own class). `@InjectLogup()`
 * injects by it.
 */
export const LOGUP_SERVICE = Symbol.for('nestjs-logup.service');
