export { LogupModule } from './logup.module.js';
export { InjectLogup, InjectLogupConfig, getLogupConfigToken, getLogupServiceToken } from './logup.injection.js';
export { LOGUP_LOGIN_HANDLER, type LogupLoginHandler } from './login/logup.login-handler.js';
export {
  LogupService,
  type LogupConnectionCheck,
  type LogupVerification,
  type LogupVerifiedSubscription,
} from './logup.service.js';
export { LogupGuard } from './login/logup.guard.js';
export {
  LOGUP_ERROR_QUERY_PARAM,
  LogupCallbackErrorRedirectException,
  type LogupCallbackErrorCode,
} from './login/logup.browser-answers.js';
export {
  LogupAccountSwitchException,
  LogupCallbackRefusedException,
  LogupCrossSiteLoginException,
  LogupLoginNotStartedException,
  LogupLoginRedirectException,
  LogupNotVerifiedException,
  LogupSessionUnavailableException,
  LogupTokenNotAcceptedException,
} from './login/logup.exceptions.js';
export {
  CurrentSubscription,
  LogupCallback,
  LogupPublic,
  LogupUser,
  Subscription,
  subscriptionOf,
  type LogupSubscriptionProperty,
} from './login/logup.decorators.js';
export { LogupCallbackQuery } from './login/logup-callback.query.js';
export { clearLogupSession, type LogupPendingLogin, type LogupSessionValue } from './session/logup.session.js';
export { MemorySessionRevocationStore } from './session/logup.revocation.js';
export { LogupOptional } from './login/logup.optional.js';
export { LOGUP_WS_CLOSE_CODE, type LogupSocketClient } from './sockets/logup.ws-context.js';
export {
  useLogupSockets,
  type LogupSocketsApp,
  type LogupSocketsOptions,
  type LogupSocketSessionMiddleware,
} from './sockets/logup.ws-session.js';
export { toLogupHttpException } from './errors/logup.http-mapping.js';
export { LogupErrorInterceptor, LogupGraphqlError } from './errors/logup.error-interceptor.js';
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
} from './db/logup.db-schema.js';
export type {
  LogupConfig,
  LogupLoginBinding,
  LogupModuleOptions,
  LogupOptionsFactory,
  LogupRetryOptions,
  LogupSessionRevocationStore,
} from './options/logup-module-options.interface.js';
export type { LogupDb, LogupDbValue } from './logup.validation.js';
export {
  LOGUP_API_VERSION_PATTERN,
  LOGUP_DB_LIMITS,
  LOGUP_DEFAULT_API_VERSION,
  LOGUP_DEFAULT_BASE_URL,
  LOGUP_DEFAULT_NAME,
} from './logup.constants.js';
export {
  LogupError,
  LogupConfigurationError,
  LogupDbSchemaError,
  LogupValidationError,
  isLogupDbSchemaError,
  isLogupError,
  isLogupValidationError,
  type LogupErrorCode,
  type LogupUnavailableReason,
  type LogupValidationIssue,
} from './errors/logup.errors.js';
export {
  LogupApiError,
  LogupCredentialsError,
  LogupUnavailableError,
  MALFORMED_ANSWER,
  isLogupApiError,
  isLogupUnavailableError,
  type LogupApiErrorOptions,
  type LogupUnavailableErrorOptions,
} from './errors/logup.api-errors.js';
