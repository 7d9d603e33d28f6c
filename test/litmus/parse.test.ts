import { describe, expect, it } from 'vitest';
import { parseLitmus } from '../../engine/litmus/parse.ts';
import { showCondition } from '../../engine/litmus/print.ts';
import { runLitmus } from '../../engine/litmus/run.ts';
import { parseError } from './helpers.ts';

/** A small valid test whose program rows and condition can be swapped out. */
function withBody(rows: string, condition = 'exists (0:EAX=0)', init = '{ }'): string {
  return `X86 T\n${init}\n P0 | P1 ;\n${rows}\n${condition}\n`;
}

describe('litmus parser: the herd7 syntax real tests use', () => {
  it('accepts names that start with a digit and contain + - . and a quoted line and Key=Value lines', () => {
    const t = parseLitmus(
      'X86 2+2W.v-1\n"PodWW Wse PodWW Wse"\nCycle=Wse PodWW Wse PodWW\nGenerator=diycross7 (version 7.54+01(dev))\nNote={braces} in a value\n{\n}\n P0 ;\n MOV [x],$1 ;\nexists\n(x=1)\n',
      'a.litmus',
    );
    expect(t.name).toBe('2+2W.v-1');
    expect(t.memoryNames).toEqual(['x']);
  });

  it('accepts an init block over several lines with memory and register values', () => {
    const t = parseLitmus(
      'X86 T\n{ x=1;\n  [y]=2; z;\n  0:EAX=3; P1:EBX=-4; 1:ECX=0x10;\n}\n P0 | P1 ;\n MOV EDX,[x] | ;\nexists (0:EDX=1)\n',
      'a.litmus',
    );
    expect(t.initMem).toEqual([
      { name: 'x', value: 1 },
      { name: 'y', value: 2 },
      { name: 'z', value: 0 },
    ]);
    expect(t.initRegs).toEqual([
      { proc: 0, reg: 'EAX', value: 3 },
      { proc: 1, reg: 'EBX', value: -4 },
      { proc: 1, reg: 'ECX', value: 16 },
    ]);
    expect(t.threads[1]).toEqual([]);
  });

  it('accepts an init block on one line and an empty one', () => {
    expect(parseLitmus('X86 T\n{ x=0; y=0; }\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n', 'a').initMem).toHaveLength(2);
    expect(parseLitmus('X86 T\n{ }\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n', 'a').initMem).toEqual([]);
  });

  it('reads every supported instruction form, with empty cells', () => {
    const t = parseLitmus(
      withBody(
        [
          ' MOV EAX,$1          | MOV [x],EBX          ;',
          ' MOV EBX,EAX         | MOV [y],2            ;',
          ' MOV ECX,[x]         |                      ;',
          ' MFENCE              | XCHG EAX,EBX         ;',
          ' XCHG [x],EAX        | XCHG EDX,[y]         ;',
          ' LOCK XCHG [x],EAX   | lock xadd [y],ESI    ;',
          ' LOCK ADD [x],$2     | LOCK ADD [y],EDI     ;',
          ' LOCK INC [x]        | LOCK CMPXCHG [y],EBX ;',
          ' ADD [x],$1          | ADD EAX,[y]          ;',
          ' INC [x]             | INC EAX              ;',
        ].join('\n'),
      ),
      'a.litmus',
    );
    expect(t.threads[0]?.map((i) => i.instruction.op)).toEqual(['MOV', 'MOV', 'MOV', 'MFENCE', 'XCHG', 'XCHG', 'ADD', 'INC', 'ADD', 'INC']);
    expect(t.threads[1]?.map((i) => i.instruction.op)).toEqual(['MOV', 'MOV', 'XCHG', 'XCHG', 'XADD', 'ADD', 'CMPXCHG', 'ADD', 'INC']);
    expect(t.threads[1]?.[3]?.instruction).toEqual({ op: 'XCHG', a: { kind: 'mem', name: 'y' }, b: { kind: 'reg', reg: 'EDX' } });
    expect(t.threads[0]?.[6]?.instruction).toEqual({ op: 'ADD', locked: true, dst: { kind: 'mem', name: 'x' }, src: { kind: 'imm', value: 2 } });
    expect(t.threads[0]?.[8]?.instruction).toEqual({ op: 'ADD', locked: false, dst: { kind: 'mem', name: 'x' }, src: { kind: 'imm', value: 1 } });
  });

  it('skips (* comments *) anywhere after the header, nested ones included', () => {
    const t = parseLitmus(
      'X86 T\n(* a (* nested *) comment *)\n{ x=1; (* here *) }\n P0 ;\n MOV EAX,[x] (* and here *) ;\n(* and before *) exists (0:EAX=1) (* after *)\n',
      'a',
    );
    expect(t.threads[0]).toHaveLength(1);
    expect(runLitmus(t, 'sc').observation).toBe('Always');
  });

  it('reads exists, ~exists and forall, alone on their line or not', () => {
    expect(showCondition(parseLitmus(withBody(' MOV EAX,$1 | ;', 'exists\n(0:EAX=1)'), 'a').condition)).toBe('exists (0:EAX=1)');
    expect(showCondition(parseLitmus(withBody(' MOV EAX,$1 | ;', '~exists (0:EAX=1)'), 'a').condition)).toBe('~exists (0:EAX=1)');
    expect(showCondition(parseLitmus(withBody(' MOV EAX,$1 | ;', '~ exists\n (0:EAX=1)'), 'a').condition)).toBe('~exists (0:EAX=1)');
    expect(showCondition(parseLitmus(withBody(' MOV EAX,$1 | ;', 'forall 0:EAX=1'), 'a').condition)).toBe('forall (0:EAX=1)');
  });

  it('a test without a condition is forall (true), as in herd', () => {
    const t = parseLitmus('X86 T\n{ }\n P0 ;\n MOV [x],$1 ;\n', 'a');
    expect(showCondition(t.condition)).toBe('forall (true)');
  });

  it('gives ~ the tightest binding, then =>, then /\\, then \\/ (herd\'s precedences)', () => {
    const cond = (c: string): string => showCondition(parseLitmus(withBody(' MOV EAX,$1 | ;', c), 'a').condition);
    expect(cond('exists (0:EAX=1 \\/ 1:EAX=1 /\\ x=1)')).toBe('exists (0:EAX=1 \\/ 1:EAX=1 /\\ [x]=1)');
    expect(cond('exists ((0:EAX=1 \\/ 1:EAX=1) /\\ x=1)')).toBe('exists ((0:EAX=1 \\/ 1:EAX=1) /\\ [x]=1)');
    expect(cond('exists (~0:EAX=1 /\\ [x]=0)')).toBe('exists (not (0:EAX=1) /\\ [x]=0)');
    expect(cond('exists (~(0:EAX=1 /\\ [x]=0))')).toBe('exists (not (0:EAX=1 /\\ [x]=0))');
    expect(cond('exists (0:EAX=1 => 1:EAX=1 /\\ x=0)')).toBe('exists ((0:EAX=1 => 1:EAX=1) /\\ [x]=0)');
    expect(cond('exists (x!=1 \\/ not true \\/ false)')).toBe('exists (not ([x]=1) \\/ not (true) \\/ false)');
    expect(cond('exists (P1:EAX=1 /\\ 0:EAX==1)')).toBe('exists (1:EAX=1 /\\ 0:EAX=1)');
  });

  it('reads locations and filter before the condition', () => {
    const t = parseLitmus(withBody(' MOV EAX,[x] | MOV [y],$1 ;', 'locations [x; [y]; 1:EBX;]\nfilter (0:EAX=0)\nexists (0:EAX=0)'), 'a');
    expect(t.locations).toEqual([
      { kind: 'mem', name: 'x' },
      { kind: 'mem', name: 'y' },
      { kind: 'reg', proc: 1, reg: 'EBX' },
    ]);
    expect(t.filter).toEqual({ kind: 'atom', loc: { kind: 'reg', proc: 0, reg: 'EAX' }, value: 0 });
  });
});

