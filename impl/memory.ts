/**
 * User memory as the UMCG simulation sees it: word-granular cells, page
 * faults, and an optional x86-TSO store buffer per CPU.
 *
 * Everything here is plain data and pure functions. A {@link MemoryState} is
 * JSON-serialisable (arrays, numbers, strings; no classes, Map, Set or
 * bigint) and is never mutated: every operation that changes memory returns
 * a new state and leaves its input as it was. Modelled outcomes (a fault, a
 * split lock, a fence that must wait for the store buffer) are
 * returned as values of a discriminated union on `kind`; only caller bugs
 * (a CPU id out of range, a value that is not a u32/u64) throw a RangeError.
 *
 * The layer is the one choke point for shared memory: the UMCG simulation
 * (cmpxchg_user_32/64, get_user, the SLL helpers, the syscalls) and the
 * litmus runner both go through it, so the litmus tests validate the same
 * code the simulation uses.
 *
 * ## Cells, addresses and values
 *
 * A cell is one word: a byte address (an integer, 0 <= addr < 2^48, like a
 * user-space virtual address on x86-64), a width of 4 or 8 bytes, and a
 * value. Values are JS numbers holding unsigned integers: 0 <= v < 2^32 for
 * a 4-byte cell, 0 <= v < 2^53 for an 8-byte cell. The u64 values UMCG
 * stores are addresses of `struct umcg_task` (below 2^48) with possibly bit 0
 * set as a mark, so they stay exact in a double; a value outside that range
 * is a caller bug and throws.
 *
 * A cell may start at any byte address: `addr % width` need not be 0 (a
 * careless userspace allocation can place a u64 anywhere). Cells never
 * overlap. An access names an address and a width and must match one cell
 * exactly; it never splits or merges cells. NOT MODELLED: mixed-size or
 * partially overlapping accesses (a 4-byte access to half of an 8-byte
 * cell, an access that covers parts of two cells); the access reports
 * `widthMismatch` or `noCell` instead of a value. Because cells do not
 * overlap and an access covers exactly one cell, a buffered store and a
 * later load either name the same cell or are disjoint, so store
 * forwarding below is exact at any alignment: the partial overlap between a
 * buffered store and a load, which real store forwarding handles byte by
 * byte, cannot arise.
 *
 * ## Faults and alignment
 *
 * Each 4096-byte page is `present` (the default), `notPresent` (an access
 * faults; {@link fixupFault} makes it present again, as `fixup_user_fault()`
 * does) or `unmapped` (every access is -EFAULT forever). An access checks,
 * in this order: the page status of its first and last byte (an access that
 * spans two pages needs both; the fault names the first page that is not
 * present), then that a cell starts at `addr`, then that its width matches.
 *
 * Alignment, as on x86-64 (the legacy alignment check, CR0.AM with
 * EFLAGS.AC, applies only at CPL 3 and only when a program sets EFLAGS.AC;
 * not modelled):
 *
 * - Plain loads and stores of any alignment succeed, also across a
 *   cache-line or (with both pages present) a page boundary.
 * - A LOCK-prefixed instruction (LOCK CMPXCHG, XCHG with memory, LOCK XADD,
 *   ...) whose operand spans a 64-byte cache-line boundary is a *split
 *   lock*. A misaligned operand inside one line is an ordinary locked
 *   access. With split-lock detection armed (`MSR_TEST_CTRL` bit 29, which
 *   Linux's default `split_lock_detect=warn` sets on CPUs that have it) the
 *   split lock raises #AC before it reads or writes anything: the locked
 *   operations return `{ kind: 'splitLock' }` and change nothing. With
 *   `{ splitLockDetect: false }` (detection off or disabled for this task)
 *   the split lock executes atomically, as a bus lock does. What a caller
 *   does with #AC is up to it: impl/exec.ts passes it to the kernel's
 *   exception fixup in kernel mode (-EFAULT, spec §6.2 B-ALIGN) and models
 *   `warn` in user mode (the instruction proceeds).
 *
 * A page fault is reported before a split lock (#PF has priority over #AC).
 *
 * ## Memory models
 *
 * Each state carries its model:
 *
 * - `'sc'`: sequential consistency. A store writes memory at once; buffers
 *   stay empty; fences and locked instructions are always enabled.
 * - `'tso'`: x86-TSO. Each CPU has a FIFO store buffer. A plain store is
 *   appended to the storing CPU's buffer. A load returns the newest value
 *   that CPU has buffered for the address, else memory. Each buffered store
 *   reaches memory as a separate step, {@link drainOne}(state, cpu), which
 *   writes the oldest entry of that CPU's buffer; the explorer schedules
 *   drains like any other step ({@link enabledDrains} lists them). MFENCE,
 *   every LOCK-prefixed instruction and XCHG (implicitly locked) are
 *   *enabled only when the CPU's buffer is empty*: called earlier they return
 *   `{ kind: 'blocked' }` and change nothing, so the explorer must first
 *   schedule that CPU's drains. A locked instruction then reads and writes
 *   memory in one atomic step.
 *
 * Why this is the x86-TSO abstract machine of Owens, Sarkar and Sewell ("A
 * better x86 memory model: x86-TSO", TPHOLs 2009): loads, buffered stores,
 * store forwarding and the drain step are their rules one for one, and their
 * MFENCE rule is exactly "enabled when the buffer is empty". Their locked
 * instruction takes the global lock, may then drain its own earlier stores
 * while holding it, performs its read and its write (into the buffer), and
 * releases the lock only once the buffer is empty again; while the lock is
 * held no other CPU may read memory or drain. Every run of that machine
 * therefore maps to a run of this one with the same reads and the same final
 * memory: move the locking CPU's drains before the lock acquisition (no
 * other CPU touched memory in between), then the read, write and drain of
 * the locked instruction form one atomic step. Conversely every run here is
 * a run there (drain first, then lock, read, write, drain, unlock). Other
 * CPUs' purely local steps and buffered stores commute with all of this.
 *
 * The drain step writes the cell without re-checking the page: the store was
 * translated and checked when it executed, as on hardware.
 *
 * @see kernel/sched/umcg.h: cmpxchg_user_32, cmpxchg_user_64, get_user_nosleep
 *   (the helpers built on top of this layer; spec §1.2, §6.1, §6.3)
 */

