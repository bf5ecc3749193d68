// The XEP-0050 commands of the membership module (node urn:parley:membership#<name>): apply,
// withdraw, list, review, set-status, export. Who may run what: docs/membership.md.
import { buildForm, field, findFormElement, FormError, formTypeField, parseForm, textLines, validateSubmission, type DataForm, type FieldType, type FormValues } from '../../forms/index.ts';
import type { AdhocCommand, AdhocRequest, AdhocResult } from '../../core/services.ts';
import type { Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { MembershipStatus } from '../../storage/types.ts';
import type { Applications, Loaded } from './applications.ts';
import { applicationForm, badPayload, changedFields, displayName, FORM_APPLICATION, parseApplication } from './form.ts';
import { privateCsv, privateJson, publicMarkdown } from './export.ts';

export const NODE = 'urn:parley:membership';
const STATUSES: MembershipStatus[] = ['submitted', 'voting', 'accepted', 'rejected', 'withdrawn'];

export interface CommandDeps {
  apps: Applications;
  isLocalDomain(domain: string): boolean;
  /** Secretaries: review, set status, private exports. */
  isSecretary(jid: Jid): boolean;
  /** Secretaries and board: may read private fields. */
  isPrivateReader(jid: Jid): boolean;
  /** A plain message from the domain to these bare JIDs (no private data ever goes this way). */
  notify(domain: string, to: string[], text: string): Promise<void>;
  secretaries: string[];
}

/** Validate the submitted form against the offered one, or return it for stage 0. */
function submitted(req: AdhocRequest, offered: DataForm): FormValues | null {
  const x = findFormElement(req.command);
  if (!x) {
    if (req.stage === 0) return null;
    throw badPayload('Submit the form');
  }
  try {
    return validateSubmission(offered, parseForm(x));
  } catch (e) {
    if (e instanceof FormError) throw badPayload(e.message);
    throw e;
  }
}

const ask = (form: DataForm): AdhocResult => ({ status: 'executing', payload: [buildForm(form)], actions: { allowed: ['complete'], execute: 'complete' } });
const local = (deps: CommandDeps) => (j: Jid, d: string) => deps.isLocalDomain(d) && deps.isLocalDomain(j.domain) && !!j.local;

export function apply(deps: CommandDeps): AdhocCommand {
  return {
    node: `${NODE}#apply`,
    name: 'Apply for membership',
    allowed: local(deps),
    async execute(req) {
      const me = req.requester.bare();
      const current = await deps.apps.get(me.local, me.domain, me.toString());
      const offered = applicationForm(me.toString(), current?.app);
      const v = submitted(req, offered);
      if (!v) return ask(offered);
      const app = parseApplication(v);
      if (current?.status === 'accepted') throw new StanzaError('not-allowed', 'Your application was accepted already');
      // Rejected and withdrawn applicants may apply again; an edit keeps a vote that is under way.
      const status: MembershipStatus = current?.status === 'voting' ? 'voting' : 'submitted';
      const saved = await deps.apps.submit(me.local, me.domain, app, status);
      if (current?.status === 'voting') {
        const changed = changedFields(current.app.pub, app.pub);
        await deps.notify(me.domain, deps.secretaries, `The application of ${displayName(app.pub)} (${me}) was edited during the vote (version ${saved.version}); public fields changed: ${changed.join(', ') || 'none'}.`);
      }
      return { status: 'completed', notes: [{ text: `Application ${current ? 'updated' : 'submitted'} (version ${saved.version}, status ${saved.status})` }] };
    },
  };
}

export function withdraw(deps: CommandDeps): AdhocCommand {
  return {
    node: `${NODE}#withdraw`,
    name: 'Withdraw membership application',
    allowed: local(deps),
    async execute(req) {
      const me = req.requester.bare();
      if (!(await deps.apps.get(me.local, me.domain, null))) throw new StanzaError('item-not-found', 'You have no application');
      await deps.apps.setStatus(me.local, me.domain, 'withdrawn');
      return { status: 'completed', notes: [{ text: 'Application withdrawn' }] };
    },
  };
}

/** A multi-item result form (XEP-0004 §3.4): one item per application. */
function table(title: string, rows: Loaded[], withPrivate: boolean): DataForm {
  const cols: Array<[string, string, (r: Loaded) => string | undefined]> = [
    ['applicant', 'Applicant', (r) => r.applicant],
    ['name', 'Name', (r) => displayName(r.app.pub)],
    ['status', 'Status', (r) => r.status],
    ['version', 'Version', (r) => String(r.version)],
    ['contact_jid', 'Contact JID', (r) => r.app.pub.contact_jid],
    ['contact_email', 'Contact email', (r) => r.app.pub.contact_email],
    ['affiliations', 'Affiliations', (r) => r.app.pub.affiliations],
    ['reasons', 'Reasons', (r) => r.app.pub.reasons],
    ['background', 'Background', (r) => r.app.pub.background],
  ];
  if (withPrivate) {
    cols.push(['legal_name', 'Legal name', (r) => r.app.pub.legal_name ?? r.app.priv.legal_name]);
    cols.push(['publish_legal_name', 'Legal name published', (r) => (r.app.pub.publish_legal_name ? '1' : '0')]);
    cols.push(['note_to_secretary', 'Note to the secretary', (r) => r.app.priv.note_to_secretary]);
  }
  const multi = new Set(['affiliations', 'reasons', 'background', 'note_to_secretary']);
  const type = (v: string): FieldType => (multi.has(v) ? 'text-multi' : v === 'publish_legal_name' ? 'boolean' : 'text-single');
  return {
    type: 'result',
    title,
    fields: [formTypeField(FORM_APPLICATION)],
    reported: cols.map(([v, label]) => field(type(v), v, { label })),
    items: rows.map((r) => cols.map(([v, , get]) => field(type(v), v, { values: get(r) === undefined ? [] : textLines(get(r)!) }))),
  };
}

export function list(deps: CommandDeps): AdhocCommand {
  return {
    node: `${NODE}#list`,
    name: 'List membership applications',
    allowed: local(deps),
    async execute(req) {
      const rows = (await deps.apps.list(req.domain, null)).filter((r) => r.status !== 'withdrawn');
      return { status: 'completed', payload: [buildForm(table('Membership applications', rows, false))] };
    },
  };
}

export function review(deps: CommandDeps): AdhocCommand {
  return {
    node: `${NODE}#review`,
    name: 'Review membership applications (private fields)',
    allowed: (j, d) => deps.isLocalDomain(d) && deps.isPrivateReader(j),
    async execute(req) {
      const rows = await deps.apps.list(req.domain, req.requester.bare().toString());
      return { status: 'completed', payload: [buildForm(table('Membership applications (confidential)', rows, true))] };
    },
  };
}

export function setStatus(deps: CommandDeps): AdhocCommand {
  return {
    node: `${NODE}#set-status`,
    name: 'Set the status of a membership application',
    allowed: (j, d) => deps.isLocalDomain(d) && deps.isSecretary(j),
    async execute(req) {
      const offered: DataForm = { type: 'form', title: 'Application status', fields: [
        formTypeField(FORM_APPLICATION),
        field('jid-single', 'applicant', { label: 'Applicant', required: true }),
        field('list-single', 'status', { label: 'New status', required: true, options: STATUSES.map((s) => ({ value: s })) }),
      ] };
      const v = submitted(req, offered);
      if (!v) return ask(offered);
      const who = v.jid('applicant');
      if (!who?.local || who.domain !== req.domain) throw badPayload('applicant must be an account of this domain');
      if (!(await deps.apps.setStatus(who.local, who.domain, v.value('status') as MembershipStatus))) throw new StanzaError('item-not-found', `${who.bare()} has no application`);
      return { status: 'completed', notes: [{ text: `${who.bare()}: ${v.value('status')}` }] };
    },
  };
}

export function exportApplications(deps: CommandDeps): AdhocCommand {
  return {
    node: `${NODE}#export`,
    name: 'Export membership applications for a vote',
    allowed: local(deps),
    async execute(req) {
      const reader = deps.isPrivateReader(req.requester);
      const offered: DataForm = { type: 'form', title: 'Export applications', fields: [
        formTypeField(FORM_APPLICATION),
        field('list-single', 'format', { label: 'Format', required: true, values: ['markdown'], options: [{ value: 'markdown', label: 'Public page (Markdown)' }, ...(reader ? [{ value: 'json', label: 'Confidential JSON' }, { value: 'csv', label: 'Confidential CSV' }] : [])] }),
        field('list-single', 'which', { label: 'Applications', values: ['open'], options: [{ value: 'open', label: 'Submitted and in vote' }, { value: 'all', label: 'All' }] }),
      ] };
      const v = submitted(req, offered);
      if (!v) return ask(offered);
      const format = v.value('format')!;
      const which = v.value('which') ?? 'open';
      const rows = (await deps.apps.list(req.domain, format === 'markdown' ? null : req.requester.bare().toString()))
        .filter((r) => which === 'all' || r.status === 'submitted' || r.status === 'voting');
      const exportRows = rows.map((r) => ({ applicant: r.applicant, status: r.status, version: r.version, app: r.app }));
      const out = format === 'markdown' ? publicMarkdown(exportRows, `Membership applications at ${req.domain}`) : format === 'json' ? privateJson(exportRows) : privateCsv(exportRows);
      return { status: 'completed', payload: [buildForm({ type: 'result', title: 'Export', fields: [formTypeField(FORM_APPLICATION), field('text-single', 'format', { values: [format] }), field('text-multi', 'export', { values: textLines(out) })] })] };
    },
  };
}
