/**
 * The HTTP contract between server/ and web/: request and response bodies, as types only.
 * The server validates every request against schemas built to match these; the page imports
 * them with `import type` so both sides change together.
 *
 * Coordinates are ORIGINAL image pixels (continuous; pixel (i, j) covers [i, i+1) x [j, j+1)).
 * Masks travel as COCO compressed RLE (`counts` string, column-major, size [h, w]): a
 * 1000x800 mask is typically 1-3 KB, decoded by the page with its own small RLE decoder.
 *
 * Auth: when a token is configured, every request (pages, assets, API, events) must carry it:
 * `Authorization: Bearer <token>`, or `?token=<token>` once (the server answers with an
 * HttpOnly SameSite=Strict cookie `sam_token` that later requests and EventSource use).
 *
 * Errors: every 4xx/5xx body is ApiError.
 */

export interface ApiError {
  error: {
    /** Stable machine code, e.g. "bad_request", "not_found", "payload_too_large", "unauthorized". */
    code: string;
    /** One clear sentence naming the field or value. */
    message: string;
    /** JSON path of the offending field when there is one, e.g. "points[3].x". */
    field?: string;
  };
}

export type ImageStatus = 'new' | 'in_progress' | 'done' | 'faulty' | 'broken';
export type ObjectSource = 'sam' | 'default' | 'manual' | 'import' | 'auto';
export type MemoryLevel = 'normal' | 'warning' | 'critical';

export interface Rle {
  size: [height: number, width: number];
  counts: string;
}

export type Bbox = [x: number, y: number, width: number, height: number];

/** GET /api/session */
export interface SessionInfo {
  version: string;
  dataset: { root: string; imageCount: number };
  model: {
    id: string;
    kind: 'sam1' | 'sam2' | 'default';
    /** Human-readable, e.g. "MobileSAM (cpu)" or "built-in default segmenter (no model files)". */
    label: string;
    /** Execution provider in use: "cpu", "cuda", ... ; "none" for the default segmenter. */
    provider: string;
    /** Shown in the page when set, e.g. why no SAM model is used. */
    notice: string | null;
  };
  limits: { maxPoints: number; maxBodyBytes: number };
  memory: { warningThreshold: number; criticalThreshold: number };
  validation: { minArea: number; maxOverlap: number };
}

/** GET /api/classes -> ClassDto[] (by position) */
export interface ClassDto {
  id: number;
  name: string;
  color: string;
  position: number;
  objectCount: number;
}
/** POST /api/classes -> ClassDto[] (the whole list, by position) */
export interface CreateClassBody {
  name: string;
  color?: string;
}
/** PATCH /api/classes/:id (any subset) -> ClassDto[] */
export interface UpdateClassBody {
  name?: string;
  color?: string;
  position?: number;
}
/** DELETE /api/classes/:id?reassignTo=ID (required when the class has objects) -> ClassDto[] */

/** GET /api/images?offset=0&limit=100&status=done&classId=3&search=cat */
export interface ImageListQuery {
  offset?: number;
  limit?: number;
  status?: ImageStatus;
  classId?: number;
  search?: string;
}
export interface ImageSummary {
  id: number;
  path: string;
  width: number | null;
  height: number | null;
  status: ImageStatus;
  objectCount: number;
  /** Versioned by the file's stamp: cached for good, changes when the file does. */
  thumbnailUrl: string;
}
export interface ImageListResponse {
  /** Matching images in total (for the virtualised list's height). */
  total: number;
  offset: number;
  items: ImageSummary[];
  /** Counts per status over the whole dataset. */
  statusCounts: Record<ImageStatus, number>;
}
/** GET /api/images/position?path=... or ?index=N (jump to image): -> { index, id } */
export interface ImagePosition {
  index: number;
  id: number;
}

export interface ObjectWarning {
  kind: 'small_area' | 'overlap' | 'mask_size';
  message: string;
  /** For overlap: the other object. */
  otherObjectId?: number;
}

export interface ObjectDto {
  id: number;
  imageId: number;
  classId: number;
  rle: Rle;
  bbox: Bbox;
  area: number;
  score: number | null;
  source: ObjectSource;
  /** The prompts that made the object, to refine it later; null for imported or manual ones. */
  prompts: ObjectPrompts | null;
  createdAt: string;
  updatedAt: string;
  warnings: ObjectWarning[];
}

export interface ObjectPrompts {
  points: { x: number; y: number; label: 0 | 1 }[];
  box?: { x0: number; y0: number; x1: number; y1: number };
}

export interface HistoryState {
  undoCount: number;
  redoCount: number;
}

