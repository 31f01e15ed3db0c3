import { IsIn, IsString, Length, Matches } from 'class-validator';
import { LOGUP_CALLBACK_RULES, LOGUP_TOKEN_LENGTH, LOGUP_TOKEN_PATTERN } from '../logup.validation.js';

/**
 * The callback query as a class-validator DTO, for apps that validate the callback
 * themselves (`@Query() query: LogupCallbackQuery` with a `ValidationPipe`). It states
 * the same rules, with the same messages, as `LogupGuard` and `LogupService.verify()`
 * apply (they share `LOGUP_CALLBACK_RULES`).
 */
export class LogupCallbackQuery {
  @IsString({ message: `$property ${LOGUP_CALLBACK_RULES.notString}` })
  @Length(LOGUP_TOKEN_LENGTH.min, LOGUP_TOKEN_LENGTH.max, { message: `$property ${LOGUP_CALLBACK_RULES.length}` })
  @Matches(LOGUP_TOKEN_PATTERN, { message: `$property ${LOGUP_CALLBACK_RULES.characters}` })
  logupToken!: string;

  @IsIn(['true', 'false'], { message: `$property ${LOGUP_CALLBACK_RULES.isNewUser}` })
  isNewUser!: string;
}
