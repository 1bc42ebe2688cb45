import type { ClassDto } from '../../api/types';
import type { Editor } from '../../editor/editor';
import { h, replaceChildren } from '../dom';
import { formatCount } from '../format';

/** A colour swatch that edits the class colour in place (PATCH on change). */
export function colorInput(editor: Editor, cls: ClassDto): HTMLInputElement {
  const input = h('input', {
    type: 'color',
    class: 'color-input',
    value: cls.color,
    title: `Colour of ${cls.name}`,
    testid: `class-color-${cls.id}`,
    'aria-label': `Colour of ${cls.name}`,
  });
  input.addEventListener('click', (e) => e.stopPropagation());
  input.addEventListener('change', () => void editor.updateClass(cls.id, { color: input.value }));
  return input;
}

/** The classes: current one highlighted, keys 1-9, counts, editable colours. */
export function classesPanel(editor: Editor): HTMLElement {
  const list = h('div', { class: 'class-list', testid: 'class-list' });
  const add = h('button', { text: '+ New / search  (k)', testid: 'class-picker-open' });
  add.addEventListener('click', () => {
    editor.openOverlay('classes');
    editor.requestFocus('class-search');
  });
  const render = () => {
    const { classes, currentClassId } = editor.state;
    if (classes.length === 0) {
      replaceChildren(
        list,
        h('div', { class: 'empty', text: 'No classes yet: press k to create one.' }),
      );
      return;
    }
    replaceChildren(
      list,
      ...classes.map((cls, i) => {
        const row = h(
          'div',
          {
            class: `class-row${cls.id === currentClassId ? ' current' : ''}`,
            testid: `class-row-${cls.id}`,
            title: `Make ${cls.name} the class of new objects`,
            'aria-current': cls.id === currentClassId,
          },
          colorInput(editor, cls),
          h('span', { text: cls.name }),
          h('span', { class: 'count', text: formatCount(cls.objectCount) }),
          i < 9 ? h('kbd', { text: String(i + 1) }) : h('span'),
        );
        row.addEventListener('click', () => editor.setCurrentClass(cls.id));
        return row;
      }),
    );
    // The panel shows a few classes at a time: keep the current one (picked by key) in view.
    list.querySelector('.current')?.scrollIntoView({ block: 'nearest' });
  };
  editor.store.subscribe(render, ['classes', 'currentClassId']);
  render();
  return h(
    'section',
    { class: 'classes-section', testid: 'classes-panel' },
    h('div', { class: 'section-title' }, h('span', { text: 'Classes' }), add),
    list,
  );
}
