/**
 * The transitions of the abstract v0.3 machine, through `enabled` and `apply`
 * only. Three views:
 *
 * 1. every program counter (a total record over `Pc`, so a new pc without a
 *    test does not compile): a state where its step is enabled and what the
 *    step does, and where a pc has no step, that it is not enabled;
 * 2. every action kind (a total record over `ActionKind`): where it is and is
 *    not enabled, and its effect; direct `ctl`/`wait` calls return the
 *    syscall's value on the Step;
 * 3. the rows of the domain reference's §4.6 tables (W0-W8, S1, S2), the
 *    ttwu return value and the signal path, as short multi-step scenarios;
 * 4. structural facts of every step along random schedules (fast-check; a
 *    schedule is a list of choices among the enabled steps, so it shrinks).
 *
 * Task naming: in an S x W state, servers are TIDs 1..S and workers S+1..S+W.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EFAULT, EINVAL, EOPNOTSUPP, ESRCH } from '../../model/errno.ts';
import { initialState, successors } from '../../model/init.ts';
import { UMCG_CTL_REGISTER, UMCG_CTL_UNREGISTER, UMCG_CTL_WORKER, UMCG_WAIT_WAKE_ONLY } from '../../model/syscalls.ts';
import { causeOf, enabled, type Action, type ActionKind, type Step } from '../../model/transitions.ts';
import type { ModelConfig, Pc, State } from '../../model/types.ts';
import {
  act,
  ALL_PCS,
  build,
  config,
  expectDisabled,
  expectSameState,
  last,
  marked,
  serverAsleep,
  serverAtLoop,
  step,
  steps,
  stepWhile,
  taskOf,
  withState,
  withTasks,
  workerAsleepInHook,
  workerAsleepInWait,
  workerInBlockingCall,
  workerRunning,
} from '../helpers/model.ts';

// 1 x 1 and 1 x 2
const S1 = 1;
const W1 = 2;
const W2 = 3;
// 2 x 1
const S2 = 2;
const W1of2x1 = 3;

/** The 0/1 result of try_to_wake_up that a ttwu step's label reports. */
function ttwuResult(label: string): number {
  const m = /(?:=|returns)\s*([01])\)?\s*$/.exec(label);
  if (m === null) throw new Error(`no ttwu result in label "${label}"`);
  return Number(m[1]);
}

interface Case {
  readonly name: string;
  readonly run: () => void;
}

// ---------------------------------------------------------------------------
// 1. Every program counter

