/** 'sparse_categorical_crossentropy' → 'sparseCategoricalCrossentropy', as a type. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/**
 * A built-in name as users may write it: Keras's snake_case or its camelCase (`resolveName` in ./errors.ts accepts
 * both). Option types are unions of these literals with the custom objects they also take, so that a misspelled name
 * fails to compile (`'adamw'` is not an OptimizerName) while custom objects still pass.
 */
export type KerasName<S extends string> = S | CamelCase<S>;
