// XEP-0156 discovery of alternative connection methods over HTTP: /.well-known/host-meta (XRD)
// and /.well-known/host-meta.json, pointing web clients at our WebSocket endpoint (RFC 7395 §4)
// and, when [quic] is enabled, QUIC clients at the XEP-0467 endpoint.
// Config: [modules.host-meta] websocket_url. Routes: /.well-known/host-meta, /.well-known/host-meta.json.
import { z } from 'zod';
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { defineModule } from '../types.ts';
import { escapeAttr } from '../../xml/escape.ts';

const WS_REL = 'urn:xmpp:alt-connections:websocket';
const QUIC_REL = 'urn:xmpp:alt-connections:quic';

export default defineModule({
  name: 'host-meta',
  description: 'XEP-0156 host-meta discovery of the WebSocket endpoint',
  options: z.object({
    websocket_url: z.string().optional().describe('Advertised WebSocket URL (default: derived from http.public_url or the request)'),
  }).strict(),
  start(ctx) {
    const wsUrl = (req: IncomingMessage): string => {
      if (ctx.options.websocket_url) return ctx.options.websocket_url;
      if (ctx.config.http.public_url) return ctx.config.http.public_url.replace(/^http/, 'ws').replace(/\/$/, '') + '/xmpp-websocket';
      const scheme = req.socket instanceof TLSSocket ? 'wss' : 'ws';
      return `${scheme}://${req.headers.host ?? `${ctx.domains[0]}:${ctx.config.http.https_port}`}/xmpp-websocket`;
    };
    // XEP-0467 names XEP-0156 for discovering QUIC endpoints: advertised when [quic] is enabled.
    const quicLink = () => (ctx.config.quic.enabled ? { rel: QUIC_REL, href: `quic://${ctx.domains[0]}:${ctx.config.quic.port}` } : null);
    // CORS: web clients on other origins must be able to read this (XEP-0156 §3.2).
    const headers = { 'access-control-allow-origin': '*', 'cache-control': 'max-age=3600' };
    ctx.http.add('/.well-known/host-meta', (req, res) => {
      const quic = quicLink();
      const quicXrd = quic ? `  <Link rel="${quic.rel}" href="${escapeAttr(quic.href)}"/>\n` : '';
      const xrd = `<?xml version='1.0' encoding='utf-8'?>\n<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n  <Link rel="${WS_REL}" href="${escapeAttr(wsUrl(req))}"/>\n${quicXrd}</XRD>\n`;
      res.writeHead(200, { ...headers, 'content-type': 'application/xrd+xml' }).end(xrd);
    });
    ctx.http.add('/.well-known/host-meta.json', (req, res) => {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ links: [{ rel: WS_REL, href: wsUrl(req) }, ...(quicLink() ? [quicLink()!] : [])] }, null, 2));
    });
  },
});
