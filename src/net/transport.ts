// A byte-stream transport under an XML stream: plain TCP that can upgrade to TLS, Direct TLS,
// and later WebSocket and QUIC streams. The XML stream code only sees this interface.
import type { ChannelBindingType } from '../sasl/index.ts';

export interface Transport {
  readonly id: string;
  readonly listener: string;
  readonly remoteAddress: string;
  readonly secure: boolean;
  /** 'stream' = one XML document over bytes (RFC 6120); 'websocket' = one element per frame (RFC 7395). */
  readonly framing: 'stream' | 'websocket';
  readonly canStartTls: boolean;
  /** Queue bytes; false when the peer is not keeping up (the caller checks bufferedBytes). */
  write(data: string): boolean;
  /** Bytes accepted by write() and not yet handed to the kernel. */
  bufferedBytes(): number;
  /** Upgrade to TLS in place (STARTTLS); resolves once the handshake is done. */
  startTls(): Promise<void>;
  /** Channel-binding data (RFC 5929 / RFC 9266) or null when the type is not available on this connection. */
  channelBinding(type: ChannelBindingType): Buffer | null;
  /** Types available on this connection, best first. */
  channelBindingTypes(): ChannelBindingType[];
  /** Stop delivering data (inbound back-pressure: TCP flow control then slows the peer). */
  pauseReading(): void;
  resumeReading(): void;
  onData(cb: (chunk: Buffer | string) => void): void;
  /** Called once when the connection is gone; several listeners may register. */
  onClose(cb: (reason: string) => void): void;
  /** Flush what is queued, then close. */
  end(): void;
  /** Close now, dropping what is queued. */
  destroy(): void;
}
