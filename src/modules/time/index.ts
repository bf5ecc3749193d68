// XEP-0202 Entity Time for the server.
// Config: none. Features: urn:xmpp:time. Iq: get urn:xmpp:time (host).
import { defineModule } from '../types.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

/** XEP-0082 time-zone offset of this process, e.g. "+01:00". */
export function tzo(date: Date): string {
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export default defineModule({
  name: 'time',
  description: 'XEP-0202 entity time',
  start(ctx) {
    ctx.disco.addFeature(NS.time);
    ctx.iq.handle(NS.time, 'get', () => {
      const now = new Date();
      return xml('time', { xmlns: NS.time }, xml('tzo', {}, tzo(now)), xml('utc', {}, now.toISOString().replace(/\.\d{3}Z$/, 'Z')));
    });
  },
});
