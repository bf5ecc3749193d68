// XEP-0050 wire format: parsing the requester's <command/> and building the responder's.
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { StanzaError, type StanzaErrorCondition } from '../../stanza/errors.ts';
import type { AdhocResult } from '../../core/services.ts';

export type Action = 'execute' | 'cancel' | 'prev' | 'next' | 'complete';
const ACTIONS: readonly Action[] = ['execute', 'cancel', 'prev', 'next', 'complete'];

/** §4.6 errors: a general condition plus the commands namespace's specific one. */
export function commandError(condition: StanzaErrorCondition, specific: 'malformed-action' | 'bad-action' | 'bad-locale' | 'bad-payload' | 'bad-sessionid' | 'session-expired', text?: string): StanzaError {
  return new StanzaError(condition, text, undefined, xml(specific, { xmlns: NS.commands }));
}

export interface CommandRequest {
  node: string;
  sessionid?: string;
  action: Action;
}

export function parseCommand(cmd: Element): CommandRequest {
  const node = cmd.attrs.node;
  // §4.1: "The node attribute ... MUST be present".
  if (!node) throw new StanzaError('bad-request', 'The command needs a node');
  const action = (cmd.attrs.action ?? 'execute') as Action;
  if (!ACTIONS.includes(action)) throw commandError('bad-request', 'malformed-action', `Unknown action ${cmd.attrs.action}`);
  const sessionid = cmd.attrs.sessionid;
  if (sessionid !== undefined && sessionid === '') throw commandError('bad-request', 'bad-sessionid', 'Empty sessionid');
  return { node, sessionid, action };
}

/** The actions a stage offers (§3.4): executing stages default to a single "complete". */
export function offeredActions(r: AdhocResult, stage: number): { allowed: Array<'prev' | 'next' | 'complete'>; execute?: 'prev' | 'next' | 'complete' } {
  const allowed = [...(r.actions?.allowed ?? ['complete'])];
  if (stage > 0 && !allowed.includes('prev')) allowed.unshift('prev');
  const execute = r.actions?.execute ?? (r.actions ? undefined : 'complete');
  return { allowed, execute };
}

/** §3.4: what 'execute' means after a stage: its execute attribute, else next (actions given) or complete (none). */
export function resolveExecute(last: AdhocResult | undefined, stage: number): 'prev' | 'next' | 'complete' {
  if (!last) return 'complete';
  const a = offeredActions(last, stage);
  return a.execute ?? 'next';
}

export function commandElement(node: string, sessionid: string, status: 'executing' | 'completed' | 'canceled', r?: AdhocResult, stage = 0): Element {
  const cmd = xml('command', { xmlns: NS.commands, node, sessionid, status });
  if (r && status === 'executing') {
    const a = offeredActions(r, stage);
    cmd.append(xml('actions', { execute: a.execute }, a.allowed.map((n) => xml(n))));
  }
  for (const note of r?.notes ?? []) cmd.append(xml('note', { type: note.type ?? 'info' }, note.text));
  for (const p of r?.payload ?? []) cmd.append(p);
  return cmd;
}
