import type { AnnotatorApi } from '../api/annotator-api';
import { describeError, isAbort } from '../api/api-error';
import { rleContains } from '../api/rle';
import type {
  ChangeResponse,
  ClassDto,
  ExportBody,
  ExportJob,
  ImageStatus,
  ObjectDto,
  PredictBody,
  ServerEventName,
  ServerEvents,
  UpdateClassBody,
} from '../api/types';
import type { ConnectionState } from '../api/events';
import { Camera, type Vec } from './camera';
import { systemClock, type Clock } from './clock';
import {
  initialState,
  type BooleanViewKey,
  type EditorState,
  type Overlay,
  type Toast,
  type ViewOptions,
} from './editor-state';
import { HistoryClient } from './history-client';
import { HoverPreview } from './hover-preview';
import { ImageListModel, type ImageFilters } from './image-list-model';
import { PromptSession } from './prompt-session';
import { RequestSequence } from './request-sequence';
import { SerialQueue } from './serial-queue';
import { Store } from './store';
import { ToolMachine, type ToolHost, type ToolMode } from './tool-machine';

export interface EditorOptions {
  clock?: Clock;
  hoverIntervalMs?: number;
  pageSize?: number;
}

/**
 * The headless core of the page: state, and the managers that each own one job (camera,
 * prompt, hover preview, history, image list, pointer tool). No DOM: the UI renders `state`
 * and forwards input; every user action calls methods here.
 */
export class Editor {
  readonly store = new Store<EditorState>(initialState());
  readonly camera: Camera;
  readonly prompt: PromptSession;
  readonly hover: HoverPreview;
  readonly history: HistoryClient;
  readonly list: ImageListModel;
  readonly tool: ToolMachine;
  private readonly changes = new SerialQueue();
  private readonly imageLoads = new RequestSequence();
  private loading: Promise<void> | null = null;
  private readonly clock: Clock;
  private toastCount = 0;
  private focusCount = 0;
  private exportPoll: unknown = null;
  /**
   * Job events seen lately, by id: a short export can finish and announce it before the answer
   * to its POST arrives, and that answer ("queued") must not hide the end.
   */
  private readonly recentJobs = new Map<string, ExportJob>();

  constructor(
    readonly api: AnnotatorApi,
    options: EditorOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.camera = new Camera(() => this.bump('cameraVersion'));
    const predict = (body: PredictBody, signal: AbortSignal) => {
      const image = this.state.image;
      if (!image) return Promise.reject(new Error('No image is open'));
      return this.api.predict(image.id, body, signal);
    };
    this.prompt = new PromptSession(predict, {
      maxPoints: () => this.state.session?.limits.maxPoints ?? 64,
      onChange: (prompt) => {
        this.store.set({ prompt });
        this.tool.sync();
      },
      onAnswer: (clientMs, response) =>
        this.setStatus({
          lastPredict: { clientMs, serverMs: response.elapsedMs, cached: response.cached },
          // A mask came back: the model works again, whatever an earlier event said.
          ...(this.state.status.model?.ok === false ? { model: { ok: true, message: null } } : {}),
        }),
      now: () => this.clock.now(),
    });
    this.hover = new HoverPreview(
      predict,
      (hover) => this.store.set({ hover }),
      options.hoverIntervalMs ?? 80,
      this.clock,
    );
    this.history = new HistoryClient(this.api, this.changes, (change) => this.applyChange(change));
    this.list = new ImageListModel(this.api, () => this.bump('listVersion'), {
      pageSize: options.pageSize ?? 100,
    });
    this.tool = new ToolMachine(this.toolHost());
  }

  get state(): Readonly<EditorState> {
    return this.store.state;
  }

  // ---- startup and images ------------------------------------------------------------

  /** Loads the session, classes and the first page, then opens `imageId` or the first image. */
  async init(imageId?: number): Promise<void> {
    try {
      const [session, classes] = await Promise.all([this.api.session(), this.api.listClasses()]);
      this.store.set({
        session,
        classes: sortClasses(classes),
        currentClassId: sortClasses(classes)[0]?.id ?? null,
        view: { ...this.state.view, hoverPreview: session.model.kind !== 'default' },
        fatal: null,
      });
    } catch (error) {
      this.store.set({ fatal: describeError(error) });
      return;
    }
    await this.list.setFilters({});
    const first = this.list.get(0)?.id;
    if (imageId !== undefined) await this.openImage(imageId);
    // A remembered image that is gone (or none asked for): start at the first one.
    if (!this.state.image && first !== undefined) await this.openImage(first);
  }

