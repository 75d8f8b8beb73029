import { randomUUID } from "node:crypto";
import { uniqueAs } from "../../db/database.ts";
import type { CardRow } from "../../db/schema.ts";
import { type Actor, authorize, findGrant } from "../../shared/auth.ts";
import { parseCsv } from "../../shared/csv.ts";
import { DomainError } from "../../shared/errors.ts";
import type { RowReason } from "../../shared/row-reasons.ts";
import { ETHNICITIES } from "../persons/ethnicity.ts";
import { parseIdNumber } from "../persons/id-number.rules.ts";
import { isWellFormedCardNumber } from "./card-number.rules.ts";
import type { CardsContext, RowReport } from "./cards.context.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import { type CardState, duplicateAdvice, holdsProvinceSlot, isBlacklisted } from "./cards.rules.ts";

/** Cards from a legacy system, and the duplicates such imports reveal. */
export function cardLegacy(ctx: CardsContext) {
  const { deps, db, cards, persons, clock, cipher, regions, today, holderOf, recordEvent, authorizeQuiet } =
    ctx;
  return {
    /**
     * Imports cards from a legacy system (spec 2.00/2.01, or 3.00): CSV with the holder and the card as
     * it stands. The one-card rule is not applied, so duplicates show up in `duplicates`.
     */
    async importLegacy(actor: Actor, csv: string, onProgress?: (done: number, total: number) => void) {
      authorize(actor, CARD_PERMISSIONS.produce);
      const parsed = parseCsv(csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const required = [
        "id_number",
        "name",
        "ethnicity",
        "area_code",
        "card_number",
        "card_id_code",
        "spec_version",
        "issue_date",
        "valid_until",
        "state",
      ];
      const missing = required.filter((c) => !parsed.columns.includes(c));
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });
      const rows: RowReport[] = [];
      const legacyStates: CardState[] = [
        "archived",
        "active",
        "temporarily_lost",
        "formally_lost",
        "expired",
        "cancelled",
      ];
      let done = 0;
      for (const { line, values: v } of parsed.rows) {
        const reject = (reasonCode: RowReason, reasonParams?: Record<string, string>) =>
          rows.push({ line, status: "rejected", reasonCode, ...(reasonParams ? { reasonParams } : {}) });
        done += 1;
        if (done % 1000 === 0) onProgress?.(done, parsed.rows.length);
        const id = parseIdNumber(v.id_number, today(), regions);
        if (!id.ok) {
          reject("invalid_id_number", { detail: id.problem });
          continue;
        }
        if (!["2.00", "2.01", "3.00"].includes(v.spec_version)) {
          reject("spec_version");
          continue;
        }
        if (!isWellFormedCardNumber(v.card_number)) {
          reject("card_number_format");
          continue;
        }
        if (
          !/^\d{6}D156000005[0-9A-F]{16}$/.test(v.card_id_code) ||
          v.card_id_code.slice(0, 6) !== v.area_code
        ) {
          reject("card_id_code_format");
          continue;
        }
        if (!legacyStates.includes(v.state as CardState)) {
          reject("legacy_state", { states: legacyStates.join(", ") });
          continue;
        }
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v.issue_date) || !/^\d{4}-\d{2}-\d{2}$/.test(v.valid_until)) {
          reject("date_format");
          continue;
        }
        if (!(await deps.areasRepo.get(db, v.area_code))) {
          reject("unknown_area", { area: v.area_code });
          continue;
        }
        if (!findGrant(actor, CARD_PERMISSIONS.produce, v.area_code)) {
          reject("area_out_of_scope", { area: v.area_code });
          continue;
        }
        const legacyPolicy = (await deps.areas.policyAt(null, v.area_code)).policy;
        try {
          const number = await db.transaction().execute(async (trx) => {
            const index = cipher.blindIndex(id.facts.idNumber);
            let person = await persons.byIndex(trx, index);
            if (!person) {
              person = await deps.registerPerson(trx, actor, undefined, {
                idNumber: id.facts.idNumber,
                name: v.name,
                ethnicity: v.ethnicity in ETHNICITIES ? v.ethnicity : "97",
                areaCode: v.area_code,
              });
            }
            const at = clock.now().toISOString();
            const row: CardRow = {
              id: randomUUID(),
              key_version: null,
              personalised_at: null,
              chip_serial: null,
              card_number: v.card_number,
              card_id_code: v.card_id_code,
              spec_version: v.spec_version,
              card_type: "standard",
              person_id: person.id,
              area_code: v.area_code,
              state: v.state as CardState,
              state_before_loss: v.state === "temporarily_lost" ? "active" : null,
              ss_function: v.state === "archived" ? "not_activated" : "activated",
              financial_function: v.financial_function === "activated" ? "activated" : "not_activated",
              bank_code: v.bank_code || null,
              photo_ref: null,
              application_kind: "new",
              application_channel: "system",
              replaces_card_id: null,
              replacement_reason: null,
              employer_code: null,
              employer_name: null,
              batch_id: null,
              issue_date: v.issue_date,
              valid_until: v.valid_until,
              issued_to: "holder",
              employer_letter_ref: null,
              temp_certificate_no: null,
              ready_date: null,
              fee_fen: null,
              temporarily_lost_at: v.state === "temporarily_lost" ? at : null,
              cancel_reason: v.state === "cancelled" ? "holder_request" : null,
              version: 1,
              created_at: at,
              updated_at: at,
            };
            await uniqueAs(cards.insert(trx, row), () => new DomainError("CONCURRENT_MODIFICATION"));
            await recordEvent(trx, actor, undefined, row, "import_legacy", null, {
              specVersion: v.spec_version,
            });
            if (v.state !== "cancelled") await deps.initialisePassword(trx, row, legacyPolicy);
            if (isBlacklisted(row.state)) {
              await cards.appendBlacklistChange(trx, {
                card_id_code: row.card_id_code,
                area_code: row.area_code,
                action: "add",
                state: row.state,
                at: row.created_at,
              });
            }
            return row.card_number;
          });
          rows.push({ line, status: "accepted", cardNumber: number });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          reject("card_exists");
        }
      }
      onProgress?.(done, parsed.rows.length);
      const accepted = rows.filter((r) => r.status === "accepted").length;
      return { accepted, rejected: rows.length - accepted, rows };
    },

    /** Persons with more than one card in a province, and what to do with each card. */
    async duplicates(actor: Actor, provincePrefix?: string) {
      authorize(actor, CARD_PERMISSIONS.counter);
      const groups = await cards.personsWithSeveralCards(db, provincePrefix);
      const out = [];
      for (const g of groups) {
        // A lost card waiting for its replacement is not a duplicate: only cards holding the place count.
        const all = (await cards.ofPersonInProvince(db, g.person_id, g.province)).filter((c) =>
          holdsProvinceSlot(c.state),
        );
        if (!all.some((c) => authorizeQuiet(actor, c.area_code))) continue;
        const person = (await persons.byId(db, g.person_id))!;
        out.push({
          personId: g.person_id,
          holder: holderOf(person),
          province: g.province,
          cards: all.map((c) => ({
            cardNumber: c.card_number,
            state: c.state,
            financialFunction: c.financial_function,
            advice: duplicateAdvice(c.state, c.financial_function),
          })),
        });
      }
      return out;
    },
  };
}