/**
 * GET /api/images/:id — opening an image starts its encode (on-screen priority) and the
 * prefetch of the next images.
 */
export interface ImageDetail extends ImageSummary {
  width: number;
  height: number;
  note: string;
  /** Index in the unfiltered list, and neighbours for n / p. */
  index: number;
  previousId: number | null;
  nextId: number | null;
  objects: ObjectDto[];
  history: HistoryState;
  /** The display picture: GET /api/images/:id/display (Cache-Control + ETag). */
  display: { width: number; height: number; url: string };
  /** Present for images bigger than the display size: GET .../tiles/:level/:col/:row */
  tiles: { tileSize: number; levels: { level: number; width: number; height: number }[] } | null;
}

/** POST /api/images/:id/predict */
export interface PredictBody {
  /** label 1 positive, 0 negative; at most SessionInfo.limits.maxPoints. */
  points: { x: number; y: number; label: 0 | 1 }[];
  box?: { x0: number; y0: number; x1: number; y1: number };
  /** Refine: the refineToken of an earlier candidate (its low-res logits stay on the server). */
  refineToken?: string;
}
export interface CandidateDto {
  rle: Rle;
  bbox: Bbox;
  area: number;
  predictedIou: number;
  stabilityScore: number;
  /** Pass back as PredictBody.refineToken to refine this candidate; null when not refinable. */
  refineToken: string | null;
}
export interface PredictResponse {
  /** Best first; all the model produced. */
  candidates: CandidateDto[];
  /** Server-side time for this answer, ms, and whether it came from the prediction cache. */
  elapsedMs: number;
  cached: boolean;
}

/** POST /api/images/:id/objects */
export interface CreateObjectBody {
  classId: number;
  rle: Rle;
  score?: number | null;
  source: ObjectSource;
  prompts?: ObjectPrompts | null;
}
/** PATCH /api/objects/:id */
export interface UpdateObjectBody {
  classId?: number;
  rle?: Rle;
  score?: number | null;
  /** The prompts of a refined mask. */
  prompts?: ObjectPrompts | null;
}
/**
 * Answer of every change (create/update/delete object, clear image, undo, redo): the image's
 * objects after the change, so the page never drifts from the store.
 */
export interface ChangeResponse {
  imageId: number;
  objects: ObjectDto[];
  history: HistoryState;
  status: ImageStatus;
  /** The object created or updated, when there is one. */
  objectId: number | null;
}
/** DELETE /api/objects/:id, DELETE /api/images/:id/objects (clear all), POST /api/images/:id/undo|redo -> ChangeResponse */

/** PUT /api/images/:id/status */
export interface SetStatusBody {
  status: ImageStatus;
  note?: string;
}
export interface SetStatusResponse {
  id: number;
  status: ImageStatus;
  note: string;
}

/** POST /api/exports */
export interface ExportBody {
  format: 'coco' | 'yolo' | 'yolo-seg' | 'voc' | 'seed';
  segmentation?: 'rle' | 'polygon' | 'auto';
  /** e.g. { train: 0.8, val: 0.2 } */
  split?: Record<string, number>;
}
export interface ExportJob {
  id: string;
  format: ExportBody['format'];
  state: 'queued' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  /** Folder or file written, on the server's disk. */
  outputPath: string | null;
  /** GET /api/exports/:id/download for single-file formats (COCO JSON). */
  downloadUrl: string | null;
  warnings: string[];
  error: string | null;
}
/** GET /api/exports/:id -> ExportJob */

/** GET /api/stats */
export interface StatsDto {
  classes: {
    id: number;
    name: string;
    color: string;
    objects: number;
    totalArea: number;
    meanArea: number;
  }[];
  objectsPerImage: { objects: number; images: number }[];
  imagesByStatus: Record<ImageStatus, number>;
  averageVertices: number | null;
  /** Objects created per day (UTC date). */
  rate: { date: string; objects: number }[];
  totals: { images: number; objects: number; annotatedImages: number };
}

/** GET /api/events (text/event-stream). `event:` names and their `data:` JSON. */
export interface ServerEvents {
  memory: {
    level: MemoryLevel;
    usedBytes: number;
    budgetBytes: number;
    ratio: number;
    gpu: { usedBytes: number; totalBytes: number } | null;
  };
  cache: {
    embeddings: { hits: number; misses: number; bytes: number; entries: number };
    predictions: { hits: number; misses: number; entries: number };
    hitRate: number;
  };
  prefetch: { queued: number; running: number; done: number };
  job: ExportJob;
  /** The model failed to load or run: the page shows a banner. */
  model: { ok: boolean; message: string | null };
}
