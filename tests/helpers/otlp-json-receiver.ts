import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OTLP/HTTP JSON receiver for child-process tests: it accepts /v1/traces, /v1/metrics and
 * /v1/logs and keeps the decoded requests. (The Collector end to end is tested in tests/e2e.)
 */
export class OtlpJsonReceiver {
  readonly traces: any[] = [];
  readonly metrics: any[] = [];
  readonly logs: any[] = [];
  /** Every request body as received, before parsing: what a backend would store, byte for byte. */
  readonly raw: Buffer[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const bytes = Buffer.concat(chunks);
        this.raw.push(bytes);
        const body = JSON.parse(bytes.toString() || '{}');
        if (request.url === '/v1/traces') this.traces.push(body);
        else if (request.url === '/v1/metrics') this.metrics.push(body);
        else if (request.url === '/v1/logs') this.logs.push(body);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  spans(): any[] {
    return this.traces.flatMap((t) =>
      t.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => ({ ...s, resource: rs.resource })))),
    );
  }

  logRecords(): any[] {
    return this.logs.flatMap((l) =>
      l.resourceLogs.flatMap((rl: any) =>
        rl.scopeLogs.flatMap((sl: any) => sl.logRecords.map((r: any) => ({ ...r, resource: rl.resource }))),
      ),
    );
  }

  metricNames(): string[] {
    return this.metrics.flatMap((m) =>
      m.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics.map((x: any) => x.name))),
    );
  }

  /** Resource attributes of every received resource (spans, metrics and logs), as key → value. */
  resources(): Array<Record<string, unknown>> {
    const all = [
      ...this.traces.flatMap((t) => t.resourceSpans ?? []),
      ...this.metrics.flatMap((m) => m.resourceMetrics ?? []),
      ...this.logs.flatMap((l) => l.resourceLogs ?? []),
    ];
    return all.map((r: any) => Object.fromEntries((r.resource?.attributes ?? []).map((a: any) => [a.key, a.value])));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