  /** Opens an image; a newer call wins over one still loading. The open image stays as is. */
  openImage(id: number): Promise<void> {
    if (id === this.state.image?.id && this.state.loadingImageId === null) return Promise.resolve();
    const { seq, signal } = this.imageLoads.next();
    this.store.set({ loadingImageId: id, imageError: null });
    const load = this.api.image(id, signal).then(
      (detail) => {
        if (!this.imageLoads.isCurrent(seq)) return;
        this.imageLoads.settle(seq);
        this.hover.stop();
        this.prompt.clear();
        this.history.reset(detail.history);
        this.store.set({
          image: detail,
          objects: detail.objects,
          history: detail.history,
          selectedObjectId: null,
          hidden: new Set(),
          hover: null,
          loadingImageId: null,
        });
        this.camera.setImage(detail.width, detail.height);
      },
      (error: unknown) => {
        if (isAbort(error) || !this.imageLoads.isCurrent(seq)) return;
        this.store.set({ loadingImageId: null, imageError: describeError(error) });
        this.notify('error', describeError(error));
      },
    );
    const tracked = load.finally(() => {
      if (this.loading === tracked) this.loading = null;
    });
    this.loading = tracked;
    return tracked;
  }

  /** Next (+1) or previous (-1) image: in the filtered list when a filter is on. */
  async go(delta: 1 | -1): Promise<void> {
    if (this.loading) await this.loading;
    const image = this.state.image;
    if (!image) return;
    let id: number | null = null;
    if (this.list.isFiltered) id = await this.list.neighbour(image.id, delta);
    if (id === null && (!this.list.isFiltered || this.list.indexOf(image.id) < 0)) {
      id = delta > 0 ? image.nextId : image.previousId;
    }
    if (id === null) {
      this.notify('info', delta > 0 ? 'This is the last image' : 'This is the first image');
      return;
    }
    await this.openImage(id);
  }

  /** Jump by 1-based number or by path; clears filters so the list shows the image in place. */
  async jumpTo(query: string): Promise<void> {
    const text = query.trim();
    if (!text) return;
    try {
      const where = /^\d+$/.test(text) ? { index: Number(text) - 1 } : { path: text };
      const position = await this.api.imagePosition(where);
      if (this.list.isFiltered) await this.setFilters({});
      await this.openImage(position.id);
    } catch (error) {
      this.notify('error', describeError(error));
    }
  }

  setFilters(filters: ImageFilters): Promise<void> {
    return this.list.setFilters(filters);
  }

  // ---- prompt ---------------------------------------------------------------------------

  get canPrompt(): boolean {
    return (
      this.state.image !== null && this.state.loadingImageId === null && !this.state.view.review
    );
  }

  addPoint(p: Vec, label: 0 | 1): void {
    if (!this.canPrompt || !this.camera.isInsideImage(p)) return;
    this.hover.stop();
    void this.prompt.addPoint(p.x, p.y, label);
  }

  /** Accepts the active candidate: a new object of the current class, or the refined object. */
  async accept(): Promise<void> {
    const image = this.state.image;
    const candidate = this.prompt.activeCandidate;
    if (!image || !candidate) return;
    const target = this.prompt.editingObjectId;
    const classId = this.state.currentClassId;
    if (target === null && classId === null) {
      this.notify('error', 'Create or pick a class first (k opens the class picker)');
      return;
    }
    const prompts = this.prompt.body(false);
    const kind = this.state.session?.model.kind;
    const change = await this.change(() =>
      target === null
        ? this.api.createObject(image.id, {
            classId: classId!,
            rle: candidate.rle,
            score: candidate.predictedIou,
            source: kind === 'default' ? 'default' : 'sam',
            prompts: { points: prompts.points, ...(prompts.box ? { box: prompts.box } : {}) },
          })
        : this.api.updateObject(target, { rle: candidate.rle, score: candidate.predictedIou }),
    );
    // Keep the prompt if the user already moved on to another one while this was saving.
    if (change && this.prompt.activeCandidate === candidate) this.prompt.clear();
  }

  /** Esc / x: drop the gesture, else the prompt, else the selection. */
  clearPrompt(): void {
    if (this.tool.cancelGesture()) {
      this.bump('gestureVersion');
      return;
    }
    if (this.prompt.hasPrompt) {
      this.prompt.clear();
      return;
    }
    this.hover.stop();
    this.select(null);
  }

