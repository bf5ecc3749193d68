// Iq round trips over a RawXmpp stream, for protocol steps no client library exposes (XEP-0077
// registration before authentication): write an iq, wait for the reply with the same id, parse it.
import { parse, type Element } from 'ltx';
import { RawXmpp } from './raw.ts';
import type { RunningServer } from './server.ts';

/** The reply to iq `id` (result or error) as an ltx Element. */
export async function rawIq(raw: RawXmpp, xmlText: string, id: string, timeoutMs = 5000): Promise<Element> {
  raw.write(xmlText);
  const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const text = await raw.waitFor(new RegExp(`<iq\\b(?=[^>]*\\bid=["']${esc}["'])[^>]*?(?:/>|>[\\s\\S]*?</iq>)`), timeoutMs);
  const start = text.lastIndexOf('<iq');
  return parse(text.slice(start));
}

/** A client stream to `server` that has done STARTTLS and stopped before SASL; `features` is what it was offered. */
export async function preAuthStream(server: RunningServer): Promise<{ raw: RawXmpp; features: string }> {
  const raw = await RawXmpp.connect({ port: server.ports.c2s, domain: server.domain });
  try {
    await raw.openStream();
    await raw.startTls(false);
    const features = await raw.openStream();
    return { raw, features };
  } catch (e) {
    raw.destroy();
    throw e;
  }
}

let seq = 0;
/** XEP-0077 §3.1 legacy registration set. */
export function legacyRegister(username: string, password: string, id = `reg${++seq}`): { id: string; xml: string } {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return { id, xml: `<iq type='set' id='${id}'><query xmlns='jabber:iq:register'><username>${esc(username)}</username><password>${esc(password)}</password></query></iq>` };
}

/** Create an account through XEP-0077 on a server with in-band registration enabled (no CLI process). */
export async function registerInBand(server: RunningServer, username: string, password: string): Promise<void> {
  const { raw } = await preAuthStream(server);
  try {
    const r = legacyRegister(username, password);
    const reply = await rawIq(raw, r.xml, r.id);
    if (reply.attrs.type !== 'result') throw new Error(`registering ${username} failed: ${reply.toString()}`);
  } finally {
    raw.destroy();
  }
}
