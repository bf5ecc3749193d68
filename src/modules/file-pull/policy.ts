// Who gets files pulled: a policy per local user, per remote domain and a server default, merged
// in that order of precedence (file-pull.md §10). Pure.
import { z } from 'zod';

export const policyFields = {
  mode: z.enum(['passthrough', 'pull', 'strip']).describe('passthrough: deliver as sent; pull: fetch, scan and re-host; strip: withhold attachments with a notice, no fetch'),
  only_domains: z.array(z.string()).describe('When not empty, apply the mode only to senders from these domains (others: passthrough)'),
  max_bytes: z.number().int().positive().describe('Largest file pulled, bytes'),
  allow_http: z.boolean().describe('Also fetch plain http URLs'),
  body_links: z.enum(['keep', 'defang']).describe('Other links in the text: keep, or replace with a notice'),
  encrypted: z.enum(['pass', 'reject']).describe('OMEMO/OpenPGP messages (URLs hidden): deliver, or bounce with policy-violation'),
  scan_failure: z.enum(['closed', 'open']).describe('Scanner unavailable: withhold with a notice (closed) or deliver flagged unscanned (open)'),
  type_mismatch: z.enum(['quarantine', 'allow']).describe('Announced as media but executable/script/archive inside'),
  retention_days: z.number().positive().describe('Days a pulled file stays available'),
  keep_remote_url: z.boolean().describe('Keep the original URL in the pull marker and the log'),
  notify_sender: z.boolean().describe('Tell the sender (a normal message from the domain) when a file was withheld'),
};

export const policySchema = z.object(policyFields).strict();
export type Policy = z.infer<typeof policySchema>;
export const partialPolicySchema = z.object(policyFields).partial().strict();
export type PartialPolicy = z.infer<typeof partialPolicySchema>;

export const DEFAULT_POLICY: Policy = {
  mode: 'passthrough',
  only_domains: [],
  max_bytes: 100 * 1024 * 1024,
  allow_http: false,
  body_links: 'keep',
  encrypted: 'pass',
  scan_failure: 'closed',
  type_mismatch: 'quarantine',
  retention_days: 30,
  keep_remote_url: false,
  notify_sender: false,
};

/** Local user (bare JID) > remote domain > server default. */
export function resolvePolicy(def: Policy, byDomain: Record<string, PartialPolicy>, byUser: Record<string, PartialPolicy>, recipientBare: string, senderDomain: string): Policy {
  const p: Policy = { ...def, ...(byDomain[senderDomain] ?? {}), ...(byUser[recipientBare] ?? {}) };
  if (p.only_domains.length > 0 && !p.only_domains.includes(senderDomain)) return { ...p, mode: 'passthrough' };
  return p;
}
