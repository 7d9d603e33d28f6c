/**
 * The argument checks of sys_umcg_ctl and sys_umcg_wait (domain reference
 * §3.1 and §3.2), in the order the v0.3 code makes them. Where two checks
 * could both fail, a test pins which one wins, because that order is what
 * the kernel returns.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EFAULT, EINVAL, EOPNOTSUPP, ESRCH } from '../../model/errno.ts';
import {
  umcgCtl,
  umcgWait,
  UMCG_CTL_REGISTER,
  UMCG_CTL_UNREGISTER,
  UMCG_CTL_WORKER,
  UMCG_WAIT_WAKE_ONLY,
  UMCG_WAIT_WF_CURRENT_CPU,
  type RawUmcgTask,
  type SelfArg,
  type WaitContext,
} from '../../model/syscalls.ts';
import { UMCG_TASK_BLOCKED, UMCG_TASK_IDLE, UMCG_TASK_NONE, UMCG_TASK_RUNNING, UMCG_TF_LOCKED } from '../../model/types.ts';

const REGISTER = UMCG_CTL_REGISTER;
const UNREGISTER = UMCG_CTL_UNREGISTER;
const WORKER = UMCG_CTL_WORKER;
const REGISTER_WORKER = UMCG_CTL_REGISTER | UMCG_CTL_WORKER;
const WAKE_ONLY = UMCG_WAIT_WAKE_ONLY;
const WF_CURRENT_CPU = UMCG_WAIT_WF_CURRENT_CPU;

/** Bits 24-31 of the state word belong to userspace; bits 16-23 are reserved. */
const USER_BIT = 1 << 24;
const RESERVED_BIT = 1 << 16;

const NULL: SelfArg = { kind: 'null' };
const FAULT: SelfArg = { kind: 'fault' };
const struct = (raw: Partial<RawUmcgTask> = {}): SelfArg => ({
  kind: 'struct',
  raw: { state: UMCG_TASK_IDLE, apiVersion: 1, serverTid: 0, nextTid: 0, ...raw },
});
const workerSelf = (raw: Partial<RawUmcgTask> = {}): SelfArg => struct({ state: UMCG_TASK_IDLE, ...raw });
const serverSelf = (raw: Partial<RawUmcgTask> = {}): SelfArg => struct({ state: UMCG_TASK_RUNNING, ...raw });
const err = (ret: number) => ({ kind: 'error', ret });

