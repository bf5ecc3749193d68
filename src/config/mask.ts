// A copy of the configuration safe to show: values of keys that hold secrets are masked.
const SECRET_KEY = /secret|password|token|key$|^key|credential|private/i;

export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // A table of secrets (components.secrets) keeps its keys but hides every value.
      out[k] = SECRET_KEY.test(key) && typeof v === 'string' ? '********' : maskSecrets(v, SECRET_KEY.test(k) && typeof v !== 'object' ? k : SECRET_KEY.test(k) ? k : '');
    }
    return out;
  }
  if (typeof value === 'string' && SECRET_KEY.test(key) && !/(\.pem|\.key|\.crt)$/.test(value)) return '********';
  // Credentials inside URLs (storage.url = "postgres://user:password@host/db").
  if (typeof value === 'string') return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+):[^@/\s]+@/i, '$1:********@');
  return value;
}
