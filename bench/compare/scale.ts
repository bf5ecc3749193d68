// How big each scenario is. Every phase is bounded in connections and in time, so a slow or
// overloaded machine makes a run less precise, never endless.

export interface Scale {
  name: 'quick' | 'default' | 'full';
  rounds: number;
  /** Users online at once for memory, 1:1 messages and MUC (users 0..online-1, with presence). */
  online: number;
  /** Restart each server before the memory measurement so every round starts from a fresh process. */
  freshProcess: boolean;
  connectConcurrency: number;
  storm: { logins: number; concurrency: number; seconds: number };
  messages: { throughputSeconds: number; window: number; steadyRate: number; steadySeconds: number };
  muc: { occupants: number; pacedMessages: number; pacedRate: number; burst: number };
  mam: { archive: number; queries: number };
  roster: { contacts: number; logins: number };
  /** Upper bound for one connect pass; beyond it the run fails with a clear message. */
  connectSeconds: number;
  /** Rounds after the first start only while the whole run is expected to end within this. */
  budgetMinutes: number;
}

export const SCALES: Record<Scale['name'], Scale> = {
  quick: {
    name: 'quick',
    rounds: 1,
    online: 30,
    freshProcess: false,
    connectConcurrency: 20,
    storm: { logins: 40, concurrency: 20, seconds: 5 },
    messages: { throughputSeconds: 2, window: 2, steadyRate: 100, steadySeconds: 2 },
    muc: { occupants: 20, pacedMessages: 10, pacedRate: 10, burst: 5 },
    mam: { archive: 100, queries: 10 },
    roster: { contacts: 30, logins: 3 },
    connectSeconds: 60,
    budgetMinutes: 5,
  },
  default: {
    name: 'default',
    rounds: 3,
    online: 1000,
    freshProcess: true,
    connectConcurrency: 50,
    storm: { logins: 1000, concurrency: 100, seconds: 10 },
    messages: { throughputSeconds: 6, window: 1, steadyRate: 200, steadySeconds: 6 },
    muc: { occupants: 500, pacedMessages: 20, pacedRate: 4, burst: 20 },
    mam: { archive: 5000, queries: 40 },
    roster: { contacts: 1000, logins: 10 },
    connectSeconds: 300,
    budgetMinutes: 15,
  },
  full: {
    name: 'full',
    rounds: 3,
    online: 10_000,
    freshProcess: true,
    connectConcurrency: 100,
    storm: { logins: 10_000, concurrency: 200, seconds: 20 },
    messages: { throughputSeconds: 15, window: 1, steadyRate: 1000, steadySeconds: 15 },
    muc: { occupants: 500, pacedMessages: 40, pacedRate: 4, burst: 50 },
    mam: { archive: 100_000, queries: 100 },
    roster: { contacts: 1000, logins: 20 },
    connectSeconds: 900,
    budgetMinutes: 120,
  },
};

/** Accounts every peer gets: user0..userN-1 plus the MAM and roster owners. */
export function accountCount(s: Scale): number {
  return Math.max(s.online, s.storm.logins, s.muc.occupants, s.roster.contacts);
}