describe('umcgCtl (sys_umcg_ctl, §3.1)', () => {
  describe('1. UNREGISTER', () => {
    it('UNREGISTER with a non-NULL self returns -EINVAL even for a registered task', () => {
      expect(umcgCtl(UNREGISTER, workerSelf(), true)).toEqual(err(-EINVAL));
      expect(umcgCtl(UNREGISTER, FAULT, true)).toEqual(err(-EINVAL));
    });

    it('UNREGISTER from a task that is not registered returns -EINVAL', () => {
      expect(umcgCtl(UNREGISTER, NULL, false)).toEqual(err(-EINVAL));
    });

    it('UNREGISTER with NULL self from a registered task succeeds', () => {
      expect(umcgCtl(UNREGISTER, NULL, true)).toEqual({ kind: 'unregister' });
    });
  });

  describe('2. the REGISTER bit', () => {
    it('flags without UMCG_CTL_REGISTER return -EINVAL, whatever else is set', () => {
      for (const flags of [0, WORKER, UNREGISTER | WORKER, UNREGISTER | 4, 0x80000000, 0xfffffffe]) {
        expect(umcgCtl(flags, workerSelf(), false), `flags 0x${flags.toString(16)}`).toEqual(err(-EINVAL));
      }
    });
  });

  describe('3. extra flag bits', () => {
    it('REGISTER with any extra bit other than UMCG_CTL_WORKER returns -EINVAL', () => {
      for (const flags of [REGISTER | UNREGISTER, REGISTER | 4, REGISTER | WORKER | UNREGISTER, REGISTER | 0x20000, REGISTER | 0x80000000]) {
        expect(umcgCtl(flags, workerSelf(), false), `flags 0x${(flags >>> 0).toString(16)}`).toEqual(err(-EINVAL));
      }
    });

    it('extra flag bits are checked before the registration state and before self is read', () => {
      expect(umcgCtl(REGISTER | 4, NULL, true)).toEqual(err(-EINVAL));
      expect(umcgCtl(REGISTER | 4, FAULT, false)).toEqual(err(-EINVAL));
    });
  });

  describe('4. already registered', () => {
    it('REGISTER from a task that is already registered returns -EINVAL', () => {
      expect(umcgCtl(REGISTER, serverSelf(), true)).toEqual(err(-EINVAL));
      expect(umcgCtl(REGISTER_WORKER, workerSelf(), true)).toEqual(err(-EINVAL));
    });

    it('the registration check comes before self is read, so a registered task with a NULL or faulting self gets -EINVAL, not -EFAULT', () => {
      expect(umcgCtl(REGISTER, NULL, true)).toEqual(err(-EINVAL));
      expect(umcgCtl(REGISTER_WORKER, FAULT, true)).toEqual(err(-EINVAL));
    });
  });

  describe('5. copy_from_user', () => {
    it('REGISTER with a NULL self returns -EFAULT, because v0.3 has no !self check and copy_from_user faults', () => {
      expect(umcgCtl(REGISTER, NULL, false)).toEqual(err(-EFAULT));
      expect(umcgCtl(REGISTER_WORKER, NULL, false)).toEqual(err(-EFAULT));
    });

    it('REGISTER with a self pointer that faults returns -EFAULT', () => {
      expect(umcgCtl(REGISTER, FAULT, false)).toEqual(err(-EFAULT));
      expect(umcgCtl(REGISTER_WORKER, FAULT, false)).toEqual(err(-EFAULT));
    });
  });

  describe('6. api_version', () => {
    it('an api_version other than 1 returns the positive value 1 (the highest supported version)', () => {
      for (const apiVersion of [0, 2, 0xffffffff]) {
        expect(umcgCtl(REGISTER, serverSelf({ apiVersion }), false)).toEqual(err(1));
        expect(umcgCtl(REGISTER_WORKER, workerSelf({ apiVersion }), false)).toEqual(err(1));
      }
    });

    it('api_version is checked before server_tid, next_tid and the state word', () => {
      expect(umcgCtl(REGISTER, serverSelf({ apiVersion: 2, serverTid: 5, state: UMCG_TASK_IDLE }), false)).toEqual(err(1));
      expect(umcgCtl(REGISTER_WORKER, workerSelf({ apiVersion: 2, nextTid: 5, state: UMCG_TASK_RUNNING }), false)).toEqual(err(1));
    });
  });

  describe('7. server_tid and next_tid', () => {
    it('a non-zero server_tid returns -EINVAL for a server and for a worker', () => {
      expect(umcgCtl(REGISTER, serverSelf({ serverTid: 1 }), false)).toEqual(err(-EINVAL));
      expect(umcgCtl(REGISTER_WORKER, workerSelf({ serverTid: 1 }), false)).toEqual(err(-EINVAL));
    });

    it('a non-zero next_tid returns -EINVAL for a server and for a worker', () => {
      expect(umcgCtl(REGISTER, serverSelf({ nextTid: 2 }), false)).toEqual(err(-EINVAL));
      expect(umcgCtl(REGISTER_WORKER, workerSelf({ nextTid: 2 }), false)).toEqual(err(-EINVAL));
    });
  });

  describe('8. worker state word', () => {
    it('a worker whose state word is not exactly IDLE returns -EINVAL', () => {
      for (const state of [UMCG_TASK_NONE, UMCG_TASK_RUNNING, UMCG_TASK_BLOCKED]) {
        expect(umcgCtl(REGISTER_WORKER, workerSelf({ state }), false), `state ${state}`).toEqual(err(-EINVAL));
      }
    });

    it('a worker whose state is IDLE with UMCG_TF_LOCKED, a reserved bit or a userspace bit set returns -EINVAL (the compare is over all 32 bits)', () => {
      for (const state of [UMCG_TASK_IDLE | UMCG_TF_LOCKED, UMCG_TASK_IDLE | RESERVED_BIT, UMCG_TASK_IDLE | USER_BIT]) {
        expect(umcgCtl(REGISTER_WORKER, workerSelf({ state }), false), `state 0x${state.toString(16)}`).toEqual(err(-EINVAL));
      }
    });

    it('a worker with state exactly IDLE registers (and runs the wake hook before returning)', () => {
      expect(umcgCtl(REGISTER_WORKER, workerSelf(), false)).toEqual({ kind: 'register-worker' });
    });
  });

  describe('9. server state word', () => {
    it('a server whose state word is not exactly RUNNING returns -EINVAL', () => {
      for (const state of [
        UMCG_TASK_NONE,
        UMCG_TASK_IDLE,
        UMCG_TASK_BLOCKED,
        UMCG_TASK_RUNNING | UMCG_TF_LOCKED,
        UMCG_TASK_RUNNING | USER_BIT,
      ]) {
        expect(umcgCtl(REGISTER, serverSelf({ state }), false), `state 0x${state.toString(16)}`).toEqual(err(-EINVAL));
      }
    });

    it('a server with state exactly RUNNING registers', () => {
      expect(umcgCtl(REGISTER, serverSelf(), false)).toEqual({ kind: 'register-server' });
    });
  });

  it('succeeds only for REGISTER, REGISTER|WORKER and UNREGISTER, and fails only with -EINVAL, -EFAULT or 1', () => {
    const self = fc.oneof(
      fc.constant(NULL),
      fc.constant(FAULT),
      fc.record({ state: fc.nat(0xffffffff), apiVersion: fc.constantFrom(0, 1, 1, 2), serverTid: fc.constantFrom(0, 0, 3), nextTid: fc.constantFrom(0, 0, 4) }).map(
        (raw): SelfArg => ({ kind: 'struct', raw }),
      ),
    );
    const flags = fc.oneof(fc.constantFrom(0, REGISTER, UNREGISTER, REGISTER_WORKER, WORKER, REGISTER | UNREGISTER), fc.nat(0xffffffff));
    fc.assert(
      fc.property(flags, self, fc.boolean(), (f, s, registered) => {
        const o = umcgCtl(f, s, registered);
        if (o.kind === 'error') {
          expect([-EINVAL, -EFAULT, 1]).toContain(o.ret);
        } else {
          const expected = o.kind === 'unregister' ? UNREGISTER : o.kind === 'register-server' ? REGISTER : REGISTER_WORKER;
          expect(f).toBe(expected);
          expect(registered).toBe(o.kind === 'unregister');
        }
      }),
    );
  });
});

