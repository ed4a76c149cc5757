import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BUILD_TOOLS = fileURLToPath(new URL('../../scripts/build-tools.sh', import.meta.url));
const printed = new Map<string, Record<string, string>>();

/**
 * The Go-built tools' paths as scripts/build-tools.sh prints them (`NAME=path` lines), after it has
 * built whatever is missing from its cache. `targets` limits what it builds and validates (e.g.
 * `['compose']`); none means every tool. Asked once per set of targets per process.
 */
export function builtTools(targets: readonly string[] = []): Record<string, string> {
  const key = targets.join(' ');
  let tools = printed.get(key);
  if (!tools) {
    const output = execFileSync(BUILD_TOOLS, [...targets, '--print-env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    tools = Object.fromEntries(
      output
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    printed.set(key, tools);
  }
  return tools;
}

/** One tool's path; fails naming the variable when build-tools.sh printed none. */
export function builtTool(name: string, targets: readonly string[] = []): string {
  const path = builtTools(targets)[name];
  if (!path) throw new Error(`scripts/build-tools.sh --print-env printed no ${name}`);
  return path;
}
