/**
 * Loads a service's settings; a bad setting ends the process at once with one fatal JSON line that
 * names it (before any logger exists, so the line is written by hand in the logger's shape).
 */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const line = { level: 'fatal', time: new Date().toISOString(), service, message: 'config_invalid', error: (error as Error).message };
    process.stderr.write(`${JSON.stringify(line)}\n`);
    process.exit(78); // EX_CONFIG
  }
}
