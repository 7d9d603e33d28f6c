/**
 * Runs a litmus test on impl/memory.ts and enumerates every reachable final
 * state.
 *
 * Division of labour: registers and instruction sequencing belong to this
 * engine; every memory access, fence, locked instruction and store-buffer
 * drain goes through impl/memory.ts, the layer the UMCG simulation uses, so
 * agreeing with herd7 here is evidence about that layer and not about a
 * second model.
 *
 * Each thread runs on the CPU with its own number. A step is one of:
 * - one micro-step of a thread (most instructions are one step; an unlocked
 *   `ADD [x],…` / `INC [x]` is two: its read and its write);
 * - one drain of a CPU's store buffer (TSO only).
 * A thread whose next step is an MFENCE or a locked instruction is not
 * enabled while its buffer is non-empty (the memory layer answers
 * `blocked`); the explorer then schedules drains. Exploration is a
 * depth-first search over all interleavings with a visited set keyed by the
 * canonical state (memoryKey plus the threads' program counters and
 * registers). A final state is one where every thread has finished and every
 * buffer is empty.
 */
import {
  createMemory,
  drainOne,
  enabledDrains,
  load,
  lockedAdd,
  lockedCmpxchg,
  lockedXadd,
  lockedXchg,
  memoryKey,
  mfence,
  peek,
  store,
  type CpuId,
  type MemoryModel,
  type MemoryState,
} from '../../impl/memory.ts';
import {
  REGISTERS,
  compareLocations,
  type Instruction,
  type LitmusTest,
  type Location,
  type Operand,
  type Prop,
  type Register,
} from './syntax.ts';

/** Litmus locations are 32-bit cells (herd's X86 `int`), one per location name. */
const WIDTH = 4;
const BASE_ADDRESS = 0x10000;
const CELL_STRIDE = 8;

export type Observation = 'Never' | 'Sometimes' | 'Always';

/** What herd reports for one test under one model. */
export interface LitmusResult {
  readonly test: LitmusTest;
  readonly model: MemoryModel;
  /** The locations printed in each state, in herd's order. */
  readonly displayed: readonly Location[];
  /** Distinct final states (values of `displayed`, signed 32-bit), sorted as herd sorts them. */
  readonly states: readonly (readonly number[])[];
  /** How many of `states` satisfy the condition's proposition, and how many do not. */
  readonly positive: number;
  readonly negative: number;
  /** herd's Ok/No: exists ⇒ some state satisfies; ~exists ⇒ none does; forall ⇒ all do. */
  readonly ok: boolean;
  readonly observation: Observation;
  /** Distinct states visited by the search (not printed; a size measure for tests). */
  readonly explored: number;
}

// ---------------------------------------------------------------------------
// Micro-steps

type Src = { readonly kind: 'reg'; readonly reg: number } | { readonly kind: 'imm'; readonly value: number };

/** One schedulable step of a thread; registers are indices into REGISTERS. */
type Step =
  | { readonly kind: 'set'; readonly dst: number; readonly src: Src }
  | { readonly kind: 'add'; readonly dst: number; readonly src: Src }
  | { readonly kind: 'swap'; readonly a: number; readonly b: number }
  | { readonly kind: 'load'; readonly dst: number; readonly addr: number }
  | { readonly kind: 'loadAdd'; readonly dst: number; readonly addr: number }
  | { readonly kind: 'store'; readonly addr: number; readonly src: Src }
  | { readonly kind: 'mfence' }
  | { readonly kind: 'xchg'; readonly addr: number; readonly reg: number }
  | { readonly kind: 'lockedAdd'; readonly addr: number; readonly src: Src }
  | { readonly kind: 'xadd'; readonly addr: number; readonly reg: number }
  | { readonly kind: 'cmpxchg'; readonly addr: number; readonly reg: number }
  /** First half of an unlocked read-modify-write: remember the value read. */
  | { readonly kind: 'readTmp'; readonly addr: number }
  /** Second half: store the remembered value plus `src`. */
  | { readonly kind: 'writeTmpPlus'; readonly addr: number; readonly src: Src };

const EAX = REGISTERS.indexOf('EAX');

function regIndex(reg: Register): number {
  return REGISTERS.indexOf(reg);
}

