// Services that modules offer each other (a module never imports another module's internals).
// A module declares its service type here, provides it at start, and others look it up at use
// time (so start order only matters for dependencies declared in the module).
import type { Element } from '../xml/element.ts';
import type { Jid } from '../jid/index.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Scanner } from '../scan/types.ts';
import type { PullLogEntry, QuarantineEntry, UploadSlot } from '../storage/types.ts';

/** RFC 6121 subscription states of a roster item. */
export type Subscription = 'none' | 'to' | 'from' | 'both';

export interface RosterItem {
  jid: string; // bare JID of the contact
  name?: string;
  subscription: Subscription;
  /** Outbound subscription request pending (RFC 6121 §3.1.2 "ask='subscribe'"). */
  ask: boolean;
  /** Pre-approved inbound subscription (RFC 6121 §3.4). */
  approved: boolean;
  groups: string[];
}

/** Offered by the roster/presence module. */
export interface RosterService {
  /** The user's roster, in stable order. */
  items(username: string, domain: string): Promise<RosterItem[]>;
  item(username: string, domain: string, contact: Jid): Promise<RosterItem | null>;
  /** Whether `contact` is subscribed to the user's presence (subscription from/both). */
  isSubscribedTo(username: string, domain: string, contact: Jid): Promise<boolean>;
  /** Full JIDs (local or remote) that the user has sent available directed/broadcast presence to and that are online, from the presence layer. */
  presenceRecipients(owner: Jid): Promise<Jid[]>;
  /** Last available presence of each online resource of a local account (for probes and PEP +notify). */
  availablePresences(bare: Jid): Element[];
}

/** Offered by the blocking module (XEP-0191). */
export interface BlockingService {
  /** Whether the local account has blocked `peer` (XEP-0191 §6 matching: full, bare, domain/resource, domain). */
  isBlocked(username: string, domain: string, peer: Jid): Promise<boolean>;
}

/** Offered by the caps module (XEP-0115). */
export interface CapsService {
  /** Verified disco#info features of an available full JID's current caps; undefined while unknown, unverified or unavailable. */
  features(jid: Jid): ReadonlySet<string> | undefined;
}

/** Offered by the pep module (XEP-0163): server-side access to accounts' personal nodes. */
export interface PepService {
  /**
   * Items of a local account's node in publish order, as `requester` may see them (the owner when
   * omitted): all, the newest `last`, or those with `ids`. null when the node does not exist or the
   * requester may not read it.
   */
  items(owner: Jid, node: string, opts?: { ids?: string[]; last?: number; requester?: Jid }): Promise<Array<{ id: string; payload: Element }> | null>;
  /**
   * Publish on the account's behalf (as if from its bare JID), creating the node with `config`
   * (node_config field values, e.g. { 'pubsub#access_model': 'open' }) when it does not exist.
   * Notifications go out as for a client's publish. Throws StanzaError like a client publish would.
   */
  publish(owner: Jid, node: string, itemId: string, payload: Element, config?: Record<string, string>): Promise<void>;
}

/** Offered by the mam module (XEP-0313 message archives, XEP-0359 stanza ids). */
export interface ArchiveService {
  /**
   * Archive a message in a local account's archive (`owner`, a bare JID) if XEP-0313 policy
   * (body or other archivable payload, not an error, XEP-0334 hints) and the owner's preferences
   * allow; `with` is the other party, `direction` is seen from the owner. Resolves to the archive
   * id (the XEP-0359 stanza-id value, by = owner) or null when not archived. Idempotent per stanza
   * element and owner: a stanza already archived for the owner is not stored again.
   * Archiving does not add a <stanza-id/> to the stanza; the mam module does that on delivery.
   */
  archive(owner: Jid, stanza: Element, opts: { with: Jid; direction: 'in' | 'out' }): Promise<string | null>;
  /** The archive id `stanza` got in `owner`'s archive, if it was archived (e.g. for a sent carbon's <stanza-id/>, XEP-0313 §3.5). */
  archivedId(stanza: Element, owner: Jid): string | undefined;
  /**
   * Answer a MAM query (<query xmlns='urn:xmpp:mam:2'/>, iq set) against the archive of `owner`
   * (a user's or a room's bare JID), after the caller has checked access: result messages go to
   * `send` (addressed to `to`, from `owner`) and the <fin/> for the iq result is returned.
   * Throws StanzaError (item-not-found, bad-request, feature-not-implemented...).
   */
  query(owner: Jid, payload: Element, opts: { to: Jid; send: (message: Element) => void }): Promise<Element>;
}

