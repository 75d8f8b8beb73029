import { randomFillSync } from "node:crypto";

const pool = Buffer.alloc(16 * 256);
let next = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Rows keyed by it
 * are appended at the end of their indexes instead of at random places, so a busy table (ledger
 * entries, settlements) touches few pages per commit. It shows when the row was made, to the
 * millisecond: use it only where that time is no secret (it is on the row anyway).
 */
export function timeOrderedId(now: number = Date.now()): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const b = pool.subarray(next, next + 16);
  next += 16;
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
