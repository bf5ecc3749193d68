// XEP-0092 Software Version of the server.
// Config: [modules.version] hide_os. Features: jabber:iq:version. Iq: get jabber:iq:version (host).
import { z } from 'zod';
import { platform, release } from 'node:os';
import { defineModule } from '../types.ts';
import { xml } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { PARLEY_VERSION } from '../../core/version.ts';

export default defineModule({
  name: 'version',
  description: 'XEP-0092 software version',
  options: z.object({ hide_os: z.boolean().default(true).describe('Do not reveal the operating system in version replies') }).strict(),
  start(ctx) {
    ctx.disco.addFeature(NS.version);
    ctx.iq.handle(NS.version, 'get', () =>
      xml('query', { xmlns: NS.version }, xml('name', {}, 'Parley'), xml('version', {}, PARLEY_VERSION), ctx.options.hide_os ? undefined : xml('os', {}, `${platform()} ${release()}; Node.js ${process.version}`)),
    );
  },
});
