import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temporary directories of a test file (rendered manifests, Collector sinks, rule copies): made under
 * the OS's temp dir and removed after the file's tests by remove-temp-dirs.ts (vitest setupFiles),
 * so a run leaves nothing behind in /tmp.
 */
const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
