import { createCipheriv } from "node:crypto";
import { sm4Mac } from "./purchase.ts";

/**
 * Secure messaging for the issuer's commands to a card (UPDATE RECORD of the holder data): the command
 * carries a 4-byte MAC under a session key from the card's application-maintenance key (06) and the
 * card's last challenge, so only the encryption machine can write a card and a command works once.
 *
 *   session key = SM4(card maintenance key, challenge ‖ 80 00 00 00 00 00 00 00)
 *   MAC         = SM4 CBC-MAC(session key, 04 DC P1 P2 Lc ‖ data) (ISO 9797-1 padding 2, first 4 bytes)
 *   Lc          = length of data + 4
 */
export function smSessionKey(cardMaintenanceKey: Buffer, challenge8: Buffer): Buffer {
  const c = createCipheriv("sm4-ecb", cardMaintenanceKey, null);
  c.setAutoPadding(false);
  const block = Buffer.concat([challenge8, Buffer.from([0x80]), Buffer.alloc(7)]);
  return Buffer.concat([c.update(block), c.final()]);
}

/** The MAC of a secure-messaging command over its header (with the Lc that counts the MAC) and data. */
export function commandMac(sessionKey: Buffer, header4: Buffer, data: Buffer): Buffer {
  return sm4Mac(sessionKey, Buffer.concat([header4, Buffer.from([data.length + 4]), data]));
}

/** UPDATE RECORD (04 DC) of record `record` in file `sfi`, with the TLV value and its MAC. */
export function updateRecordApdu(
  cardMaintenanceKey: Buffer,
  challenge8: Buffer,
  sfi: number,
  record: number,
  value: Buffer,
): Buffer {
  const header = Buffer.from([0x04, 0xdc, record, (sfi << 3) | 4]);
  const tlv = Buffer.concat([Buffer.from([record, value.length]), value]);
  const mac = commandMac(smSessionKey(cardMaintenanceKey, challenge8), header, tlv);
  return Buffer.concat([header, Buffer.from([tlv.length + 4]), tlv, mac]);
}
