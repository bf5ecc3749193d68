// Server CPU time over a stretch of work: CPU seconds the measured process used, per operation.
import { cpuSeconds } from '../peers/proc.ts';

export function cpuMeter(pid: number): { perOp(ops: number): number } {
  const start = cpuSeconds(pid);
  return {
    /** Server CPU milliseconds per operation since the meter started. */
    perOp: (ops) => (ops > 0 ? ((cpuSeconds(pid) - start) * 1000) / ops : NaN),
  };
}
