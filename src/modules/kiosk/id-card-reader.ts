import { type IdCardFacts, idCardRecord } from "./id-card.rules.ts";

/**
 * What the resident ID card reader gives when a card is laid on it: the vendor SDK's 256-byte text
 * record (GA 467, UCS-2LE) and, where read, the 1,024-byte compressed photo (it needs the vendor's
 * decoder; sscard does not use it).
 */
export type IdCardRead = Readonly<{ record: Buffer; photo?: Buffer }>;

/**
 * The resident ID card reader behind an adapter. The readers are not PC/SC: each vendor ships an SDK
 * (for the common ones `SDT_OpenPort`, then `SDT_StartFindIDCard` and `SDT_SelectIDCard` polled about
 * twice a second, then `SDT_ReadBaseMsg`, which fills the 256-byte record and the photo). An adapter
 * polls its SDK and calls `onRead` once per card laid on the reader; `start` returns the stop.
 */
export type IdCardReader = Readonly<{
  start: (onRead: (read: IdCardRead) => void) => () => void;
}>;

/**
 * A SIMULATED reader (tests and demonstrations only): `swipe` produces the record the SDK would for
 * these facts.
 */
export function simulatedIdCardReader(): IdCardReader & { swipe: (facts: IdCardFacts) => void } {
  const listeners = new Set<(read: IdCardRead) => void>();
  return {
    start(onRead) {
      listeners.add(onRead);
      return () => listeners.delete(onRead);
    },
    swipe(facts) {
      const read = { record: idCardRecord(facts) };
      for (const l of listeners) l(read);
    },
  };
}
