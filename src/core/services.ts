// Services that modules offer each other (a module never imports another module's internals).
// A module declares its service type here, provides it at start, and others look it up at use
// time (so start order only matters for dependencies declared in the module).
import type { Element } from '../xml/element.ts';
import type { Jid } from '../jid/index.ts';

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

export interface Services {
  roster?: RosterService;
  blocking?: BlockingService;
  caps?: CapsService;
  pep?: PepService;
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
