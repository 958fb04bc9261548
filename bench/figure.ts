/** One measured figure, printed as one JSON line. */
export interface Figure {
  /** Which benchmark, e.g. `manifest`. */
  readonly bench: string;
  /** What was measured, e.g. `cold_over_warm`. */
  readonly figure: string;
  /** The value. */
  readonly value: number;
  /** Its unit: `ms`, `ratio`, `MB`, `MB/s`, `bytes`. */
  readonly unit: string;
  /** The target, in words such as `>= 20` or `<= 64`, when the issue sets one. */
  readonly target?: string;
  /** Whether the value meets the target. */
  readonly met?: boolean;
  /** Any raw numbers behind the figure. */
  readonly detail?: Readonly<Record<string, number | string>>;
}

/** Prints one figure as one JSON line on stdout. */
export function emit(figure: Figure): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

/** Milliseconds taken by `work`. */
export async function timeMs(work: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Rounds to three significant decimals for readable output. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
