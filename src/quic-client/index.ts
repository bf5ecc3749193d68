export { QuicXmppClient, type QuicXmppOptions } from './client.ts';