/** A caller and a world of three tasks: 1 and 2 are UMCG tasks, 3 exists but is not registered, 4+ do not exist. */
function ctx(over: Partial<WaitContext> = {}): WaitContext {
  return {
    registered: true,
    isWorker: false,
    selfFaults: false,
    nextTid: 0,
    serverTid: 0,
    exists: (tid) => tid >= 1 && tid <= 3,
    isUmcg: (tid) => tid === 1 || tid === 2,
    ...over,
  };
}
const UMCG_TASK = 2;
const PLAIN_TASK = 3;
const MISSING_TASK = 9;

describe('umcgWait (sys_umcg_wait, §3.2)', () => {
  describe('the caller', () => {
    it('a caller that is not registered gets -EINVAL, checked before anything is read', () => {
      expect(umcgWait(0, 0, ctx({ registered: false }))).toEqual(err(-EINVAL));
      expect(umcgWait(WAKE_ONLY, 0, ctx({ registered: false, selfFaults: true, nextTid: UMCG_TASK }))).toEqual(err(-EINVAL));
    });

    it('a caller whose struct faults gets -EFAULT, checked before the WAKE_ONLY arguments', () => {
      expect(umcgWait(0, 0, ctx({ selfFaults: true, nextTid: UMCG_TASK }))).toEqual(err(-EFAULT));
      expect(umcgWait(WAKE_ONLY, 5, ctx({ selfFaults: true, nextTid: 0 }))).toEqual(err(-EFAULT));
    });
  });

  describe('WAKE_ONLY', () => {
    it('WAKE_ONLY with next_tid 0 returns -EINVAL', () => {
      expect(umcgWait(WAKE_ONLY, 0, ctx({ nextTid: 0 }))).toEqual(err(-EINVAL));
    });

    it('WAKE_ONLY does not fall back to server_tid: a worker with next_tid 0 gets -EINVAL', () => {
      expect(umcgWait(WAKE_ONLY, 0, ctx({ isWorker: true, nextTid: 0, serverTid: 1 }))).toEqual(err(-EINVAL));
    });

    it('WAKE_ONLY with a timeout returns -EINVAL', () => {
      expect(umcgWait(WAKE_ONLY, 1, ctx({ nextTid: UMCG_TASK }))).toEqual(err(-EINVAL));
    });

    it('WAKE_ONLY with flags other than WF_CURRENT_CPU returns -EINVAL, before the target is looked up', () => {
      for (const extra of [4, 0x80, 0x80000000]) {
        expect(umcgWait(WAKE_ONLY | extra, 0, ctx({ nextTid: UMCG_TASK }))).toEqual(err(-EINVAL));
        expect(umcgWait(WAKE_ONLY | WF_CURRENT_CPU | extra, 0, ctx({ nextTid: MISSING_TASK }))).toEqual(err(-EINVAL));
      }
    });

    it('WAKE_ONLY wakes next_tid, with or without WF_CURRENT_CPU', () => {
      expect(umcgWait(WAKE_ONLY, 0, ctx({ nextTid: UMCG_TASK }))).toEqual({ kind: 'wake-only', target: UMCG_TASK });
      expect(umcgWait(WAKE_ONLY | WF_CURRENT_CPU, 0, ctx({ nextTid: UMCG_TASK }))).toEqual({ kind: 'wake-only', target: UMCG_TASK });
    });

    it('WAKE_ONLY to a task that does not exist returns -ESRCH', () => {
      expect(umcgWait(WAKE_ONLY, 0, ctx({ nextTid: MISSING_TASK }))).toEqual(err(-ESRCH));
    });

    it('WAKE_ONLY to a task that exists but is not a UMCG task returns -ESRCH (umcg_ttwu checks umcg_task)', () => {
      expect(umcgWait(WAKE_ONLY, 0, ctx({ nextTid: PLAIN_TASK }))).toEqual(err(-ESRCH));
    });
  });

  describe('outside WAKE_ONLY', () => {
    it('flags other than WAKE_ONLY are ignored, because v0.3 does not validate them', () => {
      for (const flags of [WF_CURRENT_CPU, 4, 0x80, 0xfffffffe]) {
        expect(umcgWait(flags, 0, ctx({ nextTid: UMCG_TASK }))).toEqual(umcgWait(0, 0, ctx({ nextTid: UMCG_TASK })));
        expect(umcgWait(flags, 0, ctx())).toEqual({ kind: 'idle-loop' });
      }
    });

    it('a worker with next_tid 0 context-switches to its server_tid', () => {
      expect(umcgWait(0, 0, ctx({ isWorker: true, nextTid: 0, serverTid: 1 }))).toEqual({ kind: 'context-switch', target: 1 });
    });

    it('a worker with next_tid set context-switches to next_tid, not to its server', () => {
      expect(umcgWait(0, 0, ctx({ isWorker: true, nextTid: UMCG_TASK, serverTid: 1 }))).toEqual({ kind: 'context-switch', target: UMCG_TASK });
    });

    it('a server with next_tid 0 goes to the idle loop, although its server_tid (its own TID) is set', () => {
      expect(umcgWait(0, 0, ctx({ isWorker: false, nextTid: 0, serverTid: 1 }))).toEqual({ kind: 'idle-loop' });
    });

    it('a worker with neither next_tid nor server_tid goes to the idle loop', () => {
      expect(umcgWait(0, 0, ctx({ isWorker: true, nextTid: 0, serverTid: 0 }))).toEqual({ kind: 'idle-loop' });
    });

    it('a context switch with a timeout returns -EOPNOTSUPP, before the target is looked up', () => {
      expect(umcgWait(0, 1, ctx({ nextTid: UMCG_TASK }))).toEqual(err(-EOPNOTSUPP));
      expect(umcgWait(0, 1, ctx({ nextTid: MISSING_TASK }))).toEqual(err(-EOPNOTSUPP));
      expect(umcgWait(0, 1, ctx({ isWorker: true, serverTid: 1 }))).toEqual(err(-EOPNOTSUPP));
    });

    it('a context switch to a task that does not exist returns -ESRCH', () => {
      expect(umcgWait(0, 0, ctx({ nextTid: MISSING_TASK }))).toEqual(err(-ESRCH));
      expect(umcgWait(0, 0, ctx({ isWorker: true, serverTid: MISSING_TASK }))).toEqual(err(-ESRCH));
    });

    it('a context switch to an existing task that is not a UMCG task succeeds (umcg_do_context_switch has no umcg_task check)', () => {
      expect(umcgWait(0, 0, ctx({ nextTid: PLAIN_TASK }))).toEqual({ kind: 'context-switch', target: PLAIN_TASK });
    });

    it('a context switch to a UMCG task succeeds', () => {
      expect(umcgWait(0, 0, ctx({ nextTid: UMCG_TASK }))).toEqual({ kind: 'context-switch', target: UMCG_TASK });
    });

    it('the idle loop with a timeout returns -EOPNOTSUPP (timeouts are not implemented in v0.3)', () => {
      expect(umcgWait(0, 1, ctx())).toEqual(err(-EOPNOTSUPP));
    });

    it('with no next task and no timeout the caller enters the idle loop', () => {
      expect(umcgWait(0, 0, ctx())).toEqual({ kind: 'idle-loop' });
    });
  });

  it('never returns -ETIMEDOUT or a positive value, whatever the arguments', () => {
    const tid = fc.constantFrom(0, 1, UMCG_TASK, PLAIN_TASK, MISSING_TASK);
    fc.assert(
      fc.property(
        fc.nat(0xffffffff),
        fc.constantFrom(0, 0, 1, 1_000_000),
        fc.record({ registered: fc.boolean(), isWorker: fc.boolean(), selfFaults: fc.boolean(), nextTid: tid, serverTid: tid }),
        (flags, timeout, c) => {
          const o = umcgWait(flags, timeout, ctx(c));
          if (o.kind === 'error') expect([-EINVAL, -EFAULT, -ESRCH, -EOPNOTSUPP]).toContain(o.ret);
          if (o.kind === 'wake-only') expect(flags & WAKE_ONLY).toBe(WAKE_ONLY);
          if (o.kind === 'context-switch' || o.kind === 'idle-loop') {
            expect(flags & WAKE_ONLY).toBe(0);
            expect(timeout).toBe(0);
          }
        },
      ),
    );
  });
});
