import { fakeOnnx, serveBytes, sha256Of, type TestServer } from './http-test-support.js';
import type { ModelEntry } from './known-models.js';
import { buildZip } from './zip-test-support.js';

export interface ServedModel {
  entry: ModelEntry;
  archive: Buffer;
  encoder: Buffer;
  decoder: Buffer;
}

/**
 * A registry entry for a generated AnyLabeling-style archive (encoder, decoder, config.yaml),
 * served by the test server as `/<name>.zip`, with the sha256 computed here. Its official URL
 * points nowhere: tests reach it through `baseUrl`.
 */
export function serveZipModel(
  server: TestServer,
  name: string,
  options: { folder?: string; encoderBytes?: number } = {},
): ServedModel {
  const encoder = fakeOnnx(options.encoderBytes ?? 120_000);
  const decoder = fakeOnnx(40_000);
  const prefix = options.folder ? `${options.folder}/` : '';
  const archive = buildZip([
    { name: `${prefix}${name}.encoder.onnx`, data: encoder },
    { name: `${prefix}${name}.decoder.onnx`, data: decoder, method: 0 },
    { name: `${prefix}config.yaml`, data: `type: segment_anything\nname: ${name}\n` },
  ]);
  const fileName = `${name}.zip`;
  server.route(`/${fileName}`, serveBytes(archive));
  const entry: ModelEntry = {
    name,
    family: 'sam1',
    contract: 'A1-C1',
    description: 'generated test model',
    downloads: [
      {
        fileName,
        kind: 'zip',
        url: `https://models.invalid/${fileName}`,
        sha256: sha256Of(archive),
        bytes: archive.length,
        approxBytes: archive.length,
      },
    ],
    encoder: `${name}.encoder.onnx`,
    decoder: `${name}.decoder.onnx`,
  };
  return { entry, archive, encoder, decoder };
}
