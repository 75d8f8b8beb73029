import { createHash } from "node:crypto";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, SYSTEM_ACTOR } from "../../shared/auth.ts";
import type { MedicalContext, RemoteSettleInput } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
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
export function medicalRemote(ctx: MedicalContext, settle: ReturnType<typeof medicalSettlement>["settle"]) {
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
      // The hospital's own key, scoped by its province and code, within the 64 characters a key has.
      const idempotencyKey = `n${from.province}-${createHash("sha256")
        .update(`${input.institution.code}\n${input.idempotencyKey}`)
        .digest("hex")
        .slice(0, 56)}`;
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
  };
}
