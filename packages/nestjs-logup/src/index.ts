export { LogupModule } from './logup.module.js';
export { InjectLogup, LOGUP_DEFAULT_NAME, getLogupConfigToken, getLogupServiceToken } from './logup.tokens.js';
export { LOGUP_LOGIN_HANDLER, LOGUP_USER_PROPERTY, type LogupLoginHandler } from './logup.login-handler.js';
export {
  LogupService,
  type LogupConnectionCheck,
  type LogupVerification,
  type LogupVerifiedSubscription,
} from './logup.service.js';
export { LogupGuard } from './logup.guard.js';
export {
  LOGUP_ERROR_QUERY_PARAM,
  LogupCallbackErrorRedirectException,
  type LogupCallbackErrorCode,
} from './logup.browser-answers.js';
export {
  LogupAccountSwitchException,
  LogupLoginNotStartedException,
  LogupLoginRedirectException,
  LogupTokenNotAcceptedException,
} from './logup.exceptions.js';
export {
  CurrentSubscription,
  LogupCallback,
  LogupPublic,
  LogupUser,
  Subscription,
  subscriptionOf,
  type LogupSubscriptionProperty,
} from './logup.decorators.js';
export { LogupCallbackQuery } from './logup-callback.query.js';
export { clearLogupSession, type LogupPendingLogin, type LogupSessionValue } from './logup.session.js';
export { MemorySessionRevocationStore } from './logup.revocation.js';
export { LogupOptional } from './logup.optional.js';
export { LOGUP_WS_CLOSE_CODE, type LogupSocketClient } from './logup.ws-context.js';
export {
  useLogupSockets,
  type LogupSocketsApp,
  type LogupSocketsOptions,
  type LogupSocketSessionMiddleware,
} from './logup.ws-session.js';
export { toLogupHttpException } from './logup.http-errors.js';
export { LogupErrorInterceptor, LogupGraphqlError } from './logup.error-interceptor.js';
export { LogupSubscription, type LogupDbChange, type LogupSubscriptionData } from './logup.subscription.js';
export type {
  LogupDbRead,
  LogupDbSchema,
  LogupDbShape,
  LogupDbType,
  LogupDbWrite,
  LogupRegister,
  LogupRegisteredDb,
  StandardSchemaV1,
  StandardSchemaV1Result,
} from './logup.db-schema.js';
export type { LogupRequest, LogupResponse, LogupTransport } from './logup.transport.js';
export type {
  LogupLoginBinding,
  LogupModuleOptions,
  LogupOptionsFactory,
  LogupRetryOptions,
  LogupSessionRevocationStore,
} from './logup-module-options.interface.js';
export type { LogupDb, LogupDbValue } from './logup.validation.js';
export { LOGUP_CALLBACK_RULES } from './logup.validation.js';
export {
  LOGUP_API_VERSION_PATTERN,
  LOGUP_CALLBACK_KEY,
  LOGUP_DB_LIMITS,
  LOGUP_DEFAULT_API_VERSION,
  LOGUP_DEFAULT_BASE_URL,
  LOGUP_PUBLIC_KEY,
  LOGUP_REQUEST_PROPERTY,
} from './logup.constants.js';
export {
  LogupError,
  LogupApiError,
  LogupConfigurationError,
  LogupCredentialsError,
  LogupDbSchemaError,
  LogupUnavailableError,
  LogupValidationError,
  isLogupApiError,
  isLogupDbSchemaError,
  isLogupError,
  isLogupUnavailableError,
  isLogupValidationError,
  type LogupApiErrorOptions,
  type LogupErrorCode,
  type LogupUnavailableErrorOptions,
  type LogupUnavailableReason,
  type LogupValidationIssue,
} from './logup.errors.js';