const AT_PC: { readonly [P in Pc]: readonly Case[] } = {
  'srv:register': [
    {
      name: 'srv:register calls sys_umcg_ctl(REGISTER) with state RUNNING (S0): it returns 0, the server is registered and goes on to srv:set_tid',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: { reg: 'none', pc: 'srv:register', word: { state: 'RUNNING', serverTid: 0 } } } });
        const st = step(s, S1);
        expect(st.ret).toBe(0);
        expect(st.row).toBe('S0');
        const t = taskOf(st.next, S1);
        expect(t.reg).toBe('server');
        expect(t.pc).toBe('srv:set_tid');
        expect(t.word).toEqual({ state: 'RUNNING', locked: false, serverTid: 0, nextTid: 0 });
      },
    },
  ],
  'srv:set_tid': [
    {
      name: 'srv:set_tid stores the server\'s own TID in server_tid (needed before it can be popped) and enters the loop',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: { reg: 'server', pc: 'srv:set_tid', word: { serverTid: 0 } } } });
        const t = taskOf(step(s, S1).next, S1);
        expect(t.word.serverTid).toBe(S1);
        expect(t.pc).toBe('srv:loop');
      },
    },
  ],
  'srv:loop': [
    {
      name: 'srv:loop takes the runtime lock and starts atomic_stack_gc at the head',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1) } });
        const st = step(s, S1);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'srv:gc', other: 0, seen: 0 });
        expect(st.next.idleServers).toEqual(s.idleServers);
      },
    },
    {
      name: 'srv:loop waits while another server holds the runtime lock (gc or pop); so does srv:idle:remove_self',
      run: () => {
        for (const pc of ['srv:gc', 'srv:gc:curr', 'srv:pop'] as const) {
          const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1), [S2]: serverAtLoop(S2, { pc, other: pc === 'srv:gc:curr' ? S1 : 0 }) }, idleServers: [S1] });
          expectDisabled(s, { kind: 'step', tid: S1 });
          expectDisabled(withTasks(s, { [S1]: { pc: 'srv:idle:remove_self', word: { state: 'IDLE' } } }), { kind: 'step', tid: S1 });
        }
      },
    },
  ],
  'srv:gc': [
    {
      name: 'srv:gc reads *prev: an empty list ends the gc (on to srv:pop)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:gc' }) } });
        expect(taskOf(step(s, S1).next, S1)).toMatchObject({ pc: 'srv:pop', other: 0, seen: 0 });
      },
    },
    {
      name: 'srv:gc reads *prev = curr and goes on to curr\'s link, remembering prev',
      run: () => {
        const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:gc', other: S2 }), [S2]: serverAsleep(S2) }, idleServers: [S2, marked(S1)] });
        expect(taskOf(step(s, S1).next, S1)).toMatchObject({ pc: 'srv:gc:curr', other: S1, seen: S2 });
      },
    },
    {
      name: 'srv:gc restarts from the head when prev itself was marked since the gc passed it',
      run: () => {
        const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:gc', other: S2 }), [S2]: serverAsleep(S2) }, idleServers: [marked(S2)] });
        const st = step(s, S1);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'srv:gc', other: 0 });
        expect(st.next.idleServers).toEqual([{ tid: S2, marked: true }]);
      },
    },
  ],
  'srv:gc:curr': [
    {
      name: 'srv:gc:curr unlinks a marked curr (a marked tail too) and stays at prev',
      run: () => {
        const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:gc:curr', other: S1, seen: S2 }), [S2]: serverAsleep(S2) }, idleServers: [S2, marked(S1)] });
        const st = step(s, S1);
        expect(st.next.idleServers).toEqual([{ tid: S2, marked: false }]);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'srv:gc', other: S2, seen: 0 });
      },
    },
    {
      name: 'srv:gc:curr: the unlinking cmpxchg on the head fails after a push, and the gc restarts',
      run: () => {
        const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:gc:curr', other: S2, seen: 0 }), [S2]: serverAsleep(S2) }, idleServers: [S1, marked(S2)] });
        const st = step(s, S1);
        expect(st.next.idleServers).toEqual(s.idleServers);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'srv:gc', other: 0, seen: 0 });
      },
    },
    {
      name: 'srv:gc:curr moves prev to an unmarked curr, and stops at an unmarked tail',
      run: () => {
        const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:gc:curr', other: S2, seen: 0 }), [S2]: serverAsleep(S2) }, idleServers: [S2, marked(S1)] });
        expect(taskOf(step(s, S1).next, S1)).toMatchObject({ pc: 'srv:gc', other: S2, seen: 0 });
        const tail = withState(s, { idleServers: [{ tid: S2, marked: false }] });
        expect(taskOf(step(tail, S1).next, S1)).toMatchObject({ pc: 'srv:pop', other: 0, seen: 0 });
      },
    },
    {
      name: 'srv:gc:curr: a kernel pop standing on the node the gc unlinks moves on along its marked link',
      run: () => {
        const s = build({
          servers: 2,
          workers: 2,
          tasks: {
            [S1]: serverAtLoop(S1, { pc: 'srv:gc:curr', other: S2, seen: 0 }),
            [S2]: serverAtLoop(S2, { pc: 'srv:idle:recheck', word: { state: 'IDLE' } }),
            [3]: workerAsleepInWait(0, { pc: 'update_worker:pop_read', other: S2, kstate: 'running', word: { state: 'IDLE' } }),
            [4]: workerAsleepInWait(0, { pc: 'update_worker:pop_cas', other: S2, seen: 0, kstate: 'running', word: { state: 'IDLE' } }),
          },
          idleServers: [marked(S2)],
          idleWorkers: [4, 3],
        });
        const st = step(s, S1);
        expect(st.next.idleServers).toEqual([]);
        expect(taskOf(st.next, 3)).toMatchObject({ pc: 'update_worker:idle_loop', other: 0 });
        expect(taskOf(st.next, 4)).toMatchObject({ pc: 'update_worker:idle_loop', other: 0, seen: 0 });
      },
    },
  ],
  'srv:pop': [
    {
      name: 'srv:pop pops the head of idle_workers and remembers it (W1)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 2,
          tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:pop' }), [W1]: workerAsleepInHook(0), [W2]: workerAsleepInHook(0) },
          idleWorkers: [W2, W1],
        });
        const st = step(s, S1);
        expect(st.row).toBe('W1');
        expect(st.next.idleWorkers).toEqual([{ tid: W1, marked: false }]);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'srv:run:set_self_idle', other: W2 });
      },
    },
    {
      name: 'srv:pop with idle_workers empty goes idle (S1)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:pop' }) } });
        const st = step(s, S1);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'srv:idle:set_self_idle', other: 0 });
        expect(st.next.idleWorkers).toEqual([]);
      },
    },
    {
      name: 'a whole loop (lock, gc, pop) unlinks the nodes the kernel marked on idle_servers and keeps the unmarked ones',
      run: () => {
        const s = build({
          servers: 2,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1), [S2]: serverAsleep(S2) },
          idleServers: [S2, marked(S1)],
        });
        const end = stepWhile(s, S1, (x) => taskOf(x, S1).pc === 'srv:idle:set_self_idle');
        expect(last(end).idleServers).toEqual([{ tid: S2, marked: false }]);
      },
    },
  ],
  'srv:run:set_self_idle': [
    {
      name: 'srv:run:set_self_idle marks the server IDLE before it hands the CPU to the worker (the waiter\'s half of the wake protocol)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:run:set_self_idle', other: W1 }) } });
        const t = taskOf(step(s, S1).next, S1);
        expect(t.word.state).toBe('IDLE');
        expect(t).toMatchObject({ pc: 'srv:run:assign', other: W1 });
      },
    },
  ],
  'srv:run:assign': [
    {
      name: 'srv:run:assign sets the worker\'s server_tid, its own next_tid and the worker\'s state RUNNING, without waking it yet (W1)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: {
            [S1]: serverAtLoop(S1, { pc: 'srv:run:assign', other: W1, word: { state: 'IDLE' } }),
            [W1]: workerAsleepInHook(0),
          },
        });
        const st = step(s, S1);
        expect(st.row).toBe('W1');
        expect(taskOf(st.next, W1).word).toEqual({ state: 'RUNNING', locked: false, serverTid: S1, nextTid: 0 });
        expect(taskOf(st.next, W1).kstate).toBe('interruptible');
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'wait:enter', other: 0, word: { state: 'IDLE', nextTid: W1 } });
      },
    },
  ],
  'srv:idle:set_self_idle': [
    {
      name: 'srv:idle:set_self_idle marks the server IDLE and clears its next_tid before it publishes itself',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:idle:set_self_idle', word: { nextTid: W1 } }) } });
        expect(taskOf(step(s, S1).next, S1)).toMatchObject({ pc: 'srv:idle:push_self', word: { state: 'IDLE', nextTid: 0 } });
      },
    },
  ],
  'srv:idle:push_self': [
    {
      name: 'srv:idle:push_self pushes the server at the head of idle_servers',
      run: () => {
        const s = build({
          servers: 2,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:idle:push_self', word: { state: 'IDLE' } }), [S2]: serverAsleep(S2) },
          idleServers: [S2],
        });
        const st = step(s, S1);
        expect(st.next.idleServers).toEqual([
          { tid: S1, marked: false },
          { tid: S2, marked: false },
        ]);
        expect(taskOf(st.next, S1).pc).toBe('srv:idle:recheck');
      },
    },
  ],
  'srv:idle:recheck': [
    {
      name: 'srv:idle:recheck with idle_workers empty goes to sleep in sys_umcg_wait',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:idle:recheck', word: { state: 'IDLE' } }) }, idleServers: [S1] });
        expect(taskOf(step(s, S1).next, S1).pc).toBe('wait:enter');
      },
    },
    {
      name: 'srv:idle:recheck with a worker on idle_workers takes itself off idle_servers to run it',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:idle:recheck', word: { state: 'IDLE' } }), [W1]: workerAsleepInHook(0) },
          idleServers: [S1],
          idleWorkers: [W1],
        });
        expect(taskOf(step(s, S1).next, S1).pc).toBe('srv:idle:remove_self');
      },
    },
  ],
  'srv:idle:remove_self': [
    {
      name: 'srv:idle:remove_self marks its own node on idle_servers and goes back to the loop',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:idle:remove_self', word: { state: 'IDLE' } }), [W1]: workerAsleepInHook(0) },
          idleServers: [S1],
          idleWorkers: [W1],
        });
        const st = step(s, S1);
        expect(st.next.idleServers).toEqual([{ tid: S1, marked: true }]);
        expect(taskOf(st.next, S1).pc).toBe('srv:loop');
      },
    },
    {
      name: 'srv:idle:remove_self after the kernel already popped (marked) it goes to sys_umcg_wait, where the kernel\'s wakeup is due',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:idle:remove_self', word: { state: 'RUNNING' } }) },
          idleServers: [marked(S1)],
        });
        const st = step(s, S1);
        expect(st.next.idleServers).toEqual([{ tid: S1, marked: true }]);
        expect(taskOf(st.next, S1).pc).toBe('wait:enter');
      },
    },
  ],
  'wkr:register': [
    {
      name: 'wkr:register calls sys_umcg_ctl(REGISTER|WORKER) with state IDLE: it returns 0 and the wake hook runs before the call returns (W0)',
      run: () => {
        const s = initialState(config(1, 1));
        const st = step(s, W1);
        expect(st.ret).toBe(0);
        expect(st.row).toBe('W0');
        expect(taskOf(st.next, W1)).toMatchObject({
          reg: 'worker',
          pc: 'update_worker',
          hookFrom: 'call',
          word: { state: 'IDLE', locked: false, serverTid: 0, nextTid: 0 },
        });
      },
    },
  ],
  'wkr:user': [
    {
      name: 'wkr:user has no code step: only the workload (block, yield, lock) moves a running worker',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1) } });
        expectDisabled(s, { kind: 'step', tid: W1 });
        expect(enabled(s, { kind: 'block', tid: W1 })).toBe(true);
        expect(enabled(s, { kind: 'yield', tid: W1 })).toBe(true);
        expect(enabled(s, { kind: 'lock', tid: W1 })).toBe(true);
      },
    },
  ],
  'wkr:yield:set_idle': [
    {
      name: 'wkr:yield:set_idle marks the worker IDLE, keeps UMCG_TF_LOCKED if it is set, and remembers its server (W4)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'wkr:yield:set_idle', word: { locked: true } }) } });
        const st = step(s, W1);
        expect(st.row).toBe('W4');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'wkr:yield:push_self', other: S1, word: { state: 'IDLE', locked: true } });
        expect(st.next.idleWorkers).toEqual([]);
      },
    },
  ],
  'wkr:yield:push_self': [
    {
      name: 'wkr:yield:push_self pushes the worker onto idle_workers before its server is woken',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerRunning(S1, { pc: 'wkr:yield:push_self', other: S1, word: { state: 'IDLE' } }) },
        });
        const st = step(s, W1);
        expect(st.next.idleWorkers).toEqual([{ tid: W1, marked: false }]);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'wkr:yield:wake_server', other: S1 });
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
      },
    },
  ],
  'wkr:yield:wake_server': [
    {
      name: 'wkr:yield:wake_server marks its server RUNNING and sets next_tid to it before the syscall that wakes it (the waker\'s half of the wake protocol)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerRunning(S1, { pc: 'wkr:yield:wake_server', other: S1, word: { state: 'IDLE' } }) },
          idleWorkers: [W1],
        });
        const st = step(s, W1);
        expect(taskOf(st.next, S1).word.state).toBe('RUNNING');
        expect(taskOf(st.next, S1).kstate).toBe('interruptible');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'wait:enter', other: 0, word: { nextTid: S1, state: 'IDLE' } });
      },
    },
  ],
  'wait:enter': [
    {
      name: 'wait:enter of a server with next_tid set context-switches: ttwu wakes the worker (label says 1) and the server enters umcg_idle_loop (S1)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: {
            [S1]: serverAtLoop(S1, { pc: 'wait:enter', word: { state: 'IDLE', nextTid: W1 } }),
            [W1]: workerAsleepInHook(S1, 'wait', { word: { state: 'RUNNING' } }),
          },
        });
        const st = step(s, S1);
        expect(st.row).toBe('S1');
        expect(ttwuResult(st.label)).toBe(1);
        expect(st.ret).toBeUndefined();
        expect(taskOf(st.next, W1).kstate).toBe('running');
        expect(taskOf(st.next, S1).pc).toBe('idle_loop');
      },
    },
    {
      name: 'wait:enter of a worker with next_tid 0 context-switches to its server_tid (W4)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1, 0, { word: { state: 'RUNNING' } }), [W1]: workerRunning(S1, { pc: 'wait:enter', word: { state: 'IDLE' } }) },
          idleWorkers: [W1],
        });
        const st = step(s, W1);
        expect(st.row).toBe('W4');
        expect(ttwuResult(st.label)).toBe(1);
        expect(taskOf(st.next, S1).kstate).toBe('running');
        expect(taskOf(st.next, W1).pc).toBe('idle_loop');
      },
    },
    {
      name: 'wait:enter of a context switch to a task that is not asleep: ttwu returns 0 and changes nothing of the target',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1, { pc: 'wait:enter', word: { state: 'IDLE', nextTid: W1 } }), [W1]: workerRunning(S1) },
        });
        const st = step(s, S1);
        expect(ttwuResult(st.label)).toBe(0);
        expect(taskOf(st.next, W1)).toEqual(taskOf(s, W1));
      },
    },
    {
      name: 'wait:enter of a server with next_tid 0 enters umcg_idle_loop without waking anyone',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'wait:enter', word: { state: 'IDLE' } }), [W1]: workerAsleepInHook(0) } });
        const st = step(s, S1);
        expect(taskOf(st.next, S1).pc).toBe('idle_loop');
        expect(taskOf(st.next, W1)).toEqual(taskOf(s, W1));
      },
    },
    {
      name: 'wait:enter with next_tid naming an exited task returns -ESRCH on the step',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: {
            [S1]: serverAtLoop(S1, { pc: 'wait:enter', word: { state: 'IDLE', nextTid: W1 } }),
            [W1]: { reg: 'none', pc: 'dead', end: 'exit' },
          },
        });
        expect(step(s, S1).ret).toBe(-ESRCH);
      },
    },
  ],
  idle_loop: [
    {
      name: 'idle_loop sets TASK_INTERRUPTIBLE and goes on to read the state (two steps, as in the code)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'idle_loop', word: { state: 'IDLE' } }) } });
        const st = step(s, S1);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'idle_loop:check', kstate: 'interruptible', word: { state: 'IDLE' } });
      },
    },
    {
      name: 'idle_loop does not read the state: a task already RUNNING still goes on to idle_loop:check, TASK_INTERRUPTIBLE',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'idle_loop', word: { nextTid: W1 } }) } });
        const st = step(s, S1);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'idle_loop:check', kstate: 'interruptible', word: { state: 'RUNNING', nextTid: W1 } });
      },
    },
    {
      name: 'a ttwu between set_current_state and the state read returns 1 and keeps the task from sleeping',
      run: () => {
        const s = withState(build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'idle_loop:check', kstate: 'interruptible', word: { state: 'IDLE' } }) } }), { envBudget: 1 });
        const woken = act(s, { kind: 'ttwu', tid: S1 });
        expect(woken.label).toContain('returns 1');
        const st = step(woken.next, S1);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'sleep', kstate: 'running' });
        expect(enabled(st.next, { kind: 'step', tid: S1 })).toBe(true);
        // schedule() returns at once; the state is still IDLE, so umcg_idle_loop goes round once more.
        expect(taskOf(step(st.next, S1).next, S1)).toMatchObject({ pc: 'idle_loop', kstate: 'running' });
      },
    },
  ],
  'idle_loop:check': [
    {
      name: 'idle_loop:check of a server whose state is already RUNNING returns 0 to the server loop and clears next_tid',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'idle_loop:check', kstate: 'interruptible', word: { nextTid: W1 } }) } });
        const t = taskOf(step(s, S1).next, S1);
        expect(t).toMatchObject({ pc: 'srv:loop', kstate: 'running', word: { state: 'RUNNING', nextTid: 0 } });
      },
    },
    {
      name: 'idle_loop:check of a worker whose state is already RUNNING returns 0 to the worker body',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'idle_loop:check', kstate: 'interruptible' }) } });
        expect(taskOf(step(s, W1).next, W1)).toMatchObject({ pc: 'wkr:user', kstate: 'running' });
      },
    },
    {
      name: 'idle_loop:check of an IDLE server reads state IDLE and schedules',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'idle_loop:check', kstate: 'interruptible', word: { state: 'IDLE' } }) } });
        const st = step(s, S1);
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'sleep', kstate: 'interruptible', hookFrom: 'wait' });
        expectDisabled(st.next, { kind: 'step', tid: S1 });
      },
    },
    {
      name: 'idle_loop:check of an IDLE worker schedules through sched_submit_work (the worker hooks run inside sys_umcg_wait)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'idle_loop:check', kstate: 'interruptible', word: { state: 'IDLE' } }) } });
        expect(taskOf(step(s, W1).next, W1)).toMatchObject({ pc: 'submit_work', kstate: 'interruptible', hookFrom: 'wait' });
      },
    },
  ],
  'idle_loop:after': [
    {
      name: 'idle_loop:after with a signal pending returns -EINTR to userspace',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'idle_loop:after', sigpending: true, word: { state: 'IDLE' } }) } });
        const st = step(s, S1);
        expect(st.label).toContain('-EINTR');
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'wait:eintr', kstate: 'running' });
      },
    },
    {
      name: 'idle_loop:after with state RUNNING returns 0',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'idle_loop:after' }) } });
        expect(taskOf(step(s, S1).next, S1).pc).toBe('srv:loop');
      },
    },
    {
      name: 'idle_loop:after with state still IDLE loops back to umcg_idle_loop',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'idle_loop:after', word: { state: 'IDLE' } }) } });
        expect(taskOf(step(s, S1).next, S1).pc).toBe('idle_loop');
      },
    },
  ],
  'wait:eintr': [
    {
      name: 'wait:eintr runs the signal handler (the signal is consumed) and calls sys_umcg_wait again',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'wait:eintr', sigpending: true, word: { state: 'IDLE' } }) } });
        expect(taskOf(step(s, S1).next, S1)).toMatchObject({ pc: 'wait:enter', sigpending: false });
      },
    },
  ],
  'call:wait': [
    {
      name: 'call:wait of a blocking call woken before its completion sets TASK_UNINTERRUPTIBLE and schedules again',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'call:wait', hookFrom: 'call', callDone: false }) } });
        const st = step(s, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'submit_work', kstate: 'interruptible', hookFrom: 'call', callDone: false });
      },
    },
    {
      name: 'call:wait of a blocking call whose completion came returns to the worker body',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'call:wait', hookFrom: 'call', callDone: true }) } });
        expect(taskOf(step(s, W1).next, W1)).toMatchObject({ pc: 'wkr:user', kstate: 'running', hookFrom: 'wait', callDone: false });
      },
    },
    {
      name: 'a ttwu wakes a worker asleep in its blocking call; after the wake hook it goes round the wait loop again',
      run: () => {
        const s = withState(
          build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'sleep', hookFrom: 'call', kstate: 'interruptible', word: { state: 'BLOCKED' } }) } }),
          { envBudget: 1 },
        );
        const woken = act(s, { kind: 'ttwu', tid: W1 });
        expect(woken.label).toContain('returns 1');
        expect(taskOf(woken.next, W1).kstate).toBe('running');
        expect(enabled(woken.next, { kind: 'complete', tid: W1 })).toBe(true);
      },
    },
  ],
  'submit_work:change_state': [
    {
      name: 'submit_work:change_state of a RUNNING worker with a server marks it BLOCKED and goes on to wake the server (W2)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'submit_work:change_state', hookFrom: 'call', kstate: 'interruptible' }) },
        });
        const st = step(s, W1);
        expect(st.row).toBe('W2');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'submit_work:wake_server', other: S1, word: { state: 'BLOCKED' } });
      },
    },
    {
      name: 'submit_work:change_state of a RUNNING worker with server_tid 0 marks it BLOCKED and sleeps without waking anyone (W2)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(0, { pc: 'submit_work:change_state', hookFrom: 'call', kstate: 'interruptible' }) },
        });
        const st = step(s, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'sleep', other: 0, word: { state: 'BLOCKED' } });
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
      },
    },
    {
      name: 'submit_work:change_state of a LOCKED worker does no block detection (W5)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'submit_work:change_state', hookFrom: 'call', kstate: 'interruptible', word: { locked: true } }) },
        });
        const st = step(s, W1);
        expect(st.row).toBe('W5');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'sleep', word: { state: 'RUNNING', locked: true } });
      },
    },
    {
      name: 'submit_work:change_state of a worker that is not RUNNING (IDLE inside sys_umcg_wait) changes nothing and sleeps',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerAsleepInWait(S1, { pc: 'submit_work:change_state' }) },
        });
        const st = step(s, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'sleep', kstate: 'interruptible', word: { state: 'IDLE' } });
      },
    },
    {
      name: 'submit_work:change_state of a worker whose call completed after sched_submit_work\'s check still marks it BLOCKED and wakes its server (F-SUBMIT-CHECK)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'submit_work:change_state', hookFrom: 'call', kstate: 'interruptible' }) },
        });
        const completed = act(s, { kind: 'complete', tid: W1 }).next;
        const st = step(completed, W1);
        expect(st.row).toBe('W2');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'submit_work:wake_server', kstate: 'running', other: S1, word: { state: 'BLOCKED' } });
        const end = last(steps(st.next, [W1, W1]));
        expect(taskOf(end, S1)).toMatchObject({ kstate: 'running', word: { state: 'RUNNING' } });
        // Already woken: schedule() returns at once into the wake hook, which makes it IDLE (W3).
        expect(taskOf(end, W1)).toMatchObject({ pc: 'sleep', kstate: 'running' });
        const back = step(end, W1);
        expect(back.row).toBe('W3');
        expect(taskOf(back.next, W1)).toMatchObject({ pc: 'update_worker:push', word: { state: 'IDLE' } });
      },
    },
  ],
  submit_work: [
    {
      name: 'submit_work of a task still TASK_INTERRUPTIBLE enters umcg_wq_worker_sleeping with preemption off, state untouched',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'submit_work', hookFrom: 'call', kstate: 'interruptible' }) },
        });
        const st = step(s, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'submit_work:change_state', kstate: 'interruptible', word: { state: 'RUNNING' } });
      },
    },
    {
      name: 'submit_work of a worker already TASK_RUNNING again skips block detection and runs the wake hook, which passes a RUNNING worker with a server through',
      run: () => {
        // The call's completion came (and woke it) between set_current_state and schedule().
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'submit_work', hookFrom: 'call', callDone: true, kstate: 'running' }) },
        });
        const st = step(s, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'wkr:user', kstate: 'running', hookFrom: 'wait', callDone: false, word: { state: 'RUNNING' } });
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
      },
    },
  ],
  'submit_work:wake_server': [
    {
      name: 'submit_work:wake_server cmpxchg\'s an IDLE server to RUNNING and goes on to ttwu it (S2)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerInBlockingCall(S1, { pc: 'submit_work:wake_server', other: S1 }) },
        });
        const st = step(s, W1);
        expect(st.row).toBe('S2');
        expect(taskOf(st.next, S1).word.state).toBe('RUNNING');
        expect(taskOf(st.next, S1).kstate).toBe('interruptible');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'submit_work:ttwu', other: S1 });
      },
    },
    {
      name: 'submit_work:wake_server finds its server already RUNNING and sleeps without a ttwu',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1, { pc: 'submit_work:wake_server', other: S1 }) },
        });
        const st = step(s, W1);
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'sleep', other: 0 });
      },
    },
    {
      name: 'submit_work:wake_server finds a server in another state (BLOCKED, NONE, RUNNING|LOCKED) and umcg_die() kills the process',
      run: () => {
        for (const word of [{ state: 'BLOCKED' }, { state: 'NONE' }, { state: 'RUNNING', locked: true }, { state: 'IDLE', locked: true }] as const) {
          const s = build({
            servers: 1,
            workers: 1,
            tasks: { [S1]: serverAtLoop(S1, { word }), [W1]: workerInBlockingCall(S1, { pc: 'submit_work:wake_server', other: S1 }) },
          });
          const st = step(s, W1);
          expect(st.row).toBe('die');
          expect(st.next.killedBy).toBe(W1);
          expect(taskOf(st.next, W1)).toMatchObject({ pc: 'dead', end: 'sigsegv' });
          expect(successors(st.next, config(1, 1, { profile: 'adversarial', envBudget: 1 }))).toEqual([]);
        }
      },
    },
    {
      name: 'submit_work:wake_server does not find a server that exited or unregistered and sleeps without touching it',
      run: () => {
        for (const gone of [{ reg: 'none', pc: 'dead', end: 'exit' }, { reg: 'none', pc: 'unregistered' }] as const) {
          const s = build({
            servers: 1,
            workers: 1,
            tasks: { [S1]: serverAsleep(S1, 0, { ...gone }), [W1]: workerInBlockingCall(S1, { pc: 'submit_work:wake_server', other: S1 }) },
          });
          const st = step(s, W1);
          expect(st.next.killedBy).toBe(0);
          expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
          expect(taskOf(st.next, W1)).toMatchObject({ pc: 'sleep', other: 0 });
        }
      },
    },
  ],
  'submit_work:ttwu': [
    {
      name: 'submit_work:ttwu wakes the sleeping server (label says 1) and the worker goes to sleep in its blocking call',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1, 0, { word: { state: 'RUNNING' } }), [W1]: workerInBlockingCall(S1, { pc: 'submit_work:ttwu', other: S1 }) },
        });
        const st = step(s, W1);
        expect(ttwuResult(st.label)).toBe(1);
        expect(taskOf(st.next, S1).kstate).toBe('running');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'sleep', other: 0, kstate: 'interruptible' });
      },
    },
  ],
  sleep: [
    {
      name: 'sleep has no step while the task is asleep (in a blocking call or in umcg_idle_loop)',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1), [W1]: workerInBlockingCall(S1), [W2]: workerAsleepInWait(S1) } });
        for (const tid of [S1, W1, W2]) expectDisabled(s, { kind: 'step', tid });
      },
    },
    {
      name: 'sleep of a woken worker returns from schedule() into the wake hook: a completed blocking call goes BLOCKED -> IDLE (W3)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1, { kstate: 'running', callDone: true }) } });
        const st = step(s, W1);
        expect(st.row).toBe('W3');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:push', kstate: 'running', word: { state: 'IDLE' } });
      },
    },
    {
      name: 'sleep of a worker in sys_umcg_wait with a signal pending and no wakeup: __schedule() leaves it TASK_RUNNING in a step of its own, after which a ttwu has nothing to wake, and the next step is the wake hook',
      run: () => {
        // The signal came while the worker ran its body: it set
        // TASK_INTERRUPTIBLE and reached schedule() with the signal pending.
        const s = build({ servers: 1, workers: 1, envBudget: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(S1, { sigpending: true }) } });
        const st = step(s, W1);
        expect(st.label).toContain('stays TASK_RUNNING');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'sleep', kstate: 'running', sigpending: true, word: { state: 'IDLE' } });
        // Before the step a ttwu would wake the task (1); after it there is
        // nothing to wake (a spurious ttwu is not even an event).
        expect(ttwuResult(act(s, { kind: 'ttwu', tid: W1 }).label)).toBe(1);
        expectDisabled(st.next, { kind: 'ttwu', tid: W1 });
        const hook = step(st.next, W1);
        expect(hook.label).toContain('umcg_wq_worker_running');
      },
    },
    {
      name: 'sleep of a server with a signal pending and no wakeup: one step, schedule() returns and umcg_idle_loop returns -EINTR (nothing shared in between)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1, 0, { sigpending: true }) } });
        const st = step(s, S1);
        expect(st.label).toContain('-EINTR');
        expect(taskOf(st.next, S1)).toMatchObject({ pc: 'wait:eintr', kstate: 'running' });
      },
    },
    {
      name: 'sleep of a woken server returns from schedule() and re-reads its state: RUNNING returns 0',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1, 0, { kstate: 'running', word: { state: 'RUNNING' } }) } });
        expect(taskOf(step(s, S1).next, S1)).toMatchObject({ pc: 'srv:loop', kstate: 'running' });
      },
    },
  ],
  update_worker: [
    {
      name: 'update_worker of a BLOCKED worker marks it IDLE and goes on to push it (W3)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1, { pc: 'update_worker', kstate: 'running' }) } });
        const st = step(s, W1);
        expect(st.row).toBe('W3');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:push', word: { state: 'IDLE', serverTid: S1 } });
      },
    },
    {
      name: 'update_worker of a RUNNING worker with a server passes through, back to the blocking call\'s caller',
      run: () => {
        // After the call's completion: the call returns to the worker body.
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'update_worker', hookFrom: 'call', callDone: true }) } });
        expect(taskOf(step(s, W1).next, W1)).toMatchObject({ pc: 'wkr:user', hookFrom: 'wait', callDone: false, word: { state: 'RUNNING' } });
        // Woken before its completion: back into the call's wait loop instead.
        const early = withTasks(s, { [W1]: { callDone: false } });
        expect(taskOf(step(early, W1).next, W1)).toMatchObject({ pc: 'call:wait', hookFrom: 'call', callDone: false, word: { state: 'RUNNING' } });
      },
    },
    {
      name: 'update_worker of a RUNNING worker with a server passes through, back into umcg_idle_loop when it ran inside sys_umcg_wait',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'update_worker', hookFrom: 'wait' }) } });
        expect(taskOf(step(s, W1).next, W1)).toMatchObject({ pc: 'idle_loop:after', word: { state: 'RUNNING' } });
      },
    },
    {
      name: 'update_worker of a RUNNING worker with server_tid 0 makes it IDLE and pushes it: workers without servers wait (W6)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(0, { pc: 'update_worker', hookFrom: 'wait' }) } });
        const st = step(s, W1);
        expect(st.row).toBe('W6');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:push', word: { state: 'IDLE' } });
      },
    },
    {
      name: 'update_worker of an IDLE worker rewrites IDLE to IDLE and pushes it (registration, spurious wakeups)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerAsleepInWait(S1, { pc: 'update_worker', kstate: 'running' }) } });
        expect(taskOf(step(s, W1).next, W1)).toMatchObject({ pc: 'update_worker:push', word: { state: 'IDLE' } });
      },
    },
    {
      name: 'update_worker of a LOCKED worker does no wake detection (W5), whatever its state',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          // Woken by the call's completion.
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1, { pc: 'update_worker', kstate: 'running', callDone: true, word: { locked: true, state: 'BLOCKED' } }) },
        });
        const st = step(s, W1);
        expect(st.row).toBe('W5');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'wkr:user', callDone: false, word: { state: 'BLOCKED', locked: true } });
        expect(st.next.idleWorkers).toEqual([]);
      },
    },
  ],
  'update_worker:push': [
    {
      name: 'update_worker:push pushes the worker at the head of idle_workers (umcg_sll_push)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 2,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(S1, { pc: 'update_worker:push', kstate: 'running' }), [W2]: workerAsleepInHook(0) },
          idleWorkers: [W2],
        });
        const st = step(s, W1);
        expect(st.next.idleWorkers).toEqual([
          { tid: W1, marked: false },
          { tid: W2, marked: false },
        ]);
        expect(taskOf(st.next, W1).pc).toBe('update_worker:pop_server');
      },
    },
  ],
  'update_worker:pop_server': [
    {
      name: 'update_worker:pop_server reads the head of idle_servers once: the walk starts there',
      run: () => {
        const s = build({
          servers: 2,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [S2]: serverAtLoop(S2), [W1of2x1]: workerAsleepInWait(0, { pc: 'update_worker:pop_server', kstate: 'running' }) },
          idleServers: [marked(S2), S1],
          idleWorkers: [W1of2x1],
        });
        const st = step(s, W1of2x1);
        expect(st.next.idleServers).toEqual(s.idleServers);
        expect(taskOf(st.next, W1of2x1)).toMatchObject({ pc: 'update_worker:pop_read', other: S2 });
      },
    },
    {
      name: 'update_worker:pop_server with an empty list goes straight to the nested umcg_idle_loop (not an error)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(0, { pc: 'update_worker:pop_server', kstate: 'running' }) },
          idleWorkers: [W1],
        });
        const st = step(s, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:idle_loop', other: 0 });
      },
    },
  ],
  'update_worker:pop_read': [
    {
      name: 'update_worker:pop_read skips a marked curr, and a marked tail ends the walk with none',
      run: () => {
        const s = build({
          servers: 2,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [S2]: serverAtLoop(S2), [W1of2x1]: workerAsleepInWait(0, { pc: 'update_worker:pop_read', other: S2, kstate: 'running' }) },
          idleServers: [marked(S2), S1],
          idleWorkers: [W1of2x1],
        });
        expect(taskOf(step(s, W1of2x1).next, W1of2x1)).toMatchObject({ pc: 'update_worker:pop_read', other: S1 });
        const tail = withState(s, { idleServers: [{ tid: S1, marked: false }, { tid: S2, marked: true }] });
        expect(taskOf(step(tail, W1of2x1).next, W1of2x1)).toMatchObject({ pc: 'update_worker:idle_loop', other: 0 });
      },
    },
    {
      name: 'update_worker:pop_read reads an unmarked curr\'s link and remembers it for the cmpxchg',
      run: () => {
        const s = build({
          servers: 2,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [S2]: serverAsleep(S2), [W1of2x1]: workerAsleepInWait(0, { pc: 'update_worker:pop_read', other: S2, kstate: 'running' }) },
          idleServers: [S2, S1],
          idleWorkers: [W1of2x1],
        });
        const st = step(s, W1of2x1);
        expect(st.next.idleServers).toEqual(s.idleServers);
        expect(taskOf(st.next, W1of2x1)).toMatchObject({ pc: 'update_worker:pop_cas', other: S2, seen: S1 });
      },
    },
  ],
  'update_worker:pop_cas': [
    {
      name: 'update_worker:pop_cas marks curr when its link is unchanged, and remembers that server',
      run: () => {
        const s = build({
          servers: 2,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [S2]: serverAsleep(S2), [W1of2x1]: workerAsleepInWait(0, { pc: 'update_worker:pop_cas', other: S2, seen: S1, kstate: 'running' }) },
          idleServers: [S2, S1],
          idleWorkers: [W1of2x1],
        });
        const st = step(s, W1of2x1);
        expect(st.next.idleServers).toEqual([{ tid: S2, marked: true }, { tid: S1, marked: false }]);
        expect(taskOf(st.next, W1of2x1)).toMatchObject({ pc: 'update_worker:wake_server', other: S2, seen: 0 });
      },
    },
    {
      name: 'update_worker:pop_cas fails when curr was marked meanwhile, and moves on to the successor without retrying',
      run: () => {
        const s = build({
          servers: 2,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [S2]: serverAsleep(S2), [W1of2x1]: workerAsleepInWait(0, { pc: 'update_worker:pop_cas', other: S2, seen: S1, kstate: 'running' }) },
          idleServers: [marked(S2), S1],
          idleWorkers: [W1of2x1],
        });
        const st = step(s, W1of2x1);
        expect(st.next.idleServers).toEqual(s.idleServers);
        expect(taskOf(st.next, W1of2x1)).toMatchObject({ pc: 'update_worker:pop_read', other: S1, seen: 0 });
      },
    },
    {
      name: 'update_worker:pop_cas fails when the gc unlinked curr\'s successor, and skips curr although it is unmarked (§5.2)',
      run: () => {
        const s = build({
          servers: 2,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [S2]: serverAsleep(S2), [W1of2x1]: workerAsleepInWait(0, { pc: 'update_worker:pop_cas', other: S2, seen: S1, kstate: 'running' }) },
          idleServers: [S2],
          idleWorkers: [W1of2x1],
        });
        const st = step(s, W1of2x1);
        expect(st.next.idleServers).toEqual([{ tid: S2, marked: false }]);
        expect(taskOf(st.next, W1of2x1)).toMatchObject({ pc: 'update_worker:idle_loop', other: 0, seen: 0 });
      },
    },
  ],
  'update_worker:wake_server': [
    {
      name: 'update_worker:wake_server cmpxchg\'s the popped IDLE server to RUNNING and reads the TID to wake from its server_tid (S2)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerAsleepInWait(0, { pc: 'update_worker:wake_server', kstate: 'running', other: S1 }) },
          idleServers: [marked(S1)],
          idleWorkers: [W1],
        });
        const st = step(s, W1);
        expect(st.row).toBe('S2');
        expect(taskOf(st.next, S1).word.state).toBe('RUNNING');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:ttwu', other: S1 });
      },
    },
    {
      name: 'update_worker:wake_server finds the popped server already RUNNING: no ttwu, the worker goes to its nested idle loop',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(0, { pc: 'update_worker:wake_server', kstate: 'running', other: S1 }) },
          idleServers: [marked(S1)],
          idleWorkers: [W1],
        });
        const st = step(s, W1);
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:idle_loop', other: 0 });
      },
    },
    {
      name: 'update_worker:wake_server finds the popped server BLOCKED: umcg_die() kills the process',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1, 0, { word: { state: 'BLOCKED' } }), [W1]: workerAsleepInWait(0, { pc: 'update_worker:wake_server', kstate: 'running', other: S1 }) },
          idleServers: [marked(S1)],
        });
        const st = step(s, W1);
        expect(st.next.killedBy).toBe(W1);
        expect(taskOf(st.next, W1).end).toBe('sigsegv');
      },
    },
  ],
  'update_worker:ttwu': [
    {
      name: 'update_worker:ttwu wakes the popped server (label says 1) and goes to the nested umcg_idle_loop',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1, 0, { word: { state: 'RUNNING' } }), [W1]: workerAsleepInWait(0, { pc: 'update_worker:ttwu', kstate: 'running', other: S1 }) },
          idleServers: [marked(S1)],
          idleWorkers: [W1],
        });
        const st = step(s, W1);
        expect(ttwuResult(st.label)).toBe(1);
        expect(taskOf(st.next, S1).kstate).toBe('running');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:idle_loop', other: 0 });
      },
    },
  ],
  'update_worker:idle_loop': [
    {
      name: 'update_worker:idle_loop sets TASK_INTERRUPTIBLE, then update_worker:check reads the state',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(0, { pc: 'update_worker:idle_loop', kstate: 'running' }) }, idleWorkers: [W1] });
        expect(taskOf(step(s, W1).next, W1)).toMatchObject({ pc: 'update_worker:check', kstate: 'interruptible' });
      },
    },
  ],
  'update_worker:check': [
    {
      name: 'update_worker:check of an IDLE worker reads IDLE and schedules (no hooks: PF_UMCG_WORKER is clear)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(0, { pc: 'update_worker:check', kstate: 'interruptible' }) }, idleWorkers: [W1] });
        const st = step(s, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:schedule', kstate: 'interruptible' });
        expectDisabled(st.next, { kind: 'step', tid: W1 });
      },
    },
    {
      name: 'update_worker:check of a worker already RUNNING leaves the hook at once',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          // The wake hook after the blocking call's completion.
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'update_worker:check', hookFrom: 'call', callDone: true, kstate: 'interruptible' }) },
        });
        expect(taskOf(step(s, W1).next, W1)).toMatchObject({ pc: 'wkr:user', kstate: 'running', callDone: false });
      },
    },
    {
      name: 'a ttwu between the nested loop\'s set_current_state and update_worker:check returns 1: the worker reads IDLE but does not sleep, and loops',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          envBudget: 1,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(0, { pc: 'update_worker:check', kstate: 'interruptible' }) },
          idleWorkers: [W1],
        });
        const woken = act(s, { kind: 'ttwu', tid: W1 });
        expect(ttwuResult(woken.label)).toBe(1);
        const st = step(woken.next, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'update_worker:schedule', kstate: 'running' });
        const again = step(st.next, W1);
        expect(taskOf(again.next, W1).pc).toBe('update_worker:idle_loop');
        expect(again.next.idleWorkers).toEqual([{ tid: W1, marked: false }]);
      },
    },
  ],
  'update_worker:schedule': [
    {
      name: 'update_worker:schedule has no step while the worker sleeps, and when woken re-reads its state: RUNNING leaves the hook',
      run: () => {
        const asleep = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerAsleepInHook(S1, 'call', { word: { state: 'RUNNING' } }) } });
        expectDisabled(asleep, { kind: 'step', tid: W1 });
        const woken = withTasks(asleep, { [W1]: { kstate: 'running' } });
        expect(taskOf(step(woken, W1).next, W1)).toMatchObject({ pc: 'wkr:user', kstate: 'running' });
      },
    },
    {
      name: 'update_worker:schedule woken while still IDLE loops in the nested idle loop without pushing again',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0, 'wait', { kstate: 'running' }) }, idleWorkers: [W1] });
        const st = step(s, W1);
        expect(taskOf(st.next, W1).pc).toBe('update_worker:idle_loop');
        expect(st.next.idleWorkers).toEqual([{ tid: W1, marked: false }]);
      },
    },
  ],
  'update_worker:after': [
    {
      name: 'update_worker:after with a signal pending ignores umcg_idle_loop\'s -EINTR and leaves the hook; in the same step (nothing shared in between) sys_umcg_wait\'s own idle loop returns -EINTR',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0, 'wait', { pc: 'update_worker:after', kstate: 'running', sigpending: true }) } });
        const st = step(s, W1);
        expect(st.label).toMatch(/-EINTR \(ignored\); umcg_idle_loop: signal_pending, return -EINTR$/);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'wait:eintr', sigpending: true, word: { state: 'IDLE', nextTid: 0 } });
      },
    },
    {
      name: 'update_worker:after with state RUNNING leaves the hook',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'update_worker:after', hookFrom: 'wait' }) } });
        expect(taskOf(step(s, W1).next, W1).pc).toBe('idle_loop:after');
      },
    },
    {
      name: 'update_worker:after with state still IDLE loops',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0, 'wait', { pc: 'update_worker:after', kstate: 'running' }) }, idleWorkers: [W1] });
        expect(taskOf(step(s, W1).next, W1).pc).toBe('update_worker:idle_loop');
      },
    },
  ],
  dead: [
    {
      name: 'dead has no step and takes no workload or syscall',
      run: () => {
        const s = build({ servers: 1, workers: 1, envBudget: 3, tasks: { [S1]: serverAsleep(S1), [W1]: { reg: 'none', pc: 'dead', end: 'exit' } } });
        for (const a of [
          { kind: 'step', tid: W1 },
          { kind: 'block', tid: W1 },
          { kind: 'signal', tid: W1 },
          { kind: 'exit', tid: W1 },
          { kind: 'wait', tid: W1, flags: 0, timeout: 0 },
        ] as const) {
          expectDisabled(s, a);
        }
      },
    },
  ],
  unregistered: [
    {
      name: 'unregistered has no step: the thread has left UMCG',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: { reg: 'none', pc: 'unregistered' } } });
        expectDisabled(s, { kind: 'step', tid: W1 });
      },
    },
  ],
};

