// The muc#roomconfig data form (XEP-0045 §10.1.3, §10.2, registry §15.5.3): RoomConfig to form,
// a submitted form back to RoomConfig (validated with src/forms), and the status codes a change
// announces (§10.2.1). Fields a submission leaves out keep their value; unknown fields are ignored.
import { buildForm, field, formTypeField, FormError, parseForm, validateSubmission, type DataForm, type Field } from '../../forms/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Element } from '../../xml/element.ts';
import type { AllowPm, RoomConfig, Whois } from './types.ts';

export const NS_ROOMCONFIG = 'http://jabber.org/protocol/muc#roomconfig';
/** gc3-participants.md §1 (provisional): owners may hide absent entries from non-admins. */
export const SHOW_ABSENT_FIELD = 'urn:xmpp:muc:participants:0#show_absent';

const ALLOW_PM: AllowPm[] = ['anyone', 'participants', 'moderators', 'none'];
const WHOIS: Whois[] = ['moderators', 'anyone'];
const MAX_USERS_CHOICES = [10, 20, 30, 50, 100, 200, 500, 1000];
const MAX_TEXT = 1024;

const bool = (v: boolean) => [v ? '1' : '0'];

export interface FormLimits {
  /** The service's cap on room size (the largest choice offered). */
  maxUsersLimit: number;
  /** The service's cap on muc#maxhistoryfetch. */
  maxHistoryLimit: number;
}

function maxUsersOptions(current: number, limit: number) {
  const values = new Set(MAX_USERS_CHOICES.filter((n) => n <= limit));
  values.add(limit);
  if (current > 0) values.add(current);
  return [...values].sort((a, b) => a - b).map((n) => ({ value: String(n) }));
}

/** The form an owner gets (current values as defaults, §10.2). */
export function configForm(room: { jid: string; config: RoomConfig }, limits: FormLimits): DataForm {
  const c = room.config;
  const fields: Field[] = [
    formTypeField(NS_ROOMCONFIG),
    field('text-single', 'muc#roomconfig_roomname', { label: 'Natural-Language Room Name', values: [c.name] }),
    field('text-single', 'muc#roomconfig_roomdesc', { label: 'Short Description of Room', values: [c.description] }),
    field('text-single', 'muc#roomconfig_lang', { label: 'Natural Language for Room Discussions', values: [c.lang] }),
    field('boolean', 'muc#roomconfig_persistentroom', { label: 'Make Room Persistent?', values: bool(c.persistent) }),
    field('boolean', 'muc#roomconfig_publicroom', { label: 'Make Room Publicly Searchable?', values: bool(c.public) }),
    field('boolean', 'muc#roomconfig_membersonly', { label: 'Make Room Members-Only?', values: bool(c.membersOnly) }),
    field('boolean', 'muc#roomconfig_moderatedroom', { label: 'Make Room Moderated?', values: bool(c.moderated) }),
    field('boolean', 'muc#roomconfig_passwordprotectedroom', { label: 'Password Required to Enter?', values: bool(c.passwordProtected) }),
    field('text-private', 'muc#roomconfig_roomsecret', { label: 'Password', values: c.password ? [c.password] : [] }),
    field('list-single', 'muc#roomconfig_maxusers', { label: 'Maximum Number of Occupants', values: [String(c.maxUsers || limits.maxUsersLimit)], options: maxUsersOptions(c.maxUsers, limits.maxUsersLimit) }),
    field('list-single', 'muc#roomconfig_whois', { label: 'Who May Discover Real JIDs?', values: [c.whois], options: [{ label: 'Moderators Only', value: 'moderators' }, { label: 'Anyone', value: 'anyone' }] }),
    field('boolean', 'muc#roomconfig_changesubject', { label: 'Allow Occupants to Change Subject?', values: bool(c.changeSubject) }),
    field('boolean', 'muc#roomconfig_allowinvites', { label: 'Allow Members to Invite Others?', values: bool(c.allowInvites) }),
    field('list-single', 'muc#roomconfig_allowpm', { label: 'Who Can Send Private Messages?', values: [c.allowPm], options: [{ label: 'Anyone', value: 'anyone' }, { label: 'Anyone with Voice', value: 'participants' }, { label: 'Moderators Only', value: 'moderators' }, { label: 'Nobody', value: 'none' }] }),
    field('text-single', 'muc#maxhistoryfetch', { label: 'Maximum Number of History Messages Returned by Room', values: [String(c.maxHistoryFetch)] }),
    field('boolean', 'muc#roomconfig_enablelogging', { label: 'Archive messages (history and XEP-0313 archive)?', values: bool(c.archive) }),
    field('boolean', 'muc#roomconfig_allowvoicerequests', { label: 'Allow Visitors to Request Voice?', values: bool(c.allowVoiceRequests) }),
    field('boolean', SHOW_ABSENT_FIELD, { label: 'List absent members in the participant list to everyone?', values: bool(c.showAbsent) }),
  ];
  return { type: 'form', title: `Configuration for ${room.jid}`, fields };
}

export function configFormElement(room: { jid: string; config: RoomConfig }, limits: FormLimits): Element {
  return buildForm(configForm(room, limits));
}

function nonNegativeInt(v: string, name: string, max: number): number {
  if (!/^\d{1,9}$/.test(v.trim())) throw new StanzaError('not-acceptable', `${name} must be a non-negative integer`);
  return Math.min(Number(v.trim()), max);
}

function text(v: string | undefined, name: string): string | undefined {
  if (v !== undefined && v.length > MAX_TEXT) throw new StanzaError('not-acceptable', `${name} is longer than ${MAX_TEXT} characters`);
  return v;
}

