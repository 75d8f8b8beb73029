import type { Kysely, Transaction } from "kysely";
import type { CardRow, Database } from "../../db/schema.ts";
import { type Actor, type Grant, SYSTEM_ACTOR } from "../../shared/auth.ts";
import { addDays } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { CardState } from "../cards/cards.rules.ts";
import type { CertificatesContext } from "./certificates.context.ts";
import { SERIAL_PATTERN, statusOn } from "./certificates.rules.ts";
import { verifyQr } from "./certificates.verify.ts";

/**
 * The certificates of a formal loss and replacement: the temporary medical certificate, standing for
 * the card at hospitals and pharmacies until the new card is collected, and the collection slip asked
 * for when it is. Both are issued inside the formal loss's transaction and end inside the hand-over's.
 */
export function certificatesOfReplacement(ctx: CertificatesContext) {
  const { deps, repo, signerOf, today, record, ending } = ctx;
  return {
    /**
     * Inside the formal loss's transaction: the temporary medical certificate (its serial is the
     * replacement's certificate number) valid until the new card is collected or the grace after its
     * ready date, and the collection slip with the ready date and the outlet.
     */
    async issuedWithReplacement(
      trx: Transaction<Database>,
      actor: Actor,
      grant: Grant | undefined,
      replacement: CardRow,
      lost: CardRow,
    ) {
      const person = (await deps.person(trx, replacement.person_id))!;
      const outlet = grant ? await deps.placeOf(grant) : null;
      const readyDate = replacement.ready_date ?? today();
      const policy = await deps.policy(trx, replacement.area_code);
      const common = {
        nameMasked: person.name_masked,
        idNumberMasked: person.id_number_masked,
        readyDate,
        outlet,
      };
      await record(trx, actor, grant, {
        kind: "temporary_medical",
        person,
        areaCode: replacement.area_code,
        cardId: replacement.id,
        serial: replacement.temp_certificate_no ?? undefined,
        validUntil: addDays(readyDate, policy.temporaryCertificateGraceDays),
        facts: {
          ...common,
          lostCardNumber: lost.card_number,
          replacementCardNumber: replacement.card_number,
        },
      });
      await record(trx, actor, grant, {
        kind: "collection_slip",
        person,
        areaCode: replacement.area_code,
        cardId: replacement.id,
        validUntil: addDays(readyDate, policy.collectionSlipValidDays),
        facts: { ...common, replacementCardNumber: replacement.card_number, feeFen: replacement.fee_fen },
      });
    },

    /**
     * Inside a card's state change: once a replacement is issued, its temporary certificate is revoked
     * (the new card is collected) and its collection slip is spent.
     */
    async afterCardChange(trx: Transaction<Database>, card: CardRow, from: CardState | null) {
      if (from !== "delivered" || (card.state !== "active" && card.state !== "archived")) return;
      for (const row of await repo.validOfCard(trx, card.id, "temporary_medical"))
        await ending(trx, SYSTEM_ACTOR, row, "revoked", "new_card_collected");
      for (const row of await repo.validOfCard(trx, card.id, "collection_slip"))
        await ending(trx, SYSTEM_ACTOR, row, "superseded", "card_collected");
    },

    /**
     * A temporary medical certificate by its number, for the online check: the replacement card it
     * stands for and whether it is valid today (undefined: no such temporary certificate).
     */
    async temporaryCertificate(q: Kysely<Database>, serial: string) {
      const row = SERIAL_PATTERN.test(serial) ? await repo.bySerial(q, serial) : undefined;
      if (row?.kind !== "temporary_medical" || !row.card_id) return undefined;
      return { cardId: row.card_id, valid: statusOn(row, today()) === "valid", row };
    },

    /**
     * The temporary certificates of a settlement batch, read while their cards are held: their status
     * on the batch's day decides (a new card's issue and a revocation hold the card too).
     */
    async certificatesIn(trx: Transaction<Database>, serials: readonly string[]) {
      return new Map((await repo.bySerials(trx, [...new Set(serials)])).map((r) => [r.serial, r]));
    },

    /** The valid collection slip of a replacement not yet collected (its card view shows it). */
    async collectionSlipOf(q: Kysely<Database>, cardId: string) {
      return (await repo.validOfCard(q, cardId, "collection_slip"))[0]?.serial;
    },

    /**
     * Inside a card's hand-over, the card held: a replacement after a formal loss is collected with its
     * collection slip — its number, or its scanned QR (signature checked) — or, the slip reported lost,
     * with the ID card alone. The slip ends here; the hand-over's audit record says which it was.
     */
    async onCollection(
      trx: Transaction<Database>,
      actor: Actor,
      card: CardRow,
      slip: { presented?: string; lost?: boolean },
    ): Promise<string | undefined> {
      const [expected] = await repo.validOfCard(trx, card.id, "collection_slip");
      if (!expected) return undefined;
      const text = slip.presented?.trim();
      if (!text) {
        if (!slip.lost) throw new DomainError("COLLECTION_SLIP_REQUIRED");
        await ending(trx, actor, expected, "revoked", "slip_reported_lost");
        return "reported_lost";
      }
      let serial = text;
      if (!SERIAL_PATTERN.test(text)) {
        const scanned = verifyQr(text, { [expected.area_code]: signerOf(expected.area_code).publicKey });
        if (!scanned.ok) throw new DomainError("COLLECTION_SLIP_MISMATCH", { reason: scanned.reason });
        serial = scanned.claims.s;
      }
      if (serial !== expected.serial)
        throw new DomainError("COLLECTION_SLIP_MISMATCH", { reason: "not_this_card" });
      await ending(trx, actor, expected, "superseded", "card_collected");
      return expected.serial;
    },
  };
}
