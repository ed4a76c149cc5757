import postgres from 'postgres';
import { loadMigrateConfig } from '../config/service-config.ts';
import { migrate } from '../infra/db/migrations.ts';
import { seed } from '../infra/db/seed.ts';
import { configOrExit } from '../config/config-or-exit.ts';

/** `npm run migrate`: applies migrations and seed data once, for deployments that migrate out of band. */
const config = configOrExit('migrate', () => loadMigrateConfig());
const sql = postgres(config.DATABASE_URL, { max: 1, onnotice: () => {} });
try {
  const applied = await migrate(sql);
  await seed(sql);
  process.stdout.write(`${JSON.stringify({ level: 'info', message: 'migrations_applied', applied })}\n`);
} finally {
  await sql.end();
}
