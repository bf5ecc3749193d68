// What the router needs from a bound local session, whatever its transport (TCP, TLS,
// WebSocket, QUIC). Sessions are registered under their full JID. A client session outlives
// its connection when XEP-0198 resumption is on: it then "hibernates" (connected = false),
// stays in the session table, and stanzas routed to it wait in its queue until a new
// connection resumes it or it ends.
import type { Jid } from '../jid/index.ts';
import type { Element } from '../xml/element.ts';

export interface LocalSession {
  /** Session id used in logs (the id of the connection that bound it). */
  readonly id: string;
  readonly jid: Jid;
  /** Last available presence broadcast by the client, or null while unavailable (RFC 6121 §4.2). */
  presence: Element | null;
  /** Priority of that presence (RFC 6121 §4.7.2.3); meaningless while unavailable. */
  priority: number;
  /** Whether the client has requested its roster (RFC 6121 §2.1.6 "interested resource"). */
  interested: boolean;
  /** Free-form per-module state (carbons enabled, CSI state, ...). */
  readonly features: Map<string, unknown>;
  readonly secure: boolean;
  /** False while the session hibernates (XEP-0198 §5): no connection, stanzas wait in its queue. */
  readonly connected: boolean;
  /** Queue a stanza for the client. Never throws; a dead session drops and the router re-routes via hooks. */
  send(stanza: Element): void;
  /** Close with an optional stream error condition; the session ends (it does not hibernate). */
  close(condition?: string, text?: string): void;
}

/**
 * One step of a client session's outbound path. Pass the stanza on with next() (now or later:
 * XEP-0352 holds stanzas), or keep it. Stages run by descending priority; after the last one
 * the stanza is written to the connection, if there is one.
 */
export type OutboundStage = (stanza: Element, next: (stanza: Element) => void) => void;

/** Decides whether a session outlives the loss of its connection (XEP-0198 §5 hibernation). */
export interface SessionKeeper {
  /**
   * The connection ended without a closing handshake (RFC 6120 §4.4 "unfinished stream"). Return
   * true to keep the session, detached; the keeper then ends it later with session.end().
   */
  connectionLost(reason: string): boolean;
}

/** A client's session (RFC 6120 §7): what stream-level modules (SM, CSI, server pings) work with. */
export interface ClientSession extends LocalSession {
  readonly kind: 'client';
  /** When bytes last arrived from the client (ms since epoch); whitespace keepalives count. */
  readonly lastInbound: number;
  /** Remote address of the current (or, while hibernating, the last) connection. */
  readonly remoteAddress: string;
  /** Add a stage to the outbound path (see OutboundStage); returns its removal. */
  addOutboundStage(stage: OutboundStage, priority: number): () => void;
  /** Observe every stanza the client sends once bound, before it is processed (XEP-0198 counts them). */
  onInbound(observer: (stanza: Element) => void): () => void;
  /** Write to the connection directly, past every stage (acks, resent stanzas); false without a connection. */
  writeRaw(el: Element): boolean;
  setKeeper(keeper: SessionKeeper | null): void;
  /** Drop the connection as lost (dead peer, RFC 6120 §4.6.3): the keeper may keep the session. */
  dropConnection(reason: string): void;
  /** End the session for good: unavailable presence, out of the session table, 'session/closed'. */
  end(reason: string): void;
}

export function asClientSession(s: LocalSession | null | undefined): ClientSession | null {
  return s && (s as Partial<ClientSession>).kind === 'client' ? (s as ClientSession) : null;
}
