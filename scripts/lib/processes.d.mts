import type { ChildProcess } from 'node:child_process';

export interface ProcessOptions {
  /** For messages and echoed lines (default: the command). */
  name?: string;
  /** The whole environment of the process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  detached?: boolean;
  /** Print each line as `[name] line`. */
  echo?: boolean;
  /** Keep only the last half of the output once it passes this many characters. */
  outputLimit?: number;
}

export interface WaitOptions {
  /** Names the process in the error (default: its name). */
  what?: string;
  /** Default 20 s; then the process is killed and the wait fails. */
  timeoutMs?: number;
  intervalMs?: number;
}

export type ReadyCheck<T> = RegExp | (() => T | Promise<T>);
type Found<C> = C extends RegExp ? RegExpExecArray : C extends () => infer T ? Awaited<T> : never;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  pid: number | undefined;
  /** Settles when the process has exited. */
  exited: Promise<ExitStatus>;
  /** Everything it printed so far (stdout and stderr, interleaved). */
  output(): string;
  stdout(): string;
  stderr(): string;
  alive(): boolean;
  waitFor<C extends ReadyCheck<unknown>>(check: C, options?: WaitOptions): Promise<NonNullable<Found<C>>>;
  /** Signals it (SIGTERM by default) and waits for it; SIGKILL after `graceMs`, if given. */
  stop(signal?: NodeJS.Signals, options?: { graceMs?: number }): Promise<ExitStatus>;
}

export declare function freePort(): Promise<number>;
export declare function accepts(port: number): Promise<boolean>;
export declare function startProcess(
  command: string,
  args: readonly string[],
  options?: ProcessOptions,
): RunningProcess;
export declare function startReady<C extends ReadyCheck<unknown>>(
  command: string,
  args: readonly string[],
  ready: C,
  options?: ProcessOptions & WaitOptions,
): Promise<RunningProcess & { ready: NonNullable<Found<C>> }>;
export declare function loopbackUrl(url: string): string;
