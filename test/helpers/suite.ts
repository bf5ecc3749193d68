// One Parley server for a describe() of @xmpp/client tests: starts it with the given accounts
// (password `${user}-secret`) before the tests, disconnects each test's clients after it, and stops
// the server at the end. login and track are bound, so they can be destructured.
//   const s = new XmppSuite(['ann', 'bob']);
//   const { login } = s;
//   test('...', async () => { const ann = await login('ann'); ... `bob@${s.domain}` ... });
import { after, afterEach, before } from 'node:test';
import { addUsers } from './accounts.ts';
import { startServer, type RunningServer, type StartOptions } from './server.ts';
import { connectXmppjs, disconnect, type Client } from './xmppjs.ts';

export class XmppSuite {
  #server: RunningServer | undefined;
  #open: Client[] = [];

  /** Registers the suite's before, afterEach and after hooks in the current describe(). */
  constructor(users: string[], options: StartOptions = {}) {
    before(async () => {
      this.#server = await startServer(options);
      await addUsers(this.#server, users);
    });
    afterEach(async () => {
      await Promise.all(this.#open.map(disconnect));
      this.#open = [];
    });
    after(async () => {
      await this.#server?.stop();
    });
  }

  get server(): RunningServer {
    if (!this.#server) throw new Error('the suite has no server yet: use it inside a test');
    return this.#server;
  }

  get domain(): string {
    return this.server.domain;
  }

  /** A PLAIN login, disconnected after the test. */
  login = async (username: string, resource?: string): Promise<Client> =>
    this.track(await connectXmppjs({ port: this.server.ports.c2s, domain: this.domain, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' }));

  /** Disconnect this client (of another server, say) after the test too. */
  track = (c: Client): Client => {
    this.#open.push(c);
    return c;
  };
}
