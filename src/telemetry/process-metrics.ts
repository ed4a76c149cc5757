import { ATTR_CPU_MODE, METRIC_PROCESS_CPU_TIME, METRIC_PROCESS_MEMORY_USAGE } from './semconv.ts';
import { meter as scopeMeter } from './scope.ts';

/**
 * Process CPU time and resident memory, the two process metrics the runtime instrumentation does not
 * emit. Read at export time only. Names follow the process.* semantic conventions.
 */
export function registerProcessMetrics(): void {
  const meter = scopeMeter();
  const cpu = meter.createObservableCounter(METRIC_PROCESS_CPU_TIME, { description: 'CPU time spent by the process.', unit: 's' });
  cpu.addCallback((result) => {
    const usage = process.cpuUsage();
    result.observe(usage.user / 1e6, { [ATTR_CPU_MODE]: 'user' });
    result.observe(usage.system / 1e6, { [ATTR_CPU_MODE]: 'system' });
  });
  const memory = meter.createObservableUpDownCounter(METRIC_PROCESS_MEMORY_USAGE, {
    description: 'Resident set size of the process.',
    unit: 'By',
  });
  memory.addCallback((result) => result.observe(process.memoryUsage.rss()));
}
