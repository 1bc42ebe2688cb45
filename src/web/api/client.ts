import type { AnnotatorApi } from './annotator-api';
import { ApiRequestError, errorFromResponse, isAbort } from './api-error';
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
  SetStatusBody,
  SetStatusResponse,
  StatsDto,
  UpdateClassBody,
  UpdateObjectBody,
} from './types';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * The HTTP API over fetch. Authentication rides on the server's `sam_token` cookie (set when
 * the page was opened with `?token=`), so requests only need `credentials: 'same-origin'`.
 * Paths are relative to `baseUrl` (the page's folder), so the page works behind a path prefix.
 */
export class ApiClient implements AnnotatorApi {
  private readonly fetchImpl: FetchLike;

  constructor(
    private readonly baseUrl: string,
    fetchImpl?: FetchLike,
  ) {
    this.fetchImpl = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  session(): Promise<SessionInfo> {
    return this.request('GET', 'api/session');
  }
  listClasses(): Promise<ClassDto[]> {
    return this.request('GET', 'api/classes');
  }
  createClass(body: CreateClassBody): Promise<ClassDto[]> {
    return this.request('POST', 'api/classes', body);
  }
  updateClass(id: number, body: UpdateClassBody): Promise<ClassDto[]> {
    return this.request('PATCH', `api/classes/${id}`, body);
  }
  deleteClass(id: number, reassignTo?: number): Promise<ClassDto[]> {
    const query = reassignTo === undefined ? '' : `?reassignTo=${reassignTo}`;
    return this.request('DELETE', `api/classes/${id}${query}`);
  }
  listImages(query: ImageListQuery, signal?: AbortSignal): Promise<ImageListResponse> {
    return this.request('GET', `api/images${queryString(query)}`, undefined, signal);
  }
  imagePosition(where: { path: string } | { index: number }): Promise<ImagePosition> {
    return this.request('GET', `api/images/position${queryString(where)}`);
  }
  image(id: number, signal?: AbortSignal): Promise<ImageDetail> {
    return this.request('GET', `api/images/${id}`, undefined, signal);
  }
  predict(imageId: number, body: PredictBody, signal?: AbortSignal): Promise<PredictResponse> {
    return this.request('POST', `api/images/${imageId}/predict`, body, signal);
  }
  createObject(imageId: number, body: CreateObjectBody): Promise<ChangeResponse> {
    return this.request('POST', `api/images/${imageId}/objects`, body);
  }
  updateObject(objectId: number, body: UpdateObjectBody): Promise<ChangeResponse> {
    return this.request('PATCH', `api/objects/${objectId}`, body);
  }
  deleteObject(objectId: number): Promise<ChangeResponse> {
    return this.request('DELETE', `api/objects/${objectId}`);
  }
  clearObjects(imageId: number): Promise<ChangeResponse> {
    return this.request('DELETE', `api/images/${imageId}/objects`);
  }
  undo(imageId: number): Promise<ChangeResponse> {
    return this.request('POST', `api/images/${imageId}/undo`);
  }
  redo(imageId: number): Promise<ChangeResponse> {
    return this.request('POST', `api/images/${imageId}/redo`);
  }
  setStatus(imageId: number, status: ImageStatus, note?: string): Promise<SetStatusResponse> {
    const body: SetStatusBody = note === undefined ? { status } : { status, note };
    return this.request('PUT', `api/images/${imageId}/status`, body);
  }
  startExport(body: ExportBody): Promise<ExportJob> {
    return this.request('POST', 'api/exports', body);
  }
  exportJob(id: string): Promise<ExportJob> {
    return this.request('GET', `api/exports/${encodeURIComponent(id)}`);
  }
  stats(): Promise<StatsDto> {
    return this.request('GET', 'api/stats');
  }

  resolveUrl(path: string): string {
    return new URL(path, this.baseUrl).toString();
  }
  tileUrl(imageId: number, level: number, col: number, row: number): string {
    return this.resolveUrl(`api/images/${imageId}/tiles/${level}/${col}/${row}`);
  }
  eventsUrl(): string {
    return this.resolveUrl('api/events');
  }

  private async request<T>(
    method: Method,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const label = `${method} /${path.split('?')[0]}`;
    const init: RequestInit = {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : JSON_HEADERS,
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    if (signal) init.signal = signal;
    let response: Response;
    try {
      response = await this.fetchImpl(this.resolveUrl(path), init);
    } catch (error) {
      if (isAbort(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiRequestError(
        `Cannot reach the server for ${label}: ${reason}`,
        0,
        'network',
        undefined,
        label,
      );
    }
    const parsed = await readBody(response);
    if (!response.ok) throw errorFromResponse(label, response.status, response.statusText, parsed);
    return parsed as T;
  }
}

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `?a=1&b=x` from the defined fields of a flat object ('' when there are none). */
export function queryString(fields: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
