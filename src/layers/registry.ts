/**
 * The layer registry: the one list of built-in layer classes that saving, loading, worker specs, summaries and
 * checkGradients read (Keras's object registration, TF.js's serialization.registerClass). A new layer is its own
 * file plus one line in LAYERS below; see docs/adding-a-layer.md.
 */
import { ActivationLayer } from './activation-layer.js';
import { Activation } from './activation.js';
import { kerasSnakeCase, type LayerConfig } from './config.js';
import { AveragePooling2D } from './average-pooling2d.js';
import { ConvLayer } from './conv-layer.js';
import { Conv2D } from './conv2d.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { FCLayer } from './fc-layer.js';
import { FlattenLayer } from './flatten-layer.js';
import { Flatten } from './flatten.js';
import { GlobalAveragePooling2D } from './global-average-pooling2d.js';
import { ownClassName, type KernelLayer } from './kernel-layer.js';
import { MaxPooling2D } from './max-pooling2d.js';
import { Reshape } from './reshape.js';
import type { Shape } from './shape.js';

/** What a registered layer class provides (statics; the instance side is KernelLayer's). */
export interface LayerClass {
  /** the Keras class name: what summaries print and model files hold */
  readonly className: string;
  /** the Keras config keys its fromConfig reads besides name and the input shape (worker specs take them in camelCase) */
  readonly configKeys: readonly string[];
  /** other Keras class names its fromConfig reads (LeakyReLU, ReLU and Softmax are Activations here) */
  readonly alsoReads?: readonly string[];
  /** a layer from its Keras config; `where` names it in errors, `className` is the class name read from the file */
  fromConfig(config: LayerConfig, where?: string, className?: string): KernelLayer;
  prototype: KernelLayer;
}

/** A tutorial-API class: named as the tutorial names it, saved as the Keras layer it is a form of. */
export interface TutorialLayerClass {
  readonly className: string;
  /** a loaded Keras layer of the class it is the tutorial form of, as tutorial layers (Network.load) */
  fromKeras(layer: KernelLayer, inputShape: Shape): KernelLayer[];
  prototype: KernelLayer;
}

interface Entry {
  /** a Keras layer: loadable from model files, and the class its tutorial forms are saved as */
  keras: LayerClass;
  /** its tutorial form, when the tutorial has one */
  tutorial?: TutorialLayerClass;
}

// ───── one line per layer ─────
const LAYERS: Entry[] = [
  { keras: Dense, tutorial: FCLayer },
  { keras: Dropout },
  { keras: Activation, tutorial: ActivationLayer },
  { keras: Flatten, tutorial: FlattenLayer },
  { keras: Reshape },
  { keras: Conv2D, tutorial: ConvLayer },
  { keras: MaxPooling2D },
  { keras: AveragePooling2D },
  { keras: GlobalAveragePooling2D },
];

const byFileName = new Map<string, LayerClass>();
for (const { keras } of LAYERS)
  for (const name of [keras.className, ...(keras.alsoReads ?? [])]) byFileName.set(name, keras);

/** The class that reads Keras class name `name` from a model file ('Dense', 'LeakyReLU', …), if there is one. */
export function layerClassForFile(name: string): LayerClass | undefined {
  return byFileName.get(name);
}

/** The Keras class names model files may hold, for errors. */
export function loadableClassNames(): string[] {
  return [...byFileName.keys()];
}

/** The class of worker-spec type `type` ('dense', 'flatten', 'max_pooling2d': Keras's snake_case of the class name). */
export function layerClassForSpec(type: string): LayerClass | undefined {
  return LAYERS.find((e) => specType(e.keras) === type)?.keras;
}

export const specType = (cls: LayerClass): string => kerasSnakeCase(cls.className);

/** The worker-spec types, for errors. */
export function specTypes(): string[] {
  return LAYERS.map((e) => specType(e.keras));
}

/** The registered Keras class `layer` is an instance of — itself or the one its tutorial form stands for — if any. */
export function kerasClassOf(layer: object): LayerClass | undefined {
  const ctor: unknown = layer.constructor;
  return LAYERS.find((e) => e.keras === ctor || e.tutorial === ctor)?.keras;
}

/** The tutorial form of registered Keras class `cls`, if it has one. */
export function tutorialClassOf(cls: LayerClass): TutorialLayerClass | undefined {
  return LAYERS.find((e) => e.keras === cls)?.tutorial;
}

/** A layer's class name for summaries and messages: 'Dense', 'FCLayer', or a custom class's own name. */
export function className(layer: object): string {
  return ownClassName(layer.constructor);
}

/** The names of the built-in layers, for errors ('Dense, Activation, Dropout, …'). */
export function builtinLayerNames(): string[] {
  return LAYERS.map((e) => e.keras.className);
}
