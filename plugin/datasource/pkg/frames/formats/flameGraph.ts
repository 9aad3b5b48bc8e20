// Flame graph in Grafana's nested-set shape: label, level, value, self, rows in depth-first order under
// one root. Spans with the same call path (names from the root down) are merged, as profilers do.
//
// `level` comes from the parent chain, not from thread_spans' `depth`: level 0 is the 'total' root
// Grafana expects (one block for the whole), and a span whose parent is not in the result (parent 0:
// the thread root, which has no row; or a parent outside the time range) is a child of it at level 1.
// So thread_spans' top-level spans (depth 1) are at level 1, their children at level 2, and no level
// is ever empty whatever depth numbering the query's view uses.
import { numberField, stringField } from '../build.js';
import { findField, frameLength, type Frame } from '../frame.js';
import { numbers, values } from '../rows.js';
import { FormatError } from './errors.js';

interface Node {
  label: string;
  value: number;
  children: Map<string, Node>;
}

const newNode = (label: string): Node => ({ label, value: 0, children: new Map() });

export function flameGraphFrame(table: Frame): Frame {
  const id = findField(table, 'id');
  const parent = findField(table, 'parent');
  const name = findField(table, 'name');
  const duration = findField(table, 'duration');
  if (!id || !parent || !name || !duration) {
    throw new FormatError('flame graph', 'the result needs thread_spans columns id, parent, name and duration');
  }
  const length = frameLength(table);
  const ids = values(id).map(String);
  const parents = values(parent).map(String);
  const names = values(name).map((v) => String(v ?? ''));
  const durations = numbers(duration);

  const rowById = new Map<string, number>();
  ids.forEach((spanId, row) => rowById.set(spanId, row));
  const root = newNode('total');
  const nodeOfRow = new Array<Node | undefined>(length);

  // Resolves the merged node of a span, walking up its parents iteratively (deep stacks stay off the JS stack).
  const resolve = (row: number): Node => {
    const pending: number[] = [];
    let current: number | undefined = row;
    while (current !== undefined && nodeOfRow[current] === undefined) {
      pending.push(current);
      const up = rowById.get(parents[current]!);
      current = up === undefined || up === current || pending.includes(up) ? undefined : up;
    }
    let node = current === undefined ? root : nodeOfRow[current]!;
    for (let i = pending.length - 1; i >= 0; i--) {
      const r = pending[i]!;
      let child = node.children.get(names[r]!);
      if (!child) {
        node.children.set(names[r]!, (child = newNode(names[r]!)));
      }
      nodeOfRow[r] = node = child;
    }
    return node;
  };
  for (let row = 0; row < length; row++) {
    resolve(row).value += durations[row]!;
  }
  for (const child of root.children.values()) {
    root.value += child.value;
  }

  const labels: string[] = [];
  const levels: number[] = [];
  const totals: number[] = [];
  const selfs: number[] = [];
  const stack: Array<{ node: Node; level: number }> = [{ node: root, level: 0 }];
  while (stack.length > 0) {
    const { node, level } = stack.pop()!;
    let childTotal = 0;
    for (const child of node.children.values()) {
      childTotal += child.value;
    }
    labels.push(node.label);
    levels.push(level);
    totals.push(node.value);
    selfs.push(Math.max(0, node.value - childTotal));
    const children = [...node.children.values()];
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ node: children[i]!, level: level + 1 });
    }
  }

  return {
    name: table.name,
    refId: table.refId,
    fields: [
      stringField('label', labels),
      numberField('level', levels),
      { ...numberField('value', totals), config: { unit: 'ns' } },
      { ...numberField('self', selfs), config: { unit: 'ns' } },
    ],
    meta: { ...table.meta, preferredVisualisationType: 'flamegraph' },
  };
}
