// Store interfaces. Every driver (SQLite now, PostgreSQL later) implements these and passes
// the same contract tests. Writes resolve only after they are durable.
import type { ScramCredentials, ScramHash } from '../sasl/index.ts';

export interface Account {
  username: string;
  domain: string;
  /** Salted SCRAM keys per hash; the password itself is never stored. */
  credentials: Partial<Record<ScramHash, ScramCredentials>>;
  createdAt: number;
}

export interface AccountStore {
  create(account: Account): Promise<boolean>; // false when it already exists
  get(username: string, domain: string): Promise<Account | null>;
  setCredentials(username: string, domain: string, credentials: Account['credentials']): Promise<boolean>;
  delete(username: string, domain: string): Promise<boolean>;
  /** Ordered by username; `after` is an exclusive cursor for paging. */
  list(domain: string, opts?: { after?: string; limit?: number; search?: string }): Promise<string[]>;
  count(domain?: string): Promise<number>;
}

/** Generic per-user key/value documents for small modules (private XML, prefs...). */
export interface KeyValueStore {
  get(username: string, domain: string, store: string, key: string): Promise<string | null>;
  set(username: string, domain: string, store: string, key: string, value: string | null): Promise<void>;
  keys(username: string, domain: string, store: string): Promise<string[]>;
  /** Remove everything a user has in every store (account deletion). */
  deleteUser(username: string, domain: string): Promise<void>;
}

/** A message kept for later delivery (XEP-0160); `id` increases in arrival order. */
export interface OfflineMessage {
  id: number;
  /** The serialized stanza, with its XEP-0203 delay already added. */
  stanza: string;
  storedAt: number;
}

export interface OfflineQuota {
  maxMessages: number;
  /** Total serialized size of the stored stanzas, in bytes. */
  maxBytes: number;
}

/** Offline messages per account, oldest first. */
export interface OfflineStore {
  /** Store one message unless that would exceed the quota; false when the quota is full. */
  append(username: string, domain: string, stanza: string, storedAt: number, quota: OfflineQuota): Promise<boolean>;
  /** Oldest first. */
  list(username: string, domain: string, limit?: number): Promise<OfflineMessage[]>;
  delete(username: string, domain: string, ids: number[]): Promise<void>;
  count(username: string, domain: string): Promise<number>;
}

/** XEP-0191 blocklists: normalized JID strings in the order they were blocked. */
export interface BlocklistStore {
  list(username: string, domain: string): Promise<string[]>;
  /** Returns the JIDs that were not blocked before. */
  add(username: string, domain: string, jids: string[]): Promise<string[]>;
  /** Returns the JIDs that were blocked and are now removed. */
  remove(username: string, domain: string, jids: string[]): Promise<string[]>;
  /** Removes every entry; returns what was there. */
  clear(username: string, domain: string): Promise<string[]>;
}

export interface StoredVcard {
  /** The serialized <vCard xmlns='vcard-temp'/> element. */
  vcard: string;
  /** XEP-0153: hex SHA-1 of the PHOTO's binary data, or null when the vCard has no photo. */
  photoHash: string | null;
  updatedAt: number;
}

/** XEP-0054 vCard-temp, one per account. */
export interface VcardStore {
  get(username: string, domain: string): Promise<StoredVcard | null>;
  /** The photo hash alone: undefined when the account has no vCard at all. */
  photoHash(username: string, domain: string): Promise<string | null | undefined>;
  /** null deletes. */
  set(username: string, domain: string, vcard: StoredVcard | null): Promise<void>;
}

/**
 * The address an archive belongs to (XEP-0313 §3.3): a user's bare JID, or a room's, split like
 * accounts. A user's archive goes with the account (deleteUser); a room's is dropped with
 * ArchiveStore.deleteArchive.
 */
export interface ArchiveOwner {
  username: string;
  domain: string;
}

export interface ArchiveEntry {
  owner: ArchiveOwner;
  /**
   * The other party, a normalized JID string (full or bare): for a user archive the remote JID
   * the message was to (outgoing) or from (incoming); for a room archive the sender.
   */
  with: string;
  /** The serialized stanza as archived. */
  stanza: string;
  /** Seen from the owner: 'out' for messages the owner sent, 'in' for messages it received. */
  direction: 'in' | 'out';
}

/** An archived message. */
export interface ArchivedMessage {
  /**
   * Archive UID (XEP-0313 §6.2, XEP-0359 stanza-id): unique, never reused, unguessable, and
   * ordered like the archive. Opaque to everyone but the store.
   */
  id: string;
  /** When it was archived (ms since epoch); ordering is by id, never by this alone (§3.1). */
  timestamp: number;
  with: string;
  direction: 'in' | 'out';
  stanza: string;
}