describe('every program counter', () => {
  it('has at least one case in this file', () => {
    for (const pc of ALL_PCS) expect(AT_PC[pc].length, pc).toBeGreaterThan(0);
  });
  for (const pc of ALL_PCS) {
    describe(pc, () => {
      for (const c of AT_PC[pc]) it(c.name, c.run);
    });
  }
});

// ---------------------------------------------------------------------------
// 2. Every action kind

const running1x1 = (): State => build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1) } });
const ENV = 2;
const adversarial1x1 = (tasks: Parameters<typeof build>[0]['tasks']): State => build({ servers: 1, workers: 1, envBudget: ENV, tasks });

const FOR_KIND: { readonly [K in ActionKind]: readonly Case[] } = {
  step: [
    {
      name: 'step is not enabled where a pc has no code of its own (wkr:user, dead, unregistered)',
      run: () => {
        for (const pc of ['wkr:user', 'dead', 'unregistered'] as const) {
          expectDisabled(build({ servers: 1, workers: 1, tasks: { [W1]: { reg: 'worker', pc } } }), { kind: 'step', tid: W1 });
        }
      },
    },
  ],
  block: [
    {
      name: 'block is enabled for a worker running its body: it enters schedule() from a blocking call, TASK_INTERRUPTIBLE (W2)',
      run: () => {
        const st = act(running1x1(), { kind: 'block', tid: W1 });
        expect(st.row).toBe('W2');
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'submit_work', hookFrom: 'call', kstate: 'interruptible', word: { state: 'RUNNING' } });
      },
    },
    {
      name: 'block is not enabled outside the worker body',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(S1) } });
        expectDisabled(s, { kind: 'block', tid: W1 });
        expectDisabled(s, { kind: 'block', tid: S1 });
      },
    },
  ],
  yield: [
    {
      name: 'yield is enabled for a worker running its body when the configuration allows it, and starts the yield path (W4)',
      run: () => {
        const st = act(running1x1(), { kind: 'yield', tid: W1 }, { yield: true, locks: false });
        expect(st.row).toBe('W4');
        expect(taskOf(st.next, W1).pc).toBe('wkr:yield:set_idle');
      },
    },
    {
      name: 'yield is not enabled when the configuration has yield false, nor outside the worker body',
      run: () => {
        expectDisabled(running1x1(), { kind: 'yield', tid: W1 }, { yield: false, locks: false });
        expectDisabled(running1x1(), { kind: 'yield', tid: S1 });
      },
    },
  ],
  lock: [
    {
      name: 'lock sets UMCG_TF_LOCKED on a running worker (W5)',
      run: () => {
        const st = act(running1x1(), { kind: 'lock', tid: W1 }, { yield: true, locks: true });
        expect(st.row).toBe('W5');
        expect(taskOf(st.next, W1).word).toMatchObject({ state: 'RUNNING', locked: true });
      },
    },
    {
      name: 'lock is not enabled on a worker already LOCKED, nor when the configuration has locks false',
      run: () => {
        expectDisabled(withTasks(running1x1(), { [W1]: { word: { locked: true } } }), { kind: 'lock', tid: W1 });
        expectDisabled(running1x1(), { kind: 'lock', tid: W1 }, { yield: true, locks: false });
      },
    },
  ],
  complete: [
    {
      name: 'complete wakes a worker asleep in its blocking call, at any point of block detection',
      run: () => {
        for (const pc of ['submit_work', 'submit_work:change_state', 'submit_work:wake_server', 'submit_work:ttwu', 'sleep'] as const) {
          const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerInBlockingCall(S1, { pc, other: S1 }) } });
          const st = act(s, { kind: 'complete', tid: W1 });
          expect(taskOf(st.next, W1).kstate, pc).toBe('running');
        }
      },
    },
    {
      name: 'complete is not enabled when the worker is not in a blocking call (running, asleep in umcg_idle_loop, or already completed)',
      run: () => {
        expectDisabled(running1x1(), { kind: 'complete', tid: W1 });
        // W2: its call's completion came and woke it (it has not yet returned from schedule()).
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1), [W1]: workerAsleepInWait(S1), [W2]: workerInBlockingCall(S1, { kstate: 'running', callDone: true }) } });
        expectDisabled(s, { kind: 'complete', tid: W1 });
        expectDisabled(s, { kind: 'complete', tid: W2 });
        expectDisabled(build({ servers: 1, workers: 1, tasks: { [W1]: workerAsleepInHook(S1, 'call') } }), { kind: 'complete', tid: W1 });
      },
    },
  ],
  signal: [
    {
      name: 'signal sets a pending signal, uses one environment event and wakes a task asleep in umcg_idle_loop',
      run: () => {
        const s = adversarial1x1({ [S1]: serverAsleep(S1), [W1]: workerRunning(S1) });
        const st = act(s, { kind: 'signal', tid: S1 });
        expect(st.next.envBudget).toBe(ENV - 1);
        expect(taskOf(st.next, S1)).toMatchObject({ sigpending: true, kstate: 'running' });
      },
    },
    {
      name: 'signal does not wake a worker in a blocking call (modelled as uninterruptible)',
      run: () => {
        const s = adversarial1x1({ [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1) });
        const st = act(s, { kind: 'signal', tid: W1 });
        expect(taskOf(st.next, W1)).toMatchObject({ sigpending: true, kstate: 'interruptible' });
        expectDisabled(st.next, { kind: 'step', tid: W1 });
      },
    },
    {
      name: 'signal is not enabled with envBudget 0 or with a signal already pending',
      run: () => {
        expectDisabled(running1x1(), { kind: 'signal', tid: S1 });
        expectDisabled(adversarial1x1({ [S1]: serverAsleep(S1, 0, { sigpending: true }) }), { kind: 'signal', tid: S1 });
      },
    },
  ],
  ttwu: [
    {
      name: 'ttwu wakes a task asleep in umcg_idle_loop and its label says it returned 1',
      run: () => {
        const st = act(adversarial1x1({ [S1]: serverAsleep(S1), [W1]: workerRunning(S1) }), { kind: 'ttwu', tid: S1 });
        expect(ttwuResult(st.label)).toBe(1);
        expect(taskOf(st.next, S1).kstate).toBe('running');
        expect(st.next.envBudget).toBe(ENV - 1);
      },
    },
    {
      // The model used to leave a task sleeping in a blocking call untouched by
      // a ttwu (NOT MODELLED). try_to_wake_up(p, TASK_NORMAL) wakes
      // TASK_UNINTERRUPTIBLE too: the task is woken, returns from schedule()
      // into the wake hook, and only the call's wait loop (call:wait) finds
      // that its completion has not come.
      name: 'ttwu of a worker asleep in a blocking call wakes it (returns 1) into the wake hook, its call still not completed',
      run: () => {
        const s = adversarial1x1({ [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1) });
        const st = act(s, { kind: 'ttwu', tid: W1 });
        expect(ttwuResult(st.label)).toBe(1);
        expect(st.next.envBudget).toBe(ENV - 1);
        expect(taskOf(st.next, W1)).toEqual({ ...taskOf(s, W1), kstate: 'running' });
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'sleep', hookFrom: 'call', callDone: false });
        expect(enabled(st.next, { kind: 'complete', tid: W1 })).toBe(true);
        const hook = step(st.next, W1);
        expect(hook.label).toContain('umcg_wq_worker_running: BLOCKED -> IDLE');
        expect(taskOf(hook.next, W1)).toMatchObject({ pc: 'update_worker:push', hookFrom: 'call', callDone: false, word: { state: 'IDLE' } });
        expect(enabled(hook.next, { kind: 'complete', tid: W1 })).toBe(true);
      },
    },
    {
      name: 'ttwu is not enabled for a running task or with envBudget 0',
      run: () => {
        expectDisabled(adversarial1x1({ [S1]: serverAsleep(S1), [W1]: workerRunning(S1) }), { kind: 'ttwu', tid: W1 });
        expectDisabled(build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1) } }), { kind: 'ttwu', tid: S1 });
      },
    },
  ],
  write: [
    {
      name: 'write stores a new state in a registered task\'s state word (a concurrent userspace store)',
      run: () => {
        const st = act(adversarial1x1({ [S1]: serverAsleep(S1), [W1]: workerRunning(S1) }), { kind: 'write', tid: W1, state: 'BLOCKED' });
        expect(taskOf(st.next, W1).word.state).toBe('BLOCKED');
        expect(st.next.envBudget).toBe(ENV - 1);
      },
    },
    {
      name: 'write is not enabled for an unregistered task, for the state it already has, or with envBudget 0',
      run: () => {
        expectDisabled(adversarial1x1({}), { kind: 'write', tid: W1, state: 'RUNNING' });
        expectDisabled(adversarial1x1({ [W1]: workerRunning(S1) }), { kind: 'write', tid: W1, state: 'RUNNING' });
        expectDisabled(running1x1(), { kind: 'write', tid: W1, state: 'IDLE' });
      },
    },
    {
      name: 'write of RUNNING|LOCKED sets the LOCKED bit; a plain store of RUNNING over it clears it (the whole word is stored), and so does the runtime\'s own store of its state',
      run: () => {
        const s = adversarial1x1({ [S1]: serverAtLoop(S1, { pc: 'srv:idle:set_self_idle' }), [W1]: workerRunning(S1) });
        const locked = act(s, { kind: 'write', tid: W1, state: 'RUNNING', locked: true });
        expect(locked.label).toContain('RUNNING|LOCKED');
        expect(taskOf(locked.next, W1).word).toMatchObject({ state: 'RUNNING', locked: true });
        const plain = act(locked.next, { kind: 'write', tid: W1, state: 'RUNNING' });
        expect(taskOf(plain.next, W1).word).toMatchObject({ state: 'RUNNING', locked: false });
        // The server's `self->state = IDLE` after the environment locked its word.
        const srv = act(s, { kind: 'write', tid: S1, state: 'RUNNING', locked: true }).next;
        expect(taskOf(step(srv, S1).next, S1).word).toMatchObject({ state: 'IDLE', locked: false });
      },
    },
  ],
  exit: [
    {
      name: 'exit from userspace clears the registration and ends the task, and nothing else: lists and server untouched (W8)',
      run: () => {
        const s = adversarial1x1({ [S1]: serverAsleep(S1), [W1]: workerRunning(S1) });
        const st = act(withState(s, { idleServers: [{ tid: S1, marked: false }] }), { kind: 'exit', tid: W1 });
        expect(st.row).toBe('W8');
        expect(taskOf(st.next, W1)).toMatchObject({ reg: 'none', pc: 'dead', end: 'exit' });
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
        expect(st.next.idleServers).toEqual([{ tid: S1, marked: false }]);
        expect(st.next.killedBy).toBe(0);
      },
    },
    {
      name: 'exit is enabled where the thread can make a syscall: at the runtime\'s sys_umcg_wait call site (wait:enter), and after it unregistered',
      run: () => {
        const atWait = adversarial1x1({ [S1]: serverAtLoop(S1, { pc: 'wait:enter', word: { state: 'IDLE' } }) });
        expect(taskOf(act(atWait, { kind: 'exit', tid: S1 }).next, S1)).toMatchObject({ pc: 'dead', reg: 'none', end: 'exit' });
        expect(taskOf(act(atWait, { kind: 'unregister', tid: S1 }).next, S1)).toMatchObject({ pc: 'unregistered', reg: 'none' });
        const gone = adversarial1x1({ [S1]: serverAtLoop(S1, { pc: 'unregistered', reg: 'none' }) });
        expect(taskOf(act(gone, { kind: 'exit', tid: S1 }).next, S1)).toMatchObject({ pc: 'dead', end: 'exit' });
        expectDisabled(gone, { kind: 'unregister', tid: S1 });
      },
    },
    {
      name: 'exit is not enabled inside the kernel or with envBudget 0',
      run: () => {
        expectDisabled(adversarial1x1({ [S1]: serverAsleep(S1) }), { kind: 'exit', tid: S1 });
        expectDisabled(running1x1(), { kind: 'exit', tid: W1 });
      },
    },
  ],
  unregister: [
    {
      name: 'unregister clears umcg_task only: the worker stays on idle_workers and its server is not woken (W7)',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          envBudget: ENV,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'wkr:yield:push_self' }) },
          idleWorkers: [W1],
        });
        const st = act(s, { kind: 'unregister', tid: W1 });
        expect(st.row).toBe('W7');
        expect(taskOf(st.next, W1)).toMatchObject({ reg: 'none', pc: 'unregistered', end: 'none' });
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
        expect(st.next.idleWorkers).toEqual(s.idleWorkers);
      },
    },
    {
      name: 'unregister is not enabled for a task that is not registered, inside the kernel, or with envBudget 0',
      run: () => {
        expectDisabled(adversarial1x1({}), { kind: 'unregister', tid: W1 });
        expectDisabled(adversarial1x1({ [S1]: serverAsleep(S1) }), { kind: 'unregister', tid: S1 });
        expectDisabled(running1x1(), { kind: 'unregister', tid: W1 });
      },
    },
  ],
  ctl: [
    {
      name: 'ctl returns the syscall\'s error on the step and changes nothing',
      run: () => {
        const s = initialState(config(1, 1));
        const cases: readonly [Action, number][] = [
          [{ kind: 'ctl', tid: W1, flags: 0, self: { kind: 'null' } }, -EINVAL],
          [{ kind: 'ctl', tid: W1, flags: UMCG_CTL_REGISTER, self: { kind: 'null' } }, -EFAULT],
          [{ kind: 'ctl', tid: W1, flags: UMCG_CTL_REGISTER | UMCG_CTL_WORKER, self: { kind: 'struct', raw: { state: 2, apiVersion: 7, serverTid: 0, nextTid: 0 } } }, 1],
          [{ kind: 'ctl', tid: W1, flags: UMCG_CTL_REGISTER | UMCG_CTL_WORKER, self: { kind: 'struct', raw: { state: 1, apiVersion: 1, serverTid: 0, nextTid: 0 } } }, -EINVAL],
          [{ kind: 'ctl', tid: S1, flags: UMCG_CTL_REGISTER, self: { kind: 'struct', raw: { state: 1, apiVersion: 1, serverTid: 0, nextTid: 0 } } }, -EINVAL],
        ];
        for (const [a, ret] of cases) {
          const st = act(s, a);
          expect(st.ret, JSON.stringify(a)).toBe(ret);
          expect(st.row).toBe('ctl');
          expectSameState(st.next, s);
        }
      },
    },
    {
      name: 'ctl REGISTER|WORKER returns 0 and runs the wake hook (W0); ctl REGISTER registers a server with the struct\'s word (S0)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: { reg: 'none', pc: 'srv:register', word: { state: 'RUNNING', serverTid: 0 } } } });
        const w = act(s, { kind: 'ctl', tid: W1, flags: UMCG_CTL_REGISTER | UMCG_CTL_WORKER, self: { kind: 'struct', raw: { state: 2, apiVersion: 1, serverTid: 0, nextTid: 0 } } });
        expect(w.ret).toBe(0);
        expect(taskOf(w.next, W1)).toMatchObject({ reg: 'worker', pc: 'update_worker', hookFrom: 'call' });
        const sv = act(s, { kind: 'ctl', tid: S1, flags: UMCG_CTL_REGISTER, self: { kind: 'struct', raw: { state: 1, apiVersion: 1, serverTid: 0, nextTid: 0 } } });
        expect(sv.ret).toBe(0);
        expect(taskOf(sv.next, S1)).toMatchObject({ reg: 'server', pc: 'srv:register', word: { state: 'RUNNING' } });
      },
    },
    {
      name: 'ctl UNREGISTER returns 0 and clears the registration only (W7)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1) }, idleServers: [S1] });
        const st = act(s, { kind: 'ctl', tid: W1, flags: UMCG_CTL_UNREGISTER, self: { kind: 'null' } });
        expect(st.ret).toBe(0);
        expect(taskOf(st.next, W1)).toMatchObject({ reg: 'none', pc: 'wkr:user', word: { state: 'RUNNING', serverTid: S1 } });
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
        expect(st.next.idleServers).toEqual(s.idleServers);
      },
    },
    {
      name: 'ctl is not enabled while the task is inside the kernel',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerInBlockingCall(S1) } });
        expectDisabled(s, { kind: 'ctl', tid: W1, flags: UMCG_CTL_UNREGISTER, self: { kind: 'null' } });
      },
    },
  ],
  wait: [
    {
      name: 'wait from an unregistered task returns -EINVAL; with a timeout it returns -EOPNOTSUPP',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1) } });
        expect(act(s, { kind: 'wait', tid: W1, flags: 0, timeout: 0 }).ret).toBe(-EINVAL);
        const t = act(s, { kind: 'wait', tid: S1, flags: 0, timeout: 5 });
        expect(t.ret).toBe(-EOPNOTSUPP);
        expectSameState(t.next, s);
      },
    },
    {
      name: 'wait WAKE_ONLY returns 0, wakes the target (label says 1) and leaves the caller in userspace',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { word: { nextTid: W1 } }), [W1]: workerAsleepInWait(S1, { word: { state: 'RUNNING' } }) } });
        const st = act(s, { kind: 'wait', tid: S1, flags: UMCG_WAIT_WAKE_ONLY, timeout: 0 });
        expect(st.ret).toBe(0);
        expect(ttwuResult(st.label)).toBe(1);
        expect(taskOf(st.next, W1).kstate).toBe('running');
        expect(taskOf(st.next, S1)).toEqual(taskOf(s, S1));
      },
    },
    {
      name: 'wait WAKE_ONLY to a task that exists but is not registered returns -ESRCH and wakes nobody',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { word: { nextTid: W1 } }), [W1]: { reg: 'none', pc: 'unregistered' } } });
        const st = act(s, { kind: 'wait', tid: S1, flags: UMCG_WAIT_WAKE_ONLY, timeout: 0 });
        expect(st.ret).toBe(-ESRCH);
        expectSameState(st.next, s);
      },
    },
    {
      name: 'wait context switch to a task that does not exist returns -ESRCH',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { word: { nextTid: 7 } }) } });
        expect(act(s, { kind: 'wait', tid: S1, flags: 0, timeout: 0 }).ret).toBe(-ESRCH);
      },
    },
    {
      name: 'wait context switch to an existing task that is not registered succeeds: ttwu, then umcg_idle_loop (no umcg_task check)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { word: { state: 'IDLE', nextTid: W1 } }), [W1]: { reg: 'none', pc: 'unregistered' } } });
        const st = act(s, { kind: 'wait', tid: S1, flags: 0, timeout: 0 });
        expect(st.ret).toBeUndefined();
        expect(ttwuResult(st.label)).toBe(0);
        expect(taskOf(st.next, S1).pc).toBe('idle_loop');
      },
    },
    {
      name: 'wait with unknown flags outside WAKE_ONLY behaves as wait with flags 0',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { word: { state: 'IDLE' } }) } });
        const plain = act(s, { kind: 'wait', tid: S1, flags: 0, timeout: 0 });
        const odd = act(s, { kind: 'wait', tid: S1, flags: 0x7ffffffe, timeout: 0 });
        expectSameState(odd.next, plain.next);
        expect(odd.ret).toBe(plain.ret);
      },
    },
    {
      name: 'wait is not enabled while the task is inside the kernel',
      run: () => {
        expectDisabled(build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1) } }), { kind: 'wait', tid: S1, flags: 0, timeout: 0 });
      },
    },
  ],
};

