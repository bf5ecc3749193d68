// File pull: messages from remote domains to local users that carry file links (XEP-0066 OOB,
// XEP-0385 SIMS, XEP-0447 SFS, a bare URL body) get the files fetched by the server, checked
// (XEP-0300 hashes, type, ClamAV), stored here, and the message rewritten to local URLs (or a
// notice) before anyone sees it: recipients' clients never contact the remote host.
// Config: [modules.file-pull] mode, only_domains, max_bytes, allow_http, body_links, encrypted,
//   scan_failure, type_mismatch, retention_days, keep_remote_url, notify_sender (the server
//   default policy), domains.<domain>.* and users.<bare jid>.* (overrides), hold_max_seconds,
//   *_timeout_seconds, max_redirects, cache_seconds, test_allowlist.
// Features: urn:parley:file-pull:0 (host) when some policy pulls or strips.
// Hooks: message/bare, message/full at priority 90 (after blocking at 100, before MAM at 50 and
//   delivery): held messages are consumed and routed again, rewritten, in arrival order per pair.
// HTTP: /pull/<token>/<name> (GET/HEAD/OPTIONS through the upload module's file serving).
// Services: uses fileHosting (upload module) and emoji (custom emoji images: emoji limits, no
//   body notices); provides filePull (admin release of quarantine).
// Metrics: parley_pull_fetches_total, parley_pull_fetch_seconds, parley_pull_bytes_total,
//   parley_pull_scans_total, parley_pull_quarantined_total, parley_pull_hold_seconds, parley_pull_held.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { lookup as dnsLookup } from 'node:dns/promises';
import { join } from 'node:path';
import client from 'prom-client';
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { xml, type Element } from '../../xml/element.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Routed } from '../../hooks/events.ts';
import { jid as makeJid } from '../../jid/index.ts';
import { bodyLinks, extractAttachments, isEncrypted, mainBody, NS_OOB, type Attachment } from './extract.ts';
import { parseAllowlist } from './guard.ts';
import { DEFAULT_POLICY, partialPolicySchema, policyFields, resolvePolicy, type Policy } from './policy.ts';
import { PairQueues } from './ordering.ts';
import { Puller, sanitize } from './pull.ts';
import { NS_PULL, rewriteMessage, withheldNotice, type Outcome } from './rewrite.ts';
import { moveDurably } from './release.ts';

const PRIORITY = 90;
const d = DEFAULT_POLICY;

const options = z.object({
  mode: policyFields.mode.default(d.mode),
  only_domains: policyFields.only_domains.default(d.only_domains),
  max_bytes: policyFields.max_bytes.default(d.max_bytes),
  allow_http: policyFields.allow_http.default(d.allow_http),
  body_links: policyFields.body_links.default(d.body_links),
  encrypted: policyFields.encrypted.default(d.encrypted),
  scan_failure: policyFields.scan_failure.default(d.scan_failure),
  type_mismatch: policyFields.type_mismatch.default(d.type_mismatch),
  retention_days: policyFields.retention_days.default(d.retention_days),
  keep_remote_url: policyFields.keep_remote_url.default(d.keep_remote_url),
  notify_sender: policyFields.notify_sender.default(d.notify_sender),
  domains: z.record(z.string(), partialPolicySchema).default({}).describe('Policy overrides by remote sender domain (e.g. a trusted partner: { mode = "passthrough" })'),
  users: z.record(z.string(), partialPolicySchema).default({}).describe('Policy overrides by local recipient bare JID (win over domains)'),
  hold_max_seconds: z.number().positive().default(60).describe('Longest a message waits for its files; then it goes with a failure notice'),
  connect_timeout_seconds: z.number().positive().default(10).describe('Connecting to the remote host'),
  idle_timeout_seconds: z.number().positive().default(30).describe('No bytes from the remote host for this long aborts the fetch'),
  total_timeout_seconds: z.number().positive().default(120).describe('Longest one fetch may take'),
  max_redirects: z.number().int().min(0).max(10).default(3).describe('HTTP redirects followed (each target checked again)'),
  max_concurrent_fetches: z.number().int().positive().default(8).describe('Most remote fetches at once; more wait (within their hold time)'),
  cache_seconds: z.number().nonnegative().default(600).describe('A URL is fetched once in this window and shared by all local recipients'),
  test_allowlist: z.array(z.string()).default([]).describe('Non-public addresses that may be fetched ("127.0.0.1:8443"); only with NODE_ENV=test or allow_insecure_test_allowlist'),
  allow_insecure_test_allowlist: z.boolean().default(false).describe('Accept test_allowlist outside tests (lets remote senders reach those addresses)'),
  sweep_interval_seconds: z.number().positive().default(600).describe('How often expired grants and unused files are deleted'),
}).strict();