/** Bytes per page; page-status granularity. */
export const PAGE_SIZE = 4096;

/** Bytes per cache line: a locked operand that spans a line boundary is a split lock. */
export const CACHE_LINE_SIZE = 64;

/** Addresses are user-space virtual addresses: below 2^48. */
export const ADDRESS_LIMIT = 2 ** 48;

export type MemoryModel = 'sc' | 'tso';

/** Width of a cell and of an access, in bytes. */
export type Width = 4 | 8;

/**
 * A CPU (hardware thread) id, 0 <= cpu < the state's CPU count. The
 * scheduler supplies it: each simulated task runs on one CPU at a time, and
 * the store buffer belongs to the CPU, not to the task.
 */
export type CpuId = number;

export type PageStatus = 'present' | 'notPresent' | 'unmapped';

/** One word of memory: `[address, width, value]`. */
export type Cell = readonly [addr: number, width: Width, value: number];

/** One pending plain store in a TSO buffer: `[address, value]` (the width is the cell's). */
export type BufferedStore = readonly [addr: number, value: number];

/** A page that is not present: `[page number, status]`. Pages not listed are present. */
export type PageEntry = readonly [page: number, status: 'notPresent' | 'unmapped'];

/**
 * The whole of user memory. Canonical by construction: `cells` sorted by
 * address and non-overlapping, `pages` sorted by page number and listing
 * only pages that are not present, one buffer per CPU (oldest store first,
 * always empty under `'sc'`). Equal memories are therefore structurally
 * equal, and {@link memoryKey} is a plain serialisation.
 */
