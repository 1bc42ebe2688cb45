import type { ObjectDto, ObjectWarning } from '../../api/types';
import type { Editor } from '../../editor/editor';
import { warningsByObject } from '../../editor/object-warnings';
import { h, replaceChildren } from '../dom';
import { formatCount } from '../format';
import { icon } from '../icons';

/**
 * The open image's objects: class (changeable), area, source and score, validation warnings,
 * hide and delete. Selecting a row highlights the object on the canvas and back.
 */
export function objectsPanel(editor: Editor): HTMLElement {
  const list = h('div', {
    class: 'object-list',
    testid: 'object-list',
    role: 'listbox',
    'aria-label': 'Objects',
  });
  const count = h('span', { testid: 'object-count' });

  const row = (object: ObjectDto, warnings: readonly ObjectWarning[]): HTMLElement => {
    const { classes, selectedObjectId, hidden } = editor.state;
    const cls = editor.classById(object.classId);
    const isHidden = hidden.has(object.id);
    const select = h('select', { testid: `object-class-${object.id}`, 'aria-label': 'Class' });
    for (const c of classes) select.append(h('option', { value: String(c.id), text: c.name }));
    select.value = String(object.classId);
    select.addEventListener('click', (e) => e.stopPropagation());
    select.addEventListener(
      'change',
      () => void editor.changeObjectClass(object.id, Number(select.value)),
    );

    const hide = h(
      'button',
      {
        class: 'icon-button',
        testid: `object-hide-${object.id}`,
        title: isHidden ? 'Show (h)' : 'Hide (h)',
        'aria-label': isHidden ? 'Show' : 'Hide',
      },
      icon(isHidden ? 'eyeOff' : 'eye'),
    );
    hide.addEventListener('click', (e) => {
      e.stopPropagation();
      editor.toggleHidden(object.id);
    });
    const remove = h(
      'button',
      {
        class: 'icon-button',
        testid: `object-delete-${object.id}`,
        title: 'Delete (Del)',
        'aria-label': 'Delete',
      },
      icon('trash'),
    );
    remove.addEventListener('click', (e) => {
      e.stopPropagation();
      void editor.deleteObject(object.id);
    });
    const warning = warnings.length
      ? h(
          'span',
          {
            class: 'warning-icon',
            testid: `object-warning-${object.id}`,
            title: warnings.map((w) => w.message).join('\n'),
          },
          icon('warning', 14),
        )
      : h('span');
    const details = [
      `${formatCount(object.area)} px`,
      object.source,
      object.score === null ? '' : object.score.toFixed(2),
    ]
      .filter(Boolean)
      .join(' · ');
    const el = h(
      'div',
      {
        class: `object-row${object.id === selectedObjectId ? ' selected' : ''}${isHidden ? ' hidden-object' : ''}`,
        testid: `object-row-${object.id}`,
        role: 'option',
        'aria-selected': object.id === selectedObjectId,
        title: `#${object.id}: ${details}`,
      },
      h('span', { class: 'swatch', style: `background:${cls?.color ?? '#888'}` }),
      select,
      h('span', { class: 'area', text: formatCount(object.area) }),
      warning,
      hide,
      remove,
    );
    el.addEventListener('click', () =>
      editor.select(object.id === editor.state.selectedObjectId ? null : object.id),
    );
    return el;
  };

  const render = () => {
    const { objects, image } = editor.state;
    count.textContent = image ? String(objects.length) : '';
    if (!image) {
      replaceChildren(list);
      return;
    }
    if (objects.length === 0) {
      replaceChildren(
        list,
        h('div', { class: 'empty', text: 'No objects yet. Click on the image to start one.' }),
      );
      return;
    }
    const warnings = warningsByObject(objects);
    replaceChildren(list, ...objects.map((o) => row(o, warnings.get(o.id) ?? [])));
    list.querySelector('.selected')?.scrollIntoView({ block: 'nearest' });
  };
  editor.store.subscribe(render, ['objects', 'selectedObjectId', 'hidden', 'classes', 'image']);
  render();
  return h(
    'section',
    { class: 'objects-section', testid: 'objects-panel' },
    h('div', { class: 'section-title' }, h('span', {}, 'Objects ', count)),
    list,
  );
}
