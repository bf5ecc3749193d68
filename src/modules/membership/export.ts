// Exports of the applications for a vote (docs/membership.md): the public Markdown page of the
// XSF's wiki process (XEP-0345 §Process), which shows the public identifier instead of an
// unpublished legal name, and the secretary's JSON/CSV with the private fields. Pure.
import { displayName, type Application } from './form.ts';

export interface ExportRow {
  applicant: string;
  status: string;
  version: number;
  app: Application;
}

const oneLine = (s: string | undefined) => (s ?? '').replace(/\s*\n\s*/g, ' / ');

export function publicMarkdown(rows: ExportRow[], title: string): string {
  const lines = [`# ${title}`, ''];
  for (const r of rows) {
    const p = r.app.pub;
    lines.push(`## ${displayName(p)}`, '', `- JID: ${p.contact_jid}`, `- Status: ${r.status}`, `- Affiliations: ${oneLine(p.affiliations)}`);
    if (p.reasons) lines.push(`- Reasons: ${oneLine(p.reasons)}`);
    if (p.background) lines.push(`- Background: ${oneLine(p.background)}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Every field, private ones included: for the secretary and the board only. */
export function privateJson(rows: ExportRow[]): string {
  return JSON.stringify(rows.map((r) => ({
    applicant: r.applicant, status: r.status, version: r.version, ...r.app.pub,
    legal_name: r.app.pub.legal_name ?? r.app.priv.legal_name, note_to_secretary: r.app.priv.note_to_secretary,
  })), null, 2);
}

const CSV_COLUMNS = ['applicant', 'status', 'version', 'legal_name', 'publish_legal_name', 'public_identifier', 'contact_email', 'contact_jid', 'affiliations', 'reasons', 'background', 'note_to_secretary'] as const;

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function cell(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function privateCsv(rows: ExportRow[]): string {
  const out = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const rec: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      applicant: r.applicant, status: r.status, version: r.version, legal_name: r.app.pub.legal_name ?? r.app.priv.legal_name,
      publish_legal_name: r.app.pub.publish_legal_name ? 'yes' : 'no', public_identifier: r.app.pub.public_identifier, contact_email: r.app.pub.contact_email,
      contact_jid: r.app.pub.contact_jid, affiliations: r.app.pub.affiliations, reasons: r.app.pub.reasons, background: r.app.pub.background, note_to_secretary: r.app.priv.note_to_secretary,
    };
    out.push(CSV_COLUMNS.map((c) => cell(rec[c])).join(','));
  }
  return out.join('\r\n') + '\r\n';
}
