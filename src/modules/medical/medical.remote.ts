import { createHash } from "node:crypto";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, SYSTEM_ACTOR } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { MedicalContext, RemoteRefundInput, RemoteSettleInput } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
import type { medicalRefunds } from "./medical.refunds.ts";
import type { medicalSettlement } from "./medical.settlement.ts";

/** The code of the clearing institution that stands for a province's hospitals in this province's books. */
export const clearingCode = (province: string) => `NATIONAL-${province}`;

/**
 * Cross-province settlement (异地就医, issue 24), the home province's side: the card's own province
 * decides with its account, policy and catalogue. The treating province is one clearing institution in
 * its books (what it pays that province is that institution's ledger, reconciled day by day); the
 * treating hospital's key, scoped by province and hospital, makes each settlement once however often the
 * hub retries it.
 */
export function medicalRemote(
  ctx: MedicalContext,
  settle: ReturnType<typeof medicalSettlement>["settle"],
  refund: ReturnType<typeof medicalRefunds>["refund"],
) {
  const { db, repo, clock, audit } = ctx;

  /** The clearing institution of a province, registered (with its audit record) at its first settlement. */
  async function clearingInstitution(province: string, provinceName: string, homeProvince: string) {
    const code = clearingCode(province);
    const found = await repo.institutionByCode(db, code);
    if (found) return found;
    const row: Database["institutions"] = {
      id: `nat-${province}-${homeProvince}`,
      code,
      name: `${provinceName}异地就医（全国平台清算）`,
      kind: "hospital",
      area_code: `${homeProvince}0000`,
      agreement_from: "2000-01-01",
      agreement_until: "9999-12-31",
      created_at: clock.now().toISOString(),
    };
    await db
      .transaction()
      .execute(async (trx) => {
        await repo.insertInstitution(trx, row);
        await audit.record(trx, SYSTEM_ACTOR, undefined, {
          action: "institution.register",
          subjectType: "institution",
          subjectId: row.id,
          areaCode: row.area_code,
          after: { code, name: row.name, clearingFor: province },
        });
      })
      .catch(async (err) => {
        // Two first settlements at once: the other registered it.
        if (!(await repo.institutionByCode(db, code))) throw err;
      });
    return (await repo.institutionByCode(db, code))!;
  }

  return {
    /**
     * Settles a basket of another province's hospital on a card of this province, as the hub forwards
     * it: `actor` is the hub acting for that province (channel terminal, a settling role).
     */
    async settleForProvince(
      actor: Actor,
      from: { province: string; provinceName: string },
      input: RemoteSettleInput,
      homeProvince: string,
    ) {
      const institution = await clearingInstitution(from.province, from.provinceName, homeProvince);
      const grant = authorize(actor, MEDICAL_PERMISSIONS.settle);
      const idempotencyKey = scopedKey(from.province, input.institution.code, input.idempotencyKey);
      return settle(
        actor,
        {
          terminalNo: input.terminalNo,
          idempotencyKey,
          ...(input.cardNumber !== undefined
            ? {
                card: {
                  cardNumber: input.cardNumber,
                  ...(input.pin === undefined ? {} : { pin: input.pin }),
                },
              }
            : { ecardCode: input.ecardCode }),
          items: input.items,
          ...(input.acceptSelfPay === undefined ? {} : { acceptSelfPay: input.acceptSelfPay }),
          source: `national:${from.province}`,
        },
        { institution, grant: { ...grant, institutionId: institution.id } },
      );
    },

    /**
     * Refunds a cross-province settlement for the treating hospital that made it, as the hub forwards
     * it: the settlement must be that province's (its clearing institution) and that hospital's (the
     * key it settled with), and the refund follows this province's rules (the window, the lines left).
     */
    async refundForProvince(
      actor: Actor,
      from: { province: string; provinceName: string },
      input: RemoteRefundInput,
      homeProvince: string,
    ) {
      const institution = await clearingInstitution(from.province, from.provinceName, homeProvince);
      const grant = authorize(actor, MEDICAL_PERMISSIONS.settle);
      const s = await repo.settlementById(db, input.settlementId);
      if (
        !s ||
        s.institution_id !== institution.id ||
        s.idempotency_key !== scopedKey(from.province, input.institution.code, input.settlementKey)
      )
        throw new DomainError("SETTLEMENT_NOT_FOUND");
      return refund(
        actor,
        s.id,
        {
          terminalNo: input.terminalNo,
          idempotencyKey: scopedKey(from.province, input.institution.code, `refund\n${input.idempotencyKey}`),
          ...(input.lines ? { lines: input.lines } : {}),
        },
        { institution, grant: { ...grant, institutionId: institution.id } },
      );
    },
  };
}

/** A treating hospital's own key, scoped by its province and code, within the 64 characters a key has. */
function scopedKey(province: string, institutionCode: string, key: string) {
  return `n${province}-${createHash("sha256").update(`${institutionCode}\n${key}`).digest("hex").slice(0, 56)}`;
}
