/** The HTTP contract's types, re-exported for the page (types only: nothing of the server ships). */
export type {
  ApiError,
  Bbox,
  CandidateDto,
  ChangeResponse,
  ClassDto,
  CreateClassBody,
  CreateObjectBody,
  ExportBody,
  ExportJob,
  HistoryState,
  ImageDetail,
  ImageListQuery,
  ImageListResponse,
  ImagePosition,
  ImageStatus,
  ImageSummary,
  MemoryLevel,
  ObjectDto,
  ObjectPrompts,
  ObjectSource,
  ObjectWarning,
  PredictBody,
  PredictResponse,
  Rle,
  ServerEvents,
  SessionInfo,
  SetStatusBody,
  SetStatusResponse,
  StatsDto,
  UpdateClassBody,
  UpdateObjectBody,
} from '../../server/api-contract';

import type { PredictBody, ServerEvents } from '../../server/api-contract';

/** A prompt point in original image pixels; label 1 positive, 0 negative. */
export type PromptPoint = PredictBody['points'][number];
/** A prompt box in original image pixels (corners, continuous). */
export type PromptBox = NonNullable<PredictBody['box']>;
export type ServerEventName = keyof ServerEvents;
