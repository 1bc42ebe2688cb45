import type { ExportBody, ExportJob } from '../../api/types';
import type { Editor } from '../../editor/editor';
import { h, replaceChildren } from '../dom';
import { modal } from './modal';

const FORMATS: { value: ExportBody['format']; label: string }[] = [
  { value: 'coco', label: 'COCO (JSON, instance segmentation)' },
  { value: 'yolo', label: 'YOLO detection (boxes)' },
  { value: 'yolo-seg', label: 'YOLO segmentation (polygons)' },
  { value: 'voc', label: 'Pascal VOC (XML + PNG masks)' },
  { value: 'seed', label: 'Seed tool layout' },
];

/** Export: format, mask encoding, optional train/val split; progress from job events. */
export function exportDialog(editor: Editor): HTMLElement {
  const format = h('select', { testid: 'export-format' });
  for (const f of FORMATS) format.append(h('option', { value: f.value, text: f.label }));
  const segmentation = h('select', { testid: 'export-segmentation' });
  for (const [value, text] of [
    ['auto', 'Auto (RLE for crowds, polygons otherwise)'],
    ['polygon', 'Polygons'],
    ['rle', 'RLE'],
  ] as const) {
    segmentation.append(h('option', { value, text }));
  }
  const split = h('input', { type: 'checkbox', testid: 'export-split' });
  const train = h('input', {
    type: 'number',
    min: 1,
    max: 99,
    value: 80,
    testid: 'export-train',
    style: 'width:80px',
    disabled: true,
  });
  split.addEventListener('change', () => (train.disabled = !split.checked));
  const syncSegmentation = () => (segmentation.disabled = format.value !== 'coco');
  format.addEventListener('change', syncSegmentation);
  syncSegmentation();

  const start = h('button', { class: 'primary', text: 'Start export', testid: 'export-start' });
  start.addEventListener('click', () => {
    const body: ExportBody = { format: format.value as ExportBody['format'] };
    if (body.format === 'coco')
      body.segmentation = segmentation.value as NonNullable<ExportBody['segmentation']>;
    if (split.checked) {
      const t = Math.min(99, Math.max(1, Number(train.value) || 80)) / 100;
      body.split = { train: t, val: Math.round((1 - t) * 100) / 100 };
    }
    void editor.startExport(body);
  });

  const jobBox = h('div', { testid: 'export-job' });
  const renderJob = (job: ExportJob | null) => {
    const running = job !== null && (job.state === 'queued' || job.state === 'running');
    start.disabled = running;
    if (!job) {
      replaceChildren(jobBox);
      return;
    }
    const fraction = job.total > 0 ? job.done / job.total : job.state === 'done' ? 1 : 0;
    replaceChildren(
      jobBox,
      h(
        'div',
        { class: 'job' },
        h('div', {
          testid: 'export-state',
          text: `${job.format.toUpperCase()} export ${job.state} · ${job.done} / ${job.total} images`,
        }),
        h(
          'div',
          {
            class: 'progress',
            testid: 'export-progress',
            role: 'progressbar',
            'aria-valuenow': Math.round(fraction * 100),
            'aria-valuemin': 0,
            'aria-valuemax': 100,
          },
          h('div', { class: 'fill', style: `width:${fraction * 100}%` }),
        ),
        job.outputPath
          ? h(
              'div',
              {},
              'Written to ',
              h('code', { testid: 'export-output', text: job.outputPath }),
            )
          : null,
        job.downloadUrl
          ? h('a', {
              href: editor.api.resolveUrl(job.downloadUrl),
              download: '',
              testid: 'export-download',
              text: 'Download',
            })
          : null,
        job.error ? h('div', { class: 'error', testid: 'export-error', text: job.error }) : null,
        job.warnings.length
          ? h(
              'ul',
              { class: 'warnings', testid: 'export-warnings' },
              ...job.warnings.map((w) => h('li', { text: w })),
            )
          : null,
      ),
    );
  };
  const unsubscribe = editor.store.subscribe(
    (state) => {
      if (!jobBox.isConnected) unsubscribe();
      else renderJob(state.exportJob);
    },
    ['exportJob'],
  );
  renderJob(editor.state.exportJob);

  const body = h(
    'div',
    {},
    h(
      'div',
      { class: 'form-grid' },
      h('label', { text: 'Format' }),
      format,
      h('label', { text: 'Masks as' }),
      segmentation,
      h('label', {}, split, ' Split'),
      h('div', {}, train, ' % train, the rest val'),
    ),
    jobBox,
  );
  return modal({
    title: 'Export annotations',
    testid: 'export-dialog',
    body,
    foot: [start],
    onClose: () => editor.closeOverlay(),
  });
}