/** One page of an archive. Bounds are combined (all must hold); a result set is in archive order. */
export interface ArchiveQuery {
  /** A bare JID matches every resource of it; a full JID matches only itself (XEP-0313 §4.1.1). */
  with?: string;
  /** Inclusive time bounds, ms since epoch (XEP-0313 §4.1.2). */
  start?: number;
  end?: number;
  /** Exclusive id bounds that narrow the result set (XEP-0313 #extended after-id / before-id). */
  afterId?: string;
  beforeId?: string;
  /** Only these messages (XEP-0313 #extended 'ids'). */
  ids?: string[];
  /** Exclusive page cursors inside the result set (XEP-0059 <after/>, <before/>). */
  pageAfter?: string;
  pageBefore?: string;
  /** Page from the newest end backwards (XEP-0059 <before/>, also when empty); items still come oldest first. */
  backwards?: boolean;
  /** Most items on the page; 0 returns none (count only). */
  limit: number;
  /**
   * Also count the result set and the page's position in it (XEP-0059 <count/>, <first index/>),
   * but only when the result set holds at most this many messages: counting walks the index, so
   * larger sets get no count (XEP-0059 §2.2 and §2.7 allow omitting it). 0 or absent: never count.
   */
  countLimit?: number;
}

export interface ArchivePage {
  /** Oldest first. */
  items: ArchivedMessage[];
  /** True when no matching item lies beyond the page in the direction of the query. */
  complete: boolean;
  /** Size of the result set, when it was counted (see countLimit). */
  count?: number;
  /** Index in the result set of items[0], when counted. */
  firstIndex?: number;
  /** Ids named by the query (bounds, cursors, ids) that are not in this archive: the caller answers item-not-found. */
  unknownIds: string[];
}

/** Message archives (XEP-0313), keyed by owner so users and rooms can each have one. */
export interface ArchiveStore {
  /** Archive messages in order, in one transaction; returns each one's id and timestamp. */
  append(entries: ArchiveEntry[]): Promise<Array<{ id: string; timestamp: number }>>;
  query(owner: ArchiveOwner, q: ArchiveQuery): Promise<ArchivePage>;
  /** Oldest and newest message (XEP-0313 §5 metadata); null for an empty archive. */
  bounds(owner: ArchiveOwner): Promise<{ first: { id: string; timestamp: number }; last: { id: string; timestamp: number } } | null>;
  /** Retention: delete at most `limit` messages archived before `cutoff` (ms), oldest first, in every archive; returns how many. */
  deleteBefore(cutoff: number, limit: number): Promise<number>;
  /** Drop a whole archive (a destroyed room); returns how many messages it held. */
  deleteArchive(owner: ArchiveOwner): Promise<number>;
}

/** A PEP node's configuration: XEP-0060 node_config field values by var ('pubsub#access_model'...). */
export type PepNodeConfig = Record<string, string | string[]>;

export interface PepNode {
  node: string;
  config: PepNodeConfig;
  createdAt: number;
}

export interface PepItem {
  id: string;
  /** The serialized payload element (exactly one, XEP-0060 §7.1.3.5). */
  payload: string;
  /** Full JID of the publishing resource. */
  publisher: string;
  publishedAt: number;
}

export interface PepAffiliation {
  /** Bare JID. */
  jid: string;
  affiliation: string;
}

/** XEP-0163 personal eventing: each account's nodes, items in publish order, affiliations. */
export interface PepStore {
  getNode(username: string, domain: string, node: string): Promise<PepNode | null>;
  /** Ordered by node name. */
  listNodes(username: string, domain: string): Promise<PepNode[]>;
  countNodes(username: string, domain: string): Promise<number>;
  /** false when the node already exists. */
  createNode(username: string, domain: string, node: string, config: PepNodeConfig): Promise<boolean>;
  setConfig(username: string, domain: string, node: string, config: PepNodeConfig): Promise<boolean>;
  /** Deletes the node with its items and affiliations; false when there was none. */
  deleteNode(username: string, domain: string, node: string): Promise<boolean>;
  /** Store the item as the newest (replacing one with the same id) and keep the newest maxItems, in one transaction; returns the ids dropped. */
  publish(username: string, domain: string, node: string, item: PepItem, maxItems: number): Promise<string[]>;
  /** Keep only the newest maxItems; returns the ids dropped. */
  trim(username: string, domain: string, node: string, maxItems: number): Promise<string[]>;
  /** In publish order, oldest first: all, the newest `last`, or those of `ids` that exist. */
  items(username: string, domain: string, node: string, opts?: { ids?: string[]; last?: number }): Promise<PepItem[]>;
  retract(username: string, domain: string, node: string, id: string): Promise<boolean>;
  purge(username: string, domain: string, node: string): Promise<void>;
  /** Ordered by JID. */
  affiliations(username: string, domain: string, node: string): Promise<PepAffiliation[]>;
  /** null removes the affiliation. */
  setAffiliation(username: string, domain: string, node: string, jid: string, affiliation: string | null): Promise<void>;
}

/** Verified XEP-0115 verification strings, shared by all accounts, bounded (least recently used go first). */
export interface CapsStore {
  /** The disco#info features behind a verified (hash, ver), or null. */
  get(hash: string, ver: string): Promise<string[] | null>;
  put(hash: string, ver: string, features: string[], maxEntries: number): Promise<void>;
}

