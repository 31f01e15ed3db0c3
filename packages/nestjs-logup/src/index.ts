export { LogupModule } from './logup.module.js';
export { LogupService, type LogupVerification } from './logup.service.js';
export { LogupGuard, LogupLoginRedirectException, type LogupSessionValue } from './logup.guard.js';
export { LogupPublic, Subscription, subscriptionOf, type LogupSubscriptionProperty } from './logup.decorators.js';
export { LogupCallbackQuery } from './logup-callback.query.js';
export { clearLogupSession } from './logup.session.js';
export { toLogupHttpException } from './logup.http-errors.js';
export { LogupSubscription, type LogupSubscriptionData } from './logup.subscription.js';
export type { LogupModuleOptions, LogupOptionsFactory, LogupRetryOptions } from './logup-module-options.interface.js';
export type { LogupDb, LogupDbValue } from './logup.validation.js';
export {
  LOGUP_API_VERSION_PATTERN,
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
  LogupUnavailableError,
  LogupValidationError,
  isLogupError,
  isLogupUnavailableError,
  isLogupValidationError,
  type LogupUnavailableReason,
  type LogupValidationIssue,
} from './logup.errors.js';
