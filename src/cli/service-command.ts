import type { Command } from './usage.ts';

/**
 * A service takes its settings from the environment, not from arguments: its command line only
 * answers --help (anything else is left alone, as before).
 */
export function serviceCommand(service: 'api' | 'payments' | 'worker'): Command<{ help: boolean }> {
  return {
    name: service,
    usage: `Usage: npm run start:${service}   (node --import ./src/instrumentation.ts src/services/${service}.ts)

  The ${service} service. It takes no options: every setting is an environment variable
  (src/config/service-config.ts, .env.example), and a bad one exits 78 naming it.
  --help                  show this help`,
    parse: (argv) => ({ help: argv.includes('--help') }),
  };
}
