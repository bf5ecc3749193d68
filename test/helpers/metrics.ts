// Reads Parley's Prometheus endpoint (/metrics on the HTTP port) for tests that watch counters move.
import { request } from 'node:http';

export interface Scrape {
  status: number;
  contentType: string;
  text: string;
}

export function scrapeMetrics(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<Scrape> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/metrics', method: 'GET', timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET /metrics on ${host}:${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The value of a metric in the exposition text, summed over every label set, or only over samples
 * whose labels include all of `labels`. undefined when no sample of that name exists at all.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (!Object.entries(labels).every(([k, v]) => have[k] === v)) continue;
    total = (total ?? 0) + Number(m[4]);
  }
  return total;
}

/** Convenience: scrape and read one metric (0 when the metric has no samples yet). */
export async function readMetric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const { text } = await scrapeMetrics(port);
  return metricValue(text, name, labels) ?? 0;
}
