import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the benefits module's routes, for the permission walk (test/permissions.test.ts). */
export function benefitsPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, fixed, cardIn, next, banks } = w;
  const bankClerk = {
    ...SYSTEM_ACTOR,
    grants: [{ role: "bank_clerk" as const, areaCode: "330100", outletId: banks["330100"].id }],
  };
  /** A batch's body listing a new holder (with an active ICBC card, its financial function activated if asked). */
  async function batchBody(activated = false) {
    const name = `待遇${next()}`;
    const c = await cardIn("active", { name });
    if (activated)
      await deps.cards.activateFinancial(bankClerk, c.cardNumber, { holderIdNumber: c.idNumber });
    return {
      areaCode: "330100",
      reference: `WALK-${next()}-${Date.now()}`,
      kind: "pension" as const,
      period: "2026-11",
      csv: `id_number,name,amount_fen\n${c.idNumber},${name},1000\n`,
    };
  }
  const batch = async (activated = false) =>
    (await deps.benefits.createBatch(SYSTEM_ACTOR, await batchBody(activated))).batchId as string;
  /** A bank's payment file with the one payment of a new batch. */
  const file = async () => (await deps.benefits.makePaymentFiles(SYSTEM_ACTOR, await batch(true))).files[0];
  return {
    "POST /api/v1/benefit-batches": {
      prepare: async () => ({ url: "/api/v1/benefit-batches", body: await batchBody() }),
      otherArea: "forbidden",
    },
    "GET /api/v1/benefit-batches": {
      prepare: fixed("/api/v1/benefit-batches?areaCode=330100"),
      otherArea: "forbidden",
    },
    "GET /api/v1/benefit-batches/:batchId": {
      prepare: async () => ({ url: `/api/v1/benefit-batches/${await batch()}` }),
      otherArea: "forbidden",
    },
    "POST /api/v1/benefit-batches/:batchId/payment-files": {
      prepare: async () => ({ url: `/api/v1/benefit-batches/${await batch()}/payment-files` }),
      otherArea: "forbidden",
    },
    "GET /api/v1/benefit-files/:fileId": {
      prepare: async () => ({ url: `/api/v1/benefit-files/${(await file()).fileId}` }),
      otherArea: "forbidden",
    },
    "POST /api/v1/benefit-files/:fileId/return": {
      prepare: async () => {
        const f = await file();
        const paymentId = f.csv.split("\n")[1].split(",")[0];
        return {
          url: `/api/v1/benefit-files/${f.fileId}/return`,
          body: { csv: `payment_id,result,bank_txn_no\n${paymentId},not_activated,\n` },
        };
      },
      otherArea: "forbidden",
    },
    "GET /api/v1/holder/benefits": {
      prepare: w.asHolder(() => ({ url: "/api/v1/holder/benefits" })),
      otherArea: "own",
    },
  };
}
