import type { StatsDto } from '../../api/types';
import type { Editor } from '../../editor/editor';
import { describeError } from '../../api/api-error';
import { horizontalBars, stackedBar, verticalBars } from '../charts';
import { h, replaceChildren } from '../dom';
import { STATUS_LABELS, formatCount, formatPercent } from '../format';
import { modal } from './modal';

const STATUS_COLORS: Record<string, string> = {
  new: '#8792a5',
  in_progress: '#4c8dff',
  done: '#3fb871',
  faulty: '#e5a93b',
  broken: '#ef5b5b',
};

/** Dataset statistics: totals, progress, class distribution, objects per image, daily rate. */
export function statsPage(editor: Editor): HTMLElement {
  const body = h(
    'div',
    { testid: 'stats-body' },
    h('div', { class: 'empty', text: 'Loading statistics…' }),
  );
  editor.api.stats().then(
    (stats) => replaceChildren(body, ...renderStats(stats)),
    (error: unknown) =>
      replaceChildren(
        body,
        h('div', { class: 'empty', testid: 'stats-error', text: describeError(error) }),
      ),
  );
  return modal({
    title: 'Statistics',
    testid: 'stats-page',
    wide: true,
    body,
    onClose: () => editor.closeOverlay(),
  });
}

function renderStats(stats: StatsDto): HTMLElement[] {
  const { totals } = stats;
  const done = stats.imagesByStatus.done ?? 0;
  const cards = h(
    'div',
    { class: 'stats-cards' },
    card('Images', formatCount(totals.images)),
    card(
      'Annotated',
      `${formatCount(totals.annotatedImages)} (${formatPercent(totals.images ? totals.annotatedImages / totals.images : 0)})`,
    ),
    card(
      'Done',
      `${formatCount(done)} (${formatPercent(totals.images ? done / totals.images : 0)})`,
    ),
    card(
      'Objects',
      formatCount(totals.objects),
      stats.averageVertices === null
        ? undefined
        : `${stats.averageVertices.toFixed(1)} polygon vertices on average`,
    ),
  );
  const progress = chart(
    'Progress by status',
    'chart-progress',
    stackedBar(
      Object.entries(stats.imagesByStatus).map(([status, value]) => ({
        label: STATUS_LABELS[status] ?? status,
        value,
        color: STATUS_COLORS[status],
      })),
    ),
  );
  const classes = chart(
    'Objects per class',
    'chart-classes',
    stats.classes.length
      ? horizontalBars(
          stats.classes.map((c) => ({
            label: c.name,
            value: c.objects,
            color: c.color,
            text: `${formatCount(c.objects)} · ${formatCount(c.meanArea)} px avg`,
          })),
        )
      : h('div', { class: 'empty', text: 'No classes yet' }),
  );
  const perImage = chart(
    'Images by object count',
    'chart-objects-per-image',
    verticalBars(stats.objectsPerImage.map((b) => ({ label: String(b.objects), value: b.images }))),
  );
  const rate = chart(
    'Objects created per day (UTC)',
    'chart-rate',
    stats.rate.length
      ? verticalBars(
          stats.rate.map((r) => ({
            label: r.date.slice(5),
            value: r.objects,
            text: `${r.objects} on ${r.date}`,
          })),
        )
      : h('div', { class: 'empty', text: 'Nothing created yet' }),
  );
  return [cards, h('div', { class: 'charts' }, progress, classes, perImage, rate)];
}

function card(label: string, value: string, note?: string): HTMLElement {
  return h(
    'div',
    { class: 'card', title: note },
    h('div', { class: 'value', text: value }),
    h('div', { class: 'label', text: note ? `${label} · ${note}` : label }),
  );
}

function chart(title: string, testid: string, content: Element): HTMLElement {
  const el = h('div', { class: 'chart', testid }, h('h3', { text: title }));
  el.append(content);
  return el;
}
