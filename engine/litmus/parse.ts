/**
 * Parser for X86 litmus tests in herd7's syntax (the subset real x86 tests
 * use; docs/litmus.md lists it). Anything outside that subset is a
 * {@link LitmusError} naming the construct and `FILE:LINE`, never a guess.
 *
 * Layout of a test, as herd splits it (herdtools7 lib/splitter.mll):
 *
 *     X86 NAME ["doc"]              header line
 *     "doc" / Key=Value lines       optional, before the init block
 *     { x=1; 0:EAX=2; }             init block, possibly over several lines
 *      P0 | P1 ;                    program: rows split by '|', ending in ';'
 *      MOV [x],$1 | MOV EAX,[y] ;
 *     locations [x; 0:EAX;]         optional
 *     filter PROP                   optional
 *     exists|~exists|forall PROP    optional (absent: forall (true))
 *
 * `(* … *)` comments may appear anywhere after the header line.
 */
import {
  LitmusError,
  REGISTERS,
  type Condition,
  type Instruction,
  type LitmusTest,
  type Location,
  type MemOperand,
  type Operand,
  type Prop,
  type Quantifier,
  type RegOperand,
  type Register,
  type SourceInstruction,
} from './syntax.ts';

/** Registers herd knows for X86 that this engine does not model. */
const OTHER_X86_REGISTERS = ['EBP', 'ESP', 'EIP', 'ZF', 'SF', 'CF'];

const SUPPORTED_MNEMONICS = ['MOV', 'MFENCE', 'XCHG', 'ADD', 'INC', 'XADD', 'CMPXCHG'];

/** Words that start the condition section (herd's `inside_prog` stops at these). */
const SECTION_START = /(^|[^A-Za-z0-9_.$])(locations|filter|forall|final|observed|Observed|cases|~\s*exists|exists)(?![A-Za-z0-9_])/;

const TEST_NAME = /^[A-Za-z0-9_/.\-+[\]:]+$/;
const INFO_LINE = /^[A-Za-z][A-Za-z0-9_/.-]*\s*=/;
const MEM_NAME = /^[A-Za-z_][A-Za-z0-9_./-]*$/;

/** Parse one test; `file` is used in messages and kept in the result. */
export function parseLitmus(text: string, file: string): LitmusTest {
  return new Parser(text, file).parse();
}

/** A piece of the source with the line of its first character. */
interface Piece {
  readonly text: string;
  readonly line: number;
}

