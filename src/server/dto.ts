import { fileVersion } from './image-lookup.js';
import type { Candidate } from '../model/segmenter.js';
import type {
  ChangeResult,
  ClassRecord,
  ImageSummary as StoredImage,
  ObjectRecord,
  ObjectWarning as StoredWarning,
  ProjectStats,
} from '../store/index.js';
import type {
  CandidateDto,
  ClassDto,
  ImageSummary,
  ObjectDto,
  ObjectWarning,
  StatsDto,
} from './api-contract.js';

/** Store records and engine results as the API sends them. */

const WARNING_KIND = {
  'small-area': 'small_area',
  overlap: 'overlap',
  'mask-size': 'mask_size',
} as const;

export function warningDto(warning: StoredWarning): ObjectWarning {
  return {
    kind: WARNING_KIND[warning.kind],
    message: warning.message,
    ...(warning.kind === 'overlap' ? { otherObjectId: warning.otherId } : {}),
  };
}

export function objectDto(record: ObjectRecord, warnings: readonly StoredWarning[]): ObjectDto {
  return {
    id: record.id,
    imageId: record.imageId,
    classId: record.classId,
    rle: record.rle,
    bbox: record.bbox,
    area: record.area,
    score: record.score,
    source: record.source,
    prompts: record.prompts
      ? {
          points: record.prompts.points,
          ...(record.prompts.box ? { box: record.prompts.box } : {}),
        }
      : null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    warnings: warnings.flatMap((w) => {
      if (w.objectId === record.id) return [warningDto(w)];
      // An overlap concerns both objects: the other one shows it too, pointing back.
      if (w.kind === 'overlap' && w.otherId === record.id) {
        return [{ ...warningDto(w), otherObjectId: w.objectId }];
      }
      return [];
    }),
  };
}

export function objectDtos(
  records: readonly ObjectRecord[],
  warnings: readonly StoredWarning[],
): ObjectDto[] {
  return records.map((record) => objectDto(record, warnings));
}

export function imageSummaryDto(image: StoredImage): ImageSummary {
  return {
    id: image.id,
    path: image.path,
    width: image.width,
    height: image.height,
    status: image.status,
    objectCount: image.objectCount,
    thumbnailUrl: `/api/images/${image.id}/thumbnail?v=${fileVersion(image)}`,
  };
}

export function classDto(record: ClassRecord, objectCount: number): ClassDto {
  return { ...record, objectCount };
}

export function candidateDto(candidate: Candidate, refineToken: string | null): CandidateDto {
  return {
    rle: candidate.rle,
    bbox: candidate.bbox,
    area: candidate.area,
    predictedIou: candidate.predictedIou,
    stabilityScore: candidate.stabilityScore,
    refineToken,
  };
}

export function historyDto(change: Pick<ChangeResult, 'history'>): {
  undoCount: number;
  redoCount: number;
} {
  return { undoCount: change.history.undo, redoCount: change.history.redo };
}

export function statsDto(stats: ProjectStats): StatsDto {
  const histogram = Object.entries(stats.objects_per_image_histogram)
    .map(([objects, images]) => ({ objects: Number(objects), images }))
    .sort((a, b) => a.objects - b.objects);
  return {
    classes: stats.classes.map((c) => ({
      id: c.id,
      name: c.name,
      color: c.color,
      objects: c.objects,
      totalArea: c.total_area,
      meanArea: c.mean_area ?? 0,
    })),
    objectsPerImage: histogram,
    imagesByStatus: stats.images_by_status,
    averageVertices: stats.vertices.mean,
    rate: stats.annotation_rate.per_day.map((d) => ({ date: d.day, objects: d.objects })),
    totals: {
      images: stats.total_images,
      objects: stats.total_annotations,
      annotatedImages: stats.annotated_images,
    },
  };
}
