/**
 * Paths and file loading shared by the static tests. Everything is read relative to the repository
 * root, so the tests run the same from any working directory.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Absolute path of the repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of a repository file. */
export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);

/** UTF-8 content of a repository file; throws (and so fails the calling test) when it is missing. */
export const readRepoFile = (path: string): string => {
  const absolute = repoPath(path);
  if (!existsSync(absolute)) throw new Error(`${path} does not exist`);
  return readFileSync(absolute, 'utf8');
};

/**
 * Parsed YAML of a repository file. `merge: true` applies YAML merge keys (`<<: *anchor`), as
 * docker compose does before validating.
 */
export const readYaml = <T = unknown>(path: string): T => parse(readRepoFile(path), { merge: true }) as T;

/** Parsed JSON of a repository file. */
export const readJson = <T = unknown>(path: string): T => JSON.parse(readRepoFile(path)) as T;

/** Repository-relative paths of the files under `dir` (recursive) whose name ends with one of `extensions`. */
export const listFiles = (dir: string, extensions: string[]): string[] => {
  const absolute = repoPath(dir);
  if (!existsSync(absolute)) return [];
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      const full = join(current, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (extensions.some((ext) => entry.endsWith(ext))) found.push(relative(ROOT, full));
    }
  };
  walk(absolute);
  return found.sort();
};

/** Every string value in a parsed YAML/JSON tree, with its path (comments are not values). */
export const stringValues = (node: unknown, path = ''): Array<{ path: string; value: string }> => {
  if (typeof node === 'string') return [{ path, value: node }];
  if (Array.isArray(node)) return node.flatMap((item, index) => stringValues(item, `${path}[${index}]`));
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => stringValues(value, path ? `${path}.${key}` : key));
  }
  return [];
};
