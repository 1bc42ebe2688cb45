import type { Size } from '../../geometry/index.js';
import type { Embedding, Prompt } from '../segmenter.js';
import { LOW_RES_SIDE, type DecoderContract } from './contract.js';
import { promptTensors } from './prompt.js';

/** A decoder input as plain data: name -> float32 values and dims. */
export type PlainFeeds = Record<string, { data: Float32Array; dims: number[] }>;

/**
 * Every input the decoder declares, for one prompt. Contract A gets `orig_im_size` = the size
 * it should return masks at (`decodeSize`, see SamSegmenter); EdgeSAM only the embedding and the
 * points; contract B the three feature maps, points and mask input with a batch of 1.
 */
export function decoderFeeds(
  decoder: DecoderContract,
  embedding: Embedding,
  prompt: Prompt,
  decodeSize: Size,
): PlainFeeds {
  const t = promptTensors(prompt, embedding.original, decoder);
  const tensor = (name: string): { data: Float32Array; dims: number[] } => {
    const stored = embedding.tensors[name]!;
    return { data: stored.data as Float32Array, dims: stored.dims };
  };
  const feeds: PlainFeeds = {
    point_coords: { data: t.coords, dims: [1, t.count, 2] },
    point_labels: { data: t.labels, dims: [1, t.count] },
  };
  if (decoder.kind === 'B') {
    for (const name of ['image_embed', 'high_res_feats_0', 'high_res_feats_1']) {
      feeds[name] = tensor(name);
    }
  } else {
    feeds.image_embeddings = tensor('image_embeddings');
  }
  if (decoder.kind !== 'edgesam') {
    feeds.mask_input = { data: t.maskInput, dims: [1, 1, LOW_RES_SIDE, LOW_RES_SIDE] };
    feeds.has_mask_input = { data: Float32Array.of(t.hasMaskInput), dims: [1] };
  }
  if (decoder.kind === 'A') {
    feeds.orig_im_size = {
      data: Float32Array.of(decodeSize.height, decodeSize.width),
      dims: [2],
    };
  }
  return feeds;
}

/** The outputs read back, so that extra ones (stability_scores, areas...) are not fetched. */
export function decoderFetches(decoder: DecoderContract): string[] {
  switch (decoder.kind) {
    case 'A':
      // With low-res logits the full-size masks are not fetched: SamSegmenter resamples them
      // itself, and only near the mask, from those logits (their definition in SamOnnxModel).
      // Copying ~3 MB per candidate out of ONNX Runtime cost more than that, and fed the GC.
      return decoder.lowRes ? ['iou_predictions', 'low_res_masks'] : ['masks', 'iou_predictions'];
    case 'edgesam':
      return ['masks', decoder.scores];
    case 'B':
      return ['masks', 'iou_predictions'];
  }
}
