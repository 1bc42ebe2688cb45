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
  PredictBody,
  PredictResponse,
  SessionInfo,
  SetStatusResponse,
  StatsDto,
  UpdateClassBody,
  UpdateObjectBody,
} from './types';

/**
 * Everything the editor asks of the server. ApiClient implements it over HTTP; the headless
 * core depends on this interface only, so it runs without a browser.
 */
export interface AnnotatorApi {
  session(): Promise<SessionInfo>;
  listClasses(): Promise<ClassDto[]>;
  /** Class changes answer with every class (positions and counts included). */
  createClass(body: CreateClassBody): Promise<ClassDto[]>;
  updateClass(id: number, body: UpdateClassBody): Promise<ClassDto[]>;
  deleteClass(id: number, reassignTo?: number): Promise<ClassDto[]>;
  listImages(query: ImageListQuery, signal?: AbortSignal): Promise<ImageListResponse>;
  imagePosition(where: { path: string } | { index: number }): Promise<ImagePosition>;
  image(id: number, signal?: AbortSignal): Promise<ImageDetail>;
  predict(imageId: number, body: PredictBody, signal?: AbortSignal): Promise<PredictResponse>;
  createObject(imageId: number, body: CreateObjectBody): Promise<ChangeResponse>;
  updateObject(objectId: number, body: UpdateObjectBody): Promise<ChangeResponse>;
  deleteObject(objectId: number): Promise<ChangeResponse>;
  clearObjects(imageId: number): Promise<ChangeResponse>;
  undo(imageId: number): Promise<ChangeResponse>;
  redo(imageId: number): Promise<ChangeResponse>;
  setStatus(imageId: number, status: ImageStatus, note?: string): Promise<SetStatusResponse>;
  startExport(body: ExportBody): Promise<ExportJob>;
  exportJob(id: string): Promise<ExportJob>;
  stats(): Promise<StatsDto>;
  /** Resolves a URL the server handed out (display, thumbnail, download) against the API base. */
  resolveUrl(path: string): string;
  tileUrl(imageId: number, level: number, col: number, row: number): string;
}