export interface MemoryState {
  readonly model: MemoryModel;
  readonly cells: readonly Cell[];
  readonly pages: readonly PageEntry[];
  readonly buffers: readonly (readonly BufferedStore[])[];
}

/** Why a plain access did not happen. None of these changes the state. */
export type AccessFault =
  /** Page fault on a mapped page; {@link fixupFault} can make it present. */
  | { readonly kind: 'notPresent'; readonly page: number }
  /** No mapping: -EFAULT, and it stays that way. */
  | { readonly kind: 'unmapped'; readonly page: number }
  /** No cell starts at `addr`. */
  | { readonly kind: 'noCell'; readonly addr: number }
  /** A cell starts at `addr` but has the other width. */
  | { readonly kind: 'widthMismatch'; readonly addr: number; readonly cellWidth: Width };

/**
 * #AC from split-lock detection: a locked instruction whose operand spans a
 * cache-line boundary, with detection armed (B-ALIGN, spec §6.2). The page
 * is present; nothing was read or written.
 */
export interface SplitLock {
  readonly kind: 'splitLock';
  readonly addr: number;
  readonly width: Width;
}

/** Why a locked instruction did not happen. */
export type LockedFault = AccessFault | SplitLock;

/** How a locked instruction treats a split lock (see the module comment). */
export interface LockedOptions {
  /** Split-lock detection armed: a split lock raises #AC (`splitLock`). Default true. */
  readonly splitLockDetect?: boolean;
}

/** A fence or locked instruction issued while the CPU's store buffer is not empty (TSO only). */
export interface Blocked {
  readonly kind: 'blocked';
  /** How many stores the CPU must drain first. */
  readonly pending: number;
}

export type LoadResult = { readonly kind: 'ok'; readonly value: number } | AccessFault;
export type StoreResult = { readonly kind: 'ok'; readonly state: MemoryState } | AccessFault;
export type FenceResult = { readonly kind: 'ok'; readonly state: MemoryState } | Blocked;
export type CmpxchgResult =
  | {
      readonly kind: 'ok';
      readonly state: MemoryState;
      /** The value found in memory (the `*old` of cmpxchg_user_*). */
      readonly observed: number;
      /** `observed === expected`: the new value was written. */
      readonly swapped: boolean;
    }
  | LockedFault
  | Blocked;
export type RmwResult =
  | { readonly kind: 'ok'; readonly state: MemoryState; readonly old: number }
  | LockedFault
  | Blocked;
export type FixupResult =
  | { readonly kind: 'ok'; readonly state: MemoryState }
  | { readonly kind: 'unmapped'; readonly page: number };
export type DrainResult =
  | {
      readonly kind: 'ok';
      readonly state: MemoryState;
      /** The store that reached memory. */
      readonly addr: number;
      readonly value: number;
    }
  | { readonly kind: 'empty' };

/** A cell for {@link createMemory}. */
export interface CellInit {
  readonly addr: number;
  readonly width: Width;
  readonly value: number;
}

export interface MemoryInit {
  readonly model: MemoryModel;
  /** Number of CPUs, hence of store buffers (at least 1). */
  readonly cpus: number;
  readonly cells?: readonly CellInit[];
  /** Pages that start out not present; keyed by any address inside the page. */
  readonly pages?: readonly { readonly addr: number; readonly status: PageStatus }[];
}

// ---------------------------------------------------------------------------
// Construction and setup
// ---------------------------------------------------------------------------

/** A fresh memory: the given cells, every page present unless listed, empty buffers. */
export function createMemory(init: MemoryInit): MemoryState {
  if (!Number.isInteger(init.cpus) || init.cpus < 1) {
    throw new RangeError(`createMemory: cpus must be a positive integer, got ${init.cpus}`);
  }
  let state: MemoryState = {
    model: init.model,
    cells: [],
    pages: [],
    buffers: Array.from({ length: init.cpus }, (): readonly BufferedStore[] => []),
  };
  for (const cell of init.cells ?? []) {
    state = withCell(state, cell.addr, cell.width, cell.value);
  }
  for (const page of init.pages ?? []) {
    state = setPageStatus(state, page.addr, page.status);
  }
  return state;
}

