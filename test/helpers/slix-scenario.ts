// Runs slix_xeps.py (slixmpp's own XEP-0077 / XEP-0280 / XEP-0050 plugins) and follows the JSON
// lines it prints, like slixmpp.ts does for logins. Skip tests with skipUnless('slixmpp').
import { loginArgs, spawnSlix, type SlixEvent } from './slix-process.ts';

export interface ScenarioOptions {
  scenario: 'register' | 'carbons' | 'adhoc';
  port: number;
  jid: string;
  password: string;
  resource?: string;
  presence?: boolean;
  priority?: number;
  stay?: boolean;
  /** register scenario: the account exists already; log in without registering. */
  existing?: boolean;
  changePassword?: string;
  cancel?: boolean;
  sendTo?: string[];
  body?: string;
  private?: boolean;
  waitCarbons?: number;
  command?: string;
  fields?: Record<string, string>;
  timeoutSeconds?: number;
}

export interface ScenarioRun {
  events: SlixEvent[];
  waitForEvent(name: string, timeoutMs?: number, where?: (e: SlixEvent) => boolean): Promise<SlixEvent>;
  exited: Promise<{ code: number | null }>;
  transcript(): string;
  kill(): Promise<void>;
}

function args(o: ScenarioOptions): string[] {
  const a = [o.scenario, ...loginArgs(o, o.timeoutSeconds ?? 20)];
  if (o.resource) a.push('--resource', o.resource);
  if (o.presence) a.push('--presence');
  if (o.priority !== undefined) a.push('--priority', String(o.priority));
  if (o.stay) a.push('--stay');
  if (o.existing) a.push('--existing');
  if (o.changePassword) a.push('--change-password', o.changePassword);
  if (o.cancel) a.push('--cancel');
  for (const to of o.sendTo ?? []) a.push('--send-to', to);
  if (o.body !== undefined) a.push('--body', o.body);
  if (o.private) a.push('--private');
  if (o.waitCarbons !== undefined) a.push('--wait-carbons', String(o.waitCarbons));
  if (o.command) a.push('--command', o.command);
  for (const [k, v] of Object.entries(o.fields ?? {})) a.push('--field', `${k}=${v}`);
  return a;
}

export function runSlixScenario(o: ScenarioOptions): ScenarioRun {
  const p = spawnSlix('slix_xeps.py', args(o), { label: `slixmpp ${o.scenario} ${o.jid}`, waitMs: 15_000 });
  return {
    events: p.events,
    exited: p.exited.then((code) => ({ code })),
    transcript: p.transcript,
    waitForEvent: p.waitForEvent,
    kill: () => p.kill(),
  };
}
