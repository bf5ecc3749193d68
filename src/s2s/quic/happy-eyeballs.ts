// Happy eyeballs between QUIC and TCP for an outgoing s2s stream (specs/quic.md §5): QUIC starts
// first; TCP starts when QUIC has not finished its handshake after `delayMs`, or at once when QUIC
// fails. The first transport to connect wins; the other is discarded when it connects later.
export interface Racer {
  discard(): void;
}

export interface RaceEvents<T> {
  quicFailed(e: Error): void;
  /** QUIC lost the race (it connected after TCP, or is still pending when TCP connects). */
  tcpWon(d: T): void;
}

export function happyEyeballs<T extends Racer>(quic: () => Promise<T>, tcp: () => Promise<T>, delayMs: number, ev: RaceEvents<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    let winner: T | null = null;
    let pending = 0;
    let tcpStarted = false;
    let lastError: Error = new Error('no transport');
    const settle = (d: T, isTcp: boolean) => {
      pending--;
      if (winner) return d.discard();
      winner = d;
      clearTimeout(timer);
      if (isTcp) ev.tcpWon(d);
      resolve(d);
    };
    const failed = (e: Error) => {
      pending--;
      lastError = e;
      if (!winner && pending === 0 && tcpStarted) reject(lastError);
    };
    const startTcp = () => {
      if (tcpStarted || winner) return;
      tcpStarted = true;
      pending++;
      tcp().then((d) => settle(d, true), failed);
    };
    pending++;
    quic().then(
      (d) => settle(d, false),
      (e: Error) => {
        ev.quicFailed(e);
        startTcp();
        failed(e);
      },
    );
    const timer = setTimeout(startTcp, delayMs);
  });
}