describe('every action kind', () => {
  for (const [kind, cases] of Object.entries(FOR_KIND)) {
    describe(kind, () => {
      for (const c of cases) it(c.name, c.run);
    });
  }

  it('no action is enabled once umcg_die() has killed the process', () => {
    const s = build({
      servers: 1,
      workers: 1,
      envBudget: 3,
      killedBy: W1,
      tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:idle:recheck' }), [W1]: { reg: 'worker', pc: 'dead', end: 'sigsegv' } },
    });
    expect(successors(s, config(1, 1, { profile: 'adversarial', envBudget: 3, locks: true }))).toEqual([]);
    expectDisabled(s, { kind: 'step', tid: S1 });
    expectDisabled(s, { kind: 'wait', tid: S1, flags: 0, timeout: 0 });
  });

  it('an action for a TID that does not exist is not enabled, and enabled() does not throw', () => {
    const s = initialState(config(1, 1));
    for (const tid of [0, 3, -1]) expectDisabled(s, { kind: 'step', tid });
  });

  it('successors are exactly the enabled candidate actions, each applied once, in a fixed order', () => {
    const s = initialState(config(1, 1));
    const a = successors(s, config(1, 1));
    expect(a.map((st) => st.action)).toEqual([
      { kind: 'step', tid: S1 },
      { kind: 'step', tid: W1 },
    ]);
    expect(successors(s, config(1, 1)).map((st) => st.label)).toEqual(a.map((st) => st.label));
  });
});

