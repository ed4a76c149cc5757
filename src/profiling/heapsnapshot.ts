/** The parts of V8's `.heapsnapshot` JSON that a per-constructor summary reads. */
interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapTypeSize {
  /** Constructor or type name (`Object`, `Array`, `(compiled code)`, `system / Context`, ...). */
  name: string;
  count: number;
  selfBytes: number;
}

/** Objects grouped by constructor (node name for objects, the type otherwise), by self size, largest first. */
export function heapByType(json: string): { totalBytes: number; types: HeapTypeSize[] } {
  const snapshot = JSON.parse(json) as HeapSnapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const typeNames = snapshot.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapTypeSize>();
  let totalBytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += stride) {
    const type = typeNames[snapshot.nodes[i + typeAt]!] ?? 'unknown';
    const size = snapshot.nodes[i + sizeAt]!;
    const name = type === 'object' || type === 'native' ? (snapshot.strings[snapshot.nodes[i + nameAt]!] ?? type) : `(${type})`;
    const group = groups.get(name) ?? { name, count: 0, selfBytes: 0 };
    group.count++;
    group.selfBytes += size;
    groups.set(name, group);
    totalBytes += size;
  }
  return { totalBytes, types: [...groups.values()].sort((a, b) => b.selfBytes - a.selfBytes) };
}

export function heapTable(summary: ReturnType<typeof heapByType>, limit = 15): string {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2).padStart(9);
  const lines = [
    `heap ${(summary.totalBytes / 2 ** 20).toFixed(1)} MiB (self sizes)`,
    '',
    `${'MiB'.padStart(9)} ${'objects'.padStart(9)}  constructor / type`,
  ];
  for (const type of summary.types.slice(0, limit)) lines.push(`${mib(type.selfBytes)} ${String(type.count).padStart(9)}  ${type.name}`);
  return lines.join('\n');
}
