/**
 * Compile-time proof that dispatch over the model's `Action` and `Pc` unions
 * is exhaustive: a ts-pattern `match(...).exhaustive()` that leaves one case
 * out does not type-check, and neither does a total record (the form the
 * model's own dispatch tables take) with a key missing. Each negative case
 * carries `// @ts-expect-error`, so `tsc --noEmit` fails if the error ever
 * goes away (for instance if `Action` or `Pc` widened to `string`).
 *
 * The runtime half shows the complete matches handle every value and the
 * incomplete ones throw on the value they miss.
 */
import { match } from 'ts-pattern';
import { describe, expect, it } from 'vitest';
import type { Action, ActionKind } from '../../model/transitions.ts';
import type { Pc } from '../../model/types.ts';
import { ALL_PCS } from '../helpers/model.ts';

/** One action of each kind (a total record: a new kind must be added here). */
const ONE_OF_EACH: { readonly [K in ActionKind]: Extract<Action, { kind: K }> } = {
  step: { kind: 'step', tid: 1 },
  block: { kind: 'block', tid: 1 },
  yield: { kind: 'yield', tid: 1 },
  lock: { kind: 'lock', tid: 1 },
  complete: { kind: 'complete', tid: 1 },
  signal: { kind: 'signal', tid: 1 },
  ttwu: { kind: 'ttwu', tid: 1 },
  write: { kind: 'write', tid: 1, state: 'IDLE' },
  exit: { kind: 'exit', tid: 1 },
  unregister: { kind: 'unregister', tid: 1 },
  ctl: { kind: 'ctl', tid: 1, flags: 0, self: { kind: 'null' } },
  wait: { kind: 'wait', tid: 1, flags: 0, timeout: 0 },
};

function everyKind(a: Action): string {
  return match(a)
    .with({ kind: 'step' }, () => 'step')
    .with({ kind: 'block' }, () => 'block')
    .with({ kind: 'yield' }, () => 'yield')
    .with({ kind: 'lock' }, () => 'lock')
    .with({ kind: 'complete' }, () => 'complete')
    .with({ kind: 'signal' }, () => 'signal')
    .with({ kind: 'ttwu' }, () => 'ttwu')
    .with({ kind: 'write' }, () => 'write')
    .with({ kind: 'exit' }, () => 'exit')
    .with({ kind: 'unregister' }, () => 'unregister')
    .with({ kind: 'ctl' }, () => 'ctl')
    .with({ kind: 'wait' }, () => 'wait')
    .exhaustive();
}

/** The same match with `wait` left out. */
function allButWait(a: Action): string {
  return (
    match(a)
      .with({ kind: 'step' }, () => 'step')
      .with({ kind: 'block' }, () => 'block')
      .with({ kind: 'yield' }, () => 'yield')
      .with({ kind: 'lock' }, () => 'lock')
      .with({ kind: 'complete' }, () => 'complete')
      .with({ kind: 'signal' }, () => 'signal')
      .with({ kind: 'ttwu' }, () => 'ttwu')
      .with({ kind: 'write' }, () => 'write')
      .with({ kind: 'exit' }, () => 'exit')
      .with({ kind: 'unregister' }, () => 'unregister')
      .with({ kind: 'ctl' }, () => 'ctl')
      // @ts-expect-error -- `wait` is not handled, so `.exhaustive()` is NonExhaustiveError<...>, not callable
      .exhaustive()
  );
}

/** Kernel routine or userspace runtime, by program counter: every Pc listed. */
function everyPc(pc: Pc): 'user' | 'kernel' | 'off' {
  return match(pc)
    .with(
      'srv:register',
      'srv:set_tid',
      'srv:loop',
      'srv:gc',
      'srv:gc:curr',
      'srv:pop',
      'srv:run:set_self_idle',
      'srv:run:assign',
      'srv:idle:set_self_idle',
      'srv:idle:push_self',
      'srv:idle:recheck',
      'srv:idle:remove_self',
      'wkr:register',
      'wkr:user',
      'wkr:yield:set_idle',
      'wkr:yield:wake_server',
      'wkr:yield:push_self',
      'wait:eintr',
      () => 'user' as const,
    )
    .with(
      'wait:enter',
      'idle_loop',
      'idle_loop:after',
      'submit_work',
      'submit_work:wake_server',
      'submit_work:ttwu',
      'sleep',
      'update_worker',
      'update_worker:push',
      'update_worker:pop_server',
      'update_worker:pop_read',
      'update_worker:pop_cas',
      'update_worker:wake_server',
      'update_worker:ttwu',
      'update_worker:idle_loop',
      'update_worker:check',
      'idle_loop:check',
      'submit_work:change_state',
      'call:wait',
      'update_worker:schedule',
      'update_worker:after',
      () => 'kernel' as const,
    )
    .with('dead', 'unregistered', () => 'off' as const)
    .exhaustive();
}

