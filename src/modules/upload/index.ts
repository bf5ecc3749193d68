// XEP-0363 HTTP File Upload (v1.2, urn:xmpp:http:upload:0) as a service JID upload.<domain>.
// Config: [modules.upload] public_url, max_file_size, profile_max_file_size, retention_days,
//   quota_bytes, profile_quota_bytes, permanent_*, quota_mode, rate_slots, rate_window_seconds,
//   put_window_seconds, denied_content_types, extra_domains, clamd, scan_failure, cors_origins, ...
// Disco: item upload.<domain> on each host; on the service: identity store/file, features
//   urn:xmpp:http:upload:0 and the purposes (#message #profile #ephemeral, #permanent when on),
//   XEP-0128 form with max-file-size.
// Component: upload.<domain> (iq get <request/> → <slot/>; disco#info/items).
// HTTP: /upload/<slot id>/<name>: PUT (Authorization from the slot), GET/HEAD (Range), OPTIONS (CORS).
// Hooks: account/deleted (delete the account's files). Services: provides fileHosting (scanner,
//   disk, HTTP serving for file-pull). Ad-hoc (admins): list / release quarantined files.
// Metrics: parley_upload_slots_total, parley_upload_bytes_total, parley_upload_scans_total,
//   parley_file_quarantined_total, parley_file_downloads_total, parley_file_download_bytes_total.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import client from 'prom-client';
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Routed } from '../../hooks/events.ts';
import type { Jid } from '../../jid/index.ts';
import { resolveDataPath } from '../../config/loader.ts';
import { ClamdScanner } from '../../scan/clamd.ts';
import type { FileAccess, FileHostingService, ServedFile } from '../../core/services.ts';
import type { QuarantineEntry, UploadSlot } from '../../storage/types.ts';
import { NS_PURPOSE, NS_UPLOAD, parseSlotRequest, slotElement, type Purpose } from './request.ts';
import { bucketOf, checkQuota, checkRate } from './quota.ts';
import { authorizationHeader } from './token.ts';
import { UploadDisk, durableMove, removeQuietly } from './disk.ts';
import { handlePut } from './put.ts';
import { notFound, serveFile, type ServeDeps } from './serve.ts';
import { sweep } from './sweeper.ts';
import { isServable } from './servable.ts';
import { listQuarantineCommand, releaseQuarantineCommand } from './quarantine-commands.ts';
import { fileAdminService } from './admin-service.ts';
import { reloadLive } from '../reload.ts';

const MiB = 1024 * 1024;
const DAY = 86_400_000;

const options = z.object({
  public_url: z.string().optional().describe('https base URL of the file host (default: http.public_url, else https://<domain>:<http.https_port>)'),
  component_prefix: z.string().default('upload').describe('The service JID is <component_prefix>.<domain>'),
  service_name: z.string().default('HTTP File Upload').describe('Name in the service identity'),
  max_file_size: z.number().int().positive().default(100 * MiB).describe('Largest file for the message and ephemeral purposes, bytes'),
  profile_max_file_size: z.number().int().positive().default(2 * MiB).describe('Largest file for the profile purpose, bytes'),
  retention_days: z.number().positive().default(30).describe('Days message/ephemeral files are kept'),
  quota_bytes: z.number().int().positive().default(2048 * MiB).describe('Per-user bytes for message and ephemeral files'),
  profile_quota_bytes: z.number().int().positive().default(20 * MiB).describe('Per-user bytes for profile files'),
  permanent_enabled: z.boolean().default(false).describe('Offer the permanent purpose (files never expire)'),
  permanent_max_file_size: z.number().int().positive().default(100 * MiB).describe('Largest permanent file, bytes'),
  permanent_quota_bytes: z.number().int().positive().default(1024 * MiB).describe('Per-user bytes for permanent files'),
  quota_mode: z.enum(['reject', 'evict_oldest']).default('reject').describe('Over quota: refuse the slot (wait + retry stamp) or delete the oldest files of the bucket'),
  rate_slots: z.number().int().positive().default(20).describe('Slots one user may request per rate window'),
  rate_window_seconds: z.number().int().positive().default(300).describe('The rate window'),
  put_window_seconds: z.number().int().positive().default(300).describe('Seconds a slot accepts its PUT'),
  denied_content_types: z.array(z.string()).default([]).describe('Media types refused at slot request (not-acceptable)'),
  extra_domains: z.array(z.string()).default([]).describe('Domains besides the hosted ones whose users may upload'),
  clamd: z.string().optional().describe('clamd address ("127.0.0.1:3310" or a Unix socket path); no scanning when unset'),
  scan_failure: z.enum(['closed', 'open']).default('closed').describe('When clamd gives no verdict: refuse (closed: 503, retry) or store flagged unscanned and rescan later (open)'),
  scan_timeout_seconds: z.number().positive().default(60).describe('Deadline for one clamd scan'),
  idle_timeout_seconds: z.number().positive().default(30).describe('A PUT body that stalls this long is aborted'),
  cors_origins: z.array(z.string()).default([]).describe('Origins allowed by CORS (empty: any, "*")'),
  trust_proxy: z.boolean().default(false).describe('Take the client address from X-Forwarded-For (behind a reverse proxy)'),
  sweep_interval_seconds: z.number().positive().default(600).describe('How often expired files are deleted'),
  sweep_batch: z.number().int().positive().default(500).describe('Most rows one sweep handles per step'),
  tombstone_days: z.number().nonnegative().default(7).describe('Days expired slot rows are kept for the logs'),
  log_retention_days: z.number().positive().default(90).describe('Days access and pull log rows are kept'),
  quarantine_days: z.number().positive().default(90).describe('Days quarantined files are kept'),
}).strict();

