// The available full JIDs each PEP service has presence from: the owner's own resources and its
// contacts' resources (XEP-0163 §4.1 "presence sharing"). Together with their caps (+notify
// features) this decides who gets notifications and last items. Kept both ways so a departing
// resource is dropped everywhere at once.
export class Recipients {
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly byRecipient = new Map<string, Set<string>>();

  /** Returns true when `recipient` was not yet known to `owner` (a newly available resource, §4.3.2). */
  add(owner: string, recipient: string): boolean {
    let rs = this.byOwner.get(owner);
    if (!rs) this.byOwner.set(owner, (rs = new Set()));
    if (rs.has(recipient)) return false;
    rs.add(recipient);
    let os = this.byRecipient.get(recipient);
    if (!os) this.byRecipient.set(recipient, (os = new Set()));
    os.add(owner);
    return true;
  }

  remove(owner: string, recipient: string): void {
    const rs = this.byOwner.get(owner);
    if (rs?.delete(recipient) && rs.size === 0) this.byOwner.delete(owner);
    const os = this.byRecipient.get(recipient);
    if (os?.delete(owner) && os.size === 0) this.byRecipient.delete(recipient);
  }

  removeRecipient(recipient: string): void {
    for (const owner of this.byRecipient.get(recipient) ?? []) {
      const rs = this.byOwner.get(owner);
      if (rs?.delete(recipient) && rs.size === 0) this.byOwner.delete(owner);
    }
    this.byRecipient.delete(recipient);
  }

  removeOwner(owner: string): void {
    for (const r of this.byOwner.get(owner) ?? []) {
      const os = this.byRecipient.get(r);
      if (os?.delete(owner) && os.size === 0) this.byRecipient.delete(r);
    }
    this.byOwner.delete(owner);
  }

  recipientsOf(owner: string): string[] {
    return [...(this.byOwner.get(owner) ?? [])];
  }

  ownersOf(recipient: string): string[] {
    return [...(this.byRecipient.get(recipient) ?? [])];
  }
}