/**
 * The configuration a submitted form asks for. Throws StanzaError: bad-request for a form that is
 * not a muc#roomconfig submission (wrong FORM_TYPE, not type submit, malformed), not-acceptable
 * for a field value the room cannot take (muc.md §5; XEP-0045 §10.1.3 "violate service policies").
 */
export function applyConfigForm(x: Element, current: RoomConfig, limits: FormLimits): RoomConfig {
  let submitted: DataForm;
  try {
    submitted = parseForm(x);
  } catch (e) {
    if (e instanceof FormError) throw new StanzaError('bad-request', e.message);
    throw e;
  }
  const formType = submitted.fields.find((f) => f.var === 'FORM_TYPE')?.values[0];
  if (formType !== undefined && formType !== NS_ROOMCONFIG) throw new StanzaError('bad-request', `FORM_TYPE must be ${NS_ROOMCONFIG}`);
  if (submitted.type !== 'submit') throw new StanzaError('bad-request', 'Expected a form of type submit');
  // Prosody-style alias: muc#roomconfig_enablearchiving means the same switch as enablelogging here.
  const alias = submitted.fields.find((f) => f.var === 'muc#roomconfig_enablearchiving');
  if (alias && !submitted.fields.some((f) => f.var === 'muc#roomconfig_enablelogging')) submitted.fields.push({ ...alias, var: 'muc#roomconfig_enablelogging' });
  // Values outside the offered options (e.g. any maxusers number) are checked below, not by the list.
  const offered = configForm({ jid: '', config: current }, limits);
  for (const f of offered.fields) if (f.var === 'muc#roomconfig_maxusers') delete f.options;
  let v;
  try {
    v = validateSubmission(offered, submitted);
  } catch (e) {
    if (e instanceof FormError) throw new StanzaError('not-acceptable', e.message);
    throw e;
  }
  const next: RoomConfig = { ...current };
  const b = (name: string, key: keyof RoomConfig) => {
    if (v.has(name)) (next[key] as boolean) = v.boolean(name);
  };
  if (v.has('muc#roomconfig_roomname')) next.name = text(v.values('muc#roomconfig_roomname')[0] ?? '', 'roomname')!;
  if (v.has('muc#roomconfig_roomdesc')) next.description = text(v.values('muc#roomconfig_roomdesc')[0] ?? '', 'roomdesc')!;
  if (v.has('muc#roomconfig_lang')) next.lang = text(v.values('muc#roomconfig_lang')[0] ?? '', 'lang')!;
  b('muc#roomconfig_persistentroom', 'persistent');
  b('muc#roomconfig_publicroom', 'public');
  b('muc#roomconfig_membersonly', 'membersOnly');
  b('muc#roomconfig_moderatedroom', 'moderated');
  b('muc#roomconfig_passwordprotectedroom', 'passwordProtected');
  b('muc#roomconfig_changesubject', 'changeSubject');
  b('muc#roomconfig_allowinvites', 'allowInvites');
  b('muc#roomconfig_enablelogging', 'archive');
  b('muc#roomconfig_allowvoicerequests', 'allowVoiceRequests');
  b(SHOW_ABSENT_FIELD, 'showAbsent');
  if (v.has('muc#roomconfig_roomsecret')) next.password = text(v.values('muc#roomconfig_roomsecret')[0] ?? '', 'roomsecret')!;
  if (v.has('muc#roomconfig_maxusers')) {
    const raw = v.value('muc#roomconfig_maxusers') ?? 'none';
    next.maxUsers = raw === 'none' ? limits.maxUsersLimit : nonNegativeInt(raw, 'muc#roomconfig_maxusers', limits.maxUsersLimit);
    if (next.maxUsers === 0) throw new StanzaError('not-acceptable', 'muc#roomconfig_maxusers must be at least 1');
  }
  if (v.has('muc#roomconfig_whois')) {
    const w = v.value('muc#roomconfig_whois');
    // muc.md §3: fully-anonymous rooms ('none') were dropped from XEP-0045.
    if (!WHOIS.includes(w as Whois)) throw new StanzaError('not-acceptable', 'muc#roomconfig_whois must be moderators or anyone');
    next.whois = w as Whois;
  }
  if (v.has('muc#roomconfig_allowpm')) {
    const p = v.value('muc#roomconfig_allowpm');
    if (!ALLOW_PM.includes(p as AllowPm)) throw new StanzaError('not-acceptable', 'muc#roomconfig_allowpm has an unknown value');
    next.allowPm = p as AllowPm;
  }
  if (v.has('muc#maxhistoryfetch')) next.maxHistoryFetch = nonNegativeInt(v.value('muc#maxhistoryfetch') ?? '0', 'muc#maxhistoryfetch', limits.maxHistoryLimit);
  // §10.1.3: a password-protected room with a blank password violates service policy.
  if (next.passwordProtected && next.password === '') throw new StanzaError('not-acceptable', 'A password-protected room needs a password');
  if (!next.passwordProtected) next.password = '';
  return next;
}

/** §10.2.1: 170/171 logging, 172/173 anonymity, else 104 for any other change; [] when nothing changed. */
export function configChangeCodes(before: RoomConfig, after: RoomConfig): number[] {
  const codes: number[] = [];
  if (before.archive !== after.archive) codes.push(after.archive ? 170 : 171);
  if (before.whois !== after.whois) codes.push(after.whois === 'anyone' ? 172 : 173);
  const others = (Object.keys(before) as Array<keyof RoomConfig>).some((k) => k !== 'archive' && k !== 'whois' && before[k] !== after[k]);
  if (others) codes.push(104);
  return codes;
}
