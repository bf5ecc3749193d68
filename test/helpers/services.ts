// Which external services/programs are available, as probed by scripts/run-tests.mjs.
// Use as: test('...', { skip: skipUnless('slixmpp') }, async () => {...})
const probed: Record<string, boolean> = JSON.parse(process.env.PARLEY_SERVICES ?? '{}');

export type Service = 'postgres' | 'redis' | 'slixmpp' | 'prosody' | 'clamd' | 'chromium';

export function skipUnless(...names: Service[]): false | string {
  const missing = names.filter((n) => probed[n] === false);
  return missing.length ? `needs ${missing.join(', ')} (not available here)` : false;
}