  /** Digits: a candidate while prompting; otherwise a class (and the selected object's class). */
  pickDigit(n: number): void {
    if (this.prompt.snapshot().candidates.length > 0) {
      this.prompt.pick(n - 1);
      return;
    }
    const cls = this.state.classes[n - 1];
    if (!cls) return;
    this.setCurrentClass(cls.id);
    const selected = this.selectedObject;
    if (selected && selected.classId !== cls.id) void this.changeObjectClass(selected.id, cls.id);
  }

  setTool(tool: ToolMode): void {
    this.store.set({ tool });
  }

  /**
   * Refine the selected object: its stored prompts plus new clicks (an imported object has none,
   * so its box frames the new clicks); accept saves the new mask over it.
   */
  editSelected(): void {
    const object = this.selectedObject;
    if (!object || !this.canPrompt) return;
    const [x, y, w, h] = object.bbox;
    this.hover.stop();
    this.prompt.edit(
      object.id,
      object.prompts ?? { points: [], box: { x0: x, y0: y, x1: x + w, y1: y + h } },
    );
  }

  // ---- objects --------------------------------------------------------------------------

  get selectedObject(): ObjectDto | null {
    const id = this.state.selectedObjectId;
    return id === null ? null : (this.state.objects.find((o) => o.id === id) ?? null);
  }

  select(id: number | null): void {
    this.store.set({ selectedObjectId: id });
  }

  /** Selects the smallest visible object under the point, or clears the selection. */
  selectAt(p: Vec): void {
    let best: ObjectDto | null = null;
    for (const object of this.state.objects) {
      if (this.state.hidden.has(object.id)) continue;
      const [x, y, w, h] = object.bbox;
      if (p.x < x || p.y < y || p.x >= x + w || p.y >= y + h) continue;
      if (!rleContains(object.rle, p.x, p.y)) continue;
      if (!best || object.area < best.area) best = object;
    }
    this.select(best?.id ?? null);
  }

  /** Moves the selection through the objects (ArrowDown / ArrowUp). */
  selectNextObject(delta: 1 | -1): void {
    const objects = this.state.objects;
    if (objects.length === 0) return;
    const at = objects.findIndex((o) => o.id === this.state.selectedObjectId);
    const next =
      at < 0
        ? delta > 0
          ? 0
          : objects.length - 1
        : (at + delta + objects.length) % objects.length;
    this.select(objects[next]!.id);
  }

  toggleHidden(id = this.state.selectedObjectId): void {
    if (id === null) return;
    const hidden = new Set(this.state.hidden);
    if (hidden.has(id)) hidden.delete(id);
    else hidden.add(id);
    this.store.set({ hidden });
  }

  async deleteObject(id = this.state.selectedObjectId): Promise<void> {
    if (id === null) return;
    await this.change(() => this.api.deleteObject(id));
  }

  async clearObjects(): Promise<void> {
    const image = this.state.image;
    if (!image || this.state.objects.length === 0) return;
    const n = this.state.objects.length;
    const change = await this.change(() => this.api.clearObjects(image.id));
    if (change) this.notify('info', `Removed ${n} object${n === 1 ? '' : 's'} (z undoes)`);
  }

  async changeObjectClass(objectId: number, classId: number): Promise<void> {
    await this.change(() => this.api.updateObject(objectId, { classId }));
  }

  /** z: the last prompt point or box first, then the image's saved history. */
  async undo(): Promise<void> {
    if (this.prompt.undoLast()) return;
    await this.historyStep('undo');
  }

  async redo(): Promise<void> {
    await this.historyStep('redo');
  }

  private async historyStep(kind: 'undo' | 'redo'): Promise<void> {
    const image = this.state.image;
    if (!image) return;
    try {
      await this.history[kind](image.id);
    } catch (error) {
      this.notify('error', describeError(error));
    }
  }

  /** Applies a change's answer: the image's objects and history as the store has them now. */
  applyChange(change: ChangeResponse): void {
    const image = this.state.image;
    this.list.patch(change.imageId, { status: change.status, objectCount: change.objects.length });
    if (!image || image.id !== change.imageId) return;
    this.list.countStatusChange(image.status, change.status);
    this.history.reset(change.history);
    const classes = recountClasses(this.state.classes, this.state.objects, change.objects);
    const ids = new Set(change.objects.map((o) => o.id));
    const selected = this.state.selectedObjectId;
    this.store.set({
      image: { ...image, status: change.status, objectCount: change.objects.length },
      objects: change.objects,
      history: change.history,
      selectedObjectId: selected !== null && ids.has(selected) ? selected : null,
      hidden: new Set([...this.state.hidden].filter((id) => ids.has(id))),
      classes,
    });
  }