/** A contact in a user's roster (RFC 6121 §2.1.2); `jid` is the contact's JID as stored. */
export interface RosterEntry {
  jid: string;
  name?: string;
  subscription: 'none' | 'to' | 'from' | 'both';
  /** Outbound subscription request pending (ask='subscribe'). */
  ask: boolean;
  /** Inbound subscription pre-approved (RFC 6121 §3.4). */
  approved: boolean;
  groups: string[];
}

/** A pending inbound subscription request (RFC 6121 §3.1.3): who asked, and the stanza as received. */
export interface PendingSubscription {
  jid: string;
  stanza: string;
}

/** One atomic change to one contact: undefined leaves a part as it is, null removes it. */
export interface RosterChange {
  item?: RosterEntry | null;
  pendingIn?: string | null;
}

/** Rosters (RFC 6121 §2), their versions (§2.6) and pending inbound subscription requests (§3.1.3). */
export interface RosterStore {
  /** The user's items in the order they were added (updates keep an item's place). */
  items(username: string, domain: string): Promise<RosterEntry[]>;
  get(username: string, domain: string, jid: string): Promise<RosterEntry | null>;
  count(username: string, domain: string): Promise<number>;
  /** The roster version: a per-user counter that every item change increases; 0 for an empty history. */
  version(username: string, domain: string): Promise<number>;
  /** Apply a change in one transaction; resolves with the roster version after it. */
  update(username: string, domain: string, jid: string, change: RosterChange): Promise<number>;
  /** Pending inbound subscription requests, oldest first. */
  pending(username: string, domain: string): Promise<PendingSubscription[]>;
  pendingFrom(username: string, domain: string, jid: string): Promise<string | null>;
}

/** XEP-0077: usernames of cancelled accounts, held back from re-registration until a date (ms). */
export interface RegistrationStore {
  quarantine(username: string, domain: string, until: number): Promise<void>;
  /** The end of the quarantine, or null when the name is free (expired entries count as free). */
  quarantinedUntil(username: string, domain: string, now?: number): Promise<number | null>;
  release(username: string, domain: string): Promise<void>;
  /** Drop expired entries; returns how many. */
  expire(now?: number): Promise<number>;
}

/** A persistent MUC room as stored (XEP-0045 §10.1.3 "persistent"); config/subject are the module's own JSON. */
export interface StoredRoom {
  /** The room's bare JID. */
  jid: string;
  /** The MUC service domain it lives on. */
  service: string;
  /** Creation order on its service (stable room-list order). */
  createdSeq: number;
  config: string;
  subject: string | null;
  /** The room's XEP-0421 occupant-id secret (base64). */
  secret: string;
  /** Next per-room entry sequence number (never reused). */
  nextSeq: number;
}

/** One affiliation of a stored room (XEP-0045 §5.2), with its reserved nickname and its place in the room's order. */
export interface StoredAffiliation {
  /** Bare JID (or a domain, for a ban). */
  jid: string;
  affiliation: string;
  nick: string | null;
  seq: number;
}

/** Multi-user chat rooms (XEP-0045): persistent rooms with their affiliations, and XEP-0425 tombstones. */
export interface MucStore {
  /** The service's persistent rooms in creation order, each with its affiliations in seq order. */
  rooms(service: string): Promise<Array<StoredRoom & { affiliations: StoredAffiliation[] }>>;
  /** Highest createdSeq ever given on the service (0 when none), so new rooms continue the order. */
  maxCreatedSeq(service: string): Promise<number>;
  /** Insert or replace the room row and all its affiliations, in one transaction. */
  saveRoom(room: StoredRoom, affiliations: StoredAffiliation[]): Promise<void>;
  /** Update config, subject or nextSeq of a stored room (no-op when it is not stored). */
  updateRoom(jid: string, fields: { config?: string; subject?: string | null; nextSeq?: number }): Promise<void>;
  /** Apply affiliation changes (affiliation null removes the row) and the room's nextSeq, in one transaction. */
  setAffiliations(room: string, changes: Array<{ jid: string; affiliation: string | null; nick: string | null; seq: number }>, nextSeq: number): Promise<void>;
  /** Delete the room, its affiliations and its tombstones. */
  deleteRoom(jid: string): Promise<void>;
  /** XEP-0425: the tombstone that replaces archived message `id` of the room. */
  putTombstone(room: string, id: string, stanza: string): Promise<void>;
  /** Tombstones of the given archive ids (only those that exist). */
  tombstones(room: string, ids: string[]): Promise<Map<string, string>>;
  deleteTombstones(room: string): Promise<void>;
}

export interface Storage {
  accounts: AccountStore;
  kv: KeyValueStore;
  offline: OfflineStore;
  blocklist: BlocklistStore;
  vcard: VcardStore;
  archive: ArchiveStore;
  pep: PepStore;
  caps: CapsStore;
  roster: RosterStore;
  registrations: RegistrationStore;
  muc: MucStore;
  /** Delete an account and everything every store holds for it, in one transaction. */
  deleteUser(username: string, domain: string): Promise<boolean>;
  close(): Promise<void>;
}
