/**
 * Where things live in simulated user memory, and the v0.3 constants the
 * implementation needs. `struct umcg_task` is 64-byte aligned with the v0.3
 * offsets (spec §2.2); the two list heads and the runtime's lock are
 * separate words on their own page, so a page event can hit the structs or
 * the heads independently. Every word is naturally aligned, except the idle
 * workers head of the B-ALIGN layout ({@link idleWorkersHead}).
 *
 * @see include/uapi/linux/umcg.h (v0.3): struct umcg_task
 */
import type { Tid } from '../model/types.ts';
import { peek, type MemoryState } from './memory.ts';

export const STRUCT_BASE = 0x10000;
export const STRUCT_SIZE = 64;
/** Field offsets of struct umcg_task (v0.3). */
export const OFF_STATE = 0;
export const OFF_API_VERSION = 4;
export const OFF_SERVER_TID = 8;
export const OFF_NEXT_TID = 12;
export const OFF_IDLE_SERVERS_PTR = 16;
export const OFF_IDLE_WORKERS_PTR = 24;

/** `*idle_servers_ptr`: the head of the idle servers stack (a u64 variable). */
export const IDLE_SERVERS_HEAD = 0x20000;
/** `*idle_workers_ptr`: the head of the idle workers stack. */
export const IDLE_WORKERS_HEAD = 0x20008;
/** The runtime's userspace lock word (0 = free, else the owner's TID), around gc + pop. */
export const RUNTIME_LOCK = 0x20010;
/**
 * Where the idle workers head lives in the B-ALIGN layout
 * (`Variant.misalignedHead`): a u64 at 0x2003c covers 0x2003c..0x20043,
 * across the cache-line boundary at 0x20040 (4-byte aligned, as a careless
 * allocation such as a packed struct or `malloc(12) + 4` can place it), on
 * the same page as the other heads. In that layout nothing is allocated at
 * {@link IDLE_WORKERS_HEAD}.
 */
export const IDLE_WORKERS_HEAD_SPLIT = 0x2003c;

/**
 * The address of the idle workers head for a variant: the runtime allocates
 * it (impl/state.ts implInit) and points every `idle_workers_ptr` at it.
 */
export function idleWorkersHead(variant: { readonly misalignedHead: boolean }): number {
  return variant.misalignedHead ? IDLE_WORKERS_HEAD_SPLIT : IDLE_WORKERS_HEAD;
}

/**
 * The same address read off an initialised memory, for code that has the
 * state but not the configuration (the abstraction function): the layout
 * whose head cell exists.
 */
export function idleWorkersHeadIn(mem: MemoryState): number {
  return peek(mem, IDLE_WORKERS_HEAD) === undefined && peek(mem, IDLE_WORKERS_HEAD_SPLIT) !== undefined
    ? IDLE_WORKERS_HEAD_SPLIT
    : IDLE_WORKERS_HEAD;
}

/** access_ok(): user addresses are below TASK_SIZE_MAX (x86-64, 4-level paging). */
export const TASK_SIZE_MAX = 2 ** 47 - 4096;

export const WF_CURRENT_CPU = 0x80;

export function structOf(tid: Tid): number {
  return STRUCT_BASE + (tid - 1) * STRUCT_SIZE;
}

/** The TID whose struct holds `addr` (any field), or 0 when `addr` is not inside a struct. */
export function tidOfAddr(addr: number, tasks: number): Tid {
  if (addr < STRUCT_BASE) return 0;
  const tid = Math.floor((addr - STRUCT_BASE) / STRUCT_SIZE) + 1;
  return tid <= tasks ? tid : 0;
}

// u64 bit-0 arithmetic: values go up to 2^48, beyond JS's 32-bit bitwise operators.
export const bit0 = (x: number): number => x % 2;
export const clear0 = (x: number): number => x - (x % 2);
export const set0 = (x: number): number => x - (x % 2) + 1;
