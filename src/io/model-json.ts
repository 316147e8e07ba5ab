/**
 * model.json ↔ artifacts. A model.json holds the topology and a weights manifest naming the files (shards) that
 * hold the weight bytes, read one after another; the file, HTTP and browser-file handlers share this.
 */
import { fail } from '../util/errors.js';
import { describe } from './bytes.js';
import type { ModelArtifacts, ModelJSON, WeightsManifestEntry } from './types.js';
import { isObject, own } from './validate.js';

/** The model.json for `artifacts` whose weight bytes are stored in `weightsPath` (relative to the model.json). */
export function toModelJson(artifacts: ModelArtifacts, weightsPath: string): ModelJSON {
  const json: ModelJSON = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return json;
}

/** The manifest's weight specs and the paths of its files, in reading order, checked for shape. */
export function readManifest(json: unknown, what: string): { specs: WeightsManifestEntry[]; paths: string[] } {
  if (!isObject(json))
    fail(
      `${what} must hold a JSON object with modelTopology and weightsManifest, got ${describe(json)}`,
      'corrupt_file',
    );
  if (own(json, 'modelTopology') === undefined)
    fail(`${what} has no modelTopology; is it a model.json?`, 'corrupt_file');
  const manifest = own(json, 'weightsManifest');
  if (!Array.isArray(manifest)) fail(`${what} has no weightsManifest list (got ${describe(manifest)})`, 'corrupt_file');
  const specs: WeightsManifestEntry[] = [];
  const paths: string[] = [];
  manifest.forEach((group, i) => {
    if (!isObject(group)) fail(`${what}: weightsManifest[${i}] must be an object { paths, weights }`, 'corrupt_file');
    const p = own(group, 'paths');
    const w = own(group, 'weights');
    if (!Array.isArray(p) || p.some((x) => typeof x !== 'string' || x === ''))
      fail(`${what}: weightsManifest[${i}].paths must be a list of file names`, 'corrupt_file');
    if (!Array.isArray(w)) fail(`${what}: weightsManifest[${i}].weights must be a list`, 'corrupt_file');
    paths.push(...(p as string[]));
    specs.push(...(w as WeightsManifestEntry[]));
  });
  return { specs, paths };
}

/** Artifacts from a parsed model.json and the bytes of its weight files (in manifest order). */
export function artifactsFromModelJson(
  json: unknown,
  specs: WeightsManifestEntry[],
  weightData: ArrayBuffer[] | Uint8Array[],
): ModelArtifacts {
  const j = json as Record<string, unknown>;
  const artifacts: ModelArtifacts = {
    modelTopology: own(j, 'modelTopology'),
    weightSpecs: specs,
    weightData: weightData.length === 1 ? weightData[0] : (weightData as ArrayBuffer[]),
  };
  for (const key of ['format', 'generatedBy', 'convertedBy', 'trainingConfig', 'userDefinedMetadata'] as const) {
    const v = own(j, key);
    if (v !== undefined) (artifacts as Record<string, unknown>)[key] = v;
  }
  return artifacts;
}

/** Byte counts for a SaveResult, as TensorFlow.js reports them. */
export function artifactsInfo(artifacts: ModelArtifacts, weightBytes: number) {
  const size = (v: unknown) => (v === undefined ? 0 : new TextEncoder().encode(JSON.stringify(v)).length);
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON' as const,
    modelTopologyBytes: size(artifacts.modelTopology),
    weightSpecsBytes: size(artifacts.weightSpecs),
    weightDataBytes: weightBytes,
  };
}
