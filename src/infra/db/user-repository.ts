import type { SignupSource, User } from '../../domain/model.ts';
import type { NewUser, UserRepository } from '../../domain/ports.ts';
import type { InstrumentedDb } from './instrumented-db.ts';

interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  signup_source: SignupSource;
  created_at: Date;
  password_hash?: string;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  name: row.name,
  signupSource: row.signup_source,
  createdAt: row.created_at.toISOString(),
});

export class PgUserRepository implements UserRepository {
  private readonly db: InstrumentedDb;

  constructor(db: InstrumentedDb) {
    this.db = db;
  }

  async create(user: NewUser): Promise<User | undefined> {
    const rows = await this.db.query({ operation: 'INSERT', collection: 'users' })<UserRow>`
      INSERT INTO users (tenant_id, email, name, password_hash, signup_source)
      VALUES (${user.tenantId}, ${user.email}, ${user.name}, ${user.passwordHash}, ${user.signupSource})
      ON CONFLICT (tenant_id, email) DO NOTHING
      RETURNING id, tenant_id, email, name, signup_source, created_at`;
    return rows[0] && toUser(rows[0]);
  }

  async findById(tenantId: string, id: string): Promise<User | undefined> {
    const rows = await this.db.query({ operation: 'SELECT', collection: 'users' })<UserRow>`
      SELECT id, tenant_id, email, name, signup_source, created_at FROM users WHERE tenant_id = ${tenantId} AND id = ${id}`;
    return rows[0] && toUser(rows[0]);
  }

  async findCredentials(tenantId: string, email: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const rows = await this.db.query({ operation: 'SELECT', collection: 'users' })<UserRow>`
      SELECT id, tenant_id, email, name, signup_source, created_at, password_hash
      FROM users WHERE tenant_id = ${tenantId} AND email = ${email}`;
    const row = rows[0];
    return row && { user: toUser(row), passwordHash: row.password_hash ?? '' };
  }
}
