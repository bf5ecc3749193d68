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
  /** Whether the account exists, without reading its credentials (hot: checked per archived message). */
  exists(username: string, domain: string): Promise<boolean>;
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
  /**
   * When it was originally archived (ms since epoch), for imports: the message is placed at that
   * time rather than now (a later time is taken as now). Live messages leave it out.
   */
  timestamp?: number;
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
  /** Leave out messages of type 'groupchat' (XEP-0313 'include-groupchat' false). */
  excludeGroupchat?: boolean;
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
  /**
   * Archive messages in order, in one transaction; returns each one's id and timestamp once the
   * messages are on disk, or with waitForDisk false once they are committed (visible to queries),
   * leaving durability to a later Storage.durable() (used where the only acknowledgement is an SM
   * <a/>, which waits for it).
   */
  append(entries: ArchiveEntry[], opts?: { waitForDisk?: boolean }): Promise<Array<{ id: string; timestamp: number }>>;
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
  /** Drop expired entries (quarantines and invitations); returns how many. */
  expire(now?: number): Promise<number>;
  /** An invitation to register in-band on `domain` (invite-only registration): `uses` registrations until `expires` (ms). */
  createInvite(invite: { token: string; domain: string; uses: number; expires: number; createdBy: string }): Promise<void>;
  /** Use the invitation once if it is valid at `now`; false when unknown, used up, expired or for another domain. */
  useInvite(token: string, domain: string, now: number): Promise<boolean>;
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
  /**
   * One page of a room's affiliations with one of `ranks` (owner 0, admin 1, member 2, outcast 4),
   * in (rank, seq) order, strictly after `after` or strictly before `before` (keyset on the
   * (room, rank, seq) index: the cost is the page, never the room). Always ascending.
   */
  affiliationPage(room: string, q: { ranks: number[]; after?: { rank: number; seq: number }; before?: { rank: number; seq: number }; limit: number }): Promise<StoredAffiliation[]>;
  /** Delete the stored room and its affiliations (tombstones stay until deleteTombstones: the archive may outlive the row). */
  deleteRoom(jid: string): Promise<void>;
  /** XEP-0425: the tombstone that replaces archived message `id` of the room. */
  putTombstone(room: string, id: string, stanza: string): Promise<void>;
  /** Tombstones of the given archive ids (only those that exist). */
  tombstones(room: string, ids: string[]): Promise<Map<string, string>>;
  deleteTombstones(room: string): Promise<void>;
}

/** Payment Required (proto-XEP urn:xmpp:payment:0) invoice life: open → pending → settled → consumed, or → expired | cancelled. */
export type InvoiceState = 'open' | 'pending' | 'settled' | 'consumed' | 'expired' | 'cancelled';

/** One invoice (payment session), bound server-side to (service, target, payer, price). Amounts are minor units as decimal strings. */
export interface StoredInvoice {
  /** Random UUIDv4: the proto-XEP session, also the bank reference. */
  session: string;
  /** get-invoice service: registration, muc-entry, file-upload. */
  service: string;
  /** What is bought: a room JID, an account JID (registration), a quota pack name. */
  target: string;
  /** Bare JID of the payer (for registration: the reserved account JID). */
  payer: string;
  /** Price per currency (ISO 4217 → minor units); options are offered in each (no FX). */
  prices: Record<string, string>;
  /** The offered options as the module's own JSON (URIs, labels, provider refs). */
  options: string;
  /** What settlement grants, as the module's own JSON (e.g. the SCRAM keys of a reserved account; never a password). */
  grant: string | null;
  state: InvoiceState;
  createdAt: number;
  expiresAt: number;
  settledAt: number | null;
  /** Payment-network reference of the settling event. */
  reference: string | null;
  /** Minor units reported paid so far, in `paidCurrency`. */
  paidMinor: string;
  /** Currency of the payments received (the first one decides), null before any. */
  paidCurrency: string | null;
}

/** A provider's report about a session; idempotent on (provider, ref, state). */
export interface PaymentEvent {
  session: string;
  provider: string;
  ref: string;
  state: 'pending' | 'settled';
  currency: string;
  amountMinor: string;
  at: number;
  /** Digest of the signed webhook request, for replay refusal (null for operator commands). */
  signature: string | null;
}

export type PaymentEventResult =
  /** The event moved the invoice forward (pending or settled). */
  | 'applied'
  /** Same (provider, ref, state) seen before: nothing changed. */
  | 'duplicate'
  /** The exact signed request was seen before: refused. */
  | 'replayed'
  /** Session unknown. */
  | 'unknown'
  /** Arrived after expiry, on a cancelled invoice, in the wrong currency, or paid twice: kept in the refund queue, no grant. */
  | 'refund'
  /** Less than the price (so far): recorded, the invoice stays as it was. */
  | 'insufficient';

/** A right bought by a consumed invoice: (holder, service, target) until a time. */
export interface PaymentGrant {
  holder: string;
  service: string;
  target: string;
  session: string;
  until: number;
  /** Service-specific amount (e.g. quota bytes), 0 when none. */
  units: number;
}