/** The same match with `update_worker:schedule` left out. */
function allButSchedule(pc: Pc): 'user' | 'kernel' | 'off' {
  return (
    match(pc)
      .with(
        'srv:register',
        'srv:set_tid',
        'srv:loop',
        'srv:gc',
        'srv:gc:curr',
        'srv:pop',
        'srv:run:set_self_idle',
        'srv:run:assign',
        'srv:idle:set_self_idle',
        'srv:idle:push_self',
        'srv:idle:recheck',
        'srv:idle:remove_self',
        'wkr:register',
        'wkr:user',
        'wkr:yield:set_idle',
        'wkr:yield:wake_server',
        'wkr:yield:push_self',
        'wait:eintr',
        () => 'user' as const,
      )
      .with(
        'wait:enter',
        'idle_loop',
        'idle_loop:after',
        'submit_work',
        'submit_work:wake_server',
        'submit_work:ttwu',
        'sleep',
        'update_worker',
        'update_worker:push',
        'update_worker:pop_server',
        'update_worker:pop_read',
        'update_worker:pop_cas',
        'update_worker:wake_server',
        'update_worker:ttwu',
        'update_worker:idle_loop',
        'update_worker:check',
        'idle_loop:check',
        'submit_work:change_state',
        'call:wait',
        'update_worker:after',
        () => 'kernel' as const,
      )
      .with('dead', 'unregistered', () => 'off' as const)
      // @ts-expect-error -- `update_worker:schedule` is not handled, so `.exhaustive()` is not callable
      .exhaustive()
  );
}

// The record form the model's dispatch tables use: a missing key does not compile either.
// @ts-expect-error -- `wait` is missing from a Record<ActionKind, ...>
const KIND_TABLE_MISSING_WAIT: Readonly<Record<ActionKind, number>> = {
  step: 0,
  block: 0,
  yield: 0,
  lock: 0,
  complete: 0,
  signal: 0,
  ttwu: 0,
  write: 0,
  exit: 0,
  unregister: 0,
  ctl: 0,
};

// @ts-expect-error -- `dead` is missing from a Record<Pc, ...>
const PC_TABLE_MISSING_DEAD: Readonly<Record<Pc, number>> = {
  'srv:register': 0,
  'srv:set_tid': 0,
  'srv:loop': 0,
  'srv:gc': 0,
  'srv:gc:curr': 0,
  'srv:pop': 0,
  'srv:run:set_self_idle': 0,
  'srv:run:assign': 0,
  'srv:idle:set_self_idle': 0,
  'srv:idle:push_self': 0,
  'srv:idle:recheck': 0,
  'srv:idle:remove_self': 0,
  'wkr:register': 0,
  'wkr:user': 0,
  'wkr:yield:set_idle': 0,
  'wkr:yield:wake_server': 0,
  'wkr:yield:push_self': 0,
  'wait:enter': 0,
  'idle_loop': 0,
  'idle_loop:after': 0,
  'wait:eintr': 0,
  'submit_work': 0,
  'submit_work:wake_server': 0,
  'submit_work:ttwu': 0,
  'sleep': 0,
  'update_worker': 0,
  'update_worker:push': 0,
  'update_worker:pop_server': 0,
  'update_worker:pop_read': 0,
  'update_worker:pop_cas': 0,
  'update_worker:wake_server': 0,
  'update_worker:ttwu': 0,
  'update_worker:idle_loop': 0,
  'update_worker:check': 0,
  'idle_loop:check': 0,
  'submit_work:change_state': 0,
  'call:wait': 0,
  'update_worker:schedule': 0,
  'update_worker:after': 0,
  'unregistered': 0,
};

describe('exhaustive dispatch', () => {
  it('a match listing every Action kind handles one action of each kind', () => {
    for (const [kind, action] of Object.entries(ONE_OF_EACH)) expect(everyKind(action)).toBe(kind);
  });

  it('a match leaving `wait` out (a compile error, expected above) throws at runtime on a wait action only', () => {
    expect(allButWait(ONE_OF_EACH.step)).toBe('step');
    expect(() => allButWait(ONE_OF_EACH.wait)).toThrow();
  });

  it('a match listing every Pc classifies all of them', () => {
    // 36: idle_loop, submit_work and update_worker:idle_loop were each split in two
    // (idle_loop:check, submit_work:change_state, update_worker:check), and the
    // blocking call's wait loop has its own step (call:wait).
    expect(ALL_PCS.length).toBe(41);
    expect(new Set(ALL_PCS.map(everyPc))).toEqual(new Set(['user', 'kernel', 'off']));
  });

  it('a match leaving `update_worker:schedule` out (a compile error, expected above) throws at runtime on that pc only', () => {
    expect(allButSchedule('update_worker:after')).toBe('kernel');
    expect(() => allButSchedule('update_worker:schedule')).toThrow();
  });

  it('the incomplete total records (compile errors, expected above) lack exactly the key left out', () => {
    expect(Object.keys(KIND_TABLE_MISSING_WAIT).sort()).toEqual(Object.keys(ONE_OF_EACH).filter((k) => k !== 'wait').sort());
    expect('dead' in PC_TABLE_MISSING_DEAD).toBe(false);
    expect(Object.keys(PC_TABLE_MISSING_DEAD).sort()).toEqual(ALL_PCS.filter((pc) => pc !== 'dead').sort());
  });
});
