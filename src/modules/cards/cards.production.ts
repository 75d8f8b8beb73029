import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "../../db/database.ts";
import type { CardRow } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { csvLine, parseCsv } from "../../shared/csv.ts";
import { DomainError } from "../../shared/errors.ts";
import type { RowReason } from "../../shared/row-reasons.ts";
import { readPii } from "../persons/pii.ts";
import type { CardsContext, RowReport } from "./cards.context.ts";
import type { ChipData } from "./cards.deps.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import { isChipSerial, validityEnd } from "./cards.rules.ts";

/** Production: the factory file out, the factory's return file in. */
export function cardProduction(ctx: CardsContext) {
  const { deps, db, cards, persons, clock, cipher, today, current, change } = ctx;
  return {
    /**
     * Sends an area's applications to the card factory: one batch, each card's issue date and validity
     * fixed, and the factory file (CSV, format in docs/cards.md) returned.
     */
    async sendToProduction(actor: Actor, input: { areaCode: string; limit?: number }) {
      const grant = authorize(actor, CARD_PERMISSIONS.produce, input.areaCode);
      const area = await deps.areasRepo.get(db, input.areaCode);
      if (!area) throw new DomainError("AREA_NOT_FOUND", { code: input.areaCode });
      const issuerId = area.issuer_id;
      if (!issuerId) throw new DomainError("AREA_NOT_ISSUING", { code: input.areaCode });
      const policy = (await deps.areas.policyAt(null, input.areaCode)).policy;
      const issueDate = today();
      const validUntil = validityEnd(issueDate, policy.cardValidityYears);
      const batchId = randomUUID();
      const { out: sent, records } = await db.transaction().execute(async (trx) => {
        const waiting = await cards.inState(trx, input.areaCode, "applied", input.limit ?? 10_000);
        if (waiting.length === 0) throw new DomainError("NOTHING_TO_PRODUCE");
        await cards.insertBatch(trx, {
          id: batchId,
          area_code: input.areaCode,
          card_count: waiting.length,
          status: "sent",
          created_by: actor.id,
          created_at: clock.now().toISOString(),
          returned_at: null,
        });
        const out: { card: CardRow; data: ChipData }[] = [];
        for (const waitingCard of waiting) {
          const card = await change(
            trx,
            actor,
            grant,
            waitingCard,
            "send_to_production",
            { batch_id: batchId, issue_date: issueDate, valid_until: validUntil },
            { batchId },
          );
          const person = (await persons.byId(trx, card.person_id))!;
          const pii = readPii(cipher, person);
          out.push({
            card,
            data: {
              cardIdCode: card.card_id_code,
              cardNumber: card.card_number,
              cardType: card.card_type,
              specVersion: card.spec_version,
              issuerId,
              issueDate,
              validUntil,
              idNumber: cipher.decrypt(person.id_number_enc),
              name: pii.name,
              sex: person.sex === "F" ? "F" : "M",
              ethnicity: person.ethnicity,
              birthDate: person.birth_date,
            },
          });
        }
        // Each chip's keys, PIN and certificate for the factory, recorded in this transaction.
        const chips = out.map((o) => o.data);
        return { out, records: await deps.personalise(actor, trx, chips, policy) };
      });
      const header = [
        "batch_id",
        "card_id_code",
        "card_number",
        "spec_version",
        "card_type",
        "area_code",
        "issuer_id",
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "id_number",
        "photo_ref",
        "issue_date",
        "valid_until",
      ];
      const lines = [header.join(",")];
      for (const { card, data } of sent)
        lines.push(
          csvLine([
            batchId,
            card.card_id_code,
            card.card_number,
            card.spec_version,
            card.card_type,
            card.area_code,
            data.issuerId,
            data.name,
            data.sex,
            data.ethnicity,
            data.birthDate,
            data.idNumber,
            card.photo_ref,
            card.issue_date,
            card.valid_until,
          ]),
        );
      return {
        batchId,
        areaCode: input.areaCode,
        cardCount: sent.length,
        file: `${lines.join("\n")}\n`,
        personalisationFile: records.map((r) => `${JSON.stringify(r)}\n`).join(""),
      };
    },

    /** An area's production batches, newest first, with their cards by state (a batch not returned waits here). */
    async batches(actor: Actor, areaCode: string) {
      authorize(actor, CARD_PERMISSIONS.produce, areaCode);
      return (await cards.batchesOf(db, areaCode, 50)).map((b) => ({
        batchId: b.id,
        areaCode: b.area_code,
        cardCount: Number(b.card_count),
        status: b.status,
        createdAt: b.created_at,
        returnedAt: b.returned_at,
        cardsByState: b.states,
      }));
    },

    /** Imports the factory's return file: `ok` rows are delivered to the outlet, `failed` rows go back to applied. */
    async importReturnFile(actor: Actor, batchId: string, csv: string) {
      authorize(actor, CARD_PERMISSIONS.produce);
      const batch = await cards.batch(db, batchId);
      if (!batch) throw new DomainError("BATCH_NOT_FOUND", { batchId });
      const grant = authorize(actor, CARD_PERMISSIONS.produce, batch.area_code);
      const parsed = parseCsv(csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const missing = ["card_id_code", "result", "chip_serial"].filter((c) => !parsed.columns.includes(c));
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });
      const rows: RowReport[] = [];
      for (const { line, values } of parsed.rows) {
        const reject = (reasonCode: RowReason, reasonParams?: Record<string, string>) =>
          rows.push({ line, status: "rejected", reasonCode, ...(reasonParams ? { reasonParams } : {}) });
        if (values.result !== "ok" && values.result !== "failed") {
          reject("result_invalid");
          continue;
        }
        const card = await cards.byIdCode(db, values.card_id_code);
        if (!card || card.batch_id !== batchId) {
          reject("not_in_batch");
          continue;
        }
        // A card made is bound to its chip: the chip's serial number, one card per chip.
        const chipSerial = (values.chip_serial ?? "").toUpperCase();
        if (values.result === "ok" && !isChipSerial(chipSerial)) {
          reject("chip_serial_invalid");
          continue;
        }
        // Rows commit one by one, so a serial earlier in the file is found here too.
        if (values.result === "ok" && (await cards.byChipSerial(db, chipSerial))) {
          reject("chip_serial_used");
          continue;
        }
        try {
          const action = values.result === "ok" ? "deliver" : "production_failed";
          const details =
            values.result === "ok"
              ? { batchId, chipSerial }
              : { batchId, reason: values.reason || "not given" };
          const changes: Partial<CardRow> =
            values.result === "ok"
              ? { chip_serial: chipSerial }
              : { batch_id: null, issue_date: null, valid_until: null };
          await db
            .transaction()
            .execute(async (trx) =>
              change(trx, actor, grant, await current(trx, card.id), action, changes, details),
            );
          rows.push({ line, status: "accepted", cardNumber: card.card_number });
        } catch (err) {
          // Another import bound the serial since the check: the unique index refused it.
          if (isUniqueViolation(err)) {
            reject("chip_serial_used");
            continue;
          }
          if (!(err instanceof DomainError)) throw err;
          reject("card_state", { state: String(err.details?.state ?? err.code) });
        }
      }
      await db
        .transaction()
        .execute((trx) => cards.markBatchReturned(trx, batchId, clock.now().toISOString()));
      const accepted = rows.filter((r) => r.status === "accepted").length;
      return { accepted, rejected: rows.length - accepted, rows };
    },
  };
}