class Parser {
  private readonly lines: readonly string[];

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lines = text.replace(/\r\n?/g, '\n').split('\n');
  }

  private fail(line: number, what: string): never {
    throw new LitmusError(this.file, line, what);
  }

  parse(): LitmusTest {
    // Header: the first non-blank line.
    let headerIndex = 0;
    while (headerIndex < this.lines.length && (this.lines[headerIndex] ?? '').trim() === '') headerIndex++;
    if (headerIndex === this.lines.length) this.fail(1, 'empty file: expected an `X86 NAME` header');
    const name = this.parseHeader(this.lines[headerIndex] ?? '', headerIndex + 1);

    // Everything after the header, comments blanked out (newlines kept, so
    // offsets still map to lines).
    const bodyStartLine = headerIndex + 2;
    const body = this.stripComments(this.lines.slice(headerIndex + 1).join('\n'), bodyStartLine);
    const lineAt = (offset: number): number => bodyStartLine + countNewlines(body, offset);

    // Info lines, then the init block.
    const open = this.findInitStart(body, bodyStartLine);
    const close = body.indexOf('}', open + 1);
    if (close < 0) this.fail(lineAt(open), "init block '{' is never closed");
    const inner = body.slice(open + 1, close);
    if (inner.includes('{')) this.fail(lineAt(open + 1 + inner.indexOf('{')), "nested '{' in the init block is not supported");
    const init = this.parseInit(inner, lineAt(open));

    // Program up to the first condition keyword; the rest is the condition section.
    const rest = body.slice(close + 1);
    const restLine = lineAt(close + 1);
    const match = SECTION_START.exec(rest);
    const split = match === null ? rest.length : match.index + (match[1] ?? '').length;
    const threads = this.parseProgram(rest.slice(0, split), restLine);
    const section = this.parseConditionSection(rest.slice(split), restLine + countNewlines(rest, split));

    // Check every location against the program's shape.
    const usedLocations: { loc: Location; line: number }[] = [
      ...init.regs.map((r) => ({ loc: { kind: 'reg', proc: r.proc, reg: r.reg } as const, line: r.line })),
      ...section.locations,
    ];
    for (const { loc, line } of usedLocations) {
      if (loc.kind === 'reg' && loc.proc >= threads.length) {
        this.fail(line, `register ${loc.proc}:${loc.reg} names thread P${loc.proc}, but the test has ${threads.length} thread(s)`);
      }
    }
    const memoryNames = new Set<string>();
    for (const m of init.mem) memoryNames.add(m.name);
    for (const thread of threads) for (const si of thread) for (const n of memoryNamesOf(si.instruction)) memoryNames.add(n);
    for (const { loc } of section.locations) if (loc.kind === 'mem') memoryNames.add(loc.name);

    return {
      file: this.file,
      name,
      threads,
      initRegs: init.regs.map(({ proc, reg, value }) => ({ proc, reg, value })),
      initMem: init.mem.map(({ name: n, value }) => ({ name: n, value })),
      memoryNames: [...memoryNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      locations: section.listed,
      filter: section.filter,
      condition: section.condition,
    };
  }

  // -------------------------------------------------------------------------
  // Header, comments, info lines

  private parseHeader(line: string, lineNo: number): string {
    const m = /^\s*([A-Za-z0-9_]+)\s+(\S+)\s*(.*)$/.exec(line);
    if (m === null) this.fail(lineNo, `expected a header line \`X86 NAME\`, found '${line.trim()}'`);
    const [, arch = '', name = '', tail = ''] = m;
    if (arch !== 'X86') this.fail(lineNo, `unsupported architecture '${arch}' (only X86 is supported)`);
    if (!TEST_NAME.test(name)) this.fail(lineNo, `test name '${name}' has characters herd does not allow`);
    // herd allows an optional `(texname)` and `"doc"` after the name.
    const rest = tail.replace(/^\([A-Za-z][A-Za-z0-9_/.-]*\)\s*/, '').replace(/^"[^"]*"\s*/, '').replace(/^;\s*/, '');
    if (rest !== '') this.fail(lineNo, `unexpected text after the test name: '${rest}'`);
    return name;
  }

  /** Replace `(* … *)` (nested, as in OCaml) by spaces, keeping newlines. */
  private stripComments(text: string, firstLine: number): string {
    let out = '';
    let depth = 0;
    let openedAt = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      const pair = text.slice(i, i + 2);
      if (pair === '(*') {
        if (depth === 0) openedAt = i;
        depth++;
        out += '  ';
        i++;
      } else if (pair === '*)' && depth > 0) {
        depth--;
        out += '  ';
        i++;
      } else {
        out += depth > 0 && c !== '\n' ? ' ' : c;
      }
    }
    if (depth > 0) this.fail(firstLine + countNewlines(text, openedAt), "comment '(*' is never closed");
    return out;
  }

  /** Skip the optional quoted line and `Key=Value` lines; return the offset of '{'. */
  private findInitStart(body: string, firstLine: number): number {
    let offset = 0;
    let line = firstLine;
    for (const raw of body.split('\n')) {
      // A Key=Value line is info even if its value holds a '{' (herd's longest match).
      if (INFO_LINE.test(raw.trim())) {
        offset += raw.length + 1;
        line++;
        continue;
      }
      const brace = raw.indexOf('{');
      const before = (brace < 0 ? raw : raw.slice(0, brace)).trim();
      const isDoc = before.startsWith('"') && before.endsWith('"') && before.length >= 2;
      if (brace >= 0) {
        if (before !== '' && !isDoc) this.fail(line, `unexpected text before the init block: '${before}'`);
        return offset + brace;
      }
      if (before !== '' && !isDoc) {
        this.fail(line, `unexpected line before the init block: '${before}' (expected "…", Key=Value or '{')`);
      }
      offset += raw.length + 1;
      line++;
    }
    return this.fail(line - 1, "missing init block '{ … }'");
  }

  // -------------------------------------------------------------------------
  // Init block

  private parseInit(
    inner: string,
    firstLine: number,
  ): {
    regs: { proc: number; reg: Register; value: number; line: number }[];
    mem: { name: string; value: number; line: number }[];
  } {
    const regs: { proc: number; reg: Register; value: number; line: number }[] = [];
    const mem: { name: string; value: number; line: number }[] = [];
    for (const { text, line } of splitPieces(inner, ';', firstLine)) {
      const item = text.trim();
      if (item === '') continue;
      const eq = item.indexOf('=');
      const left = (eq < 0 ? item : item.slice(0, eq)).trim();
      const right = eq < 0 ? '0' : item.slice(eq + 1).trim();
      const reg = /^P?(\d+)\s*:\s*(\S+)$/.exec(left);
      const value = this.parseValue(right, line, `initial value of '${left}'`);
      if (reg !== null) {
        const proc = Number(reg[1]);
        const r = this.parseRegisterName(reg[2] ?? '', line);
        if (regs.some((x) => x.proc === proc && x.reg === r)) this.fail(line, `${proc}:${r} is initialised twice`);
        regs.push({ proc, reg: r, value, line });
        continue;
      }
      const name = /^\[\s*(\S+?)\s*\]$/.exec(left)?.[1] ?? left;
      if (/\s/.test(name)) {
        this.fail(line, `typed declaration '${item}' in the init block is not supported (write \`x=1;\`)`);
      }
      if (!MEM_NAME.test(name)) this.fail(line, `'${left}' in the init block is not a location name`);
      if (mem.some((x) => x.name === name)) this.fail(line, `location ${name} is initialised twice`);
      mem.push({ name, value, line });
    }
    return { regs, mem };
  }

  /** A 32-bit value as herd writes it (decimal, or 0x hex), stored as a signed 32-bit integer. */
  private parseValue(text: string, line: number, what: string): number {
    const t = text.trim();
    if (/^-?\d+$/.test(t) || /^0[xX][0-9a-fA-F]+$/.test(t)) {
      const v = Number(t);
      if (!Number.isSafeInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) {
        this.fail(line, `${what}: ${t} does not fit in 32 bits`);
      }
      return v | 0;
    }
    if (MEM_NAME.test(t)) this.fail(line, `${what}: symbolic value '${t}' (an address) is not supported; values must be integers`);
    return this.fail(line, `${what}: '${t}' is not an integer`);
  }

  private parseRegisterName(name: string, line: number): Register {
    const reg = REGISTERS.find((r) => r === name);
    if (reg !== undefined) return reg;
    if (OTHER_X86_REGISTERS.includes(name)) {
      this.fail(line, `register ${name} is not supported (supported: ${REGISTERS.join(' ')})`);
    }
    return this.fail(line, `unknown register '${name}' (supported: ${REGISTERS.join(' ')})`);
  }

  // -------------------------------------------------------------------------
  // Program

  private parseProgram(text: string, firstLine: number): SourceInstruction[][] {
    const rows = splitPieces(text, ';', firstLine);
    // The text after the last ';' must be blank.
    const last = rows.pop();
    if (last !== undefined && last.text.trim() !== '') {
      this.fail(last.line + leadingNewlines(last.text), `program row does not end with ';': '${last.text.trim()}'`);
    }
    const header = rows.shift();
    if (header === undefined) this.fail(firstLine, "missing program header 'P0 | P1 … ;'");
    const headerLine = header.line + leadingNewlines(header.text);
    const procs = header.text.split('|').map((c) => c.trim());
    procs.forEach((p, i) => {
      if (p !== `P${i}`) {
        this.fail(headerLine, `program header cell ${i + 1} is '${p}', expected 'P${i}' (threads are P0, P1, … in order)`);
      }
    });
    const threads: SourceInstruction[][] = procs.map(() => []);
    for (const row of rows) {
      const rowLine = row.line + leadingNewlines(row.text);
      const cells = row.text.split('|');
      if (cells.length !== procs.length) {
        this.fail(rowLine, `program row has ${cells.length} column(s), expected ${procs.length}`);
      }
      cells.forEach((cell, proc) => {
        const text = cell.trim().replace(/\s+/g, ' ');
        if (text === '') return;
        (threads[proc] as SourceInstruction[]).push({ instruction: this.parseInstruction(text, rowLine), text, line: rowLine });
      });
    }
    return threads;
  }

  private parseInstruction(text: string, line: number): Instruction {
    if (/^[A-Za-z_][A-Za-z0-9_.]*\s*:/.test(text)) this.fail(line, `labels are not supported: '${text}'`);
    let locked = false;
    let rest = text;
    const lock = /^lock\b\s*(.*)$/i.exec(rest);
    if (lock !== null) {
      locked = true;
      rest = (lock[1] ?? '').trim();
      if (rest === '') this.fail(line, 'LOCK prefix without an instruction');
    }
    const m = /^([A-Za-z]+)\b\s*(.*)$/.exec(rest);
    if (m === null) this.fail(line, `cannot read instruction '${text}'`);
    const mnemonic = (m[1] ?? '').toUpperCase();
    if (!SUPPORTED_MNEMONICS.includes(mnemonic)) {
      this.fail(line, `unsupported instruction '${mnemonic}' in '${text}' (supported: MOV, MFENCE, XCHG, ADD, INC, and LOCK XCHG/ADD/INC/XADD/CMPXCHG)`);
    }
    const argText = (m[2] ?? '').trim();
    const args = argText === '' ? [] : argText.split(',').map((a) => this.parseOperand(a.trim(), line, text));
    const arity = (n: number): void => {
      if (args.length !== n) this.fail(line, `${mnemonic} takes ${n} operand(s), found ${args.length} in '${text}'`);
    };
    const noLock = (): void => {
      if (locked) this.fail(line, `LOCK prefix is not allowed on ${mnemonic}: '${text}'`);
    };
    const bad = (why: string): never => this.fail(line, `${why}: '${text}'`);

    switch (mnemonic) {
      case 'MOV': {
        noLock();
        arity(2);
        const [dst, src] = args as [Operand, Operand];
        if (dst.kind === 'reg') return { op: 'MOV', dst, src };
        if (dst.kind === 'mem') {
          if (src.kind === 'mem') return bad('MOV between two memory operands is not an x86 instruction');
          return { op: 'MOV', dst, src };
        }
        return bad('MOV into an immediate');
      }
      case 'MFENCE':
        noLock();
        arity(0);
        return { op: 'MFENCE' };
      case 'XCHG': {
        arity(2);
        const [a, b] = args as [Operand, Operand];
        if (a.kind === 'imm' || b.kind === 'imm') return bad('XCHG with an immediate');
        if (a.kind === 'mem' && b.kind === 'mem') return bad('XCHG between two memory operands is not an x86 instruction');
        if (a.kind === 'reg' && b.kind === 'reg') {
          if (locked) return bad('LOCK XCHG needs a memory operand');
          return { op: 'XCHG', a, b };
        }
        // Memory first, whichever way it was written; XCHG is symmetric.
        return a.kind === 'mem' ? { op: 'XCHG', a, b: b as RegOperand } : { op: 'XCHG', a: b as MemOperand, b: a };
      }
      case 'ADD': {
        arity(2);
        const [dst, src] = args as [Operand, Operand];
        if (dst.kind === 'reg') {
          if (locked) return bad('LOCK ADD needs a memory destination');
          return { op: 'ADD', locked: false, dst, src };
        }
        if (dst.kind === 'mem') {
          if (src.kind === 'mem') return bad('ADD between two memory operands is not an x86 instruction');
          return { op: 'ADD', locked, dst, src };
        }
        return bad('ADD into an immediate');
      }
      case 'INC': {
        arity(1);
        const [dst] = args as [Operand];
        if (dst.kind === 'reg') {
          if (locked) return bad('LOCK INC needs a memory operand');
          return { op: 'INC', locked: false, dst };
        }
        if (dst.kind === 'mem') return { op: 'INC', locked, dst };
        return bad('INC of an immediate');
      }
      case 'XADD':
      case 'CMPXCHG': {
        if (!locked) return bad(`${mnemonic} without LOCK (a non-atomic read-modify-write) is not supported`);
        arity(2);
        const [dst, src] = args as [Operand, Operand];
        if (dst.kind !== 'mem' || src.kind !== 'reg') return bad(`LOCK ${mnemonic} needs a memory destination and a register source`);
        return { op: mnemonic, dst, src };
      }
      default:
        return this.fail(line, `unsupported instruction '${mnemonic}' in '${text}'`);
    }
  }

  private parseOperand(text: string, line: number, instruction: string): Operand {
    const imm = /^\$?(-?\d+|0[xX][0-9a-fA-F]+)$/.exec(text);
    if (imm !== null) return { kind: 'imm', value: this.parseValue(imm[1] ?? '', line, `immediate in '${instruction}'`) };
    const mem = /^\[\s*([^\]]*?)\s*\]$/.exec(text);
    if (mem !== null) {
      const inside = mem[1] ?? '';
      if ((REGISTERS as readonly string[]).includes(inside) || OTHER_X86_REGISTERS.includes(inside)) {
        this.fail(line, `indirect addressing '${text}' is not supported (name the location: [x]) in '${instruction}'`);
      }
      if (/^-?\d+$/.test(inside)) this.fail(line, `absolute address '${text}' is not supported in '${instruction}'`);
      if (!MEM_NAME.test(inside)) this.fail(line, `'${text}' is not a memory location in '${instruction}'`);
      return { kind: 'mem', name: inside };
    }
    if (text.startsWith('%')) this.fail(line, `symbolic register '${text}' is not supported in '${instruction}'`);
    if (text.startsWith('(')) this.fail(line, `indirect addressing '${text}' is not supported in '${instruction}'`);
    if (/^[A-Z]+$/.test(text)) return { kind: 'reg', reg: this.parseRegisterName(text, line) };
    return this.fail(line, `cannot read operand '${text}' in '${instruction}'`);
  }

  // -------------------------------------------------------------------------
  // Condition section

  private parseConditionSection(
    text: string,
    firstLine: number,
  ): {
    listed: Location[];
    locations: { loc: Location; line: number }[];
    filter: Prop | null;
    condition: Condition;
  } {
    const tokens = new Tokens(tokenize(text, firstLine, this.file), this.file);
    const locations: { loc: Location; line: number }[] = [];
    const listed: Location[] = [];
    const atomLocation = (loc: Location, line: number): void => {
      locations.push({ loc, line });
    };

    if (tokens.isWord('locations')) {
      tokens.next();
      tokens.expect('[');
      while (!tokens.is(']')) {
        const line = tokens.line();
        const loc = this.parseLocation(tokens);
        if (tokens.peek().kind === 'word') {
          tokens.fail(`typed location '${showLocationSource(loc)} ${tokens.peek().text}' in locations is not supported`);
        }
        listed.push(loc);
        atomLocation(loc, line);
        if (!tokens.is(']')) tokens.expect(';');
      }
      tokens.expect(']');
    }

    let filter: Prop | null = null;
    if (tokens.isWord('filter')) {
      tokens.next();
      filter = this.parseProp(tokens, atomLocation);
    }

    let quantifier: Quantifier = 'forall';
    let prop: Prop = { kind: 'and', props: [] };
    const head = tokens.peek();
    if (head.kind !== 'eof' && !tokens.is(';')) {
      if (tokens.isWord('exists') || tokens.isWord('final')) {
        tokens.next();
        quantifier = 'exists';
      } else if (tokens.isWord('forall')) {
        tokens.next();
        quantifier = 'forall';
      } else if (tokens.is('~') || tokens.isWord('not')) {
        tokens.next();
        if (!tokens.isWord('exists')) tokens.fail(`expected 'exists' after '${head.text}'`);
        tokens.next();
        quantifier = 'notExists';
      } else if (tokens.is('(')) {
        quantifier = 'exists';
      } else if (tokens.isWord('observed') || tokens.isWord('Observed') || tokens.isWord('cases')) {
        tokens.fail(`'${head.text}' conditions are not supported (use exists, ~exists or forall)`);
      } else {
        tokens.fail(`expected exists, ~exists or forall, found '${head.text}'`);
      }
      prop = this.parseProp(tokens, atomLocation);
    }
    if (tokens.is(';')) tokens.next();
    if (tokens.isWord('with')) tokens.fail("'with' kinds after the condition are not supported");
    const end = tokens.peek();
    if (end.kind !== 'eof') tokens.fail(`unexpected '${end.text}' after the condition`);
    return { listed, locations, filter, condition: { quantifier, prop } };
  }

  /** herd's precedences: `\/` < `/\` < `=>` (right) < `~`. */
  private parseProp(tokens: Tokens, seen: (loc: Location, line: number) => void): Prop {
    const parseOr = (): Prop => {
      let left = parseAnd();
      while (tokens.is('\\/')) {
        tokens.next();
        left = { kind: 'or', props: [left, parseAnd()] };
      }
      return left;
    };
    const parseAnd = (): Prop => {
      let left = parseImplies();
      while (tokens.is('/\\')) {
        tokens.next();
        left = { kind: 'and', props: [left, parseImplies()] };
      }
      return left;
    };
    const parseImplies = (): Prop => {
      const left = parseUnary();
      if (!tokens.is('=>')) return left;
      tokens.next();
      return { kind: 'implies', left, right: parseImplies() };
    };
    const parseUnary = (): Prop => {
      if (tokens.is('~') || tokens.isWord('not')) {
        tokens.next();
        return { kind: 'not', prop: parseUnary() };
      }
      if (tokens.isWord('true')) {
        tokens.next();
        return { kind: 'and', props: [] };
      }
      if (tokens.isWord('false')) {
        tokens.next();
        return { kind: 'or', props: [] };
      }
      if (tokens.is('(')) {
        tokens.next();
        const inner = parseOr();
        tokens.expect(')');
        return inner;
      }
      return parseAtom();
    };
    const parseAtom = (): Prop => {
      const line = tokens.line();
      if (tokens.isWord('fault') || tokens.isWord('Fault')) tokens.fail('fault atoms are not supported');
      const loc = this.parseLocation(tokens);
      seen(loc, line);
      const op = tokens.peek();
      if (op.kind !== 'punct' || !['=', '==', '!=', '<>'].includes(op.text)) {
        tokens.fail(`expected '=' after ${showLocationSource(loc)}, found '${op.text}'`);
      }
      tokens.next();
      const v = tokens.peek();
      if (v.kind !== 'num') {
        if (v.kind === 'word' || v.text === '[') {
          tokens.fail(`comparing ${showLocationSource(loc)} with '${v.text}' is not supported (values must be integers)`);
        }
        tokens.fail(`expected a value after '${showLocationSource(loc)}${op.text}', found '${v.text}'`);
      }
      tokens.next();
      const atom: Prop = { kind: 'atom', loc, value: this.parseValue(v.text, v.line, `value for ${showLocationSource(loc)}`) };
      return op.text === '!=' || op.text === '<>' ? { kind: 'not', prop: atom } : atom;
    };
    return parseOr();
  }

  /** `0:EAX`, `P0:EAX`, `x`, `[x]`. */
  private parseLocation(tokens: Tokens): Location {
    const t = tokens.peek();
    if (t.kind === 'num' || (t.kind === 'word' && /^P\d+$/.test(t.text))) {
      const after = tokens.peek(1);
      if (after.text === ':') {
        tokens.next();
        tokens.next();
        const reg = tokens.peek();
        if (reg.kind !== 'word') tokens.fail(`expected a register after '${t.text}:', found '${reg.text}'`);
        tokens.next();
        const proc = Number(t.text.replace(/^P/, ''));
        if (!Number.isInteger(proc) || proc < 0) tokens.fail(`'${t.text}' is not a thread number`);
        return { kind: 'reg', proc, reg: this.parseRegisterName(reg.text, reg.line) };
      }
    }
    if (t.text === '[') {
      tokens.next();
      const name = tokens.peek();
      if (name.kind !== 'word' || !MEM_NAME.test(name.text)) tokens.fail(`expected a location name after '[', found '${name.text}'`);
      tokens.next();
      tokens.expect(']');
      return { kind: 'mem', name: name.text };
    }
    if (t.kind === 'word' && MEM_NAME.test(t.text)) {
      if (tokens.peek(1).text === '[') tokens.fail(`array location '${t.text}[…]' is not supported`);
      tokens.next();
      return { kind: 'mem', name: t.text };
    }
    if (t.text === '*' || t.text === '&') tokens.fail(`pointer syntax '${t.text}' is not supported`);
    return tokens.fail(`expected a location (0:EAX, x or [x]), found '${t.kind === 'eof' ? 'end of file' : t.text}'`);
  }
}