/** Invoices, provider events, the refund queue and grants of Payment Required (docs/payment.md). */
export interface PaymentStore {
  /** Store a new invoice; false when the session exists. */
  createInvoice(inv: StoredInvoice): Promise<boolean>;
  invoice(session: string): Promise<StoredInvoice | null>;
  /** The newest open or pending invoice for (payer, service, target) not yet expired at `now`. */
  openInvoice(payer: string, service: string, target: string, now: number): Promise<StoredInvoice | null>;
  /** How many open or pending, unexpired invoices the payer has. */
  countOpen(payer: string, now: number): Promise<number>;
  /** Invoices newest first, optionally in one state. */
  listInvoices(opts?: { state?: InvoiceState; limit?: number }): Promise<StoredInvoice[]>;
  /** Record a provider event in one transaction: moves state forward only, checks expiry/amount/currency. */
  recordEvent(e: PaymentEvent): Promise<{ result: PaymentEventResult; invoice: StoredInvoice | null }>;
  /** settled → consumed and (if given) the grant upserted, in one transaction; false if the invoice was not settled. */
  consume(session: string, grant: PaymentGrant | null): Promise<boolean>;
  /** open|pending → cancelled (e.g. its reservation became impossible). */
  cancel(session: string): Promise<boolean>;
  /** A grant valid at `now`. */
  grant(holder: string, service: string, target: string, now: number): Promise<PaymentGrant | null>;
  /** Sum of `units` of the holder's grants for a service valid at `now`. */
  grantUnits(holder: string, service: string, now: number): Promise<number>;
  /** Events that went to the refund queue, oldest first. */
  refunds(): Promise<PaymentEvent[]>;
  /** open invoices past expiresAt become expired (pending ones were detected in time and may still settle); consumed/expired ones older than `purgeBefore` are deleted. Returns how many changed. */
  expire(now: number, purgeBefore: number): Promise<number>;
}

/** XEP-0345 membership application states (docs/membership.md). */
export type MembershipStatus = 'submitted' | 'voting' | 'accepted' | 'rejected' | 'withdrawn';

