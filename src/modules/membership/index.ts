// XEP-0345 Form of Membership Applications (v1.1.0) as XEP-0050 ad-hoc commands at the server's
// JID: local accounts apply (and edit or withdraw), everyone local lists and exports the public
// view, secretaries and board read the private fields, secretaries set the status. Decisions:
// docs/membership.md (FORM_TYPE urn:parley:membership-application:0; 0345 defines none).
// Config: [modules.membership] enabled, secretaries, board, key_file.
// Commands (node urn:parley:membership#...): apply, withdraw, list, review, set-status, export.
// Storage: membership (public part, versions, sealed private part; deleted with the account).
// Services used: adhoc.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { tryParseJid, type Jid } from '../../jid/index.ts';
import { xml } from '../../xml/element.ts';
import { Applications } from './applications.ts';
import { PrivateBox } from './private-box.ts';
import { apply, exportApplications, list, review, setStatus, withdraw, type CommandDeps } from './commands.ts';

const options = z.object({
  enabled: z.boolean().default(false).describe('Offer the membership application commands (XEP-0345) to local accounts'),
  secretaries: z.array(z.string()).default([]).describe('Bare JIDs of the secretaries: they read private fields (legal names, notes), set statuses and export for a vote'),
  board: z.array(z.string()).default([]).describe('Bare JIDs of board members: they read private fields too (XEP-0345 v1.1.0), nothing else'),
  key_file: z.string().optional().describe('File with the base64 256-bit key sealing private fields at rest (default: <data_dir>/membership.key, created on first start)'),
}).strict();

const bareSet = (list: string[], log: { warn(o: object, m: string): void }) => {
  const out = new Set<string>();
  for (const s of list) {
    const j = tryParseJid(s);
    if (!j?.local || j.resource) log.warn({ jid: s }, 'ignoring a membership role entry that is not a bare JID');
    else out.add(j.toString());
  }
  return out;
};

export default defineModule({
  name: 'membership',
  description: 'XEP-0345 membership applications as ad-hoc commands, private fields for the secretary',
  dependencies: ['adhoc'],
  options,
  start(ctx) {
    const o = ctx.options;
    if (!o.enabled) return;
    const adhoc = ctx.services.get('adhoc');
    if (!adhoc) throw new Error('membership needs the adhoc service');
    const secretaries = bareSet(o.secretaries, ctx.log);
    const readers = new Set([...secretaries, ...bareSet(o.board, ctx.log)]);
    const box = PrivateBox.open(o.key_file ? resolve(o.key_file) : join(ctx.config.data_dir, 'membership.key'));
    const deps: CommandDeps = {
      apps: new Applications(ctx.storage.membership, box, ctx.log),
      isLocalDomain: (d) => ctx.domains.includes(d),
      isSecretary: (j: Jid) => secretaries.has(j.bare().toString()),
      isPrivateReader: (j: Jid) => readers.has(j.bare().toString()),
      secretaries: [...secretaries],
      async notify(domain, to, text) {
        for (const jid of to) await ctx.router.route(xml('message', { type: 'normal', from: domain, to: jid }, xml('body', {}, text)));
      },
    };
    const stops = [apply(deps), withdraw(deps), list(deps), review(deps), setStatus(deps), exportApplications(deps)].map((c) => adhoc.register(c));
    return () => {
      for (const s of stops) s();
    };
  },
});
