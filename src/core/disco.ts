// Service discovery registry (XEP-0030): modules declare identities, features, extended info
// forms (XEP-0128) and items here; the disco module answers queries from it.
import type { Element } from '../xml/element.ts';

export interface Identity {
  category: string;
  type: string;
  name?: string;
}

/** 'room': features every MUC room of the server advertises besides its own (e.g. relayed extensions). */
export type Scope = 'host' | 'account' | 'room';

export class DiscoRegistry {
  private features = { host: new Set<string>(), account: new Set<string>(), room: new Set<string>() };
  private identities = { host: [] as Identity[], account: [] as Identity[], room: [] as Identity[] };
  private forms: Array<() => Element | null> = [];
  private items: Array<(domain: string) => Array<{ jid: string; name?: string; node?: string }>> = [];

  addFeature(ns: string, scope: Scope = 'host'): void {
    this.features[scope].add(ns);
  }
  removeFeature(ns: string, scope: Scope = 'host'): void {
    this.features[scope].delete(ns);
  }
  addIdentity(id: Identity, scope: Scope = 'host'): void {
    this.identities[scope].push(id);
  }
  /** XEP-0128 extended information: a data form of type result with a FORM_TYPE. */
  addExtension(form: () => Element | null): void {
    this.forms.push(form);
  }
  addItems(provider: (domain: string) => Array<{ jid: string; name?: string; node?: string }>): void {
    this.items.push(provider);
  }

  getFeatures(scope: Scope): string[] {
    return [...this.features[scope]].sort();
  }
  getIdentities(scope: Scope): Identity[] {
    return [...this.identities[scope]];
  }
  getExtensions(): Element[] {
    return this.forms.map((f) => f()).filter((e): e is Element => e !== null);
  }
  getItems(domain: string): Array<{ jid: string; name?: string; node?: string }> {
    return this.items.flatMap((p) => p(domain));
  }
}
