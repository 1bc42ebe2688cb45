import { wheelZoomFactor } from '../../editor/camera';
import type { Editor } from '../../editor/editor';
import type { EditorState } from '../../editor/editor-state';
import type { PointerInput } from '../../editor/tool-machine';
import { h, on } from '../dom';
import {
  drawBoxes,
  drawCandidates,
  drawLabels,
  drawObjectMasks,
  drawPrompt,
  type SceneInput,
} from './draw-scene';
import { ImageLayer } from './image-layer';
import { MaskSprites } from './mask-sprites';

const REDRAW_ON: (keyof EditorState)[] = [
  'image',
  'objects',
  'prompt',
  'hover',
  'view',
  'classes',
  'currentClassId',
  'selectedObjectId',
  'hidden',
  'cameraVersion',
  'gestureVersion',
  'loadingImageId',
];

/**
 * The annotation surface: one canvas (two panes side by side in review mode: the picture, and
 * the masks alone), pointer and wheel input forwarded to the editor's tool machine and camera,
 * and a render pass on the next animation frame after anything it shows changed.
 */
export class CanvasView {
  readonly el: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly images: ImageLayer;
  private readonly sprites: MaskSprites;
  private readonly loadingBadge: HTMLDivElement;
  private readonly message: HTMLDivElement;
  private readonly hint: HTMLDivElement;
  private readonly zoomBadge: HTMLDivElement;
  private frame = 0;
  private size = { width: 1, height: 1 };
  private space = false;
  private cursor: { i: number; j: number } | null = null;
  /** Whether the canvas is laid out as two review panes (follows view.review on resize). */
  private reviewLayout = false;

  constructor(private readonly editor: Editor) {
    this.canvas = h('canvas', { testid: 'canvas', tabindex: 0, 'aria-label': 'Image' });
    this.ctx = this.canvas.getContext('2d')!;
    this.loadingBadge = h('div', {
      class: 'canvas-overlay loading-badge',
      testid: 'image-loading',
      hidden: true,
    });
    this.message = h('div', {
      class: 'canvas-overlay canvas-message',
      testid: 'canvas-message',
      hidden: true,
    });
    this.hint = h('div', { class: 'canvas-overlay hint', testid: 'canvas-hint' });
    this.zoomBadge = h('div', { class: 'canvas-overlay zoom-badge', testid: 'zoom-badge' });
    this.el = h(
      'div',
      { class: 'canvas-view', testid: 'canvas-view' },
      this.canvas,
      this.loadingBadge,
      this.message,
      this.hint,
      this.zoomBadge,
    );
    this.images = new ImageLayer(editor.api, () => this.requestRender());
    this.sprites = new MaskSprites(
      () => editor.camera.imageSize.width,
      () => editor.camera.imageSize.height,
    );
    this.bindInput();
    new ResizeObserver(() => this.resize()).observe(this.el);
    editor.store.subscribe((state, changed) => {
      if (changed.has('image')) this.sprites.clear();
      if (changed.has('view') && state.view.review !== this.reviewLayout) this.resize(true);
      this.updateOverlays(state);
      this.requestRender();
    }, REDRAW_ON);
    this.updateOverlays(editor.state);
  }

  /** Space held: every drag pans (the keyboard handler tells us). */
  setSpace(held: boolean): void {
    this.space = held;
    this.el.classList.toggle('space', held);
  }

  focus(): void {
    this.canvas.focus({ preventScroll: true });
  }

  requestRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private resize(refit = false): void {
    const rect = this.el.getBoundingClientRect();
    const dpr = globalThis.devicePixelRatio || 1;
    this.size = { width: Math.max(1, rect.width), height: Math.max(1, rect.height) };
    this.canvas.width = Math.round(this.size.width * dpr);
    this.canvas.height = Math.round(this.size.height * dpr);
    this.reviewLayout = this.editor.state.view.review;
    const paneWidth = this.reviewLayout ? this.size.width / 2 : this.size.width;
    this.editor.camera.setViewport(paneWidth, this.size.height);
    if (refit) this.editor.camera.fit();
    this.requestRender();
  }