/**
 * Add a cell, or replace the one at `addr`, writing memory directly (no
 * buffer, no fault). A setup helper: allocating a `struct umcg_task`, say.
 * Throws if the cell would overlap another one or if a store to `addr` is
 * still buffered.
 */
export function withCell(state: MemoryState, addr: number, width: Width, value: number): MemoryState {
  checkAddress(addr);
  checkValue(width, value);
  const cells = state.cells;
  const i = lowerBound(cells, addr);
  const at = cells[i];
  const replacing = at !== undefined && at[0] === addr;
  const prev = cells[i - 1];
  const next = replacing ? cells[i + 1] : at;
  if (prev !== undefined && prev[0] + prev[1] > addr) {
    throw new RangeError(`withCell: [${hex(addr)}, +${width}) overlaps the cell at ${hex(prev[0])}`);
  }
  if (next !== undefined && addr + width > next[0]) {
    throw new RangeError(`withCell: [${hex(addr)}, +${width}) overlaps the cell at ${hex(next[0])}`);
  }
  // Rewriting an existing cell's value is a store that reaches memory at
  // once (an environment write: another thread's store, already drained); a
  // store still buffered for it drains later and overwrites it, as TSO's
  // coherence order by drain time says. Creating or resizing a cell under a
  // buffered store would strand that store, so that is refused.
  if (!(replacing && at[1] === width) && state.buffers.some((buffer) => buffer.some(([a]) => a === addr))) {
    throw new RangeError(`withCell: a store to ${hex(addr)} is still buffered`);
  }
  const cell: Cell = [addr, width, value];
  const out = cells.slice();
  out.splice(i, replacing ? 1 : 0, cell);
  return { ...state, cells: out };
}

/** Whether `[addr, addr + width)` spans a cache-line boundary: a locked access to it is a split lock. */
export function splitsCacheLine(addr: number, width: Width): boolean {
  return Math.floor(addr / CACHE_LINE_SIZE) !== Math.floor((addr + width - 1) / CACHE_LINE_SIZE);
}

