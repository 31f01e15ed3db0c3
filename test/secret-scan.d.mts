export declare const TEST_SECRETS: string[];
export declare function findLeaks(text: string): string[];
export declare function setup(): void;
export declare function teardown(globalConfig?: unknown): void;
