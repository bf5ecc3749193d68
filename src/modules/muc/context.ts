// What every part of the MUC service works with: one service domain's rooms, the way out
// (router), storage, the archive, options and logging. Handlers take it as their first argument.
import type { Jid } from '../../jid/index.ts';
import type { ArchiveService } from '../../core/services.ts';
import type { Logger } from '../../observability/log.ts';
import type { ArchiveStore, MucStore } from '../../storage/types.ts';
import type { Element } from '../../xml/element.ts';
import type { Room } from './room.ts';

export interface MucOptions {
  host: string;
  name: string;
  room_creation: 'anyone' | 'local' | 'admins';
  lock_new_rooms: boolean;
  default_max_users: number;
  max_users_limit: number;
  default_history: number;
  max_history: number;
  nick_lockdown: boolean;
  iq_timeout: number;
  max_rooms_per_page: number;
  /** New MUC (proto-XEP urn:xmpp:muc:0) beside XEP-0045 in archived rooms (newmuc/). */
  new_muc?: boolean;
}

export interface MucMetrics {
  messages(): void;
  roomsChanged(): void;
}

export interface MucCtx {
  /** The service domain (e.g. conference.example.org). */
  readonly domain: string;
  readonly options: MucOptions;
  readonly store: MucStore;
  readonly archive: ArchiveStore;
  archiveService(): ArchiveService | undefined;
  readonly log: Logger;
  readonly metrics: MucMetrics;
  /** Route a stanza whose from is a room or occupant JID of this service. */
  route(stanza: Element): Promise<void>;
  /** Whether the JID belongs to one of the server's own domains (room creation policy). */
  isLocalUser(jid: Jid): boolean;
  /** Whether the bare JID is a server admin (config `admins`). */
  isServerAdmin(jid: Jid): boolean;
  /** Payment Required entry gate (payment module): null to enter, a <receipt/> to add to the self-presence, or throws with the invoice. */
  paymentGate?(room: Jid, user: Jid, affiliation: string, payment: Element | undefined): Promise<Element | null>;
  /** Features other modules add to every room's disco#info (DiscoRegistry scope 'room', e.g. emoji markup). */
  extraRoomFeatures?(): string[];
  rooms: RoomRegistry;
  now(): number;
}

export interface RoomRegistry {
  get(jid: Jid): Room | undefined;
  /** Create a new, empty room (locked per lock_new_rooms); not stored until it is persistent. */
  create(jid: Jid): Room;
  /** Forget a room (destroyed, or temporary and empty): drops its stored state and archive. */
  remove(room: Room): Promise<void>;
  /** Public rooms in creation order (disco#items). */
  list(): Room[];
  /** Write the room's configuration (and, when it becomes persistent, everything) to the store. */
  saveConfig(room: Room, previouslyPersistent: boolean): Promise<void>;
  saveSubject(room: Room): Promise<void>;
  /** Persist affiliation changes of these entries (and the room's seq counter). */
  saveAffiliations(room: Room, jids: string[]): Promise<void>;
}
