import type { CallTree, ProfileSummary } from './cpuprofile.ts';

const WIDTH = 1200;
const ROW = 18;
const PAD = 10;
const TITLE = 40;
/** Frames narrower than this many pixels are left out: they cannot be read and only grow the file. */
const MIN_PX = 0.3;

const COLOURS: Record<CallTree['frame']['kind'], [number, number]> = {
  ours: [16, 85], // orange: the service's own code (src/)
  dependency: [45, 75], // yellow: node_modules
  node: [200, 30], // grey-blue: Node.js internals
  runtime: [0, 60], // red: (program), (garbage collector)
};

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A stable colour per function, within its kind's hue, so the same function looks the same everywhere. */
function colour(frame: CallTree['frame']): string {
  let hash = 0;
  for (const char of frame.name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const [hue, saturation] = COLOURS[frame.kind];
  return `hsl(${hue + (hash % 20)}, ${saturation}%, ${55 + (hash % 15)}%)`;
}

/**
 * A self-contained SVG flame graph of a CPU profile (no script, no external file): callers below,
 * callees above, the width of a frame its share of the busy time. Hovering a frame shows its name,
 * file and time; any browser opens it. Idle time is left out (it is reported beside the graph).
 */
export function flameGraphSvg(summary: ProfileSummary, title: string): string {
  const total = summary.tree.totalMicros;
  const scale = total > 0 ? (WIDTH - 2 * PAD) / total : 0;
  const placed: Array<{ node: CallTree; x: number; level: number; width: number }> = [];
  let depth = 0;
  const place = (node: CallTree, x: number, level: number) => {
    depth = Math.max(depth, level);
    placed.push({ node, x, level, width: node.totalMicros * scale });
    let childX = x;
    const children = [...node.children.values()].sort((a, b) => a.frame.name.localeCompare(b.frame.name));
    for (const child of children) {
      if (child.totalMicros * scale >= MIN_PX) place(child, childX, level + 1);
      childX += child.totalMicros * scale;
    }
  };
  place(summary.tree, PAD, 0);
  const height = TITLE + (depth + 1) * ROW + PAD;
  // Level 0 at the bottom: y grows downwards in SVG, so a frame's y counts up from the bottom edge.
  const bottom = height - PAD;
  const body = placed.map(({ node, x, level, width }) => frameSvg(node, x, bottom - (level + 1) * ROW, width, total)).join('\n');
  const subtitle = `busy ${(total / 1000).toFixed(0)} ms of ${(summary.durationMicros / 1000).toFixed(0)} ms, idle ${(summary.idleMicros / 1000).toFixed(0)} ms — hover a frame for its file and time`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fdfdf8"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    `<text x="${WIDTH / 2}" y="32" text-anchor="middle" fill="#555">${escape(subtitle)}</text>`,
    body,
    `</svg>`,
    '',
  ].join('\n');
}

function frameSvg(node: CallTree, x: number, y: number, width: number, total: number): string {
  const { frame } = node;
  const share = total > 0 ? ((node.totalMicros / total) * 100).toFixed(2) : '0';
  const label = `${frame.name}${frame.location ? ` ${frame.location}` : ''}`;
  const tooltip = `${label}\n${(node.totalMicros / 1000).toFixed(1)} ms total (${share}%), ${(node.selfMicros / 1000).toFixed(1)} ms self`;
  const chars = Math.floor((width - 6) / 6.6);
  const text = chars >= 3 ? (frame.name.length > chars ? `${frame.name.slice(0, chars - 2)}..` : frame.name) : '';
  return [
    `<g><title>${escape(tooltip)}</title>`,
    `<rect x="${x.toFixed(2)}" y="${y}" width="${Math.max(width - 0.5, 0.1).toFixed(2)}" height="${ROW - 1}" fill="${colour(frame)}" rx="2"/>`,
    text ? `<text x="${(x + 3).toFixed(2)}" y="${y + 13}">${escape(text)}</text>` : '',
    `</g>`,
  ].join('');
}
