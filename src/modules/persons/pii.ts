import type { PersonRow } from "../../db/schema.ts";
import type { PiiCipher } from "../../shared/crypto.ts";

/** A person's fields kept encrypted together (`persons.pii_enc`): one decryption serves a person page. */
export type Pii = { name: string; phone: string | null; address: string | null };

/** The person's encrypted fields, decrypted: the one place `pii_enc` is read. */
export function readPii(cipher: PiiCipher, row: Pick<PersonRow, "pii_enc">): Pii {
  return JSON.parse(cipher.decrypt(row.pii_enc)) as Pii;
}

/** The encrypted form of a person's fields: the one place `pii_enc` is written. */
export function writePii(cipher: PiiCipher, pii: Pii): string {
  return cipher.encrypt(JSON.stringify({ name: pii.name, phone: pii.phone, address: pii.address }));
}
