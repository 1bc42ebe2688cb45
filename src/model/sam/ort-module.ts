import type * as Ort from 'onnxruntime-node';

let ortModule: Promise<typeof Ort> | undefined;

/**
 * onnxruntime-node, imported on first use so that a broken native install is reported by the
 * command that needs it. Its native log level is read once, when the first session is created:
 * unless someone chose a level already, it is set to 'fatal' so that a missing GPU provider does
 * not print a red native error line next to our own warning (ORT's messages still reach us in
 * the errors it throws).
 */
export function loadOrt(): Promise<typeof Ort> {
  ortModule ??= import('onnxruntime-node').then((ort) => {
    if (ort.env.logLevel === 'warning') ort.env.logLevel = 'fatal';
    return ort;
  });
  return ortModule;
}