const POLICY_KEYS = Object.keys(policyFields) as Array<keyof Policy>;

export default defineModule({
  name: 'file-pull',
  description: 'Fetch, scan and re-host files linked in messages from other domains',
  // The upload module (earlier in the registry) provides the file hosting; looked up at start.
  options,
  start(ctx) {
    const o = ctx.options;
    const hosting = ctx.services.get('fileHosting');
    const configured = o.mode !== 'passthrough' || [...Object.values(o.domains), ...Object.values(o.users)].some((p) => p.mode !== undefined && p.mode !== 'passthrough');
    if (!hosting) {
      if (configured) ctx.log.error('file-pull needs the upload module\'s file hosting (enabled, with an https public URL): not started');
      return;
    }
    if (o.test_allowlist.length && process.env.NODE_ENV !== 'test' && !o.allow_insecure_test_allowlist) {
      throw new Error('modules.file-pull.test_allowlist is only accepted with NODE_ENV=test or allow_insecure_test_allowlist = true');
    }
    const defaultPolicy = Object.fromEntries(POLICY_KEYS.map((k) => [k, o[k]])) as Policy;
    const policyFor = (r: Routed) => resolvePolicy(defaultPolicy, o.domains, o.users, r.to.bare().toString(), r.from.domain);
    const store = ctx.storage.files;
    const now = () => Date.now();
    const m = metrics(ctx.metrics.registry);

    const puller = new Puller({
      store, hosting, log: ctx.log, now,
      metrics: {
        fetch: (result, seconds, bytes) => {
          m.fetches.inc({ result });
          m.fetchSeconds.observe({ result }, seconds);
          m.bytes.inc(bytes);
        },
        scan: (verdict) => m.scans.inc({ verdict }),
        quarantined: () => m.quarantined.inc(),
      },
      lookup: (host) => dnsLookup(host, { all: true, verbatim: true }),
      allowlist: parseAllowlist(o.test_allowlist),
      connectTimeoutMs: o.connect_timeout_seconds * 1000,
      idleTimeoutMs: o.idle_timeout_seconds * 1000,
      totalTimeoutMs: o.total_timeout_seconds * 1000,
      maxRedirects: o.max_redirects,
      cacheMs: o.cache_seconds * 1000,
      maxConcurrent: o.max_concurrent_fetches,
    });

    if (configured) ctx.disco.addFeature(NS_PULL);

    const ownPrefixes = () => ctx.domains.map((dom) => `${hosting.baseUrl(dom)}/`);
    const isOurs = (url: string) => ownPrefixes().some((p) => url.startsWith(p));

    /** Decide what each attachment becomes, rewrite the stanza, tell the sender if asked. Never leaves a remote URL behind. */
    const handleFiles = async (r: Routed, policy: Policy, atts: Attachment[], links: string[], deadline: number): Promise<void> => {
      const domain = r.to.domain;
      const emojiService = ctx.services.get('emoji');
      const emojis = emojiService?.classify(r.stanza) ?? new Map<string, string | null>();
      // Nothing is fetched for accounts that do not exist: the stanza goes on unchanged and the router
      // answers it with service-unavailable (RFC 6121 §8.5.1). Checked here, after queueing, so the
      // pair's order holds.
      if (!(await ctx.accounts.exists(r.to.local, r.to.domain))) return;
      const timedOut = (a: Attachment): Outcome => ({ status: 'failed', url: a.url, name: sanitize(a.name ?? 'file'), notice: emojis.has(a.url) ? '' : withheldNotice(sanitize(a.name ?? 'file'), domain, 'it could not be fetched in time') });
      let outcomes: Outcome[];
      try {
        outcomes = await Promise.all(atts.map((a) => {
          if (policy.mode === 'strip') return { status: 'withheld', url: a.url, name: sanitize(a.name ?? 'file'), notice: emojis.has(a.url) ? '' : withheldNotice(sanitize(a.name ?? 'file'), domain, `attachments from ${r.from.domain} are not accepted`) } as Outcome;
          // docs/emoji.md: an emoji image is pulled within the emoji limits; when it is not, only its
          // <file-sharing/> goes (no body notice: the span's fallback text stays readable).
          const refused = emojis.get(a.url);
          if (refused) return { status: 'withheld', url: a.url, name: sanitize(a.name ?? 'emoji'), notice: '' } as Outcome;
          const limited = emojis.has(a.url) ? { ...policy, max_bytes: Math.min(policy.max_bytes, emojiService?.maxBytes ?? policy.max_bytes) } : policy;
          const pulled = puller.pull({ attachment: a, recipient: r.to.bare(), sender: r.from, messageId: r.stanza.attrs.id ?? null, policy: limited, domain, deadline });
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<Outcome>((res) => (timer = setTimeout(() => res(timedOut(a)), Math.max(0, deadline - now()))));
          return Promise.race([pulled, late]).finally(() => clearTimeout(timer));
        }));
      } catch (err) {
        ctx.log.error({ err }, 'file pull failed unexpectedly; withholding the attachments');
        outcomes = atts.map((a) => ({ status: 'failed', url: a.url, name: sanitize(a.name ?? 'file'), notice: withheldNotice(sanitize(a.name ?? 'file'), domain, 'it could not be fetched') }));
      }
      for (const oc of outcomes) if (!('localUrl' in oc) && emojis.has(oc.url)) oc.notice = '';
      for (const l of links) outcomes.push({ status: 'withheld', url: l, name: 'link', notice: `[link removed by ${domain}]` });
      rewriteMessage(r.stanza, outcomes, { dropNonHttp: true });
      if (policy.notify_sender) {
        for (const oc of outcomes) {
          if ('localUrl' in oc || oc.name === 'link' || emojis.has(oc.url)) continue;
          // file-pull.md §11: a plain message from the domain, never a stanza error (the text was delivered).
          void ctx.router.route(xml('message', { type: 'normal', from: domain, to: r.from.bare().toString(), id: `pull-${randomBytes(6).toString('hex')}` },
            xml('body', {}, `Your file "${oc.name}" to ${r.to.bare()} was not passed on: ${oc.notice}`)));
        }
      }
    };

    const queues = new PairQueues();
    const released = new WeakSet<Element>();
    const onMessage = async (r: Routed): Promise<boolean | void> => {
      const { stanza } = r;
      if (released.has(stanza) || stanza.attrs.type === 'error') return;
      // Local-to-local and outgoing messages are the upload case, untouched.
      if (ctx.router.isLocal(r.from.domain) || !r.to.local) return;
      const key = `${r.from.bare()}|${r.to.bare()}`;
      const policy = policyFor(r);
      let atts: Attachment[] = [];
      let links: string[] = [];
      if (policy.mode !== 'passthrough') {
        if (isEncrypted(stanza)) {
          if (policy.encrypted === 'reject') throw new StanzaError('policy-violation', `Encrypted messages are not accepted by ${r.to.domain}: their attachments cannot be checked`);
        } else {
          atts = extractAttachments(stanza).filter((a) => !isOurs(a.url));
          if (policy.body_links === 'defang') {
            const text = mainBody(stanza)?.getText() ?? '';
            links = bodyLinks(text).filter((l) => !isOurs(l) && !atts.some((a) => a.url === l));
          }
        }
      }
      if (atts.length === 0 && links.length === 0 && !queues.isHolding(key)) return;
      const arrived = now();
      const deadline = arrived + o.hold_max_seconds * 1000;
      const ready = atts.length || links.length ? handleFiles(r, policy, atts, links, deadline) : Promise.resolve();
      m.held.inc();
      queues.push(key, {
        ready,
        release: async () => {
          m.held.dec();
          m.hold.observe((now() - arrived) / 1000);
          released.add(stanza);
          await ctx.router.route(stanza);
        },
      }, (err) => ctx.log.error({ err }, 'releasing a held message failed'));
      return true;
    };
    const offs = [ctx.hooks.on('message/bare', onMessage, PRIORITY), ctx.hooks.on('message/full', onMessage, PRIORITY)];

    ctx.http.add('/pull', async (req, res) => {
      const parts = new URL(req.url ?? '/', 'http://x').pathname.split('/');
      const [token, name] = [parts[2] ?? '', parts.slice(3).join('/')];
      if (req.method === 'OPTIONS') return hosting.serve(req, res, {} as never, { kind: 'pull', ref: token, owner: '' });
      const grant = /^[A-Za-z0-9_-]{22}$/.test(token) ? await store.getGrant(token) : null;
      let decoded: string | null = null;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        /* no such file */
      }
      if (!grant || decoded !== grant.name) return hosting.notFound(req, res);
      const access = { kind: 'pull' as const, ref: token, owner: `${grant.username}@${grant.domain}` };
      const blob = await store.getBlob(grant.sha256);
      if (grant.expiresAt <= now() || !blob || blob.state === 'quarantined') return hosting.notFound(req, res, access);
      return hosting.serve(req, res, {
        path: join(hosting.dir('pull/blobs'), blob.sha256.slice(0, 2), blob.sha256), size: blob.size, type: grant.type, name: grant.name, sha256: blob.sha256, lastModified: grant.createdAt, expiresAt: grant.expiresAt,
      }, access);
    });

    ctx.services.provide('filePull', {
      async release(entry, admin) {
        const q = join(hosting.dir('pull/quarantine'), entry.ref);
        const dest = join(hosting.dir('pull/blobs'), entry.ref.slice(0, 2), entry.ref);
        if (existsSync(q) && !existsSync(dest)) await moveDurably(q, dest);
        if (!existsSync(dest)) throw new StanzaError('item-not-found', 'The quarantined file is gone');
        await store.putBlob({ sha256: entry.ref, size: entry.size, type: entry.type, state: 'released', signature: entry.signature, createdAt: now() });
        const token = randomBytes(16).toString('base64url');
        await store.createGrant({ token, username: entry.username, domain: entry.domain, sender: entry.sender ?? '', messageId: entry.messageId, name: entry.name, type: entry.type, size: entry.size, sha256: entry.ref, source: entry.source ?? '', createdAt: now(), expiresAt: now() + defaultPolicy.retention_days * 86_400_000 });
        const url = `${hosting.baseUrl(entry.domain)}/pull/${token}/${encodeURIComponent(entry.name)}`;
        const to = makeJid(entry.username, entry.domain).toString();
        await ctx.router.route(xml('message', { type: 'normal', from: entry.domain, to, id: `pull-release-${token.slice(0, 8)}` },
          xml('body', {}, `An administrator released the file "${entry.name}"${entry.sender ? ` from ${entry.sender}` : ''} that was withheld (${entry.signature}): ${url}`),
          xml('x', { xmlns: NS_OOB }, xml('url', {}, url))));
        ctx.log.warn({ sha256: entry.ref, recipient: to, admin: admin.toString() }, 'quarantined pulled file released by an admin');
        return `Released ${entry.name} to ${to}`;
      },
    });

    const sweep = async () => {
      try {
        await store.deleteExpiredGrants(now(), 500);
        for (const b of await store.orphanBlobs(now() - o.cache_seconds * 1000, 500)) {
          await unlink(join(hosting.dir('pull/blobs'), b.sha256.slice(0, 2), b.sha256)).catch(() => undefined);
          await store.deleteBlob(b.sha256);
        }
      } catch (err) {
        ctx.log.error({ err }, 'file-pull sweep failed');
      }
    };
    const timer = setInterval(() => void sweep(), o.sweep_interval_seconds * 1000);
    timer.unref();
    return async () => {
      clearInterval(timer);
      for (const off of offs) off();
      // Held messages go out (rewritten) before the router stops; bounded like every hold.
      const until = now() + Math.min(10_000, o.hold_max_seconds * 1000);
      while (queues.size > 0 && now() < until) await new Promise((r) => setTimeout(r, 50));
      if (queues.size > 0) ctx.log.warn({ held: queues.size }, 'stopping with messages still held for file pull');
    };
  },
});

function metrics(registry: client.Registry) {
  const registers = [registry];
  return {
    fetches: new client.Counter({ name: 'parley_pull_fetches_total', help: 'Remote file fetches by result (ok, refused, failed)', labelNames: ['result'] as const, registers }),
    fetchSeconds: new client.Histogram({ name: 'parley_pull_fetch_seconds', help: 'Time to fetch one remote file', labelNames: ['result'] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers }),
    bytes: new client.Counter({ name: 'parley_pull_bytes_total', help: 'Bytes fetched from remote hosts', registers }),
    scans: new client.Counter({ name: 'parley_pull_scans_total', help: 'Scans of pulled files by verdict (clean, infected, error, unscanned)', labelNames: ['verdict'] as const, registers }),
    quarantined: new client.Counter({ name: 'parley_pull_quarantined_total', help: 'Pulled files withheld as malware or dangerous type mismatch', registers }),
    hold: new client.Histogram({ name: 'parley_pull_hold_seconds', help: 'Delivery delay added by holding a message for its files (or behind one)', buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers }),
    held: new client.Gauge({ name: 'parley_pull_held', help: 'Messages held right now', registers }),
  };
}
