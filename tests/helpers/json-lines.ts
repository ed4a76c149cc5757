import { Writable } from 'node:stream';

/** A stream that keeps every JSON line written to it (a logger's stdout, for assertions). */
export class JsonLines extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  }
}