/** Offered by the register module: account changes with their side effects on live sessions. */
export interface AccountLifecycleService {
  /** Create an account (username PRECIS-normalised; returned). Throws AccountError if it exists or is invalid. */
  create(username: string, domain: string, password: string): Promise<string>;
  /**
   * Delete the account and every row any store holds for it, fire 'account/deleted', then end its
   * sessions with the stream error `condition` (default not-authorized, XEP-0077 §3.2).
   * `quarantine` holds the username back from in-band re-registration. False if there was no account.
   */
  remove(username: string, domain: string, opts?: { condition?: string; quarantine?: boolean }): Promise<boolean>;
  /** Re-derive the stored SCRAM keys and end the account's sessions (but `keep`) with stream error reset. */
  changePassword(username: string, domain: string, password: string, keep?: LocalSessionRef): Promise<void>;
  /** Invite-only registration: a new invitation for `uses` accounts, valid `days`; the token and an xmpp: registration URI. */
  createInvitation(o: { domain: string; uses: number; days: number; createdBy: string }): Promise<{ token: string; uri: string; expires: number }>;
}

/** The identity of a live session, as far as services compare them. */
export interface LocalSessionRef {
  readonly id: string;
}

/** XEP-0050: what a command returns for one stage. */
export interface AdhocResult {
  status: 'executing' | 'completed';
  /** The command's payload, typically a jabber:x:data form (a 'form' while executing, a 'result' when done). */
  payload?: Element[];
  notes?: Array<{ type?: 'info' | 'warn' | 'error'; text: string }>;
  /** §3.4 actions offered while executing; `execute` names the default. Default: complete only. */
  actions?: { allowed: Array<'prev' | 'next' | 'complete'>; execute?: 'prev' | 'next' | 'complete' };
}

export interface AdhocRequest {
  requester: Jid;
  /** The local domain the command was sent to. */
  domain: string;
  /** 'execute' is resolved to what the last stage offered (§3.4); prev is handled by the framework. */
  action: 'execute' | 'next' | 'complete';
  /** 0 on the first call of a session, then the number of stages answered so far. */
  stage: number;
  /** The <command/> element as received (its jabber:x:data child is the submitted form). */
  command: Element;
  /** Per-session scratch space, kept between stages. */
  state: Record<string, unknown>;
}

/** A command offered at the server's JID (XEP-0050 §2.2: one disco item under the commands node). */
export interface AdhocCommand {
  node: string;
  name: string;
  /** Whether the requester may see and run it; others get forbidden (XEP-0050 §4.4). */
  allowed(requester: Jid, domain: string): boolean;
  execute(req: AdhocRequest): Promise<AdhocResult> | AdhocResult;
}

/** Offered by the adhoc module: other modules add their commands. */
export interface AdhocService {
  register(command: AdhocCommand): () => void;
  /** Whether a bare JID is listed in the config's `admins`. */
  isAdmin(jid: Jid): boolean;
}

/** Offered by the core: what operators see on the admin page. */
export interface OpsService {
  /** Recent structured log lines (JSON), oldest first. */
  logTail(n: number): string[];
  /** Federation state: outgoing streams and authenticated incoming peers. */
  federation(): { outgoing: { local: string; remote: string; state: string; method: string | null }[]; incoming: string[] };
  /** The effective configuration with secrets masked. */
  configView(): unknown;
}

