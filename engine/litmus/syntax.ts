/**
 * The parsed form of an X86 litmus test (herd7 syntax), shared by the
 * parser, the runner and the printer. Plain data.
 */

/** The registers a test may use, in herd's order (which is also its print order). */
export const REGISTERS = ['EAX', 'EBX', 'ECX', 'EDX', 'ESI', 'EDI'] as const;
export type Register = (typeof REGISTERS)[number];

/** A place whose final value a condition can talk about. */
export type Location =
  | { readonly kind: 'reg'; readonly proc: number; readonly reg: Register }
  | { readonly kind: 'mem'; readonly name: string };

/**
 * A proposition over final values. `and`/`or` with no operands are herd's
 * `true`/`false`; the parser builds them binary, as herd does, so printing
 * can follow herd's parenthesisation.
 */
export type Prop =
  | { readonly kind: 'atom'; readonly loc: Location; readonly value: number }
  | { readonly kind: 'not'; readonly prop: Prop }
  | { readonly kind: 'and'; readonly props: readonly Prop[] }
  | { readonly kind: 'or'; readonly props: readonly Prop[] }
  | { readonly kind: 'implies'; readonly left: Prop; readonly right: Prop };

/** `exists`, `~exists` or `forall`; a test with no condition is `forall (true)`, as in herd. */
export type Quantifier = 'exists' | 'notExists' | 'forall';

export interface Condition {
  readonly quantifier: Quantifier;
  readonly prop: Prop;
}

/** An instruction operand: a register, a memory location `[x]`, or an immediate `$1`. */
export type Operand =
  | { readonly kind: 'reg'; readonly reg: Register }
  | { readonly kind: 'mem'; readonly name: string }
  | { readonly kind: 'imm'; readonly value: number };

export type RegOperand = Extract<Operand, { kind: 'reg' }>;
export type MemOperand = Extract<Operand, { kind: 'mem' }>;
export type SrcOperand = Extract<Operand, { kind: 'reg' | 'imm' }>;

/**
 * One supported instruction, already checked for legal operand shapes.
 * `locked` marks the LOCK prefix; XCHG with memory is locked whether or not
 * it is written.
 */
export type Instruction =
  | { readonly op: 'MOV'; readonly dst: RegOperand; readonly src: Operand }
  | { readonly op: 'MOV'; readonly dst: MemOperand; readonly src: SrcOperand }
  | { readonly op: 'MFENCE' }
  | { readonly op: 'XCHG'; readonly a: RegOperand; readonly b: RegOperand }
  | { readonly op: 'XCHG'; readonly a: MemOperand; readonly b: RegOperand }
  | { readonly op: 'ADD'; readonly locked: false; readonly dst: RegOperand; readonly src: Operand }
  | { readonly op: 'ADD'; readonly locked: boolean; readonly dst: MemOperand; readonly src: SrcOperand }
  | { readonly op: 'INC'; readonly locked: false; readonly dst: RegOperand }
  | { readonly op: 'INC'; readonly locked: boolean; readonly dst: MemOperand }
  | { readonly op: 'XADD'; readonly dst: MemOperand; readonly src: RegOperand }
  | { readonly op: 'CMPXCHG'; readonly dst: MemOperand; readonly src: RegOperand };

/** An instruction with where it came from, for messages. */
export interface SourceInstruction {
  readonly instruction: Instruction;
  readonly text: string;
  readonly line: number;
}

export interface LitmusTest {
  readonly file: string;
  readonly name: string;
  /** One instruction list per thread P0, P1, … */
  readonly threads: readonly (readonly SourceInstruction[])[];
  /** Initial register values (unlisted registers start at 0). */
  readonly initRegs: readonly { readonly proc: number; readonly reg: Register; readonly value: number }[];
  /** Initial memory values (unlisted locations start at 0). */
  readonly initMem: readonly { readonly name: string; readonly value: number }[];
  /** Every memory location named anywhere in the test, sorted. */
  readonly memoryNames: readonly string[];
  /** The `locations [...]` list, as written. */
  readonly locations: readonly Location[];
  readonly filter: Prop | null;
  readonly condition: Condition;
}

/**
 * A test the engine cannot read: bad syntax or an unsupported construct.
 * `message` is one line, `FILE:LINE: what`, naming the construct.
 */
export class LitmusError extends Error {
  override readonly name = 'LitmusError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly what: string,
  ) {
    super(`${file}:${line}: ${what}`);
  }
}

/** herd's order of locations: registers (by thread, then register), then memory by name. */
export function compareLocations(a: Location, b: Location): number {
  if (a.kind === 'reg' && b.kind === 'reg') {
    return a.proc !== b.proc ? a.proc - b.proc : REGISTERS.indexOf(a.reg) - REGISTERS.indexOf(b.reg);
  }
  if (a.kind === 'mem' && b.kind === 'mem') return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return a.kind === 'reg' ? -1 : 1;
}

/** herd's spelling of a location: `0:EAX`, `[x]`. */
export function showLocation(loc: Location): string {
  return loc.kind === 'reg' ? `${loc.proc}:${loc.reg}` : `[${loc.name}]`;
}