// ---------------------------------------------------------------------------
// 3. Rows of §4.6, the ttwu result and the signal path

describe('rows of the worker and server tables', () => {
  it('W0: registration rewrites IDLE to IDLE, pushes the worker, pops and wakes an idle server, and sleeps until RUNNING', () => {
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1) }, idleServers: [S1] });
    // umcg_sll_pop is three steps (read of the head, of the node's link, its cmpxchg); the nested
    // umcg_idle_loop two: set_current_state(TASK_INTERRUPTIBLE), then the read of state.
    const ss = steps(s, [W1, W1, W1, W1, W1, W1, W1, W1, W1, W1]);
    expect(ss.map((x) => x.row)).toEqual(['W0', 'W3', 'W3', 'W3', 'W3', 'W3', 'S2', 'S2', 'W3', 'W3']);
    expect(ss.map((x) => taskOf(x.next, W1).pc).slice(3, 6)).toEqual(['update_worker:pop_read', 'update_worker:pop_cas', 'update_worker:wake_server']);
    expect(ss.map((x) => taskOf(x.next, W1).pc).slice(7)).toEqual(['update_worker:idle_loop', 'update_worker:check', 'update_worker:schedule']);
    const end = last(ss);
    expect(end.idleWorkers).toEqual([{ tid: W1, marked: false }]);
    expect(end.idleServers).toEqual([{ tid: S1, marked: true }]);
    expect(taskOf(end, S1)).toMatchObject({ kstate: 'running', word: { state: 'RUNNING' } });
    expect(taskOf(end, W1)).toMatchObject({ reg: 'worker', pc: 'update_worker:schedule', kstate: 'interruptible', word: { state: 'IDLE' } });
    expect(ttwuResult(ss[7]!.label)).toBe(1);
  });

  it('W1: a server pops an idle worker, marks it RUNNING, switches to it, and the worker returns from registration to its body', () => {
    // After W0 with no idle server: W1 sleeps IDLE in its registration's nested idle loop, on idle_workers.
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0, 'call') }, idleWorkers: [W1] });
    // lock, gc (empty list), pop, set_self_idle, assign, sys_umcg_wait's context switch, set_current_state, read of state.
    const serverSide = last(steps(s, [S1, S1, S1, S1, S1, S1, S1, S1]));
    expect(serverSide.idleWorkers).toEqual([]);
    expect(taskOf(serverSide, S1)).toMatchObject({ pc: 'sleep', kstate: 'interruptible', word: { state: 'IDLE', nextTid: W1 } });
    const done = last(steps(serverSide, [W1]));
    expect(taskOf(done, W1)).toMatchObject({ pc: 'wkr:user', kstate: 'running', word: { state: 'RUNNING', serverTid: S1 } });
  });

  it('W2: a running worker that blocks becomes BLOCKED and its IDLE server is marked RUNNING and woken', () => {
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerRunning(S1) } });
    const blocked = act(s, { kind: 'block', tid: W1 }).next;
    // sched_submit_work's task-state check, then wq_worker_change_state (RUNNING -> BLOCKED), then the wake.
    const ss = steps(blocked, [W1, W1, W1, W1]);
    expect(ss.map((x) => x.row)).toEqual(['W2', 'W2', 'S2', 'S2']);
    expect(taskOf(ss[0]!.next, W1)).toMatchObject({ pc: 'submit_work:change_state', word: { state: 'RUNNING' } });
    const end = last(ss);
    expect(taskOf(end, W1)).toMatchObject({ pc: 'sleep', hookFrom: 'call', kstate: 'interruptible', word: { state: 'BLOCKED' } });
    expect(taskOf(end, S1)).toMatchObject({ kstate: 'running', word: { state: 'RUNNING' } });
    expect(taskOf(step(end, S1).next, S1).pc).toBe('srv:loop');
  });

  it('W2 with LOCKED: a locked worker that blocks stays RUNNING and its server is not woken', () => {
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerRunning(S1) } });
    const locked = act(s, { kind: 'lock', tid: W1 }).next;
    // sched_submit_work's task-state check, then wq_worker_change_state sees LOCKED.
    const slept = last(steps(act(locked, { kind: 'block', tid: W1 }).next, [W1, W1]));
    expect(taskOf(slept, W1)).toMatchObject({ pc: 'sleep', word: { state: 'RUNNING', locked: true } });
    expect(taskOf(slept, S1)).toEqual(taskOf(s, S1));
    const back = step(act(slept, { kind: 'complete', tid: W1 }).next, W1).next;
    expect(taskOf(back, W1)).toMatchObject({ pc: 'wkr:user', word: { state: 'RUNNING', locked: true } });
    expect(back.idleWorkers).toEqual([]);
  });

  it('W3: a blocked worker whose call completes becomes IDLE, is pushed, pops an idle server, wakes it and waits', () => {
    const s = build({
      servers: 2,
      workers: 1,
      tasks: { [S1]: serverAtLoop(S1), [S2]: serverAsleep(S2), [W1of2x1]: workerInBlockingCall(S1, { kstate: 'running', callDone: true }) },
      idleServers: [S2],
    });
    // ... the nested umcg_idle_loop: set_current_state(TASK_INTERRUPTIBLE), then the read of state (two steps).
    const ss = steps(s, [W1of2x1, W1of2x1, W1of2x1, W1of2x1, W1of2x1, W1of2x1, W1of2x1, W1of2x1, W1of2x1]);
    const end = last(ss);
    expect(taskOf(end, W1of2x1)).toMatchObject({ pc: 'update_worker:schedule', word: { state: 'IDLE' } });
    expect(end.idleWorkers).toEqual([{ tid: W1of2x1, marked: false }]);
    expect(end.idleServers).toEqual([{ tid: S2, marked: true }]);
    expect(taskOf(end, S2)).toMatchObject({ kstate: 'running', word: { state: 'RUNNING' } });
    expect(taskOf(end, S1)).toEqual(taskOf(s, S1));
  });

  it('W4: a yielding worker ends IDLE on idle_workers and asleep in sys_umcg_wait, its server marked RUNNING and woken', () => {
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerRunning(S1) } });
    const y = act(s, { kind: 'yield', tid: W1 }).next;
    // set_idle, push_self, wake_server, sys_umcg_wait; umcg_idle_loop's set_current_state and read of state;
    // sched_submit_work's task-state check and wq_worker_change_state (IDLE: nothing to do).
    const end = last(steps(y, [W1, W1, W1, W1, W1, W1, W1, W1]));
    expect(taskOf(end, W1)).toMatchObject({ pc: 'sleep', hookFrom: 'wait', kstate: 'interruptible', word: { state: 'IDLE', nextTid: S1 } });
    expect(end.idleWorkers).toEqual([{ tid: W1, marked: false }]);
    expect(taskOf(end, S1)).toMatchObject({ kstate: 'running', word: { state: 'RUNNING' } });
  });

  it('W5: the idle-loop prologue of sys_umcg_wait clears UMCG_TF_LOCKED of a worker', () => {
    const s = build({
      servers: 1,
      workers: 1,
      tasks: { [S1]: serverAsleep(S1, 0, { word: { state: 'RUNNING' } }), [W1]: workerRunning(S1, { pc: 'wait:enter', word: { state: 'IDLE', locked: true } }) },
    });
    const st = step(s, W1);
    expect(taskOf(st.next, W1)).toMatchObject({ pc: 'idle_loop', word: { locked: false, state: 'IDLE' } });
  });

  it('W6: a worker woken in sys_umcg_wait with state RUNNING but server_tid 0 is made IDLE and pushed, and sleeps again', () => {
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(0, { kstate: 'running', word: { state: 'RUNNING' } }) } });
    // W6, push, pop (none), then the nested umcg_idle_loop's set_current_state and read of state.
    const ss = steps(s, [W1, W1, W1, W1, W1]);
    expect(ss[0]!.row).toBe('W6');
    const end = last(ss);
    expect(end.idleWorkers).toEqual([{ tid: W1, marked: false }]);
    expect(taskOf(end, W1)).toMatchObject({ pc: 'update_worker:schedule', kstate: 'interruptible', word: { state: 'IDLE' } });
  });

  it('S1: a server with no idle worker marks itself IDLE, pushes itself onto idle_servers and sleeps in sys_umcg_wait', () => {
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1) } });
    // lock, gc, pop (none), set_self_idle, push_self, recheck, sys_umcg_wait, then umcg_idle_loop's
    // set_current_state and read of state.
    const end = last(steps(s, [S1, S1, S1, S1, S1, S1, S1, S1, S1]));
    expect(end.idleServers).toEqual([{ tid: S1, marked: false }]);
    expect(taskOf(end, S1)).toMatchObject({ pc: 'sleep', kstate: 'interruptible', word: { state: 'IDLE', nextTid: 0 } });
    expectDisabled(end, { kind: 'step', tid: S1 });
  });

  it('S2: a server woken by the kernel returns 0 from sys_umcg_wait to its loop', () => {
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1, 0, { kstate: 'running', word: { state: 'RUNNING' } }) } });
    const st = step(s, S1);
    expect(taskOf(st.next, S1)).toMatchObject({ pc: 'srv:loop', kstate: 'running' });
  });
});