/** A stored file as the HTTP layer serves it (HTTP uploads and pulled remote files alike). */
export interface ServedFile {
  path: string;
  size: number;
  type: string;
  name: string;
  /** Hex sha-256 of the bytes: the ETag. */
  sha256: string;
  lastModified: number;
  /** When it stops being served (ms), or null; Cache-Control max-age is the time left. */
  expiresAt: number | null;
}

/** Whose file was served, for the access log. */
export interface FileAccess {
  kind: 'upload' | 'pull';
  /** Slot id or grant token. */
  ref: string;
  /** Bare JID of the file's owner. */
  owner: string;
}

/** Offered by the upload module: file plumbing the file-pull module shares (scanner, disk, HTTP serving). */
export interface FileHostingService {
  /** The malware scanner (clamd INSTREAM), or null when none is configured. */
  scanner: Scanner | null;
  /** What to do when the scanner cannot give a verdict: withhold (closed) or store flagged unscanned (open). */
  scanFailure: 'closed' | 'open';
  /** An absolute directory under data_dir, created on first use. */
  dir(area: 'pull/blobs' | 'pull/quarantine' | 'pull/tmp'): string;
  /** The public https base URL (no trailing slash) of files served for a local domain. */
  baseUrl(domain: string): string;
  /** Answer GET, HEAD or OPTIONS for a stored file (Range, conditional, CORS, hardening headers); logs the access. */
  serve(req: IncomingMessage, res: ServerResponse, file: ServedFile, access: FileAccess): Promise<void>;
  /** Answer 404 (with CORS headers), logging the access when `access` is given. */
  notFound(req: IncomingMessage, res: ServerResponse, access?: FileAccess): void;
}

/** Offered by the file-pull module. */
export interface FilePullService {
  /** Admin release of a quarantined pulled file: grant it to its recipient and tell them; returns a note for the admin. */
  release(entry: QuarantineEntry, admin: Jid): Promise<string>;
}

/** Offered by the emoji module: which remote files of a message are custom emoji images (docs/emoji.md). */
export interface EmojiService {
  /** Each source URL of an emoji image in the message, with why it must not be pulled (null: eligible). */
  classify(stanza: Element): Map<string, string | null>;
  /** Largest emoji image pulled, bytes. */
  readonly maxBytes: number;
}

/** A hosted MUC room as the admin pages and the admin socket list it. */
export interface MucRoomSummary {
  jid: string;
  name: string;
  occupants: number;
  persistent: boolean;
  public: boolean;
  /** XEP-0045 §10.1: created but not yet configured by its owner. */
  locked: boolean;
}

/** One occupant of a room (XEP-0045 §5): nick, real bare JID, role, affiliation, joined sessions. */
export interface MucOccupantSummary {
  nick: string;
  jid: string;
  role: string;
  affiliation: string;
  sessions: number;
}

/** Offered by the muc module: room administration for operators (web admin, admin socket). */
export interface MucAdminService {
  /** Rooms of every MUC service, in creation order per service. */
  rooms(): MucRoomSummary[];
  /** Occupants of a room; null when there is no such room. */
  occupants(room: string): MucOccupantSummary[] | null;
  /** Destroy a room as its owner would (XEP-0045 §10.9, occupants are told); false when there is no such room. */
  destroy(room: string, reason?: string): Promise<boolean>;
}

/** Offered by the upload module: stored files for operators (web admin, admin socket). */
export interface FileAdminService {
  /** An account's stored (ready) uploads of every purpose, oldest first. */
  uploads(username: string, domain: string): Promise<UploadSlot[]>;
  /** Infected uploads and pulls, newest first, released ones included. */
  quarantine(limit: number): Promise<QuarantineEntry[]>;
  /** Recent remote file pulls with their scan verdict, newest first. */
  pulls(limit: number): Promise<PullLogEntry[]>;
  /** Stop serving an upload and delete its bytes; false when there is no such live upload. */
  deleteUpload(id: string, admin: string): Promise<boolean>;
}

