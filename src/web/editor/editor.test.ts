import { describe, expect, it, vi } from 'vitest';
import { Editor } from './editor';
import { MemoryApi } from './memory-api-test-support';

async function openEditor(api = new MemoryApi(4)) {
  const editor = new Editor(api, { hoverIntervalMs: 0 });
  editor.camera.setViewport(800, 600);
  await editor.init();
  return { editor, api };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Editor', () => {
  it('opens the first image with its classes and fits it', async () => {
    const { editor } = await openEditor();
    expect(editor.state.image?.id).toBe(100);
    expect(editor.state.currentClassId).toBe(1);
    expect(editor.camera.imageSize).toEqual({ width: 40, height: 30 });
    expect(editor.state.view.hoverPreview).toBe(true);
  });

  it('turns the hover preview off by default for the built-in segmenter', async () => {
    const api = new MemoryApi(2);
    api.kind = 'default';
    const { editor } = await openEditor(api);
    expect(editor.state.view.hoverPreview).toBe(false);
  });

  it('click, pick a candidate, accept: one object of the current class, then undo/redo', async () => {
    const { editor, api } = await openEditor();
    editor.addPoint({ x: 10.5, y: 10.5 }, 1);
    await settle();
    expect(editor.state.prompt.candidates).toHaveLength(3);
    editor.pickDigit(2); // candidate 2 while prompting
    expect(editor.state.prompt.active).toBe(1);
    editor.pickDigit(1 + 1); // still a candidate, not class 2
    expect(editor.state.currentClassId).toBe(1);
    await editor.accept();
    expect(editor.state.objects).toHaveLength(1);
    expect(editor.state.objects[0]).toMatchObject({ classId: 1, source: 'sam', score: 0.6 });
    expect(editor.state.prompt.points).toEqual([]);
    expect(editor.state.image?.status).toBe('in_progress');
    expect(editor.history.canUndo).toBe(true);
    expect(editor.state.classes[0]!.objectCount).toBe(1);
    await editor.undo();
    expect(editor.state.objects).toHaveLength(0);
    expect(editor.state.classes[0]!.objectCount).toBe(0);
    await editor.redo();
    expect(editor.state.objects).toHaveLength(1);
    expect(api.images[0]!.objects).toHaveLength(1);
  });

  it('z takes back the last prompt point before touching the saved history', async () => {
    const { editor, api } = await openEditor();
    editor.addPoint({ x: 5, y: 5 }, 1);
    await settle();
    await editor.accept();
    editor.addPoint({ x: 20, y: 20 }, 1);
    await settle();
    await editor.undo();
    expect(editor.state.prompt.points).toEqual([]);
    expect(editor.state.objects).toHaveLength(1);
    await editor.undo();
    expect(editor.state.objects).toHaveLength(0);
    expect(api.images[0]!.undo).toHaveLength(0);
  });

  it('digits pick classes without a prompt and re-class the selected object', async () => {
    const { editor } = await openEditor();
    editor.addPoint({ x: 10, y: 10 }, 1);
    await settle();
    await editor.accept();
    const id = editor.state.objects[0]!.id;
    editor.selectAt({ x: 10.2, y: 10.7 });
    expect(editor.state.selectedObjectId).toBe(id);
    editor.pickDigit(2);
    await settle();
    expect(editor.state.currentClassId).toBe(2);
    expect(editor.state.objects[0]!.classId).toBe(2);
    editor.selectAt({ x: 39, y: 29 });
    expect(editor.state.selectedObjectId).toBeNull();
  });

  it('refining a selected object saves over it instead of adding one', async () => {
    const { editor, api } = await openEditor();
    editor.addPoint({ x: 10, y: 10 }, 1);
    await settle();
    await editor.accept();
    const object = editor.state.objects[0]!;
    editor.select(object.id);
    editor.editSelected();
    expect(editor.tool.state).toEqual({ kind: 'editing', objectId: object.id });
    editor.addPoint({ x: 20, y: 15 }, 1);
    await settle();
    // The stored prompt (the first click) and the new click, no box: the object had prompts.
    expect(api.predictBodies.at(-1)).toEqual({
      points: [
        { x: 10, y: 10, label: 1 },
        { x: 20, y: 15, label: 1 },
      ],
    });
    editor.pickDigit(3);
    await editor.accept();
    expect(editor.state.objects).toHaveLength(1);
    expect(editor.state.objects[0]!.rle).not.toEqual(object.rle);
    expect(editor.tool.state.kind).toBe('idle');
  });

  it('next/previous follow the filtered list when a filter is on', async () => {
    const api = new MemoryApi(6);
    api.images[1]!.status = 'done';
    api.images[4]!.status = 'done';
    const { editor } = await openEditor(api);
    await editor.go(1);
    expect(editor.state.image?.id).toBe(101);
    await editor.setFilters({ status: 'done' });
    await editor.go(1);
    expect(editor.state.image?.id).toBe(104);
    await editor.go(1);
    expect(editor.state.image?.id).toBe(104);
    expect(editor.state.toasts.at(-1)?.text).toBe('This is the last image');
  });

  it('marks done and back, keeping the list counts right', async () => {
    const { editor } = await openEditor();
    await editor.toggleImageStatus('done');
    expect(editor.state.image?.status).toBe('done');
    expect(editor.list.statusCounts).toMatchObject({ new: 3, done: 1 });
    expect(editor.list.get(0)?.status).toBe('done');
    await editor.toggleImageStatus('done');
    expect(editor.state.image?.status).toBe('new');
  });

  it('a newer image load wins over an older one still on its way', async () => {
    const { editor } = await openEditor();
    const a = editor.openImage(102);
    const b = editor.openImage(103);
    await Promise.all([a, b]);
    expect(editor.state.image?.id).toBe(103);
  });

  it('shows an error toast from a failed change and keeps the prompt', async () => {
    const api = new MemoryApi(2);
    api.createObject = () => Promise.reject(new Error('classId 1 does not exist'));
    const { editor } = await openEditor(api);
    editor.addPoint({ x: 5, y: 5 }, 1);
    await settle();
    await editor.accept();
    expect(editor.state.toasts.at(-1)).toMatchObject({
      kind: 'error',
      text: 'classId 1 does not exist',
    });
    expect(editor.state.prompt.candidates).toHaveLength(3);
  });
});

