// XEP-0050 Ad-Hoc Commands (v1.3.0) at the server's JID: other modules register commands through
// the 'adhoc' service; this module lists them (disco#items node http://jabber.org/protocol/commands,
// filtered by who asks), describes them (disco#info on a command node) and runs them in sessions.
// Config: [modules.adhoc] session_timeout, max_sessions_per_requester.
// Features: http://jabber.org/protocol/commands (host).
// Hooks: 'iq/host' (disco on the commands nodes; command execution, answered here so that error
// replies never echo submitted forms, which may hold passwords).
// Service: adhoc (register a command; isAdmin from the top-level `admins` list).
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { tryParseJid, type Jid } from '../../jid/index.ts';
import type { Routed } from '../../hooks/events.ts';
import type { AdhocCommand } from '../../core/services.ts';
import { CommandSessions } from './sessions.ts';
import { runCommand } from './executor.ts';

export default defineModule({
  name: 'adhoc',
  description: 'XEP-0050 ad-hoc commands at the server JID',
  options: z.object({
    session_timeout: z.number().int().min(10).default(600).describe('Seconds an unfinished command session is kept'),
    max_sessions_per_requester: z.number().int().min(1).default(10).describe('Open command sessions one full JID may hold'),
  }).strict(),
  start(ctx) {
    const commands = new Map<string, AdhocCommand>();
    const sessions = new CommandSessions(ctx.options.session_timeout * 1000, ctx.options.max_sessions_per_requester);
    const admins = new Set(ctx.config.admins.map((a) => tryParseJid(a)?.bare().toString()).filter((a): a is string => a !== undefined));
    for (const a of ctx.config.admins) if (!tryParseJid(a)) ctx.log.warn({ admin: a }, 'ignoring admins entry that is not a JID');

    ctx.services.provide('adhoc', {
      register(command) {
        if (commands.has(command.node)) throw new Error(`ad-hoc command ${command.node} is already registered`);
        commands.set(command.node, command);
        return () => commands.delete(command.node);
      },
      isAdmin: (jid: Jid) => admins.has(jid.bare().toString()),
    });
    ctx.disco.addFeature(NS.commands);

    const visible = (who: Jid, domain: string) => [...commands.values()].filter((c) => c.allowed(who.bare(), domain));

    const answer = async (r: Routed, payload: Element | StanzaError) => {
      const base = { id: r.stanza.attrs.id, from: r.to.toString(), to: r.from.toString() };
      const reply = payload instanceof StanzaError
        ? xml('iq', { ...base, type: 'error' }, payload.toElement())
        : xml('iq', { ...base, type: 'result' }, payload);
      await ctx.router.route(reply);
    };

    /** XEP-0050 §2.2: the command list and each command's identity, per requester. */
    const disco = (r: Routed, q: Element): Element | StanzaError | null => {
      const node = q.attrs.node;
      if (node === undefined) return null;
      const domain = r.to.domain;
      if (q.is('query', NS.discoItems) && node === NS.commands) {
        const items = visible(r.from, domain).map((c) => xml('item', { jid: domain, node: c.node, name: c.name }));
        return xml('query', { xmlns: NS.discoItems, node }, items);
      }
      if (q.is('query', NS.discoInfo) && node === NS.commands) {
        return xml('query', { xmlns: NS.discoInfo, node }, xml('identity', { category: 'automation', type: 'command-list', name: 'Commands' }));
      }
      const command = commands.get(node);
      if (!command || !q.is('query', NS.discoInfo)) return null;
      // §2.3: "If the command is not available to the requester, the responder SHOULD respond with a 403".
      if (!command.allowed(r.from.bare(), domain)) return new StanzaError('forbidden');
      return xml('query', { xmlns: NS.discoInfo, node },
        xml('identity', { category: 'automation', type: 'command-node', name: command.name }),
        xml('feature', { var: NS.commands }),
        xml('feature', { var: NS.dataForms }));
    };

    const unhook = ctx.hooks.on('iq/host', async (r) => {
      const type = r.stanza.attrs.type;
      const q = r.stanza.getChildElements().find((c) => c.name !== 'error');
      if (!q) return false;
      if (type === 'get' && (q.is('query', NS.discoInfo) || q.is('query', NS.discoItems))) {
        const out = disco(r, q);
        if (!out) return false;
        await answer(r, out);
        return true;
      }
      if (!q.is('command', NS.commands)) return false;
      if (type !== 'set') {
        await answer(r, new StanzaError('bad-request', 'Commands are executed with iq type set'));
        return true;
      }
      try {
        await answer(r, await runCommand(commands, sessions, q, r.from, r.to.domain));
      } catch (e) {
        if (!(e instanceof StanzaError)) ctx.log.error({ err: e, node: q.attrs.node }, 'ad-hoc command failed');
        await answer(r, e instanceof StanzaError ? e : new StanzaError('internal-server-error'));
      }
      return true;
    }, 10);

    const sweep = setInterval(() => sessions.sweep(), 60_000);
    sweep.unref();
    return () => {
      clearInterval(sweep);
      unhook();
      ctx.disco.removeFeature(NS.commands);
    };
  },
});
