/**
 * What a PromQL expression reads, from the Lezer PromQL syntax tree (the grammar Grafana and the
 * Prometheus UI use): every selected series with its name (or `__name__` regex), its label matchers,
 * and the labels the expression groups or joins it by. No regular expressions over query text: a
 * label inside a string or a `by` clause inside a function call is told apart by the grammar.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** One series an expression reads. */
export interface SelectedSeries {
  /** The metric name, or undefined when only a `__name__` matcher selects it. */
  name?: string;
  /** Matchers, `__name__` ones included. */
  matchers: Matcher[];
  /** Labels the expression needs on this series: its matchers' labels plus by/on/group_x labels around it. */
  labels: string[];
}

interface Node {
  name: string;
  from: number;
  to: number;
  firstChild: Node | null;
  nextSibling: Node | null;
  parent: Node | null;
}

const children = (node: Node): Node[] => {
  const out: Node[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
};
const descendants = (node: Node, name: string): Node[] =>
  children(node).flatMap((c) => (c.name === name ? [c, ...descendants(c, name)] : descendants(c, name)));

const unquote = (literal: string): string => {
  const body = literal.slice(1, -1);
  return literal.startsWith('`') ? body : body.replace(/\\(.)/g, '$1');
};

/** Labels that label_replace/label_join inside `node` create: they need no producer. */
const createdLabels = (node: Node, text: string): Set<string> => {
  const created = new Set<string>();
  for (const call of descendants(node, 'FunctionCall')) {
    const fn = text.slice(call.from, call.to);
    if (!/^label_(replace|join)\s*\(/.test(fn)) continue;
    const body = children(call).find((c) => c.name === 'FunctionCallBody');
    const first = body && children(body).find((c) => c.name === 'StringLiteral');
    if (first) created.add(unquote(text.slice(first.from, first.to)));
  }
  return created;
};

const groupingLabels = (clause: Node, text: string): Array<{ keyword: string; labels: string[] }> => {
  const parts = children(clause);
  const out: Array<{ keyword: string; labels: string[] }> = [];
  parts.forEach((part, index) => {
    if (part.name !== 'GroupingLabels') return;
    const keyword = parts[index - 1]?.name ?? '';
    out.push({ keyword, labels: descendants(part, 'LabelName').map((l) => text.slice(l.from, l.to)) });
  });
  return out;
};

/** Vector selectors under `node`, each with the labels its own matchers name. */
const selectorsUnder = (node: Node): Node[] => (node.name === 'VectorSelector' ? [node] : descendants(node, 'VectorSelector'));

/**
 * Every series `query` reads. `by` and `on` labels must exist on the series they group (else the
 * result loses them silently); `group_left(x)` labels must exist on the right-hand side. `without`
 * and `ignoring` are not required: dropping a label a series lacks changes nothing.
 */
export const selectedSeries = (query: string): SelectedSeries[] => {
  const tree = parser.parse(query);
  const root = tree.topNode as unknown as Node;
  // Keyed by offset: Lezer hands out a fresh node object on every walk.
  const required = new Map<number, Set<string>>();
  const need = (selectors: Node[], labels: string[], scope: Node): void => {
    const created = createdLabels(scope, query);
    for (const s of selectors) {
      const set = required.get(s.from) ?? new Set<string>();
      for (const label of labels) if (!created.has(label)) set.add(label);
      required.set(s.from, set);
    }
  };
  const visit = (node: Node): void => {
    if (node.name === 'AggregateExpr') {
      const modifier = children(node).find((c) => c.name === 'AggregateModifier');
      const body = children(node).find((c) => c.name === 'FunctionCallBody');
      if (modifier && body && children(modifier)[0]?.name === 'By') {
        need(
          selectorsUnder(body),
          groupingLabels(modifier, query).flatMap((g) => g.labels),
          body,
        );
      }
    }
    if (node.name === 'BinaryExpr') {
      const parts = children(node);
      const clause = parts.find((c) => c.name === 'MatchingModifierClause');
      const operands = parts.filter(
        (c) => c !== clause && !/^(Eql|Neq|Gtr|Gte|Lss|Lte|Add|Sub|Mul|Div|Mod|Pow|And|Or|Unless|Atan2|Bool)$/.test(c.name),
      );
      const [left, right] = operands;
      if (clause && left && right) {
        for (const { keyword, labels } of groupingLabels(clause, query)) {
          if (keyword === 'On') need([...selectorsUnder(left), ...selectorsUnder(right)], labels, node);
          if (keyword === 'GroupLeft') need(selectorsUnder(right), labels, right);
          if (keyword === 'GroupRight') need(selectorsUnder(left), labels, left);
        }
      }
    }
    children(node).forEach(visit);
  };
  visit(root);
  return selectorsUnder(root).map((selector) => {
    const identifier = children(selector).find((c) => c.name === 'Identifier');
    const matchers = descendants(selector, 'UnquotedLabelMatcher').map((m): Matcher => {
      const [label, op, value] = children(m);
      return {
        label: label ? query.slice(label.from, label.to) : '',
        op: (op ? query.slice(op.from, op.to) : '=') as Matcher['op'],
        value: value ? unquote(query.slice(value.from, value.to)) : '',
      };
    });
    const labels = new Set([...matchers.map((m) => m.label).filter((l) => l !== '__name__'), ...(required.get(selector.from) ?? [])]);
    return {
      ...(identifier ? { name: query.slice(identifier.from, identifier.to) } : {}),
      matchers,
      labels: [...labels].sort(),
    };
  });
};

/** Offsets of the syntax errors Lezer recovered from: a reference from an unparsable query is not trusted. */
export const promqlErrors = (query: string): number[] => {
  const offsets: number[] = [];
  parser.parse(query).iterate({ enter: (n) => void (n.type.isError && offsets.push(n.from)) });
  return offsets;
};

/** Labels of a series, or of an expression's result: `open` when the producer sets labels not derived here. */
export interface LabelSet {
  labels: Set<string>;
  open: boolean;
}

const NONE: LabelSet = { labels: new Set(), open: false };
const VECTOR_NODES =
  /^(VectorSelector|MatrixSelector|AggregateExpr|BinaryExpr|FunctionCall|ParenExpr|SubqueryExpr|OffsetExpr|UnaryExpr|StepInvariantExpr)$/;

/**
 * The labels an expression's result carries, as Prometheus computes them: `by (...)` keeps those,
 * `without` drops, a binary operation keeps the left side's (plus `group_left` extras), a
 * histogram_quantile drops `le`, label_replace adds its target. `selector` gives a series' labels.
 */
export const outputLabels = (query: string, selector: (series: SelectedSeries) => LabelSet): LabelSet => {
  const all = selectedSeries(query);
  const root = parser.parse(query).topNode as unknown as Node;
  const selectors = selectorsUnder(root);
  const text = (n: Node) => query.slice(n.from, n.to);
  const compute = (node: Node): LabelSet => {
    const parts = children(node);
    const vectors = parts.filter((c) => VECTOR_NODES.test(c.name));
    switch (node.name) {
      case 'VectorSelector': {
        const series = all[selectors.findIndex((s) => s.from === node.from)];
        return series ? selector(series) : NONE;
      }
      case 'AggregateExpr': {
        const modifier = parts.find((c) => c.name === 'AggregateModifier');
        const body = parts.find((c) => c.name === 'FunctionCallBody');
        const inner = body
          ? compute(
              children(body)
                .filter((c) => VECTOR_NODES.test(c.name))
                .pop() ?? body,
            )
          : NONE;
        const grouping = modifier ? groupingLabels(modifier, query).flatMap((g) => g.labels) : [];
        if (modifier && children(modifier)[0]?.name === 'By') return { labels: new Set(grouping), open: false };
        if (modifier) return { labels: new Set([...inner.labels].filter((l) => !grouping.includes(l))), open: inner.open };
        return /^(topk|bottomk|limitk|limit_ratio)/.test(text(node)) ? inner : NONE;
      }
      case 'BinaryExpr': {
        const [left, right] = vectors.map(compute);
        if (!left || !right) return left ?? right ?? NONE;
        const clause = parts.find((c) => c.name === 'MatchingModifierClause');
        const extra = clause
          ? groupingLabels(clause, query)
              .filter((g) => g.keyword === 'GroupLeft')
              .flatMap((g) => g.labels)
          : [];
        return { labels: new Set([...left.labels, ...extra]), open: left.open };
      }
      case 'FunctionCall': {
        const fn = text(node).replace(/\s*\(.*$/s, '');
        const body = parts.find((c) => c.name === 'FunctionCallBody');
        const args = body ? children(body).filter((c) => VECTOR_NODES.test(c.name)) : [];
        const strings = body
          ? children(body)
              .filter((c) => c.name === 'StringLiteral')
              .map((s) => unquote(text(s)))
          : [];
        if (/^(vector|time|scalar|pi)$/.test(fn)) return NONE;
        if (/^absent(_over_time)?$/.test(fn)) {
          const first = args[0] ? selectorsUnder(args[0])[0] : undefined;
          const s = all[selectors.findIndex((x) => x.from === first?.from)];
          return {
            labels: new Set((s?.matchers ?? []).filter((m) => m.op === '=' && m.label !== '__name__').map((m) => m.label)),
            open: false,
          };
        }
        const inner = args.length ? compute(args[args.length - 1]!) : NONE;
        if (fn === 'histogram_quantile') return { labels: new Set([...inner.labels].filter((l) => l !== 'le')), open: inner.open };
        if (/^label_(replace|join)$/.test(fn) && strings[0])
          return { labels: new Set([...compute(args[0]!).labels, strings[0]]), open: inner.open };
        return args[0] ? compute(args[0]) : NONE;
      }
      default:
        return vectors[0] ? compute(vectors[0]) : NONE;
    }
  };
  const top = children(root)[0];
  return top ? compute(top) : NONE;
};
