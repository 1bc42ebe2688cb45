import { helpSections } from '../../editor/actions/registry';
import type { Editor } from '../../editor/editor';
import { h } from '../dom';
import { keysLabel } from '../header';
import { modal } from './modal';

/** Pointer gestures are not actions (no key), so they are listed here beside the registry. */
const MOUSE: readonly [string, string][] = [
  ['Left click', 'Positive point (include)'],
  ['Right click / Alt+click', 'Negative point (exclude)'],
  ['Drag (box tool) / Shift+drag', 'Box prompt; clicks add points to it'],
  ['Drag (points tool), middle drag, Space+drag', 'Pan'],
  ['Wheel', 'Zoom around the cursor'],
  ['Shift+click', 'Select the object under the cursor'],
];

/** Every shortcut, generated from the action registry. */
export function helpOverlay(editor: Editor): HTMLElement {
  const grid = h('div', { class: 'help-grid' });
  for (const section of helpSections()) {
    grid.append(
      h(
        'div',
        {
          class: 'help-section',
          testid: `help-section-${section.group.toLowerCase().replace(/ /g, '-')}`,
        },
        h('h3', { text: section.group }),
        ...section.rows.map((row) =>
          h(
            'div',
            { class: 'help-row', testid: `help-row-${row.id}` },
            h(
              'span',
              {},
              row.label,
              row.records
                ? h('span', {
                    class: 'records',
                    text: '↺ undoable',
                    title: 'Recorded in the undo history',
                  })
                : null,
            ),
            keysLabel(row.keys),
          ),
        ),
      ),
    );
  }
  grid.append(
    h(
      'div',
      { class: 'help-section', testid: 'help-section-mouse' },
      h('h3', { text: 'Mouse' }),
      ...MOUSE.map(([gesture, what]) =>
        h(
          'div',
          { class: 'help-row' },
          h('span', { text: what }),
          h('span', { class: 'keys' }, h('kbd', { text: gesture })),
        ),
      ),
    ),
  );
  return modal({
    title: 'Keyboard shortcuts',
    testid: 'help-overlay',
    wide: true,
    body: grid,
    onClose: () => editor.closeOverlay(),
  });
}
