import { newIdNumber } from "../../../test/fixtures.ts";
import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { parseCsv } from "../../shared/csv.ts";

/** Sample requests for the cards module's routes, for the permission walk (test/permissions.test.ts). */
export function cardsPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, cardIn, fixed, listedCard, listedTask, openBankTask } = w;
  return {
    "GET /api/v1/areas/:code/calendar": {
      prepare: fixed("/api/v1/areas/330100/calendar?year=2027"),
      otherArea: "forbidden",
    },
    "DELETE /api/v1/areas/:code/calendar/:date": {
      prepare: async () => {
        // An entry to remove, set first for each caller.
        await deps.cards.setCalendarDay(SYSTEM_ACTOR, "330100", {
          date: "2027-05-06",
          kind: "holiday",
          name: "测试",
        });
        return { url: "/api/v1/areas/330100/calendar/2027-05-06" };
      },
      otherArea: "forbidden",
    },
    "PUT /api/v1/areas/:code/calendar/:date": {
      prepare: fixed("/api/v1/areas/330100/calendar/2027-01-01", { kind: "holiday", name: "元旦" }),
      otherArea: "forbidden",
    },
    "GET /api/v1/cards/lifecycle": { prepare: fixed("/api/v1/cards/lifecycle"), otherArea: "own" },
    "POST /api/v1/cards/applications": {
      prepare: async () => {
        const idNumber = newIdNumber();
        await deps.persons.register(SYSTEM_ACTOR, {
          idNumber,
          name: "申请人",
          ethnicity: "01",
          areaCode: "330100",
          photoRef: "photos/a.jpg",
        });
        return { url: "/api/v1/cards/applications", body: { idNumber, areaCode: "330100" } };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/applications/batch": {
      prepare: async () => ({
        url: "/api/v1/cards/applications/batch",
        body: {
          areaCode: "330100",
          csv: `id_number,name,ethnicity,employer_code,employer_name\n${newIdNumber()},员工,01,91330100MA27XL0E2G,某公司\n`,
        },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/cards/production-batches": {
      prepare: fixed("/api/v1/cards/production-batches?areaCode=330100"),
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/production-batches": {
      prepare: async () => {
        await cardIn("applied");
        return { url: "/api/v1/cards/production-batches", body: { areaCode: "330100" } };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/production-batches/:batchId/return": {
      prepare: async () => {
        await cardIn("applied");
        const batch = await deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode: "330100" });
        const rows = (parseCsv(batch.file) as { rows: { values: Record<string, string> }[] }).rows;
        const csv = [
          "card_id_code,result,chip_serial",
          ...rows.map((r) => `${r.values.card_id_code},failed,`),
        ].join("\n");
        return { url: `/api/v1/cards/production-batches/${batch.batchId}/return`, body: { csv } };
      },
      otherArea: "forbidden",
    },
    "GET /api/v1/cards/duplicates": {
      prepare: fixed("/api/v1/cards/duplicates"),
      otherArea: "filtered",
      hidden: "LEGACY001",
    },
    "GET /api/v1/cards": {
      prepare: fixed(`/api/v1/cards?idNumber=${listedCard.idNumber}`),
      otherArea: "forbidden",
    },
    "GET /api/v1/cards/:cardNumber": {
      prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}`),
      otherArea: "forbidden",
    },
    "GET /api/v1/cards/:cardNumber/history": {
      prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}/history`),
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/:cardNumber/issue": {
      prepare: async () => {
        const c = await cardIn("delivered");
        return {
          url: `/api/v1/cards/${c.cardNumber}/issue`,
          body: { collectedBy: "holder", holderIdNumber: c.idNumber, activate: true },
        };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/:cardNumber/activate": {
      prepare: async () => {
        const c = await cardIn("archived");
        return { url: `/api/v1/cards/${c.cardNumber}/activate`, body: { holderIdNumber: c.idNumber } };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/:cardNumber/temporary-loss": {
      prepare: async () => ({
        url: `/api/v1/cards/${(await cardIn("active")).cardNumber}/temporary-loss`,
        body: {},
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/:cardNumber/temporary-loss/revoke": {
      prepare: async () => {
        const c = await cardIn("temporarily_lost");
        return {
          url: `/api/v1/cards/${c.cardNumber}/temporary-loss/revoke`,
          body: { holderIdNumber: c.idNumber },
        };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/:cardNumber/cancel": {
      prepare: async () => ({
        url: `/api/v1/cards/${(await cardIn("active")).cardNumber}/cancel`,
        body: { reason: "death", recordRef: "死亡证明 1" },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/:cardNumber/financial/activate": {
      prepare: async () => {
        const c = await cardIn("active");
        return {
          url: `/api/v1/cards/${c.cardNumber}/financial/activate`,
          body: { holderIdNumber: c.idNumber },
        };
      },
      // Any branch of the partner bank nationwide may activate the financial function.
      otherArea: "own",
    },
    "POST /api/v1/cards/:cardNumber/replacements": {
      prepare: async () => {
        const c = await cardIn("active");
        return {
          url: `/api/v1/cards/${c.cardNumber}/replacements`,
          body: { reason: "damaged", consent: true, holderIdNumber: c.idNumber },
        };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/:cardNumber/formal-loss": {
      prepare: async () => {
        const c = await cardIn("active");
        return { url: `/api/v1/cards/${c.cardNumber}/formal-loss`, body: { holderIdNumber: c.idNumber } };
      },
      otherArea: "forbidden",
    },
    "GET /api/v1/blacklist": { prepare: fixed("/api/v1/blacklist?since=0"), otherArea: "own" },
    "GET /api/v1/bank-tasks": {
      prepare: fixed("/api/v1/bank-tasks"),
      otherArea: "filtered",
      hidden: listedTask.cardNumber,
    },
    "POST /api/v1/bank-tasks/:id/confirm": {
      prepare: async () => ({ url: `/api/v1/bank-tasks/${(await openBankTask()).taskId}/confirm` }),
      otherArea: "forbidden",
    },
  };
}
