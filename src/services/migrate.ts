import postgres from 'postgres';
import { z } from 'zod';
import { url } from '../config/fields.ts';
import { parseConfig } from '../config/parse-config.ts';
import { migrate } from '../infra/db/migrations.ts';
import { seed } from '../infra/db/seed.ts';
import { configOrExit } from './config-or-exit.ts';

/** `npm run migrate`: applies migrations and seed data once, for deployments that migrate out of band. */
const config = configOrExit('migrate', () =>
  parseConfig(z.object({ DATABASE_URL: url('postgres://otelkit:otelkit@postgres:5432/otelkit') }), process.env),
);
const sql = postgres(config.DATABASE_URL, { max: 1, onnotice: () => {} });
try {
  const applied = await migrate(sql);
  await seed(sql);
  process.stdout.write(`${JSON.stringify({ level: 'info', message: 'migrations_applied', applied })}\n`);
} finally {
  await sql.end();
}