function compile(instruction: Instruction, addressOf: (name: string) => number): Step[] {
  const src = (o: Operand): Src => {
    if (o.kind === 'reg') return { kind: 'reg', reg: regIndex(o.reg) };
    if (o.kind === 'imm') return { kind: 'imm', value: o.value };
    throw new Error('compile: a memory operand where a register or immediate was expected');
  };
  switch (instruction.op) {
    case 'MOV': {
      const { dst, src: from } = instruction;
      if (dst.kind === 'mem') return [{ kind: 'store', addr: addressOf(dst.name), src: src(instruction.src) }];
      if (from.kind === 'mem') return [{ kind: 'load', dst: regIndex(dst.reg), addr: addressOf(from.name) }];
      return [{ kind: 'set', dst: regIndex(dst.reg), src: src(from) }];
    }
    case 'MFENCE':
      return [{ kind: 'mfence' }];
    case 'XCHG': {
      const { a, b } = instruction;
      if (a.kind === 'mem') return [{ kind: 'xchg', addr: addressOf(a.name), reg: regIndex(b.reg) }];
      return [{ kind: 'swap', a: regIndex(a.reg), b: regIndex(b.reg) }];
    }
    case 'ADD': {
      const { dst, src: from } = instruction;
      if (dst.kind === 'reg') {
        if (from.kind === 'mem') return [{ kind: 'loadAdd', dst: regIndex(dst.reg), addr: addressOf(from.name) }];
        return [{ kind: 'add', dst: regIndex(dst.reg), src: src(from) }];
      }
      const addr = addressOf(dst.name);
      if (instruction.locked) return [{ kind: 'lockedAdd', addr, src: src(from) }];
      return [
        { kind: 'readTmp', addr },
        { kind: 'writeTmpPlus', addr, src: src(from) },
      ];
    }
    case 'INC': {
      const { dst } = instruction;
      const one: Src = { kind: 'imm', value: 1 };
      if (dst.kind === 'reg') return [{ kind: 'add', dst: regIndex(dst.reg), src: one }];
      const addr = addressOf(dst.name);
      if (instruction.locked) return [{ kind: 'lockedAdd', addr, src: one }];
      return [
        { kind: 'readTmp', addr },
        { kind: 'writeTmpPlus', addr, src: one },
      ];
    }
    case 'XADD':
      return [{ kind: 'xadd', addr: addressOf(instruction.dst.name), reg: regIndex(instruction.src.reg) }];
    case 'CMPXCHG':
      return [{ kind: 'cmpxchg', addr: addressOf(instruction.dst.name), reg: regIndex(instruction.src.reg) }];
    default:
      return assertNever(instruction);
  }
}

// ---------------------------------------------------------------------------
// Exploration

/** A thread's local state: next step, registers (signed 32-bit), the pending read of an unlocked RMW. */
interface Thread {
  readonly pc: number;
  readonly regs: readonly number[];
  readonly tmp: number;
}

interface Config {
  readonly mem: MemoryState;
  readonly threads: readonly Thread[];
}

