// Runs one XEP-0050 request against the registered commands: new sessions, stages, prev,
// cancel, and the §4.6 errors. Returns the <command/> to answer with, or throws StanzaError.
import type { Jid } from '../../jid/index.ts';
import type { Element } from '../../xml/element.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { AdhocCommand } from '../../core/services.ts';
import type { CommandSessions } from './sessions.ts';
import { commandElement, commandError, offeredActions, parseCommand, resolveExecute } from './protocol.ts';

export async function runCommand(commands: ReadonlyMap<string, AdhocCommand>, sessions: CommandSessions, cmdEl: Element, requester: Jid, domain: string): Promise<Element> {
  const req = parseCommand(cmdEl);
  const command = commands.get(req.node);
  if (!command) throw new StanzaError('item-not-found', 'No such command');
  // §4.6 / XEP-0133 §5: no rights, no command (checked on every stage, not only the first).
  if (!command.allowed(requester.bare(), domain)) throw new StanzaError('forbidden', 'You may not run this command');

  if (req.sessionid === undefined) {
    if (req.action !== 'execute' && req.action !== 'complete' && req.action !== 'next') throw commandError('bad-request', 'bad-action', `Cannot ${req.action} a command that has not started`);
    const s = sessions.open(req.node, requester.toString());
    if (!s) throw new StanzaError('resource-constraint', 'Too many open command sessions', 'wait');
    return step(command, sessions, s, cmdEl, requester, domain, 'execute');
  }

  const s = sessions.get(req.sessionid);
  if (s === 'expired') throw commandError('not-allowed', 'session-expired', 'This command session has ended');
  if (!s || s.requester !== requester.toString() || s.node !== req.node) throw commandError('bad-request', 'bad-sessionid', 'Unknown sessionid');
  if (req.action === 'cancel') {
    // §3.3: the responder frees the session and reports it canceled.
    sessions.end(s.id);
    return commandElement(s.node, s.id, 'canceled');
  }
  const stage = s.responses.length - 1;
  const last = s.responses[stage];
  const action = req.action === 'execute' ? resolveExecute(last, stage) : req.action;
  if (!offeredActions(last, stage).allowed.includes(action)) throw commandError('bad-request', 'bad-action', `${action} is not offered at this stage`);
  if (action === 'prev') {
    s.responses.pop();
    return commandElement(s.node, s.id, 'executing', s.responses[stage - 1], stage - 1);
  }
  return step(command, sessions, s, cmdEl, requester, domain, action);
}

async function step(command: AdhocCommand, sessions: CommandSessions, s: NonNullable<ReturnType<CommandSessions['open']>>, cmdEl: Element, requester: Jid, domain: string, action: 'execute' | 'next' | 'complete'): Promise<Element> {
  const stage = s.responses.length;
  let result;
  try {
    result = await command.execute({ requester, domain, action, stage, command: cmdEl, state: s.state });
  } catch (e) {
    // A failed stage ends the session: its state may be half-applied.
    sessions.end(s.id);
    throw e;
  }
  if (result.status === 'completed') {
    sessions.end(s.id);
    return commandElement(s.node, s.id, 'completed', result);
  }
  s.responses.push(result);
  return commandElement(s.node, s.id, 'executing', result, stage);
}
