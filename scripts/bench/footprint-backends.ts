/**
 * The pids of Postgres (its postmaster) and Redis as scripts/backends.sh runs them: from their pid
 * files in the backends' state directory, else (a server someone started otherwise on the same
 * ports) the oldest process with that command name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const STATE = process.env.OTELKIT_STATE || (process.getuid?.() === 0 ? '/var/tmp/otelkit' : join(homedir(), '.cache/otelkit/state'));

const firstLineNumber = (file: string): number | undefined => {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** The process named `comm` whose parent is not also `comm` (the server, not its workers). */
function serverByName(comm: string): number | undefined {
  const parents = new Map<number, { comm: string; ppid: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      parents.set(Number(entry), { comm: name, ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) });
    } catch {
      // exited meanwhile
    }
  }
  const servers = [...parents].filter(([, p]) => p.comm === comm && parents.get(p.ppid)?.comm !== comm).map(([pid]) => pid);
  return servers.sort((a, b) => a - b)[0];
}

export const postmasterPid = (): number | undefined => firstLineNumber(join(STATE, 'postgres/postmaster.pid')) ?? serverByName('postgres');
export const redisPid = (): number | undefined => firstLineNumber(join(STATE, 'redis-6379.pid')) ?? serverByName('redis-server');
