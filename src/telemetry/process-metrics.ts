import { metrics } from '@opentelemetry/api';

/**
 * Process CPU time and resident memory, the two process metrics the runtime instrumentation does not
 * emit. Read at export time only. Names follow the process.* semantic conventions.
 */
export function registerProcessMetrics(): void {
  const meter = metrics.getMeter('otelkit', '0.1.0');
  const cpu = meter.createObservableCounter('process.cpu.time', { description: 'CPU time spent by the process.', unit: 's' });
  cpu.addCallback((result) => {
    const usage = process.cpuUsage();
    result.observe(usage.user / 1e6, { 'cpu.mode': 'user' });
    result.observe(usage.system / 1e6, { 'cpu.mode': 'system' });
  });
  const memory = meter.createObservableUpDownCounter('process.memory.usage', {
    description: 'Resident set size of the process.',
    unit: 'By',
  });
  memory.addCallback((result) => result.observe(process.memoryUsage.rss()));
}
