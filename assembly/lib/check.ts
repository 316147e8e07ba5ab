/** true in the debug build; false under noAssert, where `if (DEBUG) …` is compiled away, strings and all */
export const DEBUG: bool = !ASC_NO_ASSERT;

/** Debug builds: trap with `what` (the kernel and argument) unless `count` floats at `ptr` lie inside memory. */
// @ts-ignore: decorator
@inline
export function check(ptr: usize, count: i64, what: string): void {
  assert(count >= 0 && <u64>ptr + (<u64>count << 2) <= (<u64>memory.size() << 16), what);
}

/** Debug builds: trap with `what` unless lo..hi is a range inside 0..total (a part entry's block of rows or columns). */
// @ts-ignore: decorator
@inline
export function checkRange(lo: i32, hi: i32, total: i32, what: string): void {
  assert(lo >= 0 && hi <= total && lo <= hi, what);
}
