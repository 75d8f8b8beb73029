import { isUniqueViolation } from "../../db/database.ts";
import { unwrapKey, wrapKey } from "./key-block.ts";
import type { KeysRepository } from "./keys.repository.ts";
import type { Lmk } from "./lmk.ts";

/** The usage of the PIN root key's block: the PIN verification key and the terminals' PIN keys derive from it. */
export const PIN_ROOT_USAGE = "pin_root";
const LABEL = "pin-root-v1";

/**
 * The PIN root key as the encryption machine holds it: a key block under its LMK (the PIN verification
 * key and every terminal's PIN key are derived from it inside the PIN machine). On a machine that has
 * none yet, the configured key (`SSCARD_PIN_KEY`) is imported once, so every stored PIN verification
 * value stays valid; from then on the block is what the platform uses, whatever the configuration says
 * (and `SSCARD_PIN_KEY` may be taken out of it).
 * Read at start-up, before the services are made (it needs the database).
 */
export async function pinRootUnderLmk(
  keys: KeysRepository,
  lmk: Lmk,
  configured: Buffer | undefined,
  now: Date,
): Promise<{ key: Buffer; imported: boolean }> {
  const held = await keys.byLabel(LABEL);
  if (held) return { key: unwrapKey(lmk, held.block, PIN_ROOT_USAGE).key, imported: false };
  if (!configured)
    throw new Error("the encryption machine holds no PIN root yet: set SSCARD_PIN_KEY for its first import");
  try {
    await keys.insert({
      label: LABEL,
      usage: PIN_ROOT_USAGE,
      algorithm: "AES",
      key_version: 1,
      area_code: null,
      block: wrapKey(
        lmk,
        { usage: PIN_ROOT_USAGE, algorithm: "AES", keyVersion: 1, exportability: "N", label: LABEL },
        configured,
      ),
      public_key: null,
      created_at: now.toISOString(),
      retired_at: null,
    });
  } catch (err) {
    // Another process imported it at the same moment: theirs is the one.
    if (!isUniqueViolation(err)) throw err;
    return pinRootUnderLmk(keys, lmk, configured, now);
  }
  return { key: configured, imported: true };
}
