// A session bound on another node, as this node's router sees it: it takes part in routing
// decisions like a local one (presence, priority, flags) and send() forwards to its node over
// the bus, where the real session gets the stanza as it is.
import type { Jid } from '../jid/index.ts';
import type { LocalSession } from '../router/session.ts';
import type { Element } from '../xml/element.ts';
import { parseElement } from '../xml/parse-element.ts';
import type { SessionRecord } from './records.ts';

export interface RemoteLink {
  send(node: string, to: Jid, stanza: Element): void;
  close(node: string, to: Jid, condition?: string, text?: string): void;
}

export class RemoteSession implements LocalSession {
  readonly id: string;
  readonly secure = true;
  readonly features = new Map<string, unknown>();
  presence: Element | null = null;
  priority = 0;
  interested = false;
  connected = true;
  record!: SessionRecord;

  constructor(readonly node: string, readonly jid: Jid, rec: SessionRecord, private readonly link: RemoteLink) {
    this.id = `${node}/${jid.toString()}`;
    this.update(rec);
  }

  update(rec: SessionRecord): void {
    if (rec.presence !== this.record?.presence) this.presence = rec.presence === null ? null : parseElement(rec.presence);
    this.priority = rec.priority;
    this.interested = rec.interested;
    this.connected = rec.connected;
    this.features.clear();
    for (const f of rec.flags) this.features.set(f, true);
    this.record = rec;
  }

  send(stanza: Element): void {
    this.link.send(this.node, this.jid, stanza);
  }

  close(condition?: string, text?: string): void {
    this.link.close(this.node, this.jid, condition, text);
  }
}
