// Parsing a participant-list request (gc3-participants.md §1 Filters, §5 bad input): the filter
// element, the XEP-0059 <set/> with Parley's rules on top of it, and the opaque cursor.
import { createHash } from 'node:crypto';
import { parseRsm, type RsmRequest } from '../../rsm/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Element } from '../../xml/element.ts';
import { PARTICIPANT_STATES, type ParticipantState } from './participants-order.ts';
import { AFFILIATIONS, ROLES, type Affiliation, type Role } from './types.ts';

export const NS_PARTICIPANTS = 'urn:xmpp:muc:participants:0';
export const DEFAULT_MAX = 50;
export const MAX_LIMIT = 250;

export interface ParticipantFilter {
  affiliation?: Affiliation[];
  role?: Role[];
  state?: ParticipantState[];
}

function values<T extends string>(raw: string | undefined, allowed: readonly T[], attr: string): T[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(/\s+/).filter((p) => p !== '');
  if (parts.length === 0) throw new StanzaError('bad-request', `The filter attribute ${attr} is empty`);
  for (const p of parts) if (!(allowed as readonly string[]).includes(p)) throw new StanzaError('bad-request', `Unknown ${attr} ${p}`);
  return [...new Set(parts as T[])].sort();
}

/** §1 Filters: OR inside an attribute, AND across; unknown attributes or values are bad-request. */
export function parseFilter(payload: Element): ParticipantFilter {
  const filters = payload.getChildren('filter', NS_PARTICIPANTS);
  if (filters.length > 1) throw new StanzaError('bad-request', 'At most one filter');
  const f = filters[0];
  if (!f) return {};
  for (const a of Object.keys(f.attrs)) {
    if (a !== 'affiliation' && a !== 'role' && a !== 'state' && a !== 'xmlns' && !a.startsWith('xmlns:')) throw new StanzaError('bad-request', `Unknown filter attribute ${a}`);
  }
  return {
    affiliation: values(f.attrs.affiliation, AFFILIATIONS, 'affiliation'),
    role: values(f.attrs.role, ROLES, 'role'),
    state: values(f.attrs.state, PARTICIPANT_STATES, 'state'),
  };
}

export interface PagingRequest {
  rsm: RsmRequest | undefined;
  /** Items wanted (0: count only), after the default and the clamp. */
  max: number;
}

/** XEP-0059 with §5's rules: after+before and index+either are bad-request, an index jump is not offered. */
export function parsePaging(payload: Element): PagingRequest {
  const rsm = parseRsm(payload);
  if (rsm?.after !== undefined && rsm.before !== undefined) throw new StanzaError('bad-request', 'RSM after and before together');
  if (rsm?.index !== undefined) {
    if (rsm.after !== undefined || rsm.before !== undefined) throw new StanzaError('bad-request', 'RSM index cannot be combined with after or before');
    throw new StanzaError('feature-not-implemented', 'Page with after/before cursors; index jumps are not offered');
  }
  return { rsm, max: Math.min(rsm?.max ?? DEFAULT_MAX, MAX_LIMIT) };
}

/** Position of a walk: the room index it came from, the list version when it began, and the last entry's (rank, seq). */
export interface Cursor {
  epoch: string;
  ver0: number;
  rank: number;
  seq: number;
}

/** Binds a cursor to one room and one effective filter, so it cannot be replayed elsewhere. */
export function filterTag(room: string, filter: ParticipantFilter, occupantsOnly: boolean): string {
  const canon = `${room}|${filter.affiliation?.join(' ') ?? '*'}|${filter.role?.join(' ') ?? '*'}|${filter.state?.join(' ') ?? '*'}|${occupantsOnly ? 'o' : 'a'}`;
  return createHash('sha256').update(canon).digest('base64url').slice(0, 8);
}

export function encodeCursor(c: Cursor, tag: string): string {
  return Buffer.from(`${c.epoch}.${c.ver0}.${c.rank}.${c.seq}.${tag}`).toString('base64url');
}

/** §5: a malformed, foreign-room or other-filter cursor is item-not-found. */
export function decodeCursor(text: string, epoch: string, tag: string): Cursor {
  const bad = () => new StanzaError('item-not-found', 'Unknown cursor; start the walk again');
  if (!/^[A-Za-z0-9_-]{1,120}$/.test(text)) throw bad();
  const parts = Buffer.from(text, 'base64url').toString('utf8').split('.');
  if (parts.length !== 5 || parts[0] !== epoch || parts[4] !== tag) throw bad();
  const [ver0, rank, seq] = parts.slice(1, 4).map((p) => (/^\d{1,15}$/.test(p) ? Number(p) : NaN));
  if (!Number.isSafeInteger(ver0) || !Number.isInteger(rank) || rank > 4 || !Number.isSafeInteger(seq)) throw bad();
  return { epoch, ver0, rank, seq };
}
