export interface BenchRound {
  throughput: number;
}
export interface BenchComparison {
  label: string;
  baseline: string;
  subject: string;
  target: number;
}
export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  conditions?: string;
  concurrency: number;
  opsPerRound: number;
  rounds: number;
  comparisons: BenchComparison[];
  rows: Record<string, { rounds: BenchRound[] }>;
  checks: Record<string, Record<string, unknown>>;
}
export declare function comparison(
  results: BenchResults,
  entry: BenchComparison,
): { baseline: number; subject: number; ratios: number[]; value: number; min: number; max: number; verdict: string };
export declare function benchmarkTables(results: BenchResults): string;
export declare const TABLE_START: string;
export declare const TABLE_END: string;
