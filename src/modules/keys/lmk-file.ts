import { existsSync, readFileSync } from "node:fs";

/** The software encryption machine's LMK from its file (made by `sscard keys ceremony --lmk`), if there is one. */
export function readLmkFile(path: string): Buffer | undefined {
  if (!existsSync(path)) return undefined;
  const lmk = Buffer.from((JSON.parse(readFileSync(path, "utf8")) as { lmk: string }).lmk, "hex");
  if (lmk.length !== 32) throw new Error(`${path} does not hold a 32-byte LMK`);
  return lmk;
}
