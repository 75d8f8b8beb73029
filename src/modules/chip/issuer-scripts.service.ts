import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { isBlacklisted } from "../cards/cards.rules.ts";
import { weakPinReason } from "../credentials/pin.rules.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import { readPii } from "../persons/pii.ts";
import type { CardKeys } from "./card-keys.ts";
import { CHIP_PERMISSIONS } from "./chip.permissions.ts";
import { updateRecordApdu } from "./secure-messaging.ts";
import { unblockCryptogram } from "./virtual-card.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const ISSUER_SCRIPT_PERMISSIONS = { write: CHIP_PERMISSIONS.issuerScripts };

/** The holder fields a counter may write back to the chip from the registry, and their EF06 records. */
export const CHIP_HOLDER_RECORDS = { name: 0x09, ethnicity: 0x0b } as const;
export type ChipHolderField = keyof typeof CHIP_HOLDER_RECORDS;

const bcd = (digits: string) => Buffer.from(digits, "hex");

/**
 * Issuer scripts: the commands only the card's issuer can make, computed inside the encryption
 * machine from the card's challenge and handed to the counter's card writer: the chip PIN unblock
 * (RESET RETRY COUNTER with the card's PIN-unblock key) and UPDATE RECORD of the holder file with
 * secure messaging (the value written comes from the registry, never from the caller). Each script
 * works once (the card's challenge is single-use) and is audited.
 */
export function createIssuerScriptsService(deps: {
  db: Kysely<Database>;
  cardKeys: CardKeys;
  audit: AuditService;
  persons: PersonsRepository;
  cipher: PiiCipher;
}) {
  const { db, audit, cardKeys, cipher } = deps;

  async function usableCard<T extends "pin_unblock" | "application_maintenance">(
    actor: Actor,
    cardIdCode: string,
    type: T,
  ) {
    const found = await cardKeys.forCard(actor, cardIdCode, [type], "card.issuer_script.refused");
    const grant = authorize(actor, ISSUER_SCRIPT_PERMISSIONS.write, found.card.area_code);
    if (isBlacklisted(found.card.state))
      throw new DomainError("CARD_BLACKLISTED", { state: found.card.state });
    const person = await deps.persons.byId(db, found.card.person_id);
    if (!person) throw new DomainError("CARD_NOT_FOUND");
    return { ...found, grant, person };
  }

  const record = (
    actor: Actor,
    grant: ReturnType<typeof authorize>,
    cardIdCode: string,
    action: string,
    after: Record<string, unknown>,
  ) =>
    db.transaction().execute((trx) =>
      audit.record(trx, actor, grant, {
        action,
        subjectType: "card",
        subjectId: cardIdCode,
        areaCode: cardIdCode.slice(0, 6),
        after,
      }),
    );

  return {
    /** RESET RETRY COUNTER for the chip: the new PIN (refused when weak) with the unblock cryptogram. */
    async unblockPin(actor: Actor, input: { cardIdCode: string; cardChallenge: string; newPin: string }) {
      const { keys, grant, person } = await usableCard(actor, input.cardIdCode, "pin_unblock");
      const holder = { idNumber: cipher.decrypt(person.id_number_enc), birthDate: person.birth_date };
      const reason = weakPinReason(input.newPin, holder);
      if (reason) throw new DomainError("WEAK_PASSWORD", { reason });
      const pin = bcd(input.newPin);
      const cryptogram = unblockCryptogram(keys.pin_unblock, Buffer.from(input.cardChallenge, "hex"), pin);
      await record(actor, grant, input.cardIdCode, "card.chip_pin.unblock_script", {});
      return {
        apdu: Buffer.concat([Buffer.from([0x00, 0x2c, 0x00, 0x00, 19]), pin, cryptogram])
          .toString("hex")
          .toUpperCase(),
      };
    },

    /** UPDATE RECORD of a holder field on the chip, with the registry's current value and a MAC. */
    async updateHolderRecord(
      actor: Actor,
      input: { cardIdCode: string; cardChallenge: string; field: ChipHolderField },
    ) {
      const { keys, grant, person } = await usableCard(actor, input.cardIdCode, "application_maintenance");
      const value = input.field === "name" ? readPii(cipher, person).name : person.ethnicity;
      const apdu = updateRecordApdu(
        keys.application_maintenance,
        Buffer.from(input.cardChallenge, "hex"),
        6,
        CHIP_HOLDER_RECORDS[input.field],
        Buffer.from(value, "utf8"),
      );
      await record(actor, grant, input.cardIdCode, "card.chip_record.update_script", { field: input.field });
      return { apdu: apdu.toString("hex").toUpperCase() };
    },
  };
}

export type IssuerScriptsService = ReturnType<typeof createIssuerScriptsService>;