export default defineModule({
  name: 'upload',
  description: 'XEP-0363 HTTP file upload service with malware scanning',
  options,
  start(ctx) {
    const o = ctx.options;
    const now = () => Date.now();
    const store = ctx.storage.files;
    const root = resolveDataPath(ctx.config, '.');
    const disk = new UploadDisk(root);
    const key = loadKey(join(root, 'upload', 'secret'));
    const scanner = o.clamd ? new ClamdScanner({ address: o.clamd, timeoutMs: o.scan_timeout_seconds * 1000 }) : null;
    if (!scanner) ctx.log.warn('modules.upload.clamd is not set: uploaded and pulled files are not scanned for malware');
    else void scanner.ping().then((ok) => (ok ? ctx.log.info({ clamd: o.clamd }, 'clamd answers') : ctx.log.warn({ clamd: o.clamd }, 'clamd does not answer yet')));

    const base = (domain: string): string | null => {
      const url = (o.public_url ?? ctx.config.http.public_url ?? (ctx.config.http.https_port ? `https://${domain}:${ctx.config.http.https_port}` : '')).replace(/\/+$/, '');
      return url.startsWith('https://') ? url : null;
    };
    if (ctx.domains.some((d) => base(d) === null)) {
      // XEP-0363 §7: the URLs must be https. Without an https base there is no service to offer.
      ctx.log.error({ public_url: o.public_url ?? ctx.config.http.public_url }, 'upload needs an https public_url (or http.https_port): service not started');
      return;
    }

    const m = metrics(ctx.metrics.registry);
    const serveDeps: ServeDeps = {
      corsOrigins: o.cors_origins,
      trustProxy: o.trust_proxy,
      now,
      logAccess: (e) => {
        m.downloads.inc({ kind: e.kind, status: String(e.status) });
        m.downloadBytes.inc({ kind: e.kind }, e.bytes);
        void store.logAccess(e).catch((err) => ctx.log.error({ err }, 'access log write failed'));
        ctx.log.info({ kind: e.kind, ref: e.ref, owner: e.owner, ip: e.ip, range: e.range, bytes: e.bytes, status: e.status }, 'file access');
      },
    };
    const hosting: FileHostingService = {
      scanner,
      scanFailure: o.scan_failure,
      dir(area) {
        const d = join(root, area);
        mkdirSync(d, { recursive: true });
        return d;
      },
      baseUrl: (domain) => base(domain) ?? '',
      serve: (req, res, file, access) => serveFile(serveDeps, req, res, file, access),
      notFound: (req, res, access) => notFound(serveDeps, req, res, access),
    };
    ctx.services.provide('fileHosting', hosting);
    ctx.services.provide('fileAdmin', fileAdminService(store, disk, ctx.log));

    const quarantineUpload = async (slot: UploadSlot, signature: string) => {
      m.quarantined.inc({ kind: 'upload' });
      await store.quarantine({ kind: 'upload', ref: slot.id, username: slot.username, domain: slot.domain, sender: null, messageId: null, name: slot.name, type: slot.type, size: slot.size, signature, source: null, createdAt: now() });
      ctx.log.warn({ slot: slot.id, owner: `${slot.username}@${slot.domain}`, name: slot.name, signature }, 'upload quarantined: malware detected');
    };

    // ---- XMPP side: the service component ----
    // Limits are read per request so a config reload changes them at once.
    const sizeLimits = (): Record<Purpose, number> => ({ message: o.max_file_size, ephemeral: o.max_file_size, profile: o.profile_max_file_size, permanent: o.permanent_max_file_size });
    const quotas = (): Record<Purpose, number> => ({ message: o.quota_bytes, ephemeral: o.quota_bytes, profile: o.profile_quota_bytes, permanent: o.permanent_quota_bytes });
    const features = [NS_UPLOAD, `${NS_PURPOSE}#message`, `${NS_PURPOSE}#profile`, `${NS_PURPOSE}#ephemeral`, ...(o.permanent_enabled ? [`${NS_PURPOSE}#permanent`] : []), NS.discoInfo, NS.discoItems];
    const mayUpload = (from: Jid) => from.local !== '' && (ctx.domains.includes(from.domain) || o.extra_domains.includes(from.domain));

    const discoInfo = () => xml('query', { xmlns: NS.discoInfo },
      xml('identity', { category: 'store', type: 'file', name: o.service_name }),
      features.map((f) => xml('feature', { var: f })),
      // XEP-0363 §3 / XEP-0128: the limit, so clients need not ask for a slot to learn it.
      xml('x', { xmlns: NS.dataForms, type: 'result' },
        xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, NS_UPLOAD)),
        xml('field', { var: 'max-file-size' }, xml('value', {}, String(o.max_file_size)))));

    const requestSlot = async (r: Routed, payload: Element, serviceDomain: string): Promise<Element> => {
      if (!mayUpload(r.from)) throw new StanzaError('forbidden', 'Only local users may upload here');
      const [maxSize, quota] = [sizeLimits(), quotas()];
      const t = now();
      const req = parseSlotRequest(payload, { maxSize, permanentEnabled: o.permanent_enabled, deniedTypes: o.denied_content_types.map((s) => s.toLowerCase()), now: t });
      const username = r.from.local;
      const domain = r.from.domain;
      const rate = checkRate(await store.slotTimesSince(username, domain, t - o.rate_window_seconds * 1000), o.rate_slots, o.rate_window_seconds * 1000);
      if (rate) {
        m.slots.inc({ result: 'rate' });
        throw rate;
      }
      const bucket = bucketOf(req.purpose);
      let usage = await store.usage(username, domain, bucket, t);
      if (o.quota_mode === 'evict_oldest' && req.size <= quota[req.purpose]) {
        for (const old of await store.oldestReady(username, domain, bucket, 1000)) {
          if (usage.bytes + req.size <= quota[req.purpose]) break;
          if (await store.transitionSlot(old.id, ['ready'], 'expired')) await removeQuietly(disk.file(old.id));
          usage = await store.usage(username, domain, bucket, t);
        }
      }
      const over = checkQuota(usage.bytes, req.size, quota[req.purpose], usage.nextRelease);
      if (over) {
        m.slots.inc({ result: 'quota' });
        throw over;
      }
      const retention = o.retention_days * DAY;
      const expiresAt = req.purpose === 'message' ? t + retention : req.purpose === 'ephemeral' ? Math.min(req.expireBefore!, t + retention) : null;
      const slot: UploadSlot = {
        id: randomBytes(16).toString('base64url'), // 128 bits: the URL is the only secret a GET needs
        username, domain, name: req.name, size: req.size, type: req.type ?? 'application/octet-stream', purpose: req.purpose,
        createdAt: t, putDeadline: t + o.put_window_seconds * 1000, expiresAt, state: 'pending', sha256: null, verdict: null, storedAt: null,
      };
      await store.createSlot(slot);
      m.slots.inc({ result: 'granted' });
      const url = `${base(serviceDomain)}/upload/${slot.id}/${encodeURIComponent(slot.name)}`;
      ctx.log.info({ slot: slot.id, owner: `${username}@${domain}`, size: slot.size, type: slot.type, purpose: slot.purpose }, 'upload slot granted');
      return slotElement(url, url, authorizationHeader(key, slot));
    };

    const component = (serviceDomain: string) => ({
      async handle(r: Routed): Promise<void> {
        const { stanza } = r;
        const type = stanza.attrs.type;
        if (stanza.name !== 'iq') {
          if (stanza.name === 'message' && type !== 'error') throw new StanzaError('service-unavailable');
          return;
        }
        if (type !== 'get' && type !== 'set') return;
        const payloads = stanza.getChildElements();
        if (payloads.length !== 1) throw new StanzaError('bad-request', 'An iq get or set carries exactly one payload');
        const p = payloads[0];
        let result: Element;
        if (type === 'get' && p.is('query', NS.discoInfo) && p.attrs.node === undefined) result = discoInfo();
        else if (type === 'get' && p.is('query', NS.discoItems) && p.attrs.node === undefined) result = xml('query', { xmlns: NS.discoItems });
        else if (type === 'get' && p.is('request', NS_UPLOAD)) result = await requestSlot(r, p, serviceDomain);
        else throw new StanzaError('service-unavailable');
        await ctx.router.route(xml('iq', { type: 'result', id: stanza.attrs.id, from: r.to.toString(), to: r.from.toString() }, result));
      },
    });
    const unregister = ctx.domains.map((d) => ctx.router.registerComponent(`${o.component_prefix}.${d}`, component(d)));
    ctx.disco.addItems((domain) => (ctx.domains.includes(domain) ? [{ jid: `${o.component_prefix}.${domain}`, name: o.service_name }] : []));

    // ---- HTTP side ----
    const putDeps = {
      store, disk, key, scanner, scanFailure: o.scan_failure, corsOrigins: o.cors_origins, idleTimeoutMs: o.idle_timeout_seconds * 1000, now, log: ctx.log,
      onVerdict: (v: string, bytes: number) => {
        m.scans.inc({ verdict: v });
        if (v !== 'error') m.bytes.inc(bytes);
      },
      onInfected: quarantineUpload,
    };
    ctx.http.add('/upload', async (req, res) => {
      const parts = new URL(req.url ?? '/', 'http://x').pathname.split('/');
      const [id, name] = [parts[2] ?? '', parts.slice(3).join('/')];
      const slot = /^[A-Za-z0-9_-]{22}$/.test(id) ? await store.getSlot(id) : null;
      let decoded: string | null = null;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        /* a malformed escape names no file */
      }
      if (req.method === 'OPTIONS') return serveFile(serveDeps, req, res, {} as ServedFile, { kind: 'upload', ref: id, owner: '' });
      if (!slot || decoded !== slot.name) return notFound(serveDeps, req, res);
      if (req.method === 'PUT') return handlePut(putDeps, req, res, slot);
      const access: FileAccess = { kind: 'upload', ref: slot.id, owner: `${slot.username}@${slot.domain}` };
      // Expiry is checked on every request, not only by the sweeper (XEP-0363 §5.3 ephemeral: never after expire-before).
      if (!isServable(slot, now())) return notFound(serveDeps, req, res, access);
      return serveFile(serveDeps, req, res, {
        path: disk.file(slot.id), size: slot.size, type: slot.type, name: slot.name, sha256: slot.sha256!, lastModified: slot.storedAt ?? slot.createdAt, expiresAt: slot.expiresAt,
      }, access);
    });

    // ---- housekeeping ----
    const pullDirs = { blobs: join(root, 'pull/blobs'), quarantine: join(root, 'pull/quarantine') };
    const sweepDeps = {
      store, disk, scanner, batch: o.sweep_batch, tombstoneMs: o.tombstone_days * DAY, logRetentionMs: o.log_retention_days * DAY, quarantineMs: o.quarantine_days * DAY, now, log: ctx.log,
      quarantinePath: (q: QuarantineEntry) => (q.kind === 'upload' ? disk.quarantine(q.ref) : /^[0-9a-f]{64}$/.test(q.ref) ? join(pullDirs.quarantine, q.ref) : null),
      onInfected: async (id: string, signature: string) => {
        const slot = await store.getSlot(id);
        if (!slot || !(await store.transitionSlot(id, ['ready'], 'rejected', { verdict: 'infected' }))) return;
        await durableMove(disk.file(id), disk.quarantine(id)).catch(() => undefined);
        await quarantineUpload(slot, signature);
      },
    };
    let sweeping = false;
    const runSweep = async () => {
      if (sweeping) return;
      sweeping = true;
      try {
        await sweep(sweepDeps);
      } catch (err) {
        ctx.log.error({ err }, 'upload sweep failed');
      } finally {
        sweeping = false;
      }
    };
    const timer = setInterval(runSweep, o.sweep_interval_seconds * 1000);
    timer.unref();
    const offDeleted = ctx.hooks.on('account/deleted', () => void runSweep());

    const adhoc = ctx.services.get('adhoc');
    const offCommands: Array<() => void> = [];
    if (adhoc) {
      const qdeps = {
        store, now,
        allowed: (who: Jid, domain: string) => adhoc.isAdmin(who) && ctx.domains.includes(domain),
        filePull: () => ctx.services.get('filePull'),
        releaseUpload: async (e: QuarantineEntry) => {
          await durableMove(disk.quarantine(e.ref), disk.file(e.ref));
          await store.transitionSlot(e.ref, ['rejected'], 'ready', { verdict: 'released' });
          ctx.log.warn({ slot: e.ref, owner: `${e.username}@${e.domain}` }, 'quarantined upload released by an admin');
          return `Released ${e.name}: its URL works again until it expires`;
        },
      };
      offCommands.push(adhoc.register(listQuarantineCommand(qdeps)), adhoc.register(releaseQuarantineCommand(qdeps)));
    }
    return () => {
      clearInterval(timer);
      offDeleted();
      for (const u of unregister) u();
      for (const off of offCommands) off();
    };
  },
  // Config reload: limits, quotas and slot rules apply to the next slot request. The service
  // address, scanner, HTTP serving options and housekeeping schedule need a restart.
  reload: reloadLive(['service_name', 'max_file_size', 'profile_max_file_size', 'permanent_max_file_size', 'quota_bytes', 'profile_quota_bytes', 'permanent_quota_bytes', 'quota_mode', 'retention_days', 'rate_slots', 'rate_window_seconds', 'put_window_seconds', 'denied_content_types', 'extra_domains']),
});

