import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as copies from '../../src/telemetry/semconv.ts';

describe('src/telemetry/semconv.ts', () => {
  it('copies each incubating name exactly as the pinned @opentelemetry/semantic-conventions/incubating exports it', () => {
    const exported = incubating as unknown as Record<string, unknown>;
    const differing = Object.entries(copies).filter(([name, value]) => exported[name] !== value);
    expect(differing).toEqual([]);
  });
});