/** Run `test` under `model` and collect herd's statistics. */
export function runLitmus(test: LitmusTest, model: MemoryModel): LitmusResult {
  const addresses = new Map<string, number>();
  test.memoryNames.forEach((name, i) => addresses.set(name, BASE_ADDRESS + CELL_STRIDE * i));
  const addressOf = (name: string): number => {
    const addr = addresses.get(name);
    if (addr === undefined) throw new Error(`runLitmus: location ${name} has no cell`);
    return addr;
  };
  const initMem = new Map(test.initMem.map((m) => [m.name, m.value]));
  const programs = test.threads.map((thread) => thread.flatMap((si) => compile(si.instruction, addressOf)));

  const mem = createMemory({
    model,
    cpus: Math.max(1, test.threads.length),
    cells: test.memoryNames.map((name) => ({ addr: addressOf(name), width: WIDTH, value: toU32(initMem.get(name) ?? 0) })),
  });
  const threads: Thread[] = test.threads.map((_, proc) => {
    const regs = REGISTERS.map(() => 0);
    for (const r of test.initRegs) if (r.proc === proc) regs[regIndex(r.reg)] = r.value;
    return { pc: 0, regs, tmp: 0 };
  });

  const displayed = displayedLocations(test);
  const valueOf = (config: Config, loc: Location): number => {
    if (loc.kind === 'reg') return (config.threads[loc.proc] as Thread).regs[regIndex(loc.reg)] as number;
    return toI32(peek(config.mem, addressOf(loc.name)) as number);
  };

  const finals = new Map<string, { values: number[]; satisfies: boolean }>();
  const visited = new Set<string>();
  const stack: Config[] = [{ mem, threads }];
  while (stack.length > 0) {
    const config = stack.pop() as Config;
    const key = configKey(config);
    if (visited.has(key)) continue;
    visited.add(key);

    const successors = successorsOf(config, programs);
    if (successors.length > 0) {
      for (const next of successors) stack.push(next);
      continue;
    }
    if (!isFinal(config, programs)) {
      throw new Error(`runLitmus: ${test.name}: a state with no enabled step is not final (deadlock)`);
    }
    if (test.filter !== null && !evaluate(test.filter, (loc) => valueOf(config, loc))) continue;
    const values = displayed.map((loc) => valueOf(config, loc));
    const k = values.join(',');
    if (!finals.has(k)) finals.set(k, { values, satisfies: evaluate(test.condition.prop, (loc) => valueOf(config, loc)) });
  }

  const sorted = [...finals.values()].sort((a, b) => compareValues(a.values, b.values));
  const positive = sorted.filter((s) => s.satisfies).length;
  const negative = sorted.length - positive;
  const ok =
    test.condition.quantifier === 'exists' ? positive > 0 : test.condition.quantifier === 'notExists' ? positive === 0 : negative === 0;
  const observation: Observation = positive === 0 ? 'Never' : negative === 0 ? 'Always' : 'Sometimes';
  return {
    test,
    model,
    displayed,
    states: sorted.map((s) => s.values),
    positive,
    negative,
    ok,
    observation,
    explored: visited.size,
  };
}

function successorsOf(config: Config, programs: readonly (readonly Step[])[]): Config[] {
  const out: Config[] = [];
  config.threads.forEach((thread, cpu) => {
    const step = (programs[cpu] as readonly Step[])[thread.pc];
    if (step === undefined) return;
    const next = execute(config, cpu, thread, step);
    if (next !== null) out.push(next);
  });
  for (const cpu of enabledDrains(config.mem)) {
    const r = drainOne(config.mem, cpu);
    if (r.kind === 'ok') out.push({ mem: r.state, threads: config.threads });
  }
  return out;
}

function isFinal(config: Config, programs: readonly (readonly Step[])[]): boolean {
  return (
    config.threads.every((t, cpu) => t.pc >= (programs[cpu] as readonly Step[]).length) && enabledDrains(config.mem).length === 0
  );
}

