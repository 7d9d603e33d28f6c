/**
 * herd7's output shape for a litmus result, and the `--json` form.
 *
 * Follows herdtools7 herd/top_herd.ml (`pp_stats`) and lib/constrGen.ml
 * (condition printing). Differences from herd, on purpose: no `Hash=` or
 * `Time` lines, and Positive/Negative count distinct final states rather
 * than candidate executions (the two agree whenever each final state has
 * one execution, as in every test of the acceptance set).
 */
import type { LitmusResult } from './run.ts';
import { showLocation, type Condition, type Prop, type Quantifier } from './syntax.ts';

/** herd's word after `Test NAME`: exists ⇒ Allowed, ~exists ⇒ Forbidden, forall ⇒ Required. */
export function kindWord(quantifier: Quantifier): 'Allowed' | 'Forbidden' | 'Required' {
  switch (quantifier) {
    case 'exists':
      return 'Allowed';
    case 'notExists':
      return 'Forbidden';
    case 'forall':
      return 'Required';
  }
}

/** One final state as herd prints it: `0:EAX=0; 1:EAX=1; [x]=2;`. */
export function showState(result: LitmusResult, values: readonly number[]): string {
  return result.displayed.map((loc, i) => `${showLocation(loc)}=${values[i] as number};`).join(' ');
}

/** `exists (0:EAX=0 /\ 1:EAX=0)`, parenthesised as herd does. */
export function showCondition(condition: Condition): string {
  const inner = showProp(condition.prop, 'top');
  switch (condition.quantifier) {
    case 'exists':
      return `exists (${inner})`;
    case 'notExists':
      return `~exists (${inner})`;
    case 'forall':
      return `forall (${inner})`;
  }
}

type Context = 'top' | 'and' | 'or' | 'implies';

/** herd's `is_paren above here` (lib/constrGen.ml). */
function needsParens(above: Context, here: Exclude<Context, 'top'>): boolean {
  switch (above) {
    case 'top':
      return false;
    case 'implies':
      return here !== 'implies';
    case 'and':
      return here !== 'and';
    case 'or':
      return here === 'implies';
  }
}

export function showProp(prop: Prop, above: Context = 'top'): string {
  const paren = (here: Exclude<Context, 'top'>, s: string): string => (needsParens(above, here) ? `(${s})` : s);
  switch (prop.kind) {
    case 'atom':
      return `${showLocation(prop.loc)}=${prop.value}`;
    case 'not':
      return `not (${showProp(prop.prop, 'top')})`;
    case 'and':
      return prop.props.length === 0 ? 'true' : paren('and', prop.props.map((p) => showProp(p, 'and')).join(' /\\ '));
    case 'or':
      return prop.props.length === 0 ? 'false' : paren('or', prop.props.map((p) => showProp(p, 'or')).join(' \\/ '));
    case 'implies':
      return paren('implies', `${showProp(prop.left, 'implies')} => ${showProp(prop.right, 'implies')}`);
  }
}

/** The herd-shaped block for one result, ending with a newline and a blank line (as herd separates tests). */
export function formatHerd(result: LitmusResult): string {
  const { test } = result;
  const [shownPositive, shownNegative] =
    test.condition.quantifier === 'notExists' ? [result.negative, result.positive] : [result.positive, result.negative];
  const lines = [
    `Test ${test.name} ${kindWord(test.condition.quantifier)}`,
    `States ${result.states.length}`,
    ...result.states.map((values) => showState(result, values)),
    result.ok ? 'Ok' : 'No',
    'Witnesses',
    `Positive: ${shownPositive} Negative: ${shownNegative}`,
    `Condition ${showCondition(test.condition)}`,
    `Observation ${test.name} ${result.observation} ${result.positive} ${result.negative}`,
  ];
  return `${lines.join('\n')}\n\n`;
}

/** One element of the `--json` array. */
export interface LitmusJson {
  readonly name: string;
  readonly file: string;
  readonly model: string;
  /** herd's Observation word: Never, Sometimes or Always. */
  readonly verdict: string;
  readonly states: readonly string[];
  readonly condition: string;
  /** Allowed, Forbidden or Required (herd's word after the test name). */
  readonly kind: string;
  /** herd's Ok/No. */
  readonly ok: boolean;
  /** Distinct final states satisfying / not satisfying the proposition (herd's Observation counts). */
  readonly positive: number;
  readonly negative: number;
}

export function toJson(result: LitmusResult): LitmusJson {
  return {
    name: result.test.name,
    file: result.test.file,
    model: result.model,
    verdict: result.observation,
    states: result.states.map((values) => showState(result, values)),
    condition: showCondition(result.test.condition),
    kind: kindWord(result.test.condition.quantifier),
    ok: result.ok,
    positive: result.positive,
    negative: result.negative,
  };
}
