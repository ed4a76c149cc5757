/** V8's `.cpuprofile` (what node:inspector's Profiler.stop returns, and what Chrome DevTools opens). */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
    hitCount?: number;
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A function as the reports name it: name and `path:line`, paths relative to the service's directory. */
export interface FrameName {
  name: string;
  location: string;
  /** `ours` (src/), `dependency` (node_modules), `node` (node: internals), `runtime` ((program), (garbage collector), ...). */
  kind: 'ours' | 'dependency' | 'node' | 'runtime';
}

/** A node of the merged call tree: time in microseconds, children by frame. */
export interface CallTree {
  frame: FrameName;
  totalMicros: number;
  selfMicros: number;
  children: Map<string, CallTree>;
}

export interface FunctionTime {
  frame: FrameName;
  selfMicros: number;
  totalMicros: number;
}

/** `(idle)`: the thread waited for I/O. Left out of the flame graph and the top list, reported apart. */
const IDLE = '(idle)';

export function frameName(callFrame: CpuProfile['nodes'][number]['callFrame'], root = process.cwd()): FrameName {
  const name = callFrame.functionName || '(anonymous)';
  if (!callFrame.url) return { name, location: '', kind: name.startsWith('(') ? 'runtime' : 'node' };
  let path = callFrame.url.replace(/^file:\/\//, '');
  if (path.startsWith(`${root}/`)) path = path.slice(root.length + 1);
  const dependency = path.lastIndexOf('node_modules/');
  if (dependency >= 0) path = path.slice(dependency + 'node_modules/'.length);
  const kind = path.startsWith('node:') ? 'node' : dependency >= 0 ? 'dependency' : path.startsWith('src/') ? 'ours' : 'node';
  return { name, location: `${path}:${callFrame.lineNumber + 1}`, kind };
}

const key = (frame: FrameName) => `${frame.name} ${frame.location}`;

/**
 * Microseconds of self time per profile node: each sample is charged the time until the next one
 * (V8's timeDeltas are the gaps before each sample), the last one the average gap.
 */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const times = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  const average = samples.length > 0 ? (profile.endTime - profile.startTime) / samples.length : 0;
  for (let i = 0; i < samples.length; i++) {
    const delta = i + 1 < timeDeltas.length ? Math.max(0, timeDeltas[i + 1]!) : average;
    times.set(samples[i]!, (times.get(samples[i]!) ?? 0) + delta);
  }
  return times;
}

export interface ProfileSummary {
  durationMicros: number;
  idleMicros: number;
  /** Every function by self time, largest first (idle left out). */
  functions: FunctionTime[];
  /** The call tree with identical stacks merged, idle left out. */
  tree: CallTree;
}

export function summarize(profile: CpuProfile, root = process.cwd()): ProfileSummary {
  const self = selfTimes(profile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const rootNode = profile.nodes.find((node) => !childIds.has(node.id)) ?? profile.nodes[0];
  const tree: CallTree = { frame: { name: 'all', location: '', kind: 'runtime' }, totalMicros: 0, selfMicros: 0, children: new Map() };
  const functions = new Map<string, FunctionTime>();
  let idleMicros = 0;

  // Depth-first over the V8 tree, merging into `tree` by frame; `onStack` counts total time once per
  // function even when it recurses.
  const visit = (nodeId: number, into: CallTree, onStack: Set<string>): number => {
    const node = byId.get(nodeId);
    if (!node) return 0;
    const frame = frameName(node.callFrame, root);
    if (frame.name === IDLE) {
      idleMicros += self.get(nodeId) ?? 0;
      return 0;
    }
    const isRoot = node === rootNode;
    const target = isRoot ? into : getChild(into, frame);
    const ownSelf = self.get(nodeId) ?? 0;
    const k = key(frame);
    const recursing = onStack.has(k);
    if (!isRoot) onStack.add(k);
    let total = ownSelf;
    for (const child of node.children ?? []) total += visit(child, target, onStack);
    if (!isRoot) {
      if (!recursing) onStack.delete(k);
      target.selfMicros += ownSelf;
      target.totalMicros += total;
      const fn = functions.get(k) ?? { frame, selfMicros: 0, totalMicros: 0 };
      fn.selfMicros += ownSelf;
      if (!recursing) fn.totalMicros += total;
      functions.set(k, fn);
    } else {
      tree.totalMicros += total;
    }
    return total;
  };
  if (rootNode) visit(rootNode.id, tree, new Set());
  return {
    durationMicros: profile.endTime - profile.startTime,
    idleMicros,
    functions: [...functions.values()].sort((a, b) => b.selfMicros - a.selfMicros),
    tree,
  };
}

function getChild(parent: CallTree, frame: FrameName): CallTree {
  const k = key(frame);
  let child = parent.children.get(k);
  if (!child) {
    child = { frame, totalMicros: 0, selfMicros: 0, children: new Map() };
    parent.children.set(k, child);
  }
  return child;
}

/** The top-N table printed by `npm run profile`: self and total time, share of the busy time. */
export function topFunctionsTable(summary: ProfileSummary, limit = 15): string {
  const busy = summary.tree.totalMicros;
  const ms = (micros: number) => (micros / 1000).toFixed(1).padStart(8);
  const pct = (micros: number) => `${busy === 0 ? '0.0' : ((micros / busy) * 100).toFixed(1)}%`.padStart(6);
  const lines = [
    `busy ${(busy / 1000).toFixed(0)} ms of ${(summary.durationMicros / 1000).toFixed(0)} ms (idle ${(summary.idleMicros / 1000).toFixed(0)} ms)`,
    '',
    `${'self ms'.padStart(8)} ${'self'.padStart(6)} ${'total ms'.padStart(8)}  function`,
  ];
  for (const fn of summary.functions.slice(0, limit)) {
    const where = fn.frame.location ? `  ${fn.frame.location}` : '';
    lines.push(`${ms(fn.selfMicros)} ${pct(fn.selfMicros)} ${ms(fn.totalMicros)}  ${fn.frame.name}${where}`);
  }
  return lines.join('\n');
}