/** One account's membership application: its public part (the module's JSON) and bookkeeping. */
export interface StoredApplication {
  username: string;
  domain: string;
  status: MembershipStatus;
  /** 1 for the first submission, +1 for every edit. */
  version: number;
  publicData: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * XEP-0345 membership applications, one per account. The private part (an unpublished legal
 * name, a note to the secretary) lives in its own table, as ciphertext the module encrypts.
 */
export interface MembershipStore {
  /** Create the account's application, or replace it as a new version (status becomes `status`); both parts in one transaction. */
  submit(username: string, domain: string, publicData: string, privateData: string | null, status: MembershipStatus, now: number): Promise<StoredApplication>;
  get(username: string, domain: string): Promise<StoredApplication | null>;
  privateData(username: string, domain: string): Promise<string | null>;
  /** A domain's applications, oldest first. */
  list(domain: string): Promise<StoredApplication[]>;
  /** Change the status only; false when there is no application. */
  setStatus(username: string, domain: string, status: MembershipStatus, now: number): Promise<boolean>;
  /** Earlier and current public versions, oldest first. */
  versions(username: string, domain: string): Promise<Array<{ version: number; publicData: string; createdAt: number }>>;
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
  files: FilesStore;
  payments: PaymentStore;
  membership: MembershipStore;
  /** Delete an account and everything every store holds for it, in one transaction. */
  deleteUser(username: string, domain: string): Promise<boolean>;
  /** Resolves when every write committed before the call is on disk (drivers whose commits are durable resolve at once). */
  durable?(): Promise<void>;
  close(): Promise<void>;
}

/** XEP-0363 slot life: pending (slot handed out) → uploading (one PUT) → ready | rejected (infected); ready → expired. */
export type SlotState = 'pending' | 'uploading' | 'ready' | 'rejected' | 'expired';

export interface UploadSlot {
  /** 128-bit random, base64url; also the file's name on disk. */
  id: string;
  username: string;
  domain: string;
  name: string;
  size: number;
  type: string;
  purpose: 'message' | 'profile' | 'ephemeral' | 'permanent';
  createdAt: number;
  /** The PUT must complete before this (ms). */
  putDeadline: number;
  /** Never served from this time on (ms); null: kept until deleted. */
  expiresAt: number | null;
  state: SlotState;
  sha256: string | null;
  verdict: 'clean' | 'unscanned' | 'infected' | 'released' | null;
  storedAt: number | null;
}

/** A remote file pulled by the server, stored once by content (sha-256 hex). */
export interface PulledBlob {
  sha256: string;
  size: number;
  type: string;
  state: 'clean' | 'unscanned' | 'quarantined' | 'released';
  signature: string | null;
  createdAt: number;
}

/** One local recipient's access to a pulled blob, through an unguessable token in the local URL. */
export interface PullGrant {
  token: string;
  username: string;
  domain: string;
  /** Bare JID of the remote sender. */
  sender: string;
  messageId: string | null;
  name: string;
  type: string;
  size: number;
  sha256: string;
  /** The remote URL, or its sha-256 when the policy does not keep remote URLs. */
  source: string;
  createdAt: number;
  expiresAt: number;
}

/** An infected upload or pull, kept away from clients until an admin releases it. */
export interface QuarantineEntry {
  id: number;
  kind: 'upload' | 'pull';
  /** Slot id (upload) or blob sha-256 (pull). */
  ref: string;
  username: string;
  domain: string;
  sender: string | null;
  messageId: string | null;
  name: string;
  type: string;
  size: number;
  signature: string;
  source: string | null;
  createdAt: number;
  releasedAt: number | null;
  releasedBy: string | null;
}

/** Who fetched which file when (every GET/HEAD of an upload or a pulled file). */
export interface FileAccessEntry {
  time: number;
  kind: 'upload' | 'pull';
  ref: string;
  /** Bare JID of the file's owner (uploader or recipient). */
  owner: string;
  ip: string;
  userAgent: string | null;
  range: string | null;
  bytes: number;
  status: number;
}

/** One pull attempt: what was fetched for whom, and the outcome. */
export interface PullLogEntry {
  time: number;
  sender: string;
  recipient: string;
  host: string;
  url: string | null;
  size: number | null;
  sha256: string | null;
  hash: 'verified' | 'unverified' | 'mismatch' | null;
  /** clean | unscanned | infected | failed | refused */
  verdict: string;
  signature: string | null;
  durationMs: number;
  error: string | null;
}

/** HTTP upload and file-pull metadata; lists come back in a stable order (creation time, then id). */
export interface FilesStore {
  createSlot(slot: UploadSlot): Promise<void>;
  getSlot(id: string): Promise<UploadSlot | null>;
  /** Atomic compare-and-set on the state (only from one of `from`); false when the slot was not in such a state. */
  transitionSlot(id: string, from: SlotState[], to: SlotState, fields?: Partial<Pick<UploadSlot, 'sha256' | 'verdict' | 'storedAt' | 'expiresAt'>>): Promise<boolean>;
  /** Bytes held by ready files (not expired) and reserved by open slots, and the earliest time some of it frees. */
  usage(username: string, domain: string, purposes: string[], now: number): Promise<{ bytes: number; nextRelease: number | null }>;
  /** Creation times of the user's slots after `since`, oldest first (rate limits). */
  slotTimesSince(username: string, domain: string, since: number): Promise<number[]>;
  oldestReady(username: string, domain: string, purposes: string[], limit: number): Promise<UploadSlot[]>;
  slotsOf(username: string, domain: string, purposes: string[]): Promise<UploadSlot[]>;
  /** Ready slots past expiry and open slots past their PUT deadline, oldest first. */
  dueSlots(now: number, limit: number): Promise<UploadSlot[]>;
  unscannedSlots(limit: number): Promise<UploadSlot[]>;
  /** Delete tombstones: expired rows whose file went before `before`, rejected rows created before it; returns how many. */
  purgeTombstones(before: number, limit: number): Promise<number>;
  /** Paths (relative to data_dir) of files whose rows are gone, taken off the queue. */
  takeTrash(limit: number): Promise<string[]>;
  putBlob(blob: PulledBlob): Promise<void>;
  getBlob(sha256: string): Promise<PulledBlob | null>;
  blobsInState(state: PulledBlob['state'], limit: number): Promise<PulledBlob[]>;
  /** Blobs no grant refers to any more (and not quarantined), created before the time given. */
  orphanBlobs(createdBefore: number, limit: number): Promise<PulledBlob[]>;
  deleteBlob(sha256: string): Promise<void>;
  createGrant(grant: PullGrant): Promise<void>;
  getGrant(token: string): Promise<PullGrant | null>;
  deleteExpiredGrants(now: number, limit: number): Promise<number>;
  quarantine(entry: Omit<QuarantineEntry, 'id' | 'releasedAt' | 'releasedBy'>): Promise<number>;
  listQuarantine(opts: { includeReleased?: boolean; limit: number }): Promise<QuarantineEntry[]>;
  getQuarantine(id: number): Promise<QuarantineEntry | null>;
  markReleased(id: number, by: string, at: number): Promise<boolean>;
  expiredQuarantine(before: number, limit: number): Promise<QuarantineEntry[]>;
  deleteQuarantine(id: number): Promise<void>;
  logAccess(entry: FileAccessEntry): Promise<void>;
  accessLog(opts: { ref?: string; limit: number }): Promise<FileAccessEntry[]>;
  logPull(entry: PullLogEntry): Promise<void>;
  pullLog(limit: number): Promise<PullLogEntry[]>;
  /** Drop access and pull log rows older than `before`. */
  purgeLogs(before: number, limit: number): Promise<number>;
}
