/**
 * The model's fix set (model/types.ts ModelFixes, model/README.md "Fixes"):
 * each fix changes exactly the transitions it names, and with no fix the
 * model is v0.3. Every case takes the same action from the same state with
 * and without the fix.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../engine/explore.ts';
import { stateKey } from '../../model/canon.ts';
import { enabled, type StepConfig } from '../../model/transitions.ts';
import { FIXED_FIXES, MODEL_VARIANTS, NO_FIXES, type ModelFixes } from '../../model/types.ts';
import {
  act,
  build,
  exploreOptions,
  serverAsleep,
  step,
  taskOf,
  workerAsleepInHook,
  workerAsleepInWait,
  workerInBlockingCall,
} from '../helpers/model.ts';

const S1 = 1;
const S2 = 2;

/** A configuration's transition switches with one fix on. */
const only = (fix: keyof ModelFixes): StepConfig => ({ yield: true, locks: false, fixes: { ...NO_FIXES, [fix]: true } });
const V03: StepConfig = { yield: true, locks: false };

describe('model fixes', () => {
  it('with no fix, or NO_FIXES, the model is v0.3: the same 1x1 state space and violations', () => {
    const base = explore(exploreOptions(1, 1, { stopAtFirst: false }));
    const none = explore(exploreOptions(1, 1, { stopAtFirst: false, fixes: NO_FIXES }));
    expect(none.distinctStates).toBe(base.distinctStates);
    expect(none.transitions).toBe(base.transitions);
    expect(none.violations.map((v) => v.invariant)).toEqual(base.violations.map((v) => v.invariant));
    expect(MODEL_VARIANTS['v0.3']).toEqual(NO_FIXES);
    expect(MODEL_VARIANTS.FIXED).toEqual(FIXED_FIXES);
    expect(Object.values(FIXED_FIXES).every((on) => on)).toBe(true);
  });

  describe('noHooksInWait (F1, F2)', () => {
    // W1 (tid 2) in sys_umcg_wait's umcg_idle_loop, about to read its state: IDLE.
    const atCheck = build({
      servers: 1,
      workers: 1,
      tasks: { [S1]: serverAsleep(S1), 2: workerAsleepInWait(S1, { pc: 'idle_loop:check' }) },
    });

    it('INV-BLOCKED-ONLY-WHEN-BLOCKING: a worker that goes to sleep in sys_umcg_wait skips sched_submit_work', () => {
      expect(taskOf(step(atCheck, 2, V03).next, 2).pc).toBe('submit_work');
      const fixed = taskOf(step(atCheck, 2, only('noHooksInWait')).next, 2);
      expect(fixed.pc).toBe('sleep');
      expect(fixed.hookFrom).toBe('wait');
    });

    it('INV-LIST-NO-DUPLICATE: a stray wakeup in sys_umcg_wait re-reads the state word instead of running the wake hook', () => {
      // Woken (kstate running) while still IDLE: v0.3 runs umcg_wq_worker_running, which pushes it.
      const woken = build({
        servers: 1,
        workers: 1,
        tasks: { [S1]: serverAsleep(S1), 2: workerAsleepInWait(S1, { kstate: 'running' }) },
      });
      const v03 = step(woken, 2, V03);
      expect(taskOf(v03.next, 2).pc).toBe('update_worker:push');
      const fixed = step(woken, 2, only('noHooksInWait'));
      expect(taskOf(fixed.next, 2).pc).toBe('idle_loop');
      expect(fixed.next.idleWorkers).toEqual([]);
    });

    it('leaves blocking calls alone: a worker asleep in one still runs the wake hook', () => {
      const woken = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), 2: workerInBlockingCall(S1, { kstate: 'running' }) } });
      expect(stateKey(step(woken, 2, only('noHooksInWait')).next)).toBe(stateKey(step(woken, 2, V03).next));
    });
  });

  describe('wakeHookAtCallExit (F4)', () => {
    const inCall = (over: Parameters<typeof workerInBlockingCall>[1]) =>
      build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), 2: workerInBlockingCall(S1, over) } });

    it('LIVE-BOUNDED-PROGRESS: an early wakeup inside a blocking call only goes round its wait loop', () => {
      const early = inCall({ kstate: 'running' });
      const v03 = step(early, 2, V03).next;
      expect(taskOf(v03, 2).word.state).toBe('IDLE');
      expect(v03.idleWorkers).toEqual([]);
      expect(taskOf(v03, 2).pc).toBe('update_worker:push');
      const fixed = step(early, 2, only('wakeHookAtCallExit')).next;
      const w = taskOf(fixed, 2);
      expect(w.pc).toBe('submit_work'); // set_current_state(TASK_UNINTERRUPTIBLE); schedule()
      expect(w.kstate).toBe('interruptible');
      expect(w.word.state).toBe('BLOCKED');
      expect(fixed.idleWorkers).toEqual([]);
    });

    it('the wake hook runs once the call is done, on its way out, and returns to userspace', () => {
      const done = act(inCall({}), { kind: 'complete', tid: 2 }, only('wakeHookAtCallExit')).next;
      const hook = step(done, 2, only('wakeHookAtCallExit')).next;
      expect(taskOf(hook, 2).word.state).toBe('IDLE'); // BLOCKED -> IDLE
      expect(taskOf(hook, 2).pc).toBe('update_worker:push');
      expect(taskOf(hook, 2).callDone).toBe(true);
    });

    it('sched_submit_work finding the task already running returns to the wait loop without the hook', () => {
      const running = inCall({ pc: 'submit_work', kstate: 'running', word: { state: 'BLOCKED' } });
      expect(taskOf(step(running, 2, V03).next, 2).pc).toBe('update_worker:push');
      const fixed = step(running, 2, only('wakeHookAtCallExit')).next;
      expect(taskOf(fixed, 2).pc).toBe('sleep');
      expect(taskOf(fixed, 2).word.state).toBe('BLOCKED');
    });
  });

  describe('hookWaitUninterruptible (F3)', () => {
    const asleep = build({
      servers: 1,
      workers: 1,
      envBudget: 1,
      tasks: { [S1]: serverAsleep(S1), 2: workerAsleepInHook(S1, 'call') },
    });

    it('INV-KERNEL-RETURNS-RUNNING: a signal does not wake the wake hook\'s wait', () => {
      const v03 = act(asleep, { kind: 'signal', tid: 2 }, V03).next;
      expect(taskOf(v03, 2).kstate).toBe('running');
      expect(enabled(v03, { kind: 'step', tid: 2 }, V03)).toBe(true);
      const cfg = only('hookWaitUninterruptible');
      const fixed = act(asleep, { kind: 'signal', tid: 2 }, cfg).next;
      expect(taskOf(fixed, 2).sigpending).toBe(true);
      expect(taskOf(fixed, 2).kstate).toBe('interruptible');
      expect(enabled(fixed, { kind: 'step', tid: 2 }, cfg)).toBe(false);
    });

    it('INV-KERNEL-RETURNS-RUNNING: woken while still IDLE with a signal pending, the hook waits again instead of returning', () => {
      const pending = build({
        servers: 1,
        workers: 1,
        tasks: { [S1]: serverAsleep(S1), 2: workerAsleepInHook(S1, 'call', { pc: 'update_worker:after', kstate: 'running', sigpending: true }) },
      });
      expect(taskOf(step(pending, 2, V03).next, 2).pc).toBe('wkr:user'); // back in userspace IDLE
      expect(taskOf(step(pending, 2, only('hookWaitUninterruptible')).next, 2).pc).toBe('update_worker:idle_loop');
    });
  });

  describe('popRetryCurr (F5)', () => {
    // W1 (tid 3) claims S2 by cmpxchg(S2's link, S1, S1 | 1), but the gc
    // has unlinked S1 since: S2's link is now NULL.
    const stale = build({
      servers: 2,
      workers: 1,
      tasks: {
        [S1]: serverAsleep(S1),
        [S2]: serverAsleep(S2),
        3: workerAsleepInHook(S1, 'call', { pc: 'update_worker:pop_cas', kstate: 'running', other: S2, seen: S1 }),
      },
      idleServers: [S2],
      idleWorkers: [3],
    });

    it('LIVE-NO-LOST-WAKEUP: the failed cmpxchg retries the unclaimed node instead of walking past it', () => {
      const v03 = step(stale, 3, V03).next;
      expect(taskOf(v03, 3).pc).toBe('update_worker:idle_loop'); // "no idle server", S2 sleeps on
      const cfg = only('popRetryCurr');
      const retry = step(stale, 3, cfg).next;
      expect(taskOf(retry, 3).pc).toBe('update_worker:pop_cas');
      expect(taskOf(retry, 3).seen).toBe(0);
      const claimed = step(retry, 3, cfg).next;
      expect(claimed.idleServers).toEqual([{ tid: S2, marked: true }]);
      expect(taskOf(claimed, 3).pc).toBe('update_worker:wake_server');
    });

    it('a node another pop claimed is still passed over', () => {
      const taken = build({ ...{ servers: 2, workers: 1 }, tasks: { 3: taskOf(stale, 3) }, idleServers: [{ tid: S2, marked: true }], idleWorkers: [3] });
      expect(taskOf(step(taken, 3, only('popRetryCurr')).next, 3).pc).toBe('update_worker:idle_loop');
    });
  });
});

describe('explore --variant FIXED (the model with FIXED_FIXES)', () => {
  it('passes every invariant exhaustively on 1 server x 2 workers, where v0.3 fails four', () => {
    const fixed = explore(exploreOptions(1, 2, { stopAtFirst: false, fixes: FIXED_FIXES }));
    expect(fixed.verdict).toBe('pass');
    expect(fixed.violations).toEqual([]);
    const v03 = explore(exploreOptions(1, 2, { stopAtFirst: false }));
    expect(v03.violations.map((v) => v.invariant).sort()).toEqual([
      'INV-BLOCKED-ONLY-WHEN-BLOCKING',
      'INV-IDLE-LIST-STATE',
      'INV-LIST-NO-DUPLICATE',
      'LIVE-BOUNDED-PROGRESS',
    ]);
  });

  it('passes every invariant exhaustively on 1 server x 1 worker under the adversarial profile', () => {
    const r = explore(exploreOptions(1, 1, { stopAtFirst: false, fixes: FIXED_FIXES, profile: 'adversarial', envBudget: 1 }));
    expect(r.violations).toEqual([]);
  });
});
