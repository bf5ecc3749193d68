// The JID normalisation caches use the shared bounded cache (src/cache).
export { LruCache, clearAllCaches } from '../cache/lru.ts';
