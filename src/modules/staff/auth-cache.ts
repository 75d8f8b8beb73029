import type { Actor } from "../../shared/auth.ts";

/** What authenticating a token established, kept for a few seconds so each request is not two queries. */
export type CachedAuth = {
  actor: Actor;
  /** Session fields the per-request checks need; null for API keys. */
  session: { expiresAt: string; lastSeenAt: string } | null;
  cachedUntil: number;
};

/**
 * A bounded in-process map from bearer token to its actor. Logout, disabling an account and revoking
 * a key remove entries at once in this process; other processes see the change within the TTL.
 */
export function createAuthCache(options: { ttlMs: number; maxEntries?: number }) {
  const entries = new Map<string, CachedAuth>();
  const max = options.maxEntries ?? 10_000;
  return {
    get(token: string, nowMs: number): CachedAuth | undefined {
      const hit = entries.get(token);
      if (!hit) return undefined;
      if (hit.cachedUntil <= nowMs) {
        entries.delete(token);
        return undefined;
      }
      return hit;
    },
    set(token: string, actor: Actor, session: CachedAuth["session"], nowMs: number): void {
      if (options.ttlMs <= 0) return;
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(token, { actor, session, cachedUntil: nowMs + options.ttlMs });
    },
    delete(token: string): void {
      entries.delete(token);
    },
    /** Drops every entry of an actor (a disabled account, a revoked key). */
    deleteActor(actorId: string): void {
      for (const [token, entry] of entries) if (entry.actor.id === actorId) entries.delete(token);
    },
  };
}