// ---------------------------------------------------------------------------
// Condition tokens

interface Token {
  readonly kind: 'num' | 'word' | 'punct' | 'eof';
  readonly text: string;
  readonly line: number;
}

const PUNCT = ['/\\', '\\/', '=>', '==', '!=', '<>', '=', '~', '(', ')', '[', ']', ';', ':', '*', '&', ','];

function tokenize(text: string, firstLine: number, file: string): Token[] {
  const tokens: Token[] = [];
  let line = firstLine;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const num = /^(-?0[xX][0-9a-fA-F]+|-?\d+)/.exec(rest);
    if (num !== null) {
      tokens.push({ kind: 'num', text: num[0], line });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_.$][A-Za-z0-9_./-]*/.exec(rest);
    if (word !== null) {
      tokens.push({ kind: 'word', text: word[0], line });
      i += word[0].length;
      continue;
    }
    const punct = PUNCT.find((p) => rest.startsWith(p));
    if (punct !== undefined) {
      tokens.push({ kind: 'punct', text: punct, line });
      i += punct.length;
      continue;
    }
    throw new LitmusError(file, line, `unexpected character '${c}' in the condition`);
  }
  tokens.push({ kind: 'eof', text: 'end of file', line });
  return tokens;
}

class Tokens {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly file: string,
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  line(): number {
    return this.peek().line;
  }