/** One step of thread `cpu`; `null` when it is not enabled (a fence or locked op waiting for drains). */
function execute(config: Config, cpu: CpuId, thread: Thread, step: Step): Config | null {
  const { mem } = config;
  const regs = thread.regs;
  const read = (src: Src): number => (src.kind === 'imm' ? src.value : (regs[src.reg] as number));
  const advance = (nextMem: MemoryState, nextRegs: readonly number[] = regs, tmp = 0): Config => {
    const threads = config.threads.slice();
    threads[cpu] = { pc: thread.pc + 1, regs: nextRegs, tmp };
    return { mem: nextMem, threads };
  };
  const setReg = (index: number, value: number): number[] => {
    const next = regs.slice();
    next[index] = value | 0;
    return next;
  };

  switch (step.kind) {
    case 'set':
      return advance(mem, setReg(step.dst, read(step.src)));
    case 'add':
      return advance(mem, setReg(step.dst, (regs[step.dst] as number) + read(step.src)));
    case 'swap': {
      const next = regs.slice();
      next[step.a] = regs[step.b] as number;
      next[step.b] = regs[step.a] as number;
      return advance(mem, next);
    }
    case 'load':
      return advance(mem, setReg(step.dst, toI32(loaded(load(mem, cpu, step.addr, WIDTH)))));
    case 'loadAdd':
      return advance(mem, setReg(step.dst, (regs[step.dst] as number) + toI32(loaded(load(mem, cpu, step.addr, WIDTH)))));
    case 'store':
      return advance(stored(store(mem, cpu, step.addr, WIDTH, toU32(read(step.src)))));
    case 'mfence': {
      const r = mfence(mem, cpu);
      return r.kind === 'blocked' ? null : advance(r.state);
    }
    case 'xchg': {
      const r = lockedXchg(mem, cpu, step.addr, WIDTH, toU32(regs[step.reg] as number));
      if (r.kind === 'blocked') return null;
      if (r.kind !== 'ok') return unexpected(r);
      return advance(r.state, setReg(step.reg, toI32(r.old)));
    }
    case 'lockedAdd': {
      const r = lockedAdd(mem, cpu, step.addr, WIDTH, read(step.src));
      if (r.kind === 'blocked') return null;
      if (r.kind !== 'ok') return unexpected(r);
      return advance(r.state);
    }
    case 'xadd': {
      const r = lockedXadd(mem, cpu, step.addr, WIDTH, regs[step.reg] as number);
      if (r.kind === 'blocked') return null;
      if (r.kind !== 'ok') return unexpected(r);
      return advance(r.state, setReg(step.reg, toI32(r.old)));
    }
    case 'cmpxchg': {
      // Intel: compare EAX with memory; equal: write the source register; else EAX := memory.
      const r = lockedCmpxchg(mem, cpu, step.addr, WIDTH, toU32(regs[EAX] as number), toU32(regs[step.reg] as number));
      if (r.kind === 'blocked') return null;
      if (r.kind !== 'ok') return unexpected(r);
      return advance(r.state, r.swapped ? regs : setReg(EAX, toI32(r.observed)));
    }
    case 'readTmp':
      return advance(mem, regs, toI32(loaded(load(mem, cpu, step.addr, WIDTH))));
    case 'writeTmpPlus':
      return advance(stored(store(mem, cpu, step.addr, WIDTH, toU32(thread.tmp + read(step.src)))));
    default:
      return assertNever(step);
  }
}

/** Litmus cells are always present, aligned and allocated: any fault is a bug in this engine. */
function unexpected(result: { readonly kind: string }): never {
  throw new Error(`litmus runner: unexpected memory outcome ${JSON.stringify(result)}`);
}

function loaded(result: ReturnType<typeof load>): number {
  return result.kind === 'ok' ? result.value : unexpected(result);
}

function stored(result: ReturnType<typeof store>): MemoryState {
  return result.kind === 'ok' ? result.state : unexpected(result);
}

function configKey(config: Config): string {
  let key = memoryKey(config.mem);
  for (const t of config.threads) key += `#${t.pc}:${t.tmp}:${t.regs.join(',')}`;
  return key;
}

// ---------------------------------------------------------------------------
// Conditions and herd's state order

/** The locations herd prints: those in `locations` and in the condition (not the filter), deduplicated and sorted. */
export function displayedLocations(test: LitmusTest): Location[] {
  const all = [...test.locations, ...propLocations(test.condition.prop)];
  const out: Location[] = [];
  for (const loc of all) if (!out.some((o) => compareLocations(o, loc) === 0)) out.push(loc);
  return out.sort(compareLocations);
}

function propLocations(prop: Prop): Location[] {
  switch (prop.kind) {
    case 'atom':
      return [prop.loc];
    case 'not':
      return propLocations(prop.prop);
    case 'and':
    case 'or':
      return prop.props.flatMap(propLocations);
    case 'implies':
      return [...propLocations(prop.left), ...propLocations(prop.right)];
    default:
      return assertNever(prop);
  }
}

export function evaluate(prop: Prop, valueOf: (loc: Location) => number): boolean {
  switch (prop.kind) {
    case 'atom':
      return valueOf(prop.loc) === prop.value;
    case 'not':
      return !evaluate(prop.prop, valueOf);
    case 'and':
      return prop.props.every((p) => evaluate(p, valueOf));
    case 'or':
      return prop.props.some((p) => evaluate(p, valueOf));
    case 'implies':
      return !evaluate(prop.left, valueOf) || evaluate(prop.right, valueOf);
    default:
      return assertNever(prop);
  }
}

/** herd compares final states binding by binding, in location order, by value. */
function compareValues(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function toU32(v: number): number {
  return v >>> 0;
}

function toI32(v: number): number {
  return v | 0;
}

function assertNever(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}