  // ---- image status -----------------------------------------------------------------------

  /** Marks the image done / faulty; pressing again returns it to in progress (or new). */
  async toggleImageStatus(status: Extract<ImageStatus, 'done' | 'faulty'>): Promise<void> {
    const image = this.state.image;
    if (!image) return;
    const next: ImageStatus =
      image.status === status ? (this.state.objects.length > 0 ? 'in_progress' : 'new') : status;
    try {
      const answer = await this.api.setStatus(image.id, next);
      const current = this.state.image;
      this.list.patch(image.id, { status: answer.status });
      if (current?.id !== image.id) return;
      this.list.countStatusChange(current.status, answer.status);
      this.store.set({ image: { ...current, status: answer.status, note: answer.note } });
    } catch (error) {
      this.notify('error', describeError(error));
    }
  }

  // ---- classes ----------------------------------------------------------------------------

  setCurrentClass(id: number): void {
    if (this.state.classes.some((c) => c.id === id)) this.store.set({ currentClassId: id });
  }

  get currentClass(): ClassDto | null {
    return this.state.classes.find((c) => c.id === this.state.currentClassId) ?? null;
  }

  classById(id: number): ClassDto | undefined {
    return this.state.classes.find((c) => c.id === id);
  }

  /** Creates a class and makes it current. The server answers with every class. */
  async createClass(name: string, color?: string): Promise<ClassDto | null> {
    try {
      const known = new Set(this.state.classes.map((c) => c.id));
      const classes = await this.api.createClass(color ? { name, color } : { name });
      const created = classes.find((c) => !known.has(c.id));
      if (!created) throw new Error(`The server did not list the new class "${name}"`);
      this.store.set({ classes: sortClasses(classes), currentClassId: created.id });
      return created;
    } catch (error) {
      this.notify('error', describeError(error));
      return null;
    }
  }

  async updateClass(id: number, body: UpdateClassBody): Promise<void> {
    try {
      this.store.set({ classes: sortClasses(await this.api.updateClass(id, body)) });
    } catch (error) {
      this.notify('error', describeError(error));
    }
  }

  // ---- view -------------------------------------------------------------------------------

  setView(patch: Partial<ViewOptions>): void {
    const view = { ...this.state.view, ...patch };
    view.opacity = Math.min(1, Math.max(0, Math.round(view.opacity * 100) / 100));
    this.store.set({ view });
    if (patch.hoverPreview === false || patch.review) this.hover.stop();
    if (patch.review) this.prompt.clear();
  }

  toggleView(key: BooleanViewKey): void {
    this.setView({ [key]: !this.state.view[key] });
  }

  openOverlay(overlay: Overlay): void {
    this.store.set({ overlay: this.state.overlay === overlay ? 'none' : overlay });
  }

  closeOverlay(): void {
    this.store.set({ overlay: 'none' });
  }

  requestFocus(target: 'search' | 'jump' | 'class-search'): void {
    this.store.set({ focus: { target, n: ++this.focusCount } });
  }

  // ---- notices ------------------------------------------------------------------------------

  notify(kind: Toast['kind'], text: string): void {
    const toast: Toast = { id: ++this.toastCount, kind, text };
    this.store.set({ toasts: [...this.state.toasts.slice(-4), toast] });
  }

  dismissToast(id: number): void {
    this.store.set({ toasts: this.state.toasts.filter((t) => t.id !== id) });
  }

  // ---- server events and exports ---------------------------------------------------------

  setConnection(connection: ConnectionState): void {
    this.setStatus({ connection });
  }

  applyServerEvent<K extends ServerEventName>(name: K, data: ServerEvents[K]): void {
    switch (name) {
      case 'memory':
        this.setStatus({ memory: data as ServerEvents['memory'] });
        return;
      case 'cache':
        this.setStatus({ cache: data as ServerEvents['cache'] });
        return;
      case 'prefetch':
        this.setStatus({ prefetch: data as ServerEvents['prefetch'] });
        return;
      case 'model':
        this.setStatus({ model: data as ServerEvents['model'] });
        return;
      case 'job': {
        const job = data as ServerEvents['job'];
        this.recentJobs.delete(job.id);
        this.recentJobs.set(job.id, job);
        if (this.recentJobs.size > 20) this.recentJobs.delete(this.recentJobs.keys().next().value!);
        if (this.state.exportJob?.id === job.id) this.store.set({ exportJob: job });
        return;
      }
    }
  }