/** Offered by the payment module (Payment Required, docs/payment.md): the gates other modules call. */
export interface PaymentsService {
  /** Whether a gate is on: 'registration' for the domain, 'muc-entry' for a room JID. */
  charges(service: 'registration' | 'muc-entry', target: string): boolean;
  /**
   * A paid in-band registration: without a settled invoice throws a StanzaError carrying the invoice
   * (the username stays reserved); with one the account exists and the <receipt/> is returned.
   * The client's <payment/> is read inside `query` (or, leniently, beside it in `iq`).
   */
  register(req: { username: string; domain: string; password: string; iq: Element; query: Element }): Promise<Element>;
  /** Room entry: null when free for `user` (grant held, owner/admin), the <receipt/> when this join redeemed a session; throws with the invoice (or a XEP-0158 challenge is sent) otherwise. */
  enterRoom(req: { room: Jid; user: Jid; affiliation: string; payment?: Element }): Promise<Element | null>;
  /** XEP-0158 + proto-XEP: the payment field and invoice offered beside a CAPTCHA challenge, or null when off. */
  captchaAlternative(challenge: string, domain: string): Promise<{ fieldVar: string; label: string; invoice: Element } | null>;
  /** Whether `session` (the payment field) pays for challenge `challenge`; throws payment-pending (wait) or not-acceptable. */
  redeemCaptchaAlternative(challenge: string, session: string): Promise<void>;
}

/** Offered by the muc module for cluster mode (src/cluster): room state follows room ownership. */
export interface MucClusterService {
  /** Whether `domain` is one of this server's MUC services. */
  isService(domain: string): boolean;
  /** This node now owns `room` (a room JID): drop the copy in memory and load the stored state. */
  reload(room: Jid): Promise<void>;
}

/** A hibernating XEP-0198 session as it moves to another cluster node (docs/clustering.md). */
export interface SmHandoverState {
  /** Full JID of the session. */
  jid: string;
  /** Resumption time the client was granted (ms). */
  resumeTimeoutMs: number;
  /** XEP-0198 §4 counters: stanzas handled from the client, sent to it, and the last h it acknowledged. */
  inbound: number;
  sent: number;
  acked: number;
  /** Unacknowledged outbound stanzas (serialized XML) and when each was first sent (ms since epoch), in order. */
  unacked: Array<{ xml: string; at: number }>;
  /** Last available presence (serialized) or null, its priority, roster interest, and per-session flags that were on. */
  presence: string | null;
  priority: number;
  interested: boolean;
  flags: string[];
}

/** Offered by the sm module: give up a hibernating session so another node can resume it. */
export interface SmSessionsService {
  /** The session `previd` of account `bare` ends here without rerouting its queue; null when there is no such session of that account. */
  handOver(previd: string, bare: string): SmHandoverState | null;
}

/** Offered by the cluster module: find a session to resume on another node. */
export interface SmHandoverService {
  /** Ask the nodes holding sessions of `bare` for session `previd`; null when none gives it (unknown, other account, node dead, no answer in time). */
  claim(previd: string, bare: string): Promise<SmHandoverState | null>;
}

export interface Services {
  smSessions?: SmSessionsService;
  smHandover?: SmHandoverService;
  ops?: OpsService;
  mucAdmin?: MucAdminService;
  mucCluster?: MucClusterService;
  fileAdmin?: FileAdminService;
  roster?: RosterService;
  blocking?: BlockingService;
  caps?: CapsService;
  pep?: PepService;
  archive?: ArchiveService;
  accountLifecycle?: AccountLifecycleService;
  adhoc?: AdhocService;
  fileHosting?: FileHostingService;
  filePull?: FilePullService;
  payments?: PaymentsService;
  emoji?: EmojiService;
}

export class ServiceRegistry {
  private readonly map: Services = {};
  provide<K extends keyof Services>(name: K, impl: NonNullable<Services[K]>): void {
    this.map[name] = impl;
  }
  get<K extends keyof Services>(name: K): Services[K] {
    return this.map[name];
  }
}
