// What a scenario reports: named values with a unit and a direction, one set per peer per round.
import type { Peer } from '../peers/types.ts';
import type { Scale } from '../scale.ts';

export type Better = 'higher' | 'lower';

export interface MetricDef {
  key: string;
  label: string;
  unit: string;
  better: Better;
}

export interface Measurement extends MetricDef {
  value: number;
}

export interface RunContext {
  peer: Peer;
  scale: Scale;
  round: number;
  progress(msg: string): void;
}

export const measure = (def: MetricDef, value: number): Measurement => ({ ...def, value });