  private render(): void {
    const { ctx, editor } = this;
    const state = editor.state;
    const dpr = globalThis.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const detail = state.image;
    if (!detail) {
      delete this.el.dataset.drawnImage;
      return;
    }
    const tool = editor.tool.state;
    const scene: SceneInput = {
      state,
      camera: editor.camera,
      sprites: this.sprites,
      classes: new Map(state.classes.map((c) => [c.id, c])),
      dragBox: tool.kind === 'dragging-box' ? { start: tool.start, end: tool.end } : null,
    };
    const pane = this.reviewLayout ? this.size.width / 2 : this.size.width;
    // Pane 1: the picture with everything on it (in review: the picture alone).
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, 0, pane, this.size.height);
    ctx.clip();
    this.images.draw(ctx, editor.camera, detail);
    // Which image's picture is on screen, for people's tools and the browser tests.
    const drawn = this.images.isReady(detail) ? String(detail.id) : '';
    if (this.el.dataset.drawnImage !== drawn) this.el.dataset.drawnImage = drawn;
    if (!this.reviewLayout) {
      if (state.view.showMasks) drawObjectMasks(ctx, scene);
      drawCandidates(ctx, scene);
      if (state.view.showBoxes) drawBoxes(ctx, scene);
      if (state.view.showLabels) drawLabels(ctx, scene);
      drawPrompt(ctx, scene);
    }
    ctx.restore();
    if (this.reviewLayout) {
      // Pane 2: masks only, solid, on black, same camera (moves with pane 1).
      ctx.save();
      ctx.translate(pane, 0);
      ctx.beginPath();
      ctx.rect(0, 0, pane, this.size.height);
      ctx.clip();
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, pane, this.size.height);
      const o = editor.camera.offset;
      ctx.strokeStyle = '#333a46';
      ctx.strokeRect(
        o.x,
        o.y,
        detail.width * editor.camera.scale,
        detail.height * editor.camera.scale,
      );
      drawObjectMasks(ctx, scene, true);
      if (state.view.showLabels) drawLabels(ctx, scene);
      ctx.restore();
      ctx.fillStyle = '#2c313c';
      ctx.fillRect(pane - 0.5, 0, 1, this.size.height);
    }
  }

  private updateOverlays(state: Readonly<EditorState>): void {
    this.loadingBadge.hidden = state.loadingImageId === null;
    this.loadingBadge.textContent = 'Loading image…';
    const message = state.image
      ? null
      : state.imageError
        ? `Could not open the image: ${state.imageError}`
        : state.loadingImageId === null
          ? 'No image to show. Check the filters or the dataset folder.'
          : null;
    this.message.hidden = message === null;
    this.message.textContent = message ?? '';
    this.hint.textContent = this.hintText(state);
    this.updateZoomBadge();
  }

  private updateZoomBadge(): void {
    const zoom = `${Math.round(this.editor.camera.scale * 100)}%`;
    this.zoomBadge.textContent = this.cursor
      ? `x ${this.cursor.i}  y ${this.cursor.j} · ${zoom}`
      : zoom;
  }

  private hintText(state: Readonly<EditorState>): string {
    if (!state.image) return '';
    if (state.view.review)
      return 'Review: picture | masks · drag to pan · wheel to zoom · r to return';
    if (state.prompt.target !== null) {
      return `Refining object #${state.prompt.target} · click adds, right-click removes · a saves · Esc cancels`;
    }
    if (state.prompt.points.length > 0 || state.prompt.box) {
      return 'a / Enter accept · Tab next candidate · right-click exclude · z undo point · Esc clear';
    }
    return state.tool === 'box'
      ? 'Drag: box · click: point · right-click: exclude · Shift+click: select · w: points tool'
      : 'Click: object · right-click: exclude · Shift+drag: box · Shift+click: select · drag: pan';
  }

  private bindInput(): void {
    const { canvas, editor } = this;
    on(canvas, 'contextmenu', (e) => e.preventDefault());
    on(canvas, 'pointerdown', (e) => {
      canvas.focus({ preventScroll: true });
      canvas.setPointerCapture(e.pointerId);
      editor.tool.pointerDown(this.input(e));
      this.afterGesture();
    });
    on(canvas, 'pointermove', (e) => {
      const input = this.input(e);
      this.cursor = editor.camera.isInsideImage(input.image)
        ? editor.camera.pixelAt(input.screen.x, input.screen.y)
        : null;
      this.updateZoomBadge();
      editor.tool.pointerMove(input);
      this.afterGesture();
    });
    on(canvas, 'pointerup', (e) => {
      editor.tool.pointerUp(this.input(e));
      this.afterGesture();
    });
    on(canvas, 'pointercancel', () => {
      editor.tool.pointerLeave();
      this.afterGesture();
    });
    on(canvas, 'pointerleave', () => {
      this.cursor = null;
      this.updateZoomBadge();
      if (editor.tool.state.kind === 'hover' || editor.tool.state.kind === 'idle')
        editor.tool.pointerLeave();
    });
    on(
      canvas,
      'wheel',
      (e) => {
        e.preventDefault();
        const p = this.panePoint(e);
        editor.camera.zoomAt(p.x, p.y, wheelZoomFactor(e.deltaY, e.deltaMode));
      },
      { passive: false },
    );
  }

  private afterGesture(): void {
    this.el.classList.toggle('panning', this.editor.tool.state.kind === 'panning');
    this.requestRender();
  }

  /** Canvas point inside its pane (review mode: both panes share one camera). */
  private panePoint(e: MouseEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    let x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    if (this.reviewLayout && x >= rect.width / 2) x -= rect.width / 2;
    return { x, y };
  }

  private input(e: PointerEvent): PointerInput {
    const screen = this.panePoint(e);
    return {
      screen,
      image: this.editor.camera.toImage(screen.x, screen.y),
      button: e.button < 0 ? 0 : e.button,
      alt: e.altKey,
      shift: e.shiftKey,
      space: this.space,
    };
  }
}