/** The page number holding `addr`. */
export function pageOf(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

/** Status of the page holding `addr`. */
export function pageStatus(state: MemoryState, addr: number): PageStatus {
  const page = pageOf(addr);
  for (const [p, status] of state.pages) {
    if (p === page) return status;
    if (p > page) break;
  }
  return 'present';
}

/**
 * Set the status of the page holding `addr`: fault injection (`notPresent`:
 * the kernel reclaimed the page), `munmap` (`unmapped`), or mapping it back.
 * Buffered stores are not affected (see the module comment).
 */
export function setPageStatus(state: MemoryState, addr: number, status: PageStatus): MemoryState {
  checkAddress(addr);
  const page = pageOf(addr);
  const pages = state.pages.filter(([p]) => p !== page);
  if (status !== 'present') {
    const entry: PageEntry = [page, status];
    let i = 0;
    while (i < pages.length && (pages[i] as PageEntry)[0] < page) i++;
    pages.splice(i, 0, entry);
  }
  return { ...state, pages };
}

/**
 * `fixup_user_fault()` for the page holding `addr`: a not-present page
 * becomes present; a present page stays present (someone else fixed it
 * first, which still counts as success); an unmapped page cannot be fixed.
 * Only that one page: for an access that spans two pages, a fix-up of its
 * first byte leaves the second page as it was (as `fixup_user_fault(uaddr)`
 * does), so a caller that retries until the fix-up fails loops while the
 * second page stays not present.
 */
export function fixupFault(state: MemoryState, addr: number): FixupResult {
  const status = pageStatus(state, addr);
  if (status === 'unmapped') return { kind: 'unmapped', page: pageOf(addr) };
  if (status === 'present') return { kind: 'ok', state };
  return { kind: 'ok', state: setPageStatus(state, addr, 'present') };
}

// ---------------------------------------------------------------------------
// Inspection (no CPU view, no faults)
// ---------------------------------------------------------------------------

/** Number of CPUs (store buffers) of this memory. */
export function cpuCount(state: MemoryState): number {
  return state.buffers.length;
}

/**
 * The value in memory at `addr`, ignoring store buffers and page status;
 * `undefined` when no cell starts there. For abstraction functions, final
 * states and debugging, not for simulated code (which must use {@link load}).
 */
export function peek(state: MemoryState, addr: number): number | undefined {
  const cell = state.cells[lowerBound(state.cells, addr)];
  return cell !== undefined && cell[0] === addr ? cell[2] : undefined;
}

/** The stores `cpu` has buffered, oldest first (always empty under `'sc'`). */
export function pendingStores(state: MemoryState, cpu: CpuId): readonly BufferedStore[] {
  return bufferOf(state, cpu);
}

/** Whether `cpu`'s store buffer is empty, i.e. whether MFENCE and locked instructions are enabled on it. */
export function isBufferEmpty(state: MemoryState, cpu: CpuId): boolean {
  return bufferOf(state, cpu).length === 0;
}

/** The CPUs with a non-empty store buffer, ascending: the drain steps an explorer may schedule. */
export function enabledDrains(state: MemoryState): readonly CpuId[] {
  const out: CpuId[] = [];
  state.buffers.forEach((buffer, cpu) => {
    if (buffer.length > 0) out.push(cpu);
  });
  return out;
}

/**
 * A canonical string for the state: equal states give equal strings, and
 * different states different strings. Built for hashing in the explorer's
 * visited set.
 */
export function memoryKey(state: MemoryState): string {
  let key = state.model === 'sc' ? 's' : 't';
  key += '|';
  for (const [addr, width, value] of state.cells) key += `${addr}:${width}:${value},`;
  key += '|';
  for (const [page, status] of state.pages) key += `${page}${status === 'unmapped' ? 'u' : 'n'},`;
  for (const buffer of state.buffers) {
    key += '|';
    for (const [addr, value] of buffer) key += `${addr}=${value},`;
  }
  return key;
}

// ---------------------------------------------------------------------------
// CPU operations
// ---------------------------------------------------------------------------

/**
 * MOV reg, [addr]: `cpu`'s newest buffered store to `addr` if any (store
 * forwarding), else memory.
 */
export function load(state: MemoryState, cpu: CpuId, addr: number, width: Width): LoadResult {
  const buffer = bufferOf(state, cpu);
  const found = locate(state, addr, width);
  if (found.kind !== 'cell') return found.fault;
  for (let i = buffer.length - 1; i >= 0; i--) {
    const entry = buffer[i] as BufferedStore;
    if (entry[0] === addr) return { kind: 'ok', value: entry[1] };
  }
  return { kind: 'ok', value: (state.cells[found.index] as Cell)[2] };
}

/** MOV [addr], value: into `cpu`'s store buffer under TSO, straight to memory under SC. */
export function store(state: MemoryState, cpu: CpuId, addr: number, width: Width, value: number): StoreResult {
  const buffer = bufferOf(state, cpu);
  checkValue(width, value);
  const found = locate(state, addr, width);
  if (found.kind !== 'cell') return found.fault;
  if (state.model === 'sc') return { kind: 'ok', state: writeCell(state, found.index, value) };
  const entry: BufferedStore = [addr, value];
  return { kind: 'ok', state: withBuffer(state, cpu, [...buffer, entry]) };
}

/** MFENCE: enabled only with an empty store buffer; then a no-op on memory. */
export function mfence(state: MemoryState, cpu: CpuId): FenceResult {
  const buffer = bufferOf(state, cpu);
  if (buffer.length > 0) return { kind: 'blocked', pending: buffer.length };
  return { kind: 'ok', state };
}

/**
 * LOCK CMPXCHG: if memory holds `expected`, write `desired`; either way
 * return the value found. A full barrier: enabled only with an empty store
 * buffer. Nothing is written on a mismatch. A split lock raises #AC
 * (`splitLock`) unless `opts.splitLockDetect` is false.
 */
export function lockedCmpxchg(
  state: MemoryState,
  cpu: CpuId,
  addr: number,
  width: Width,
  expected: number,
  desired: number,
  opts: LockedOptions = {},
): CmpxchgResult {
  checkValue(width, desired);
  const ready = lockedAccess(state, cpu, addr, width, opts);
  if (ready.kind !== 'cell') return ready.result;
  const observed = (state.cells[ready.index] as Cell)[2];
  if (observed !== expected) return { kind: 'ok', state, observed, swapped: false };
  return { kind: 'ok', state: writeCell(state, ready.index, desired), observed, swapped: true };
}

/** XCHG with memory (implicitly locked): write `value`, return the old value. Split locks as in {@link lockedCmpxchg}. */
export function lockedXchg(
  state: MemoryState,
  cpu: CpuId,
  addr: number,
  width: Width,
  value: number,
  opts: LockedOptions = {},
): RmwResult {
  checkValue(width, value);
  const ready = lockedAccess(state, cpu, addr, width, opts);
  if (ready.kind !== 'cell') return ready.result;
  const old = (state.cells[ready.index] as Cell)[2];
  return { kind: 'ok', state: writeCell(state, ready.index, value), old };
}

/**
 * LOCK XADD: add `delta` (a safe integer, may be negative), return the old
 * value. A 4-byte cell wraps modulo 2^32; an 8-byte result outside
 * [0, 2^53) is not representable and throws. Split locks as in
 * {@link lockedCmpxchg}.
 */
export function lockedXadd(
  state: MemoryState,
  cpu: CpuId,
  addr: number,
  width: Width,
  delta: number,
  opts: LockedOptions = {},
): RmwResult {
  if (!Number.isSafeInteger(delta)) throw new RangeError(`lockedXadd: delta ${delta} is not a safe integer`);
  const ready = lockedAccess(state, cpu, addr, width, opts);
  if (ready.kind !== 'cell') return ready.result;
  const old = (state.cells[ready.index] as Cell)[2];
  const sum = width === 4 ? (old + delta) % 2 ** 32 : old + delta;
  const next = width === 4 && sum < 0 ? sum + 2 ** 32 : sum;
  checkValue(width, next);
  return { kind: 'ok', state: writeCell(state, ready.index, next), old };
}

/** LOCK ADD: the memory effect of {@link lockedXadd}; the old value lets the caller compute flags. */
export function lockedAdd(
  state: MemoryState,
  cpu: CpuId,
  addr: number,
  width: Width,
  delta: number,
  opts: LockedOptions = {},
): RmwResult {
  return lockedXadd(state, cpu, addr, width, delta, opts);
}

/** LOCK INC: {@link lockedAdd} of 1. */
export function lockedInc(state: MemoryState, cpu: CpuId, addr: number, width: Width, opts: LockedOptions = {}): RmwResult {
  return lockedXadd(state, cpu, addr, width, 1, opts);
}

/**
 * One drain step: the oldest store in `cpu`'s buffer reaches memory.
 * `{ kind: 'empty' }` when there is nothing to drain (not enabled).
 */
export function drainOne(state: MemoryState, cpu: CpuId): DrainResult {
  const buffer = bufferOf(state, cpu);
  const oldest = buffer[0];
  if (oldest === undefined) return { kind: 'empty' };
  const [addr, value] = oldest;
  const index = lowerBound(state.cells, addr);
  const cell = state.cells[index];
  if (cell === undefined || cell[0] !== addr) {
    // store() only buffers stores to existing cells and withCell() refuses
    // to replace a cell with a buffered store, so this cannot happen.
    throw new Error(`drainOne: buffered store to ${hex(addr)} has no cell`);
  }
  const drained = withBuffer(state, cpu, buffer.slice(1));
  return { kind: 'ok', state: writeCell(drained, index, value), addr, value };
}

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

type Located = { readonly kind: 'cell'; readonly index: number } | { readonly kind: 'fault'; readonly fault: AccessFault };

/** The access checks, in the documented order: both pages, cell, width. Any alignment. */
function locate(state: MemoryState, addr: number, width: Width): Located {
  checkAddress(addr);
  for (const byte of [addr, addr + width - 1]) {
    const status = pageStatus(state, byte);
    if (status !== 'present') return { kind: 'fault', fault: { kind: status, page: pageOf(byte) } };
  }
  const index = lowerBound(state.cells, addr);
  const cell = state.cells[index];
  if (cell === undefined || cell[0] !== addr) return { kind: 'fault', fault: { kind: 'noCell', addr } };
  if (cell[1] !== width) return { kind: 'fault', fault: { kind: 'widthMismatch', addr, cellWidth: cell[1] } };
  return { kind: 'cell', index };
}

type LockedReady =
  | { readonly kind: 'cell'; readonly index: number }
  | { readonly kind: 'stop'; readonly result: LockedFault | Blocked };

/**
 * A locked instruction first waits for an empty buffer, then accesses
 * memory: the plain checks (a page fault first), then #AC for a split lock
 * when detection is armed.
 */
function lockedAccess(state: MemoryState, cpu: CpuId, addr: number, width: Width, opts: LockedOptions): LockedReady {
  const buffer = bufferOf(state, cpu);
  if (buffer.length > 0) return { kind: 'stop', result: { kind: 'blocked', pending: buffer.length } };
  const found = locate(state, addr, width);
  if (found.kind !== 'cell') return { kind: 'stop', result: found.fault };
  if ((opts.splitLockDetect ?? true) && splitsCacheLine(addr, width)) return { kind: 'stop', result: { kind: 'splitLock', addr, width } };
  return found;
}

function bufferOf(state: MemoryState, cpu: CpuId): readonly BufferedStore[] {
  const buffer = Number.isInteger(cpu) ? state.buffers[cpu] : undefined;
  if (buffer === undefined) {
    throw new RangeError(`cpu ${cpu} out of range (this memory has ${state.buffers.length} CPUs)`);
  }
  return buffer;
}

function withBuffer(state: MemoryState, cpu: CpuId, buffer: readonly BufferedStore[]): MemoryState {
  const buffers = state.buffers.slice();
  buffers[cpu] = buffer;
  return { ...state, buffers };
}

function writeCell(state: MemoryState, index: number, value: number): MemoryState {
  const [addr, width] = state.cells[index] as Cell;
  const cells = state.cells.slice();
  const cell: Cell = [addr, width, value];
  cells[index] = cell;
  return { ...state, cells };
}

/** Index of the first cell whose address is >= `addr`. */
function lowerBound(cells: readonly Cell[], addr: number): number {
  let lo = 0;
  let hi = cells.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cells[mid] as Cell)[0] < addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkAddress(addr: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr >= ADDRESS_LIMIT) {
    throw new RangeError(`address ${addr} is not an integer in [0, 2^48)`);
  }
}

function checkValue(width: Width, value: number): void {
  const limit = width === 4 ? 2 ** 32 : 2 ** 53;
  if (!Number.isInteger(value) || value < 0 || value >= limit) {
    throw new RangeError(`value ${value} is not a u${width * 8} this layer can represent (0 <= v < 2^${width === 4 ? 32 : 53})`);
  }
}

function hex(addr: number): string {
  return `0x${addr.toString(16)}`;
}
