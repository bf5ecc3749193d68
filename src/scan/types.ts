// What a malware scanner tells us about a stream of bytes. The clamd client implements it; tests
// and deployments without a scanner use none (the modules then apply their scan_failure policy).
import type { Readable } from 'node:stream';

export type ScanVerdict =
  | { status: 'clean' }
  | { status: 'infected'; signature: string }
  /** The scanner could not give a verdict (unreachable, timeout, size limit, unexpected reply). */
  | { status: 'error'; reason: string };

export interface Scanner {
  /** Scan the bytes a stream yields; never rejects, errors come back as { status: 'error' }. */
  scan(source: Readable | AsyncIterable<Buffer | Uint8Array>): Promise<ScanVerdict>;
  /** Scan a file by streaming it (the scanner need not see our disk). */
  scanFile(path: string): Promise<ScanVerdict>;
  /** Whether the scanner answers at all (PING/PONG for clamd). */
  ping(): Promise<boolean>;
}
