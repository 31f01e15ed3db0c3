export declare const LOGIN_VALUE_KEYS: readonly string[];
export declare const PENDING_VALUE_KEYS: readonly string[];
