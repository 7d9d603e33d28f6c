/**
 * State keys for hashing. `stateKey` is exact. `canonicalKey` applies
 * symmetry reduction: servers are interchangeable with servers and workers
 * with workers, because every server runs the same program from the same
 * initial state, and likewise every worker, and no transition or invariant
 * looks at a TID's value, only at identity. The key of a state is the exact
 * key of a renamed copy in which tasks of each role are sorted by a
 * TID-free signature; two states with the same canonical key are therefore
 * renamings of each other, which is what makes caching by it sound.
 */
import type { ListNode, State, Task, Tid } from './types.ts';

function nodesKey(nodes: readonly ListNode[], map: (t: Tid) => number): string {
  let k = '';
  for (const n of nodes) k += (n.marked ? '*' : '') + map(n.tid) + ',';
  return k;
}

function taskKey(t: Task, map: (t: Tid) => number): string {
  const w = t.word;
  return (
    t.pc +
    '|' + t.reg +
    '|' + w.state + (w.locked ? '+L' : '') +
    '|' + map(w.serverTid) +
    '|' + map(w.nextTid) +
    '|' + t.kstate +
    (t.sigpending ? '|sig' : '') +
    '|' + map(t.other) +
    '|' + t.hookFrom +
    (t.end === 'none' ? '' : '|' + t.end)
  );
}

const identity = (t: Tid): number => t;

/** The exact key: equal keys iff equal states. */
export function stateKey(s: State): string {
  let k = `${s.envBudget}|${s.killedBy}#`;
  for (const t of s.tasks) k += taskKey(t, identity) + ';';
  return k + 'W:' + nodesKey(s.idleWorkers, identity) + 'S:' + nodesKey(s.idleServers, identity);
}

/** A TID-free description of a task, used only to order tasks of one role. */
function signature(s: State, t: Task): string {
  const role = (tid: Tid): string => (tid === 0 ? '0' : (s.tasks[tid - 1]?.role ?? '?'));
  const w = t.word;
  const iw = s.idleWorkers.findIndex((n) => n.tid === t.tid);
  const is = s.idleServers.findIndex((n) => n.tid === t.tid);
  return (
    `${t.pc}|${t.reg}|${w.state}${w.locked ? 'L' : ''}|${role(w.serverTid)}|${role(w.nextTid)}|${t.kstate}|` +
    `${t.sigpending ? 1 : 0}|${role(t.other)}|${t.hookFrom}|${t.end}|${iw}|${is}|` +
    `${w.serverTid === t.tid ? 'self' : ''}`
  );
}

/** The symmetry-reduced key (see the module comment for why it is sound). */
export function canonicalKey(s: State): string {
  const sigs = s.tasks.map((t) => signature(s, t));
  const order = s.tasks
    .map((t, i) => i)
    .sort((a, b) => {
      const ta = s.tasks[a]!;
      const tb = s.tasks[b]!;
      if (ta.role !== tb.role) return ta.role === 'server' ? -1 : 1;
      const sa = sigs[a]!;
      const sb = sigs[b]!;
      return sa < sb ? -1 : sa > sb ? 1 : a - b;
    });
  const rename = new Array<number>(s.tasks.length + 1).fill(0);
  order.forEach((oldIndex, newIndex) => {
    rename[oldIndex + 1] = newIndex + 1;
  });
  const map = (tid: Tid): number => (tid === 0 ? 0 : (rename[tid] ?? tid));
  let k = `${s.envBudget}|${map(s.killedBy)}#`;
  for (const i of order) k += taskKey(s.tasks[i]!, map) + ';';
  return k + 'W:' + nodesKey(s.idleWorkers, map) + 'S:' + nodesKey(s.idleServers, map);
}