describe('ttwu', () => {
  it('a context-switch ttwu of a task that is already awake returns 0, of a sleeping one 1', () => {
    const base = build({
      servers: 1,
      workers: 1,
      tasks: { [S1]: serverAtLoop(S1, { pc: 'wait:enter', word: { state: 'IDLE', nextTid: W1 } }), [W1]: workerAsleepInHook(S1, 'wait', { word: { state: 'RUNNING' } }) },
    });
    expect(ttwuResult(step(base, S1).label)).toBe(1);
    expect(ttwuResult(step(withTasks(base, { [W1]: { kstate: 'running' } }), S1).label)).toBe(0);
  });

  // This used to assert the opposite (a ttwu of a task sleeping in a blocking
  // call has no effect), a NOT MODELLED simplification. try_to_wake_up with
  // TASK_NORMAL wakes an uninterruptible sleep too: the worker runs the wake
  // hook although its call has not completed, and when the hook lets it go it
  // goes round the call's wait loop (call:wait) and schedules again, block
  // hook first. `complete` stays enabled all along, and only it ends the call.
  it('a ttwu of a worker sleeping in a blocking call wakes it: it runs the wake hook and, its call not completed, goes back round its wait loop', () => {
    const W = W1of2x1;
    const s = build({
      servers: 2,
      workers: 1,
      tasks: {
        [S1]: serverAtLoop(S1, { pc: 'wait:enter', word: { state: 'IDLE', nextTid: W } }),
        [S2]: serverAtLoop(S2),
        [W]: workerInBlockingCall(S1),
      },
    });
    // S1's context switch wakes W inside its blocking call.
    const st = step(s, S1);
    expect(ttwuResult(st.label)).toBe(1);
    expect(taskOf(st.next, W)).toMatchObject({ pc: 'sleep', kstate: 'running', hookFrom: 'call', callDone: false });
    expect(enabled(st.next, { kind: 'complete', tid: W })).toBe(true);
    // The wake hook: BLOCKED -> IDLE, push, no idle server, asleep in the nested idle loop.
    const hook = stepWhile(st.next, W, (x) => !enabled(x, { kind: 'step', tid: W }));
    expect(hook[0]!.label).toContain('umcg_wq_worker_running: BLOCKED -> IDLE');
    const inHook = last(hook);
    expect(taskOf(inHook, W)).toMatchObject({ pc: 'update_worker:schedule', kstate: 'interruptible', hookFrom: 'call', callDone: false, word: { state: 'IDLE' } });
    expect(inHook.idleWorkers).toEqual([{ tid: W, marked: false }]);
    expect(enabled(inHook, { kind: 'complete', tid: W })).toBe(true);
    // S2 pops W, makes it RUNNING and context-switches to it.
    const picked = last(steps(inHook, [S2, S2, S2, S2, S2, S2]));
    expect(taskOf(picked, W)).toMatchObject({ kstate: 'running', word: { state: 'RUNNING', serverTid: S2 } });
    // The hook lets W go, but its call has not completed: call:wait, then schedule() again.
    const out = step(picked, W);
    expect(taskOf(out.next, W)).toMatchObject({ pc: 'call:wait', hookFrom: 'call', callDone: false });
    expect(enabled(out.next, { kind: 'complete', tid: W })).toBe(true);
    const again = step(out.next, W);
    expect(taskOf(again.next, W)).toMatchObject({ pc: 'submit_work', kstate: 'interruptible', hookFrom: 'call', callDone: false, word: { state: 'RUNNING' } });
    expect(enabled(again.next, { kind: 'complete', tid: W })).toBe(true);
    // Only the completion ends the call: woken before its schedule(), it skips
    // block detection, passes through the wake hook and returns to its body.
    const done = act(again.next, { kind: 'complete', tid: W });
    expect(ttwuResult(done.label)).toBe(1);
    expect(taskOf(done.next, W)).toMatchObject({ callDone: true, kstate: 'running' });
    expectDisabled(done.next, { kind: 'complete', tid: W });
    const back = step(done.next, W);
    expect(taskOf(back.next, W)).toMatchObject({ pc: 'wkr:user', hookFrom: 'wait', callDone: false, word: { state: 'RUNNING', serverTid: S2 } });
  });
});

