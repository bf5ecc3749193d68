// Which QUIC stream the current piece of stream handling runs for. The generic C2S stream calls
// stream-feature providers and nonza handlers without naming its transport; QUIC transports
// deliver their bytes inside quicContext.run(), and promise chains keep the context, so the
// QUIC extensions (quic-ack, mux) see their connection and stay invisible on TCP and WebSocket.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { QuicStreamTransport } from './stream-transport.ts';
import type { QuicClientConnection } from './c2s-connection.ts';

export interface QuicStreamInfo {
  connection: QuicClientConnection;
  /** The transport carrying the stream (set by the transport itself). */
  transport?: QuicStreamTransport;
}

export const quicContext = new AsyncLocalStorage<QuicStreamInfo>();
