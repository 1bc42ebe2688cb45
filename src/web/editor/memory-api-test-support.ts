/**
 * An in-memory AnnotatorApi for the headless tests: the server is written separately, so these
 * tests run the editor against this small model of the contract's behaviour (objects, one undo
 * stack per image, statuses, paging). Masks are made with src/geometry's encoder (test-only).
 */
import { createBitmap, encodeMask, rleArea, rleBbox } from '../../geometry/index.js';
import type { AnnotatorApi } from '../api/annotator-api';
import type {
  ChangeResponse,
  ClassDto,
  CreateClassBody,
  CreateObjectBody,
  ExportBody,
  ExportJob,
  ImageDetail,
  ImageListQuery,
  ImageListResponse,
  ImagePosition,
  ImageStatus,
  ImageSummary,
  ObjectDto,
  PredictBody,
  PredictResponse,
  Rle,
  SessionInfo,
  SetStatusResponse,
  StatsDto,
  UpdateClassBody,
  UpdateObjectBody,
} from '../api/types';

interface StoredImage extends ImageSummary {
  width: number;
  height: number;
  objects: ObjectDto[];
  undo: ObjectDto[][];
  redo: ObjectDto[][];
}

/** A filled rectangle mask, as the server would send it. */
export function rectRle(
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): Rle {
  const mask = createBitmap(width, height);
  for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) mask.data[y * width + x] = 1;
  }
  const rle = encodeMask(mask);
  return { size: [rle.size[0], rle.size[1]], counts: rle.counts };
}

export class MemoryApi implements AnnotatorApi {
  readonly calls: string[] = [];
  readonly predictBodies: PredictBody[] = [];
  images: StoredImage[] = [];
  classes: ClassDto[] = [
    { id: 1, name: 'cat', color: '#ff0000', position: 0, objectCount: 0 },
    { id: 2, name: 'dog', color: '#00ff00', position: 1, objectCount: 0 },
  ];
  kind: SessionInfo['model']['kind'] = 'sam1';
  private nextObjectId = 1;
  private tokenCount = 0;

  constructor(imageCount = 5, width = 40, height = 30) {
    for (let i = 0; i < imageCount; i++) {
      this.images.push({
        id: 100 + i,
        path: `img/${String(i).padStart(3, '0')}.jpg`,
        thumbnailUrl: `/api/images/${100 + i}/thumbnail`,
        width,
        height,
        status: 'new',
        objectCount: 0,
        objects: [],
        undo: [],
        redo: [],
      });
    }
  }

  async session(): Promise<SessionInfo> {
    this.calls.push('session');
    return {
      version: 'test',
      dataset: { root: '/data', imageCount: this.images.length },
      model: { id: 'm', kind: this.kind, label: 'Test model', provider: 'cpu', notice: null },
      limits: { maxPoints: 4, maxBodyBytes: 1 << 20 },
      memory: { warningThreshold: 0.85, criticalThreshold: 0.95 },
      validation: { minArea: 10, maxOverlap: 0.5 },
    };
  }
  async listClasses(): Promise<ClassDto[]> {
    return this.classes.map((c) => ({ ...c }));
  }
  async createClass(body: CreateClassBody): Promise<ClassDto[]> {
    const created: ClassDto = {
      id: Math.max(0, ...this.classes.map((c) => c.id)) + 1,
      name: body.name,
      color: body.color ?? '#0000ff',
      position: this.classes.length,
      objectCount: 0,
    };
    this.classes.push(created);
    return this.listClasses();
  }
  async updateClass(id: number, body: UpdateClassBody): Promise<ClassDto[]> {
    const cls = this.classes.find((c) => c.id === id)!;
    Object.assign(cls, body);
    return this.listClasses();
  }
  async deleteClass(id: number): Promise<ClassDto[]> {
    this.classes = this.classes.filter((c) => c.id !== id);
    return this.listClasses();
  }

