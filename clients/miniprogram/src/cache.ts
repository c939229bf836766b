// A tiny normalized cache: every object with an `id` that an answer holds is remembered by
// reference, and a later answer holding the same id (a mutation's payload, a fresher page)
// patches those objects in place. So `likePost { post { id likeCount viewerHasLiked } }`
// updates the Feed's card the page already holds; the page then calls setData again (a
// mini-program copies what setData is given), told which ids changed by `subscribe`.
//
// Ids are the server's global ids, unique across types. A nested object with an id is
// patched through its own id, never replaced by a smaller selection; anything else (scalars,
// lists, objects without an id) is assigned. The cache holds at most `maxIds` ids and
// `perId` objects per id, forgetting the least recently written.

type Entity = Record<string, unknown> & { id: string };

const isEntity = (value: unknown): value is Entity =>
  typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { id?: unknown }).id === "string";

export class EntityCache {
  private readonly byId = new Map<string, Entity[]>();
  private readonly listeners: Array<(ids: string[]) => void> = [];

  constructor(
    private readonly maxIds = 2000,
    private readonly perId = 8,
  ) {}

  /** Remember the objects of `data` and patch those already held with the same ids;
   * answers the ids whose held objects changed. */
  write(data: unknown): string[] {
    const changed = new Set<string>();
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        value.forEach(visit);
        return;
      }
      if (typeof value !== "object" || value === null) return;
      if (isEntity(value)) {
        const held = this.byId.get(value.id) ?? [];
        for (const other of held) {
          if (other !== value && patch(other, value)) changed.add(value.id);
        }
        this.byId.delete(value.id); // most recently written last
        this.byId.set(value.id, held.indexOf(value) >= 0 ? held : [...held, value].slice(-this.perId));
      }
      for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key]);
    };
    visit(data);
    while (this.byId.size > this.maxIds) {
      const oldest = this.byId.keys().next().value;
      if (oldest === undefined) break;
      this.byId.delete(oldest);
    }
    const ids = Array.from(changed);
    if (ids.length) for (const listener of this.listeners.slice()) listener(ids);
    return ids;
  }

  /** The object last written with this id (a card, a user chip…), if held. */
  get<T = Entity>(id: string): T | undefined {
    const held = this.byId.get(id);
    return held ? (held[held.length - 1] as unknown as T) : undefined;
  }

  /** Told the ids whose held objects a write changed; answers the unsubscribe. */
  subscribe(listener: (ids: string[]) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  clear(): void {
    this.byId.clear();
  }
}

function patch(target: Entity, source: Entity): boolean {
  let changed = false;
  for (const key of Object.keys(source)) {
    const next = source[key];
    const current = target[key];
    if (isEntity(next) && isEntity(current) && next.id === current.id) continue; // patched by its id
    if (current !== next && !(Array.isArray(next) && sameJson(current, next))) {
      target[key] = next;
      changed = true;
    }
  }
  return changed;
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}