/** The HMAC key for PUT tokens, kept across restarts so slots survive one. */
function loadKey(path: string): Buffer {
  if (existsSync(path)) return readFileSync(path);
  const key = randomBytes(32);
  writeFileSync(path, key, { mode: 0o600 });
  return key;
}

function metrics(registry: client.Registry) {
  const registers = [registry];
  return {
    slots: new client.Counter({ name: 'parley_upload_slots_total', help: 'Upload slot requests by result (granted, quota, rate)', labelNames: ['result'] as const, registers }),
    bytes: new client.Counter({ name: 'parley_upload_bytes_total', help: 'Bytes received by completed uploads', registers }),
    scans: new client.Counter({ name: 'parley_upload_scans_total', help: 'Malware scans of uploads by verdict (clean, infected, error, unscanned)', labelNames: ['verdict'] as const, registers }),
    quarantined: new client.Counter({ name: 'parley_file_quarantined_total', help: 'Files put in quarantine, by kind (upload, pull)', labelNames: ['kind'] as const, registers }),
    downloads: new client.Counter({ name: 'parley_file_downloads_total', help: 'GET/HEAD answers for stored files by kind and status', labelNames: ['kind', 'status'] as const, registers }),
    downloadBytes: new client.Counter({ name: 'parley_file_download_bytes_total', help: 'Bytes served for stored files by kind', labelNames: ['kind'] as const, registers }),
  };
}
