import type { Editor } from '../editor/editor';
import type { PromptSnapshot } from '../editor/prompt-session';
import { h, replaceChildren } from './dom';
import { formatCount } from './format';

/** What the prompt holds, in words: "box · 2 include · 1 exclude". */
export function promptSummary(prompt: PromptSnapshot): string {
  const include = prompt.points.filter((p) => p.label === 1).length;
  const exclude = prompt.points.length - include;
  return [
    prompt.box ? 'box' : '',
    include ? `${include} include` : '',
    exclude ? `${exclude} exclude` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The prompt (what it holds), its candidates (pick with 1-3 or Tab), its progress and its error.
 */
export function candidateBar(editor: Editor): HTMLElement {
  const el = h('div', { class: 'candidate-bar', testid: 'candidate-bar' });
  const render = () => {
    const { prompt } = editor.state;
    const active = prompt.points.length > 0 || prompt.box !== null || prompt.target !== null;
    if (!active) {
      replaceChildren(el);
      return;
    }
    const chips = prompt.candidates.map((candidate, i) => {
      const chip = h(
        'button',
        {
          class: `candidate${i === prompt.active ? ' active' : ''}`,
          testid: `candidate-${i}`,
          title: `Candidate ${i + 1}: predicted IoU ${candidate.predictedIou.toFixed(3)}, stability ${candidate.stabilityScore.toFixed(3)}`,
          'aria-pressed': i === prompt.active,
        },
        h('kbd', { text: String(i + 1) }),
        h('span', { class: 'score', text: candidate.predictedIou.toFixed(2) }),
        h('span', { class: 'sub', text: `${formatCount(candidate.area)} px` }),
      );
      chip.addEventListener('click', () => editor.prompt.pick(i));
      return chip;
    });
    const status = prompt.pending
      ? h(
          'span',
          { class: 'prompt-state', testid: 'prompt-pending' },
          h('span', { class: 'spinner' }),
        )
      : prompt.error
        ? h('span', { class: 'prompt-state error', testid: 'prompt-error', text: prompt.error })
        : prompt.target !== null && prompt.candidates.length === 0
          ? h('span', {
              class: 'prompt-state',
              text: `Refining #${prompt.target}: click to add or remove`,
            })
          : null;
    const summary = h('span', {
      class: 'prompt-summary',
      testid: 'prompt-summary',
      text: promptSummary(prompt),
      title: 'The prompt: a box, points that include (click) and exclude (right-click)',
    });
    replaceChildren(el, summary, ...chips, status);
  };
  editor.store.subscribe(render, ['prompt']);
  render();
  return el;
}
