/**
 * How many HTTP workers serve, as this process knows it: a single process is 1 of 1; in a cluster the
 * primary tells every worker whenever one dies or is replaced, and `/readyz` reports it.
 */
export const workers = { serving: 1, configured: 1 };

/** The message the primary sends its workers. */
export type WorkersMessage = { workers: { serving: number; configured: number } };

/** Applies a message from the primary; other messages are ignored. */
export function onPrimaryMessage(message: unknown): void {
  const m = (message as Partial<WorkersMessage> | null)?.workers;
  if (m && Number.isInteger(m.serving) && Number.isInteger(m.configured)) {
    workers.serving = m.serving;
    workers.configured = m.configured;
  }
}

/**
 * The wait before the primary replaces a worker that died: 1 s after a first death, doubling for each
 * death that follows within a minute of the previous one, at most 30 s (a worker that dies at start
 * must not be forked in a tight loop).
 */
export function restartDelayMs(recentDeaths: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, recentDeaths - 1));
}