describe('Editor server events and exports', () => {
  it('keeps status from events and shows only its own job', async () => {
    const { editor } = await openEditor();
    editor.applyServerEvent('memory', {
      level: 'critical',
      usedBytes: 9,
      budgetBytes: 10,
      ratio: 0.9,
      gpu: null,
    });
    editor.applyServerEvent('model', { ok: false, message: 'decoder failed' });
    expect(editor.state.status.memory?.level).toBe('critical');
    expect(editor.state.status.model).toEqual({ ok: false, message: 'decoder failed' });
    await editor.startExport({ format: 'coco' });
    expect(editor.state.exportJob?.id).toBe('job1');
    const other = { ...editor.state.exportJob!, id: 'job9', state: 'done' as const };
    editor.applyServerEvent('job', other);
    expect(editor.state.exportJob?.state).toBe('queued');
    editor.applyServerEvent('job', { ...other, id: 'job1', done: 5 });
    expect(editor.state.exportJob).toMatchObject({ id: 'job1', state: 'done', done: 5 });
  });

  it('takes down the model failure banner once a click gets masks again', async () => {
    const { editor } = await openEditor();
    editor.applyServerEvent('model', { ok: false, message: 'encoding failed' });
    editor.addPoint({ x: 10, y: 10 }, 1);
    await settle();
    expect(editor.state.prompt.candidates.length).toBeGreaterThan(0);
    expect(editor.state.status.model).toEqual({ ok: true, message: null });
  });

  it('keeps the end of an export whose events came before the answer to its POST', async () => {
    const api = new MemoryApi(3);
    const { editor } = await openEditor(api);
    const start = api.startExport.bind(api);
    api.startExport = async (body) => {
      const job = await start(body);
      // The server ran the whole job and published it while the answer was on its way.
      editor.applyServerEvent('job', { ...job, state: 'done', done: 3, total: 3 });
      return job;
    };
    await editor.startExport({ format: 'coco' });
    expect(editor.state.exportJob).toMatchObject({ id: 'job1', state: 'done', done: 3 });
  });

  it('polls the export job while the event stream is down', async () => {
    vi.useFakeTimers();
    try {
      const { editor } = await openEditor();
      editor.setConnection('closed');
      await editor.startExport({ format: 'yolo' });
      expect(editor.state.exportJob?.state).toBe('queued');
      await vi.advanceTimersByTimeAsync(1100);
      expect(editor.state.exportJob?.state).toBe('done');
    } finally {
      vi.useRealTimers();
    }
  });

  it('creates a class (made current) and recolours one from the lists the server answers with', async () => {
    const { editor, api } = await openEditor();
    const created = await editor.createClass('bird', '#123456');
    expect(created).toMatchObject({ id: 3, name: 'bird', color: '#123456' });
    expect(editor.state.classes.map((c) => c.name)).toEqual(['cat', 'dog', 'bird']);
    expect(editor.state.currentClassId).toBe(3);
    await editor.updateClass(1, { color: '#abcdef' });
    expect(editor.classById(1)?.color).toBe('#abcdef');
    expect(editor.state.classes).toEqual(api.classes);
    expect(editor.state.toasts).toEqual([]);
  });
});