  next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  is(punct: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === punct;
  }

  isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'word' && t.text === word;
  }

  expect(punct: string): void {
    if (!this.is(punct)) this.fail(`expected '${punct}', found '${this.peek().text}'`);
    this.next();
  }

  fail(what: string): never {
    throw new LitmusError(this.file, this.line(), what);
  }
}

// ---------------------------------------------------------------------------
// Helpers

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function leadingNewlines(text: string): number {
  const m = /^\s*/.exec(text);
  return m === null ? 0 : countNewlines(m[0], m[0].length);
}

/** Split on `sep`, remembering the line each piece starts on. */
function splitPieces(text: string, sep: string, firstLine: number): Piece[] {
  const pieces: Piece[] = [];
  let line = firstLine;
  let start = 0;
  let startLine = firstLine;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === sep) {
      pieces.push({ text: text.slice(start, i), line: startLine });
      start = i + 1;
      startLine = line;
    } else if (c === '\n') {
      line++;
    }
  }
  pieces.push({ text: text.slice(start), line: startLine });
  return pieces;
}

function memoryNamesOf(instruction: Instruction): string[] {
  const operands: Operand[] = [];
  switch (instruction.op) {
    case 'MOV':
      operands.push(instruction.dst, instruction.src);
      break;
    case 'MFENCE':
      break;
    case 'XCHG':
      operands.push(instruction.a, instruction.b);
      break;
    case 'ADD':
      operands.push(instruction.dst, instruction.src);
      break;
    case 'INC':
      operands.push(instruction.dst);
      break;
    case 'XADD':
    case 'CMPXCHG':
      operands.push(instruction.dst, instruction.src);
      break;
  }
  return operands.flatMap((o) => (o.kind === 'mem' ? [o.name] : []));
}

function showLocationSource(loc: Location): string {
  return loc.kind === 'reg' ? `${loc.proc}:${loc.reg}` : loc.name;
}