describe('signals', () => {
  it('a signal ends a server\'s sleep in umcg_idle_loop with -EINTR, and the runtime calls sys_umcg_wait again', () => {
    const s = build({ servers: 1, workers: 1, envBudget: 1, tasks: { [S1]: serverAsleep(S1) }, idleServers: [S1] });
    const signalled = act(s, { kind: 'signal', tid: S1 }).next;
    const st = step(signalled, S1);
    expect(st.label).toContain('-EINTR');
    expect(taskOf(st.next, S1).pc).toBe('wait:eintr');
    const again = step(st.next, S1).next;
    expect(taskOf(again, S1)).toMatchObject({ pc: 'wait:enter', sigpending: false });
  });

  it('a signal in the wake hook\'s nested idle loop is ignored there, and sys_umcg_wait returns -EINTR in the same step', () => {
    const s = build({ servers: 1, workers: 1, envBudget: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0, 'wait') }, idleWorkers: [W1] });
    const signalled = act(s, { kind: 'signal', tid: W1 }).next;
    const left = step(signalled, W1);
    expect(left.label).toContain('ignored');
    expect(left.label).toContain('return -EINTR');
    expect(taskOf(left.next, W1)).toMatchObject({ pc: 'wait:eintr', word: { state: 'IDLE' } });
  });

  it('a signal in the nested idle loop after a blocking call is ignored and the worker returns to its body still IDLE', () => {
    const s = build({ servers: 1, workers: 1, envBudget: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(S1, 'call') }, idleWorkers: [W1] });
    const signalled = act(s, { kind: 'signal', tid: W1 }).next;
    const end = stepWhile(signalled, W1, (x) => taskOf(x, W1).pc === 'wkr:user');
    expect(end.length).toBe(1);
    expect(taskOf(last(end), W1)).toMatchObject({ pc: 'wkr:user', word: { state: 'IDLE' } });
  });
});

