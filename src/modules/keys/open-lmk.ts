import { type Lmk, readLmkFile, softwareLmk } from "./lmk.ts";
import { openPkcs11Lmk, type Pkcs11Config } from "./pkcs11-lmk.ts";

/** Where the encryption machine's LMK is: a ceremony's file (software) or a PKCS#11 token. */
export type HsmConfig = Readonly<{ kind: "software"; lmkFile: string } | ({ kind: "pkcs11" } & Pkcs11Config)>;

/** The configured LMK, or undefined when the software machine has had no ceremony yet. */
export function openLmk(config: HsmConfig): Lmk | undefined {
  if (config.kind === "pkcs11") return openPkcs11Lmk(config);
  const key = readLmkFile(config.lmkFile);
  return key && softwareLmk(key);
}
