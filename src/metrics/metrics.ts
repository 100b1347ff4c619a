import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What ztrisk measures, as a narrow sink the API and services write to. The Prometheus implementation
 * is exposed at `GET /metrics`; tests and tools may pass {@link NO_METRICS}.
 */
export interface Metrics {
  /** One HTTP request answered: route pattern (never the raw URL), method, status, seconds taken. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** Records ingested through a source, by outcome (`accepted`, `duplicate`, `skipped`, `rejected`). */
  countIngested(source: string, outcome: 'accepted' | 'duplicate' | 'skipped' | 'rejected', n: number): void;
  /** Risk events recorded, by behavior key. */
  countDetections(behavior: string, n: number): void;
  /** Requests refused by the rate limiter. */
  countRateLimited(n: number): void;
  /** Registers a gauge read at scrape time (for example the Shared Signals delivery backlog). */
  gauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: () => Promise<readonly { labels: Record<string, string>; value: number }[]>,
  ): void;
  /** The Prometheus text exposition, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** A sink that records nothing. */
export const NO_METRICS: Metrics = {
  observeRequest() {},
  countIngested() {},
  countDetections() {},
  countRateLimited() {},
  gauge() {},
  async render() {
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' };
  },
};

/** Prometheus metrics (own registry, so several apps in one process do not collide). */
export function createPrometheusMetrics(options: { readonly processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'ztrisk_' });
  const requests = new Counter({
    name: 'ztrisk_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ztrisk_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern and method',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const ingested = new Counter({
    name: 'ztrisk_ingested_records_total',
    help: 'Ingested records by source and outcome',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const detections = new Counter({
    name: 'ztrisk_detections_total',
    help: 'Risk events recorded by detection, by behavior',
    labelNames: ['behavior'],
    registers: [registry],
  });
  const limited = new Counter({
    name: 'ztrisk_rate_limited_total',
    help: 'Requests refused with 429 by the rate limiter',
    registers: [registry],
  });
  return {
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
    },
    countIngested(source, outcome, n) {
      if (n > 0) ingested.inc({ source, outcome }, n);
    },
    countDetections(behavior, n) {
      if (n > 0) detections.inc({ behavior }, n);
    },
    countRateLimited(n) {
      limited.inc(n);
    },
    gauge(name, help, labelNames, collect) {
      new Gauge({
        name,
        help,
        labelNames: [...labelNames],
        registers: [registry],
        async collect() {
          this.reset();
          for (const { labels, value } of await collect()) this.set(labels, value);
        },
      });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
