/** true in the debug build; false under noAssert, where `if (DEBUG) …` is compiled away, strings and all */
export const DEBUG: bool = !ASC_NO_ASSERT;

/** Debug builds: trap with `what` (the kernel and argument) unless `count` floats at `ptr` lie inside memory. */
// @ts-ignore: decorator
@inline
export function check(ptr: usize, count: i64, what: string): void {
  assert(count >= 0 && <u64>ptr + (<u64>count << 2) <= (<u64>memory.size() << 16), what);
}
