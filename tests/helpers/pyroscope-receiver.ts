import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

/** One push to Pyroscope's `/ingest` API, with its pprof body decoded. */
export interface IngestedProfile {
  /** The query string: name (`<app>{tag=value,...}`), format, from, until, spyName, sampleRate. */
  query: URLSearchParams;
  contentType: string | undefined;
  profile: Profile;
  /** `type/unit` of each sample type, e.g. `cpu/nanoseconds`. */
  sampleTypes: string[];
  /** Every sample as its values (by sample type) and its string labels. */
  samples: Array<{ values: Record<string, number>; labels: Record<string, string>; functions: string[] }>;
}

/**
 * A stand-in for Pyroscope's push API as `@pyroscope/nodejs` calls it: `POST /ingest?name=…&format=pprof`
 * with the gzipped pprof as the raw body (a multipart `profile` field is not used by the Node
 * client, so it is refused here rather than half-parsed). Every body is decoded with pprof-format
 * (the parser @datadog/pprof encodes with), so a profile that Pyroscope could not read fails here too.
 */
export class PyroscopeReceiver {
  readonly pushes: IngestedProfile[] = [];
  readonly rejected: string[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://receiver');
        try {
          if (request.method !== 'POST' || url.pathname !== '/ingest') throw new Error(`${request.method} ${url.pathname}`);
          if (url.searchParams.get('format') !== 'pprof') throw new Error(`format=${url.searchParams.get('format')}`);
          const body = Buffer.concat(chunks);
          const raw = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
          this.pushes.push(decode(url.searchParams, request.headers['content-type'], Profile.decode(raw)));
          response.writeHead(200).end();
        } catch (error) {
          this.rejected.push(String(error));
          response.writeHead(400).end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Pushes whose profile has the given sample type (`cpu/nanoseconds`, `inuse_space/bytes`). */
  withSampleType(type: string): IngestedProfile[] {
    return this.pushes.filter((push) => push.sampleTypes.includes(type));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function decode(query: URLSearchParams, contentType: string | undefined, profile: Profile): IngestedProfile {
  const strings = profile.stringTable.strings;
  const text = (index: number | bigint) => strings[Number(index)] ?? '';
  const sampleTypes = profile.sampleType.map((type) => `${text(type.type)}/${text(type.unit)}`);
  const functionName = new Map(profile.function.map((fn) => [Number(fn.id), `${text(fn.name)} ${text(fn.filename)}`]));
  const locationFunctions = new Map(
    profile.location.map((location) => [Number(location.id), location.line.map((line) => functionName.get(Number(line.functionId)) ?? '')]),
  );
  const samples = profile.sample.map((sample) => ({
    values: Object.fromEntries(sampleTypes.map((type, i) => [type, Number(sample.value[i] ?? 0)])),
    labels: Object.fromEntries(sample.label.filter((label) => Number(label.str) !== 0).map((label) => [text(label.key), text(label.str)])),
    functions: sample.locationId.flatMap((id) => locationFunctions.get(Number(id)) ?? []),
  }));
  return { query, contentType, profile, sampleTypes, samples };
}
