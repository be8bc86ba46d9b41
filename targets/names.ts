// Unique identifiers for one generated function or file, shared by the text targets (WGSL,
// CUDA C): each kernel-IR variable is keyed by (name, type), since a target variable has
// one type while the kernel IR may reuse a name with another; temporaries get fresh names.
// What is a valid identifier is the target's: it passes its own `identifier`.

export class Names {
  private readonly used = new Set<string>();
  private readonly byKey = new Map<string, string>();

  constructor(private readonly identifier: (name: string) => string) {}

  /** The identifier of variable `name` with type `type`, made on first use. */
  variable(name: string, type: string): string {
    const key = `${name}:${type}`;
    let id = this.byKey.get(key);
    if (!id) {
      id = this.fresh(this.identifier(name));
      this.byKey.set(key, id);
    }
    return id;
  }

  /** An identifier not used yet, starting with `base`. */
  fresh(base: string): string {
    let id = base;
    for (let i = 1; this.used.has(id); i++) id = `${base}_${i}`;
    this.used.add(id);
    return id;
  }

  /** Keeps `id` from being handed out (names the target's own code uses). */
  reserve(id: string): void {
    this.used.add(id);
  }
}
