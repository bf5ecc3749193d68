// The XEP-0345 (v1.1.0) application as a XEP-0004 form. 0345 defines no wire format, so the
// FORM_TYPE is Parley's own (urn:parley:membership-application:0). v1.1.0: the legal name is given
// to the secretary privately unless the applicant publishes it, and an applicant who keeps it
// private names a public identifier used in discussion, votes and records. Pure.
import { field, formTypeField, textLines, type DataForm, type FormValues } from '../../forms/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

export const FORM_APPLICATION = 'urn:parley:membership-application:0';

/** What everyone may read. */
export interface PublicPart {
  contact_email: string;
  contact_jid: string;
  affiliations: string;
  publish_legal_name: boolean;
  /** Only when published. */
  legal_name?: string;
  public_identifier?: string;
  reasons?: string;
  background?: string;
}

/** What only the applicant and the private readers (secretaries, board) may read. */
export interface PrivatePart {
  /** Only when not published. */
  legal_name?: string;
  note_to_secretary?: string;
}

export interface Application {
  pub: PublicPart;
  priv: PrivatePart;
}

/** The name the membership sees: the published legal name, else the public identifier. */
export function displayName(p: PublicPart): string {
  if (p.publish_legal_name && p.legal_name) return p.public_identifier ? `${p.legal_name} (${p.public_identifier})` : p.legal_name;
  return p.public_identifier ?? '';
}

const text = (v: string | undefined) => (v === undefined ? [] : textLines(v));

/** The form, filled with the applicant's current application (its own private part included). */
export function applicationForm(applicant: string, current?: Application): DataForm {
  const p = current?.pub;
  const legal = p?.legal_name ?? current?.priv.legal_name;
  return {
    type: 'form',
    title: 'Membership application',
    instructions: [
      'Your legal name goes only to the secretary and the board unless you choose to publish it; if you keep it private, give a public identifier (the name members will see in discussions, votes and records).',
    ],
    fields: [
      formTypeField(FORM_APPLICATION),
      field('text-single', 'contact_email', { label: 'Contact email address', required: true, values: p ? [p.contact_email] : [] }),
      field('jid-single', 'contact_jid', { label: 'Contact JID', required: true, values: [p?.contact_jid ?? applicant] }),
      field('text-multi', 'affiliations', { label: 'Employer and any organisation you represent ("none" if none)', required: true, values: text(p?.affiliations) }),
      field('text-single', 'legal_name', { label: 'Legal name (private unless published)', required: true, values: legal ? [legal] : [] }),
      field('boolean', 'publish_legal_name', { label: 'Publish my legal name', required: true, values: [p?.publish_legal_name ? '1' : '0'] }),
      field('text-single', 'public_identifier', { label: 'Public identifier (required when the legal name is not published)', values: p?.public_identifier ? [p.public_identifier] : [] }),
      field('text-multi', 'reasons', { label: 'Why you want to become a member', values: text(p?.reasons) }),
      field('text-multi', 'background', { label: 'Your involvement so far', values: text(p?.background) }),
      field('text-multi', 'note_to_secretary', { label: 'Note to the secretary (private)', values: text(current?.priv.note_to_secretary) }),
      field('boolean', 'own_application', { label: 'This application is my own', required: true, values: [] }),
    ],
  };
}

/** XEP-0050 §4.6: a form problem is bad-request with <bad-payload/>. */
export function badPayload(message: string): StanzaError {
  return new StanzaError('bad-request', message, undefined, xml('bad-payload', { xmlns: NS.commands }));
}

/** The checks beyond XEP-0004 required fields; throws badPayload naming the problem. */
export function parseApplication(v: FormValues): Application {
  const email = v.value('contact_email')!.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw badPayload('contact_email is not an email address');
  const jid = v.jid('contact_jid');
  if (!jid?.local || jid.resource) throw badPayload('contact_jid must be a bare JID of an account');
  const legal = v.value('legal_name')!.trim();
  const publish = v.boolean('publish_legal_name');
  const identifier = v.value('public_identifier')?.trim() || undefined;
  // XEP-0345 v1.1.0 §Process: an unpublished legal name needs an alternative public identifier.
  if (!publish && !identifier) throw badPayload('public_identifier is required when the legal name is not published');
  if (!v.boolean('own_application')) throw badPayload('own_application: applications are made by the applicant only');
  const affiliations = v.text('affiliations')?.trim();
  if (!affiliations) throw badPayload('affiliations is required ("none" if none)');
  const opt = (name: string) => v.text(name)?.trim() || undefined;
  return {
    pub: {
      contact_email: email,
      contact_jid: jid.toString(),
      affiliations,
      publish_legal_name: publish,
      legal_name: publish ? legal : undefined,
      public_identifier: identifier,
      reasons: opt('reasons'),
      background: opt('background'),
    },
    priv: { legal_name: publish ? undefined : legal, note_to_secretary: opt('note_to_secretary') },
  };
}

/** Public fields that differ between two versions (names only: the notice carries no content). */
export function changedFields(a: PublicPart, b: PublicPart): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof PublicPart>;
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
