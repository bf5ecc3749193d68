// Parsing New MUC requests into plain values, or the StanzaError new-muc.md §5 gives for bad input.
// Pure functions: no room state.
import { StanzaError } from '../../../stanza/errors.ts';
import type { Element } from '../../../xml/element.ts';
import { NS_MUC } from '../xep0045.ts';
import { NS_MUC2, PRESENCE_LEVELS, type PresenceLevel, type Visibility } from './ns.ts';

export interface Muc2Request {
  /** The nickname asked for; null when none was given (the reserved nick is used, new-muc.md §3). */
  nick: string | null;
  level: PresenceLevel;
  visibility: Visibility;
}

/** The <muc2/> inside a join's muc <x/> (new-muc.md §3: the XEP's example is read as muc2 holding the three children). */
export function muc2Element(presence: Element): Element | undefined {
  return presence.getChild('x', NS_MUC)?.getChild('muc2', NS_MUC2);
}

/** new-muc.md §5: two nickname elements or an empty one → jid-malformed. The text is validated as a nick later. */
export function nicknameOf(parent: Element): string | null {
  const nicks = parent.getChildren('nickname', NS_MUC2);
  if (nicks.length === 0) return null;
  if (nicks.length > 1) throw new StanzaError('jid-malformed', 'Give one nickname');
  const text = nicks[0].getText();
  if (text.trim() === '') throw new StanzaError('jid-malformed', 'The nickname is empty');
  return text;
}

export function parseLevel(el: Element | undefined): PresenceLevel {
  if (!el) return 'full';
  const v = el.attrs.level;
  if (v === undefined) return 'full';
  if (!(PRESENCE_LEVELS as readonly string[]).includes(v)) throw new StanzaError('bad-request', `Unknown presence level '${v}' (full, join or none)`);
  return v as PresenceLevel;
}

export function parseVisibility(el: Element | undefined): Visibility {
  if (!el) return 'room';
  const v = el.attrs.type;
  if (v === 'anonymous' || v === 'non-anonymous') return v;
  throw new StanzaError('bad-request', `Unknown visibility '${v ?? ''}' (anonymous or non-anonymous)`);
}

/** A presence join's <muc2/>: nickname, presence level, visibility. */
export function parseMuc2Join(muc2: Element): Muc2Request {
  const children = (name: string) => muc2.getChildren(name, NS_MUC2);
  if (children('presence').length > 1 || children('visibility').length > 1) throw new StanzaError('bad-request', 'Give presence and visibility at most once');
  return { nick: nicknameOf(muc2), level: parseLevel(children('presence')[0]), visibility: parseVisibility(children('visibility')[0]) };
}

/** A bare-JID join IQ's <join/> (sent to the room): nickname, optional visibility. */
export function parseJoinIq(join: Element): Muc2Request {
  if (join.attrs.room !== undefined) throw new StanzaError('bad-request', "A join sent to a room carries no 'room' attribute");
  const vis = join.getChildren('visibility', NS_MUC2);
  if (vis.length > 1) throw new StanzaError('bad-request', 'Give visibility at most once');
  return { nick: nicknameOf(join), level: 'none', visibility: parseVisibility(vis[0]) };
}