// ---------------------------------------------------------------------------
// 4. Random schedules: structural facts of every step

/** Configurations with every kind of action enabled somewhere. */
const WALK_CONFIGS: readonly ModelConfig[] = [
  config(1, 2, { yield: true, locks: true, profile: 'adversarial', envBudget: 3 }),
  config(2, 2, { yield: true, locks: true, profile: 'adversarial', envBudget: 2 }),
  config(2, 1, { yield: true, locks: true }),
];

/** A schedule is a list of choices among the enabled steps (shrinkable data). */
const schedule = fc.array(fc.nat(), { maxLength: 120 });

/** Run `choices` from the initial state of `cfg`, calling `check` on every step taken. */
function walk(cfg: ModelConfig, choices: readonly number[], check: (before: State, st: Step) => void): void {
  let s = initialState(cfg);
  for (const c of choices) {
    const succ = successors(s, cfg);
    if (succ.length === 0) return;
    const st = succ[c % succ.length]!;
    check(s, st);
    s = st.next;
  }
}

/**
 * Where a task may be TASK_INTERRUPTIBLE: from set_current_state() (or a
 * blocking call) to its schedule(). umcg_idle_loop's read of state
 * (`idle_loop:check`, `update_worker:check`) and the block hook after
 * sched_submit_work's check (`submit_work:change_state`) are now steps of
 * their own inside that window.
 */
const SCHEDULE_POINTS: ReadonlySet<Pc> = new Set<Pc>([
  'idle_loop:check',
  'submit_work',
  'submit_work:change_state',
  'submit_work:wake_server',
  'submit_work:ttwu',
  'sleep',
  'update_worker:check',
  'update_worker:schedule',
]);
const ENV_KINDS: ReadonlySet<ActionKind> = new Set<ActionKind>(['signal', 'ttwu', 'write', 'exit', 'unregister']);

describe('random schedules', () => {
  const forAll = (check: (before: State, st: Step) => void): void => {
    for (const cfg of WALK_CONFIGS) fc.assert(fc.property(schedule, (choices) => walk(cfg, choices, check)), { numRuns: 150 });
  };

  it('a step moves the program counter of its own task only', () => {
    forAll((before, st) => {
      for (const t of st.next.tasks) if (t.tid !== st.action.tid) expect(t.pc, st.label).toBe(taskOf(before, t.tid).pc);
    });
  });

  it('a task is TASK_INTERRUPTIBLE only at a schedule point, and runs its body TASK_RUNNING', () => {
    forAll((_before, st) => {
      for (const t of st.next.tasks) {
        if (t.kstate === 'interruptible') expect(SCHEDULE_POINTS.has(t.pc), `${t.pc} after ${st.label}`).toBe(true);
        if (t.pc === 'wkr:user') expect(t.kstate).toBe('running');
      }
    });
  });

  it('envBudget falls by one exactly on adversarial events and never below zero', () => {
    forAll((before, st) => {
      expect(st.next.envBudget).toBe(before.envBudget - (ENV_KINDS.has(st.action.kind) ? 1 : 0));
      expect(st.next.envBudget).toBeGreaterThanOrEqual(0);
    });
  });

  it('a dead task never changes again, and list nodes always name existing tasks', () => {
    forAll((before, st) => {
      for (const t of before.tasks) if (t.pc === 'dead') expect(taskOf(st.next, t.tid)).toEqual(t);
      for (const n of [...st.next.idleWorkers, ...st.next.idleServers]) expect(st.next.tasks[n.tid - 1]).toBeDefined();
    });
  });

  it('a server never runs worker code, and no code step sets a server\'s LOCKED bit (only the environment\'s locked write does)', () => {
    forAll((before, st) => {
      for (const t of st.next.tasks) {
        if (t.role !== 'server') continue;
        expect(t.pc.startsWith('wkr:') || t.pc.startsWith('submit_work') || t.pc.startsWith('update_worker'), t.pc).toBe(false);
        if (causeOf(st.action) === 'code' && t.word.locked) expect(taskOf(before, t.tid).word.locked, st.label).toBe(true);
      }
    });
  });
});
