/**
 * LogUp's own constants, in the words `nestjs-logup` uses for them (the emulator
 * does not import the library: it stands in for LogUp, not for a client).
 */

/** What LogUp accepts as an API version: `v1_1`, `v1_0`, `v2_10`, ... */
export const LOGUP_API_VERSION_PATTERN = /^v\d{1,2}_\d{1,3}$/;

/** The API versions the emulator serves unless told otherwise (both published ones). */
export const LOGUP_API_VERSIONS: readonly string[] = Object.freeze(['v1_0', 'v1_1']);

/** LogUp's per-subscription DB limits (LOGUP-API.md, section 3). */
export const LOGUP_DB_LIMITS = Object.freeze({
  /** Different keys a subscription DB may hold. */
  maxKeys: 20,
  /** Characters in a key. */
  maxKeyLength: 32,
  /** Characters (code points) in a string value. */
  maxValueLength: 1024,
});

/** Characters in a logupToken (LogUp's published examples are 128 alphanumerics). */
export const LOGUP_TOKEN_LENGTH = 128;
