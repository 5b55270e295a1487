/** The parser ships no types; what the tests use of its output (prom2json's shape). */
declare module 'parse-prometheus-text-format' {
  export interface MetricSample {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  export interface MetricFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: MetricSample[];
  }
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
