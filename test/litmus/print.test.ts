import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLitmus } from '../../engine/litmus/parse.ts';
import { formatHerd, toJson } from '../../engine/litmus/print.ts';
import { runLitmus } from '../../engine/litmus/run.ts';
import { LITMUS_DIR, runFile } from './helpers.ts';

describe('litmus printer: herd7 output shape', () => {
  it('prints SB under SC exactly as the herd7 manual shows it (less the Hash line)', () => {
    // herdtools7 doc/herd.tex, "% herd7 -cat ./sc.cat SB.litmus".
    expect(formatHerd(runFile(join(LITMUS_DIR, 'SB.litmus'), 'sc'))).toBe(
      [
        'Test SB Allowed',
        'States 3',
        '0:EAX=0; 1:EAX=1;',
        '0:EAX=1; 1:EAX=0;',
        '0:EAX=1; 1:EAX=1;',
        'No',
        'Witnesses',
        'Positive: 0 Negative: 3',
        'Condition exists (0:EAX=0 /\\ 1:EAX=0)',
        'Observation SB Never 0 3',
        '',
        '',
      ].join('\n'),
    );
  });

  it('prints registers before memory, registers by thread then EAX..EDI, memory by name', () => {
    const out = formatHerd(runFile(join(LITMUS_DIR, 'WRC.litmus'), 'tso'));
    expect(out).toContain('\n1:EAX=0; 2:EAX=0; 2:EBX=0; [x]=1; [y]=1;\n');
  });

  it('sorts states by value, location by location, as herd does', () => {
    const result = runFile(join(LITMUS_DIR, 'n6.litmus'), 'tso');
    const sorted = [...result.states].sort((a, b) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
      return 0;
    });
    expect(result.states).toEqual(sorted);
  });

  it('a ~exists test prints Forbidden and swaps Positive and Negative, but not the Observation counts', () => {
    const out = formatHerd(runFile(join(LITMUS_DIR, 'RMW-locked.litmus'), 'tso'));
    expect(out).toBe(
      [
        'Test RMW-locked Forbidden',
        'States 1',
        '[x]=2;',
        'Ok',
        'Witnesses',
        'Positive: 1 Negative: 0',
        'Condition ~exists ([x]=1)',
        'Observation RMW-locked Never 0 1',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a forall test prints Required, and Ok only when every state satisfies it', () => {
    const out = formatHerd(runFile(join(LITMUS_DIR, 'CoWR.litmus'), 'tso'));
    expect(out.split('\n').slice(0, 4)).toEqual(['Test CoWR Required', 'States 1', '0:EAX=1;', 'Ok']);
    expect(out).toContain('Observation CoWR Always 1 0\n');
  });

  it('a test with nothing to print has one empty state, as herd prints it', () => {
    const t = parseLitmus('X86 Empty\n{ }\n P0 ;\n MOV [x],$1 ;\n', 'Empty.litmus');
    expect(formatHerd(runLitmus(t, 'tso'))).toBe(
      [
        'Test Empty Required',
        'States 1',
        '',
        'Ok',
        'Witnesses',
        'Positive: 1 Negative: 0',
        'Condition forall (true)',
        'Observation Empty Always 1 0',
        '',
        '',
      ].join('\n'),
    );
  });

  it('a filter drops executions before states are counted', () => {
    const tso = runFile(join(LITMUS_DIR, 'SB+filter.litmus'), 'tso');
    const sc = runFile(join(LITMUS_DIR, 'SB+filter.litmus'), 'sc');
    expect(formatHerd(tso)).toContain('States 2\n1:EAX=0;\n1:EAX=1;\nOk\n');
    expect(formatHerd(sc)).toContain('States 1\n1:EAX=1;\nNo\n');
  });

  it('--json gives name, file, model, verdict, states and condition', () => {
    const result = runFile(join(LITMUS_DIR, 'SB.litmus'), 'tso');
    expect(toJson(result)).toEqual({
      name: 'SB',
      file: join(LITMUS_DIR, 'SB.litmus'),
      model: 'tso',
      verdict: 'Sometimes',
      states: ['0:EAX=0; 1:EAX=0;', '0:EAX=0; 1:EAX=1;', '0:EAX=1; 1:EAX=0;', '0:EAX=1; 1:EAX=1;'],
      condition: 'exists (0:EAX=0 /\\ 1:EAX=0)',
      kind: 'Allowed',
      ok: true,
      positive: 1,
      negative: 3,
    });
  });

  it('negative register values print signed, as herd prints an int', () => {
    const out = formatHerd(runFile(join(LITMUS_DIR, 'REG-ops.litmus'), 'sc'));
    expect(out).toContain('0:EDI=-1;');
  });
});
