// What the router needs from a connected, bound client session, whatever its transport
// (TCP, TLS, WebSocket, QUIC). Sessions are registered under their full JID.
import type { Jid } from '../jid/index.ts';
import type { Element } from '../xml/element.ts';

export interface LocalSession {
  /** Connection id used in logs. */
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
  /** Queue a stanza for the client. Never throws; a dead session drops and the router re-routes via hooks. */
  send(stanza: Element): void;
  /** Close with an optional stream error condition. */
  close(condition?: string, text?: string): void;
}