  async listImages(query: ImageListQuery): Promise<ImageListResponse> {
    this.calls.push(`list ${query.offset ?? 0} ${query.status ?? ''}`);
    const matching = this.images.filter(
      (i) =>
        (!query.status || i.status === query.status) &&
        (!query.search || i.path.includes(query.search)),
    );
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const statusCounts: Record<ImageStatus, number> = {
      new: 0,
      in_progress: 0,
      done: 0,
      faulty: 0,
      broken: 0,
    };
    for (const i of this.images) statusCounts[i.status]++;
    return {
      total: matching.length,
      offset,
      items: matching.slice(offset, offset + limit).map((i) => this.summary(i)),
      statusCounts,
    };
  }
  async imagePosition(where: { path: string } | { index: number }): Promise<ImagePosition> {
    const index =
      'index' in where ? where.index : this.images.findIndex((i) => i.path === where.path);
    const image = this.images[index];
    if (!image) throw new Error(`No image at ${JSON.stringify(where)}`);
    return { index, id: image.id };
  }
  async image(id: number): Promise<ImageDetail> {
    this.calls.push(`image ${id}`);
    const index = this.images.findIndex((i) => i.id === id);
    const image = this.find(id);
    return {
      ...this.summary(image),
      width: image.width,
      height: image.height,
      note: '',
      index,
      previousId: this.images[index - 1]?.id ?? null,
      nextId: this.images[index + 1]?.id ?? null,
      objects: image.objects,
      history: { undoCount: image.undo.length, redoCount: image.redo.length },
      display: { width: image.width, height: image.height, url: `/api/images/${id}/display` },
      thumbnailUrl: `/api/images/${id}/thumbnail`,
      tiles: null,
    };
  }
  /** A square around the first point (bigger for later candidates); box when given. */
  async predict(imageId: number, body: PredictBody): Promise<PredictResponse> {
    this.predictBodies.push(body);
    const image = this.find(imageId);
    const p = body.points[0] ?? { x: body.box!.x0, y: body.box!.y0 };
    const candidates = [2, 4, 6].map((r) => {
      const x0 = Math.floor(p.x) - r;
      const y0 = Math.floor(p.y) - r;
      const rle = rectRle(image.width, image.height, x0, y0, x0 + 2 * r, y0 + 2 * r);
      return {
        rle,
        bbox: [x0, y0, 2 * r, 2 * r] as [number, number, number, number],
        area: 4 * r * r,
        predictedIou: 1 - r / 10,
        stabilityScore: 0.9,
        refineToken: `t${++this.tokenCount}`,
      };
    });
    return { candidates, elapsedMs: 5, cached: false };
  }
  async createObject(imageId: number, body: CreateObjectBody): Promise<ChangeResponse> {
    const image = this.find(imageId);
    const object: ObjectDto = {
      id: this.nextObjectId++,
      imageId,
      classId: body.classId,
      rle: body.rle,
      bbox: rleBbox(body.rle),
      area: rleArea(body.rle),
      score: body.score ?? null,
      prompts: body.prompts ?? null,
      source: body.source,
      createdAt: '2024-01-01T00:00:00Z',
      updatedAt: '2024-01-01T00:00:00Z',
      warnings: [],
    };
    return this.commit(image, [...image.objects, object], object.id);
  }
  async updateObject(objectId: number, body: UpdateObjectBody): Promise<ChangeResponse> {
    const image = this.images.find((i) => i.objects.some((o) => o.id === objectId))!;
    const objects = image.objects.map((o) =>
      o.id === objectId
        ? {
            ...o,
            ...body,
            ...(body.rle ? { bbox: rleBbox(body.rle), area: rleArea(body.rle) } : {}),
          }
        : o,
    );
    return this.commit(image, objects, objectId);
  }
  async deleteObject(objectId: number): Promise<ChangeResponse> {
    const image = this.images.find((i) => i.objects.some((o) => o.id === objectId))!;
    return this.commit(
      image,
      image.objects.filter((o) => o.id !== objectId),
      null,
    );
  }
  async clearObjects(imageId: number): Promise<ChangeResponse> {
    return this.commit(this.find(imageId), [], null);
  }
  async undo(imageId: number): Promise<ChangeResponse> {
    const image = this.find(imageId);
    const previous = image.undo.pop();
    if (!previous) throw new Error('Nothing to undo');
    image.redo.push(image.objects);
    image.objects = previous;
    return this.answer(image, null);
  }
  async redo(imageId: number): Promise<ChangeResponse> {
    const image = this.find(imageId);
    const next = image.redo.pop();
    if (!next) throw new Error('Nothing to redo');
    image.undo.push(image.objects);
    image.objects = next;
    return this.answer(image, null);
  }
  async setStatus(imageId: number, status: ImageStatus, note = ''): Promise<SetStatusResponse> {
    this.find(imageId).status = status;
    return { id: imageId, status, note };
  }
  async startExport(body: ExportBody): Promise<ExportJob> {
    return {
      id: 'job1',
      format: body.format,
      state: 'queued',
      done: 0,
      total: this.images.length,
      outputPath: null,
      downloadUrl: null,
      warnings: [],
      error: null,
    };
  }
  async exportJob(id: string): Promise<ExportJob> {
    return { ...(await this.startExport({ format: 'coco' })), id, state: 'done' };
  }
  async stats(): Promise<StatsDto> {
    throw new Error('not used');
  }
  resolveUrl(path: string): string {
    return `http://test${path}`;
  }
  tileUrl(imageId: number, level: number, col: number, row: number): string {
    return `http://test/api/images/${imageId}/tiles/${level}/${col}/${row}`;
  }

  private find(id: number): StoredImage {
    const image = this.images.find((i) => i.id === id);
    if (!image) throw new Error(`No image ${id}`);
    return image;
  }
  private summary(i: StoredImage): ImageSummary {
    return {
      id: i.id,
      path: i.path,
      width: i.width,
      height: i.height,
      status: i.status,
      objectCount: i.objects.length,
      thumbnailUrl: i.thumbnailUrl,
    };
  }
  private commit(
    image: StoredImage,
    objects: ObjectDto[],
    objectId: number | null,
  ): ChangeResponse {
    image.undo.push(image.objects);
    image.redo = [];
    image.objects = objects;
    return this.answer(image, objectId);
  }
  private answer(image: StoredImage, objectId: number | null): ChangeResponse {
    if (image.status === 'new' && image.objects.length > 0) image.status = 'in_progress';
    return {
      imageId: image.id,
      objects: image.objects,
      history: { undoCount: image.undo.length, redoCount: image.redo.length },
      status: image.status,
      objectId,
    };
  }
}
