import type {
  CandidateDto,
  ClassDto,
  ExportJob,
  HistoryState,
  ImageDetail,
  ObjectDto,
  ServerEvents,
  SessionInfo,
} from '../api/types';
import type { ConnectionState } from '../api/events';
import { EMPTY_PROMPT, type PromptSnapshot } from './prompt-session';
import type { ToolMode } from './tool-machine';

export interface ViewOptions {
  /** Mask fill opacity, 0..1. */
  opacity: number;
  showMasks: boolean;
  showBoxes: boolean;
  showLabels: boolean;
  showPoints: boolean;
  /** Ask for the mask under the cursor before the first click. */
  hoverPreview: boolean;
  /** Side by side: the picture, and the masks alone. */
  review: boolean;
  /** Side panels (image list, classes and objects) shown. */
  panels: boolean;
}

/** The on/off options of the view. */
export type BooleanViewKey = {
  [K in keyof ViewOptions]: ViewOptions[K] extends boolean ? K : never;
}[keyof ViewOptions];

export type Overlay = 'none' | 'help' | 'export' | 'stats' | 'classes';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
}

export interface LatencyInfo {
  /** Click to answer, measured in the page. */
  clientMs: number;
  /** The server's own time for the answer. */
  serverMs: number;
  cached: boolean;
}

export interface StatusInfo {
  connection: ConnectionState;
  memory: ServerEvents['memory'] | null;
  cache: ServerEvents['cache'] | null;
  prefetch: ServerEvents['prefetch'] | null;
  model: ServerEvents['model'] | null;
  lastPredict: LatencyInfo | null;
}

/** A request from an action to the page to move keyboard focus (n counts requests). */
export interface FocusRequest {
  target: 'search' | 'jump' | 'class-search';
  n: number;
}

export interface EditorState {
  session: SessionInfo | null;
  /** Startup failed (server unreachable, unauthorized...): the page shows this instead. */
  fatal: string | null;
  classes: readonly ClassDto[];
  currentClassId: number | null;
  image: ImageDetail | null;
  loadingImageId: number | null;
  imageError: string | null;
  objects: readonly ObjectDto[];
  history: HistoryState;
  selectedObjectId: number | null;
  hidden: ReadonlySet<number>;
  prompt: PromptSnapshot;
  hover: CandidateDto | null;
  tool: ToolMode;
  view: ViewOptions;
  overlay: Overlay;
  status: StatusInfo;
  exportJob: ExportJob | null;
  toasts: readonly Toast[];
  /** Changes made and not yet answered by the server. */
  pendingChanges: number;
  focus: FocusRequest | null;
  /** Bumped when the image list's pages, total or filters change. */
  listVersion: number;
  /** Bumped when the camera moves. */
  cameraVersion: number;
  /** Bumped when a pointer gesture changes (drag box drawn live). */
  gestureVersion: number;
}

export const DEFAULT_VIEW: ViewOptions = {
  opacity: 0.45,
  showMasks: true,
  showBoxes: false,
  showLabels: true,
  showPoints: true,
  hoverPreview: true,
  review: false,
  panels: true,
};

export function initialState(): EditorState {
  return {
    session: null,
    fatal: null,
    classes: [],
    currentClassId: null,
    image: null,
    loadingImageId: null,
    imageError: null,
    objects: [],
    history: { undoCount: 0, redoCount: 0 },
    selectedObjectId: null,
    hidden: new Set(),
    prompt: EMPTY_PROMPT,
    hover: null,
    tool: 'points',
    view: { ...DEFAULT_VIEW },
    overlay: 'none',
    status: {
      connection: 'connecting',
      memory: null,
      cache: null,
      prefetch: null,
      model: null,
      lastPredict: null,
    },
    exportJob: null,
    toasts: [],
    pendingChanges: 0,
    focus: null,
    listVersion: 0,
    cameraVersion: 0,
    gestureVersion: 0,
  };
}
