// Reads something a server writes after it has answered (e.g. an access-log row written when the
// response stream finishes, which the client can see end first) until it is there or time is up.
export async function eventually<T>(read: () => T, ready: (value: T) => boolean, timeoutMs = 5000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (ready(value) || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