describe('litmus parser: unsupported constructs are errors naming the construct and FILE:LINE', () => {
  const cases: { readonly what: string; readonly text: string; readonly line: number; readonly message: RegExp }[] = [
    { what: 'another architecture', text: 'AArch64 T\n{ }\n P0 ;\n NOP ;\n', line: 1, message: /unsupported architecture 'AArch64'/ },
    { what: 'X86_64', text: 'X86_64 T\n{ }\n P0 ;\n MOV [x],$1 ;\n', line: 1, message: /unsupported architecture 'X86_64'/ },
    { what: 'a jump', text: withBody(' MOV EAX,$1 | ;\n JMP L0 | ;'), line: 5, message: /unsupported instruction 'JMP'/ },
    { what: 'a label', text: withBody(' L0: | ;'), line: 4, message: /labels are not supported: 'L0:'/ },
    { what: 'LFENCE', text: withBody(' LFENCE | ;'), line: 4, message: /unsupported instruction 'LFENCE'/ },
    { what: 'CMP', text: withBody(' CMP EAX,$1 | ;'), line: 4, message: /unsupported instruction 'CMP'/ },
    { what: 'an unsupported register', text: withBody(' MOV EBP,$1 | ;'), line: 4, message: /register EBP is not supported/ },
    { what: 'an unknown register in the condition', text: withBody(' MOV EAX,$1 | ;', 'exists (0:R1=0)'), line: 5, message: /unknown register 'R1'/ },
    { what: 'an unknown operand', text: withBody(' MOV eax,$1 | ;'), line: 4, message: /cannot read operand 'eax'/ },
    { what: 'indirect addressing', text: withBody(' MOV EAX,[EBX] | ;'), line: 4, message: /indirect addressing '\[EBX\]'/ },
    { what: 'memory to memory MOV', text: withBody(' MOV [x],[y] | ;'), line: 4, message: /two memory operands/ },
    { what: 'XADD without LOCK', text: withBody(' XADD [x],EAX | ;'), line: 4, message: /XADD without LOCK/ },
    { what: 'CMPXCHG without LOCK', text: withBody(' CMPXCHG [x],EAX | ;'), line: 4, message: /CMPXCHG without LOCK/ },
    { what: 'LOCK on MOV', text: withBody(' LOCK MOV [x],$1 | ;'), line: 4, message: /LOCK prefix is not allowed on MOV/ },
    { what: 'LOCK ADD to a register', text: withBody(' LOCK ADD EAX,$1 | ;'), line: 4, message: /LOCK ADD needs a memory destination/ },
    { what: 'a bare LOCK', text: withBody(' LOCK | ;'), line: 4, message: /LOCK prefix without an instruction/ },
    { what: 'a short row', text: withBody(' MOV EAX,$1 ;'), line: 4, message: /row has 1 column\(s\), expected 2/ },
    { what: 'a row without ;', text: withBody(' MOV EAX,$1 | MOV EBX,$1', 'exists (0:EAX=1)'), line: 4, message: /does not end with ';'/ },
    { what: 'a misnumbered header', text: 'X86 T\n{ }\n P0 | P2 ;\n MOV EAX,$1 | ;\n', line: 3, message: /expected 'P1'/ },
    { what: 'a pointer in the init block', text: withBody(' MOV EAX,$1 | ;', 'exists (0:EAX=1)', '{ 0:EAX=x; }'), line: 2, message: /symbolic value 'x'/ },
    { what: 'a typed declaration', text: withBody(' MOV EAX,$1 | ;', 'exists (0:EAX=1)', '{ int x=1; }'), line: 2, message: /typed declaration 'int x=1'/ },
    { what: 'a thread out of range', text: withBody(' MOV EAX,$1 | ;', 'exists (5:EAX=1)'), line: 5, message: /names thread P5/ },
    { what: 'an observed condition', text: withBody(' MOV EAX,$1 | ;', 'observed 0:EAX=1;'), line: 5, message: /'observed' conditions are not supported/ },
    { what: 'with kinds', text: withBody(' MOV EAX,$1 | ;', 'exists (0:EAX=1) with T:exists'), line: 5, message: /'with' kinds/ },
    { what: 'a fault atom', text: withBody(' MOV EAX,$1 | ;', 'exists (fault(P0,x))'), line: 5, message: /fault atoms are not supported/ },
    { what: 'a location compared with a location', text: withBody(' MOV EAX,$1 | ;', 'exists (x=y)'), line: 5, message: /comparing x with 'y'/ },
    { what: 'an unclosed comment', text: 'X86 T\n{ }\n(* never closed\n P0 ;\n', line: 3, message: /comment '\(\*' is never closed/ },
    { what: 'a missing init block', text: 'X86 T\n P0 ;\n', line: 2, message: /unexpected line before the init block/ },
    { what: 'a value that does not fit in 32 bits', text: withBody(' MOV EAX,$4294967296 | ;'), line: 4, message: /does not fit in 32 bits/ },
  ];
  for (const c of cases) {
    it(`${c.what} is refused at its line`, () => {
      const err = parseError(c.text, 'dir/T.litmus');
      expect(err.message).toMatch(c.message);
      expect(err.line).toBe(c.line);
      expect(err.message.startsWith(`dir/T.litmus:${c.line}: `)).toBe(true);
      expect(err.message).not.toContain('\n');
    });
  }
});