  async startExport(body: ExportBody): Promise<void> {
    try {
      const job = await this.api.startExport(body);
      // Events are never older than the answer: the server publishes "queued" before answering.
      this.store.set({ exportJob: this.recentJobs.get(job.id) ?? job });
      this.scheduleExportPoll();
    } catch (error) {
      this.notify('error', describeError(error));
    }
  }

  /** Job events come over SSE; while the stream is down the job is polled instead. */
  private scheduleExportPoll(): void {
    if (this.exportPoll !== null) return;
    this.exportPoll = this.clock.setTimeout(() => {
      this.exportPoll = null;
      const job = this.state.exportJob;
      if (!job || job.state === 'done' || job.state === 'failed') return;
      if (this.state.status.connection === 'open') {
        this.scheduleExportPoll();
        return;
      }
      this.api.exportJob(job.id).then(
        (fresh) => {
          if (this.state.exportJob?.id === fresh.id) this.store.set({ exportJob: fresh });
          this.scheduleExportPoll();
        },
        (error: unknown) => this.notify('error', describeError(error)),
      );
    }, 1000);
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Runs one change through the queue, applies its answer, reports its error. */
  private async change(run: () => Promise<ChangeResponse>): Promise<ChangeResponse | null> {
    this.store.set({ pendingChanges: this.state.pendingChanges + 1 });
    try {
      const change = await this.changes.run(run);
      this.applyChange(change);
      return change;
    } catch (error) {
      this.notify('error', describeError(error));
      return null;
    } finally {
      this.store.set({ pendingChanges: this.state.pendingChanges - 1 });
    }
  }

  private setStatus(patch: Partial<EditorState['status']>): void {
    this.store.set({ status: { ...this.state.status, ...patch } });
  }

  private bump(key: 'listVersion' | 'cameraVersion' | 'gestureVersion'): void {
    this.store.set({ [key]: this.state[key] + 1 });
  }

  private toolHost(): ToolHost {
    return {
      mode: () => this.state.tool,
      hoverEnabled: () => this.state.view.hoverPreview,
      editingObjectId: () => this.prompt.editingObjectId,
      hasPrompt: () => this.prompt.hasPrompt,
      canPrompt: () => this.canPrompt,
      addPoint: (p, label) => this.addPoint(p, label),
      setBox: (box) => {
        if (!this.canPrompt) return;
        const { width, height } = this.camera.imageSize;
        const x = (v: number) => Math.min(width, Math.max(0, v));
        const y = (v: number) => Math.min(height, Math.max(0, v));
        const clipped = { x0: x(box.x0), y0: y(box.y0), x1: x(box.x1), y1: y(box.y1) };
        if (clipped.x0 === clipped.x1 || clipped.y0 === clipped.y1) return;
        this.hover.stop();
        void this.prompt.setBox(clipped);
      },
      selectAt: (p) => this.selectAt(p),
      panBy: (dx, dy) => this.camera.panBy(dx, dy),
      hoverAt: (p) => {
        if (this.camera.isInsideImage(p)) this.hover.move(p);
        else this.hover.stop();
      },
      hoverEnd: () => this.hover.stop(),
    };
  }
}

/** Class object counts after one image's objects changed from `before` to `after`. */
export function recountClasses(
  classes: readonly ClassDto[],
  before: readonly ObjectDto[],
  after: readonly ObjectDto[],
): readonly ClassDto[] {
  const delta = new Map<number, number>();
  for (const o of before) delta.set(o.classId, (delta.get(o.classId) ?? 0) - 1);
  for (const o of after) delta.set(o.classId, (delta.get(o.classId) ?? 0) + 1);
  if ([...delta.values()].every((d) => d === 0)) return classes;
  return classes.map((c) => {
    const d = delta.get(c.id) ?? 0;
    return d === 0 ? c : { ...c, objectCount: Math.max(0, c.objectCount + d) };
  });
}

function sortClasses(classes: readonly ClassDto[]): ClassDto[] {
  return [...classes].sort((a, b) => a.position - b.position || a.id - b.id);
}
