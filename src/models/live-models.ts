// The models alive on each arena. All models on a backend share its arena, so this is where an out-of-memory error
// learns what the others hold, where a model that is garbage-collected without dispose() has its blocks freed, and
// where the arena starts over once no model is left.
import { outOfMemoryDetails, outOfMemoryError, type Arena } from '../backends/backend.js';

/** What the registry needs of a model's engine. It must never reference the model object itself. */
export interface ModelMemory {
  readonly backend: { readonly arena: Arena };
  /** bytes of arena memory this model holds now */
  bytesHeld(): number;
  /** free every block (once; later calls do nothing) */
  dispose(): void;
}

/** Engines are held strongly: an engine holds no reference to its model, so the model can still be collected. */
const live = new Map<Arena, Set<ModelMemory>>();

/**
 * Frees the blocks of a model that became unreachable without dispose(). The held value is the model's engine; a
 * model in the middle of fit() is referenced by fit's own pending promise, so it is never collected then.
 */
const collected =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<ModelMemory>((engine) => {
        engine.dispose();
        forget(engine);
      })
    : undefined;

/**
 * Arenas left with no model, to start over on the next turn of the event loop unless a model is made first: a loop
 * that disposes a large model and makes the next one at once reuses the memory (making it anew and growing it again
 * took 2.7× as long per cycle for a 67 MB model), while a program that is done with its models gives it back.
 */
const pending = new Map<Arena, ReturnType<typeof setTimeout>>();

function startOverSoon(arena: Arena): void {
  if (pending.has(arena)) return;
  const timer = setTimeout(() => {
    pending.delete(arena);
    // does nothing while any block is live (a layer used on its own, a buffer of checkGradients)
    if (!live.has(arena)) arena.startOver();
  }, 0);
  (timer as { unref?: () => void }).unref?.(); // Node: a pending start-over never keeps the process alive
  pending.set(arena, timer);
}

/** Count `model` (whose memory is `engine`) as alive until it is disposed or garbage-collected. */
export function trackModel(model: object, engine: ModelMemory): void {
  const arena = engine.backend.arena;
  const timer = pending.get(arena);
  if (timer !== undefined) {
    clearTimeout(timer); // a model is made before the arena started over: it keeps its memory
    pending.delete(arena);
  }
  let set = live.get(arena);
  if (!set) live.set(arena, (set = new Set()));
  set.add(engine);
  collected?.register(model, engine, engine);
}

/** The model was disposed (its blocks freed): stop counting it, and start the arena over soon if it was the last one. */
export function untrackModel(engine: ModelMemory): void {
  collected?.unregister(engine);
  forget(engine);
}

function forget(engine: ModelMemory): void {
  const arena = engine.backend.arena;
  const set = live.get(arena);
  if (!set?.delete(engine) || set.size > 0) return;
  live.delete(arena);
  startOverSoon(arena);
}

/** The number of models alive on `arena` other than `self`, and the bytes they hold. */
export function otherModels(arena: Arena, self?: ModelMemory): { count: number; bytes: number } {
  let count = 0,
    bytes = 0;
  for (const engine of live.get(arena) ?? []) {
    if (engine === self) continue;
    count++;
    bytes += engine.bytesHeld();
  }
  return { count, bytes };
}

/** `e` again, or, for an arena's out-of-memory error, the same error saying what the other live models hold. */
export function withOtherModels(e: unknown, arena: Arena, self: ModelMemory): unknown {
  const details = outOfMemoryDetails(e);
  if (!details) return e;
  const others = otherModels(arena, self);
  return others.count === 0 ? e : outOfMemoryError(details.needed, details.limit, others);
}
