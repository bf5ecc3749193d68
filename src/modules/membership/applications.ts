// Applications as the commands see them: the store's public JSON and the sealed private part,
// joined and split again. Reading the private part is audit-logged (who read whose, never what).
import type { Logger } from '../../observability/log.ts';
import type { MembershipStatus, MembershipStore, StoredApplication } from '../../storage/types.ts';
import type { Application, PrivatePart, PublicPart } from './form.ts';
import type { PrivateBox } from './private-box.ts';

export interface Loaded {
  applicant: string;
  status: MembershipStatus;
  version: number;
  app: Application;
}

export class Applications {
  constructor(private readonly store: MembershipStore, private readonly box: PrivateBox, private readonly log: Logger, private readonly now: () => number = Date.now) {}

  private async join(s: StoredApplication, reader: string | null): Promise<Loaded> {
    const applicant = `${s.username}@${s.domain}`;
    let priv: PrivatePart = {};
    if (reader !== null) {
      const sealed = await this.store.privateData(s.username, s.domain);
      if (sealed !== null) priv = JSON.parse(this.box.open(sealed, applicant)) as PrivatePart;
      if (reader !== applicant) this.log.info({ reader, applicant, audit: 'membership-private-read' }, 'private membership data read');
    }
    return { applicant, status: s.status, version: s.version, app: { pub: JSON.parse(s.publicData) as PublicPart, priv } };
  }

  /** One application; `reader` (a bare JID) only when the caller may see the private part. */
  async get(username: string, domain: string, reader: string | null): Promise<Loaded | null> {
    const s = await this.store.get(username, domain);
    return s ? this.join(s, reader) : null;
  }

  async list(domain: string, reader: string | null): Promise<Loaded[]> {
    return Promise.all((await this.store.list(domain)).map((s) => this.join(s, reader)));
  }

  async submit(username: string, domain: string, app: Application, status: MembershipStatus): Promise<Loaded> {
    const applicant = `${username}@${domain}`;
    const hasPrivate = Object.values(app.priv).some((v) => v !== undefined);
    const s = await this.store.submit(username, domain, JSON.stringify(app.pub), hasPrivate ? this.box.seal(JSON.stringify(app.priv), applicant) : null, status, this.now());
    return { applicant, status: s.status, version: s.version, app };
  }

  setStatus(username: string, domain: string, status: MembershipStatus): Promise<boolean> {
    return this.store.setStatus(username, domain, status, this.now());
  }
}
