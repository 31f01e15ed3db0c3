import { IsIn, IsString, Length, Matches, validateSync } from 'class-validator';
import { LOGUP_TOKEN_LENGTH } from './logup.validation.js';

/** The callback query as the guard validates it (names mapped from the configured parameters). */
export class LogupCallbackQuery {
  @IsString({ message: 'must be a single string' })
  @Length(LOGUP_TOKEN_LENGTH.min, LOGUP_TOKEN_LENGTH.max, {
    message: `must be ${LOGUP_TOKEN_LENGTH.min} to ${LOGUP_TOKEN_LENGTH.max} characters long`,
  })
  @Matches(/^[A-Za-z0-9._~+/=-]+$/, { message: 'contains characters a LogUp token never has' })
  logupToken!: string;

  @IsIn(['true', 'false'], { message: 'must be exactly "true" or "false"' })
  isNewUser!: string;
}

const CONSTRAINT_PRIORITY = ['isString', 'isLength', 'matches', 'isIn'];

/**
 * Validates the callback query; returns messages naming the query parameters
 * (never echoing their values), or the parsed input.
 */
export function validateCallbackQuery(
  query: Record<string, unknown>,
  names: { token: string; isNewUser: string },
): { logupToken: string; isNewUser: boolean } | { problems: string[] } {
  const input = Object.assign(new LogupCallbackQuery(), {
    logupToken: query[names.token],
    isNewUser: query[names.isNewUser],
  });
  const errors = validateSync(input);
  if (errors.length > 0) {
    const label = { logupToken: names.token, isNewUser: names.isNewUser } as Record<string, string>;
    return {
      problems: errors.map((e) => {
        if (query[label[e.property]] === undefined) return `${label[e.property]} is required`;
        // One message per parameter, the most basic problem first (type, then length, then characters).
        const constraint =
          CONSTRAINT_PRIORITY.find((name) => e.constraints?.[name]) ?? Object.keys(e.constraints ?? {})[0];
        return `${label[e.property]} ${e.constraints?.[constraint]}`;
      }),
    };
  }
  return { logupToken: input.logupToken, isNewUser: input.isNewUser === 'true' };
}
