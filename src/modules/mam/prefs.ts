// Archiving preferences (XEP-0441, in the urn:xmpp:mam:2 namespace): a default of always, never
// or roster, with lists of JIDs always or never archived. Parsing, building and the decision.
import { tryParseJid, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export type DefaultPref = 'always' | 'never' | 'roster';

export interface MamPrefs {
  default: DefaultPref;
  /** Normalized JIDs, in the order the client gave them. */
  always: string[];
  never: string[];
}

const DEFAULTS: readonly string[] = ['always', 'never', 'roster'];

function jidList(prefs: Element, name: 'always' | 'never', max: number): string[] {
  const list = prefs.getChild(name, NS.mam);
  if (!list) return [];
  const out: string[] = [];
  for (const j of list.getChildren('jid', NS.mam)) {
    const parsed = tryParseJid(j.getText().trim());
    if (!parsed) throw new StanzaError('jid-malformed', `Invalid JID in <${name}/>`);
    const s = parsed.toString();
    if (!out.includes(s)) out.push(s);
  }
  if (out.length > max) throw new StanzaError('policy-violation', `At most ${max} JIDs in <${name}/>`);
  return out;
}

export function parsePrefs(prefs: Element, maxJids: number): MamPrefs {
  const def = prefs.attrs.default;
  if (def === undefined || !DEFAULTS.includes(def)) throw new StanzaError('bad-request', "<prefs/> needs default='always', 'never' or 'roster'");
  const always = jidList(prefs, 'always', maxJids);
  // A JID in both lists is contradictory; never wins, since not archiving is the safe reading.
  const never = jidList(prefs, 'never', maxJids);
  return { default: def as DefaultPref, always: always.filter((j) => !never.includes(j)), never };
}

export function buildPrefs(p: MamPrefs): Element {
  const list = (name: string, jids: string[]) => xml(name, {}, ...jids.map((j) => xml('jid', {}, j)));
  return xml('prefs', { xmlns: NS.mam, default: p.default }, list('always', p.always), list('never', p.never));
}

/** A listed bare JID covers every resource of it; a listed full JID only itself. */
function listed(list: string[], remote: Jid): boolean {
  return list.includes(remote.bare().toString()) || (!remote.isBare && list.includes(remote.toString()));
}

/** Whether a message with `remote` is archived under `p`; `inRoster` is asked only for default='roster'. */
export async function allowedByPrefs(p: MamPrefs, remote: Jid, inRoster: () => Promise<boolean>): Promise<boolean> {
  if (listed(p.never, remote)) return false;
  if (listed(p.always, remote)) return true;
  if (p.default === 'always') return true;
  if (p.default === 'never') return false;
  return inRoster();
}
