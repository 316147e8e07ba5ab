// Just enough of IndexedDB for the indexeddb:// handler's unit test in Node (Node has none): databases with object
// stores keyed by a keyPath, transactions whose writes apply together at commit (or not at all on abort), and
// requests that answer on a later turn, as in browsers. `failPuts` makes put() throw, as a full disk does.
type Callback = (() => void) | null;
const later = (f: () => void) => setTimeout(f, 0);

class FakeRequest<T> {
  result!: T;
  error: Error | null = null;
  onsuccess: Callback = null;
  onerror: Callback = null;
  onupgradeneeded: Callback = null;
  onblocked: Callback = null;
}

interface StoreData {
  keyPath: string;
  rows: Map<unknown, unknown>;
}

class FakeTransaction {
  private writes: (() => void)[] = [];
  private aborted = false;
  error: Error | null = null;
  oncomplete: Callback = null;
  onerror: Callback = null;
  onabort: Callback = null;
  constructor(
    private readonly db: FakeDatabase,
    private readonly names: string[],
    readonly mode: string,
  ) {
    later(() =>
      later(() => {
        if (!this.aborted) {
          for (const w of this.writes) w();
          this.oncomplete?.();
        }
      }),
    );
  }
  objectStore(name: string) {
    if (!this.names.includes(name)) throw new Error(`NotFoundError: ${name} is not in this transaction`);
    const store = this.db.stores.get(name)!;
    return {
      put: (value: Record<string, unknown>) => {
        if (this.mode !== 'readwrite') throw new Error('ReadOnlyError');
        if (this.db.factory.failPuts) throw new Error('QuotaExceededError: the disk is full');
        const copy = structuredClone(value);
        this.writes.push(() => store.rows.set(copy[store.keyPath], copy));
        const r = new FakeRequest<unknown>();
        later(() => r.onsuccess?.());
        return r;
      },
      get: (key: unknown) => {
        const r = new FakeRequest<unknown>();
        later(() => {
          r.result = structuredClone(store.rows.get(key));
          r.onsuccess?.();
        });
        return r;
      },
    };
  }
  abort(): void {
    this.aborted = true;
    this.writes = [];
    later(() => this.onabort?.());
  }
}

class FakeDatabase {
  readonly stores = new Map<string, StoreData>();
  readonly objectStoreNames = { contains: (name: string) => this.stores.has(name) };
  open = 0;
  constructor(readonly factory: FakeIndexedDB) {}
  createObjectStore(name: string, options: { keyPath: string }) {
    this.stores.set(name, { keyPath: options.keyPath, rows: new Map() });
  }
  transaction(names: string | string[], mode = 'readonly') {
    return new FakeTransaction(this, Array.isArray(names) ? names : [names], mode);
  }
  close(): void {
    this.open--;
  }
}

export class FakeIndexedDB {
  readonly databases = new Map<string, { version: number; db: FakeDatabase }>();
  failPuts = false;
  open(name: string, version: number) {
    const r = new FakeRequest<FakeDatabase>();
    later(() => {
      let entry = this.databases.get(name);
      const upgrade = !entry || entry.version < version;
      if (!entry) this.databases.set(name, (entry = { version, db: new FakeDatabase(this) }));
      entry.version = version;
      entry.db.open++;
      r.result = entry.db;
      if (upgrade) r.onupgradeneeded?.();
      r.onsuccess?.();
    });
    return r;
  }
  /** a row of a store, as the page would see it */
  row(db: string, store: string, key: string): unknown {
    return this.databases.get(db)?.db.stores.get(store)?.rows.get(key);
  }
  /** connections not closed */
  get openConnections(): number {
    let n = 0;
    for (const { db } of this.databases.values()) n += db.open;
    return n;
  }
}
