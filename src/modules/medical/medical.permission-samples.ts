import type { Sample, Walk } from "../../../test/permission-walk.ts";

/** Sample requests for the medical module's routes, for the permission walk (test/permissions.test.ts). */
export function medicalPermissionSamples(w: Walk): Record<string, Sample> {
  const { asHolder, cardIn, fixed, holderWithId, initialPinOf, next, settled } = w;
  return {
    "POST /api/v1/institutions": {
      prepare: async () => ({
        url: "/api/v1/institutions",
        body: {
          code: `HZ-H-${next()}`,
          name: "杭州医院",
          kind: "hospital",
          areaCode: "330100",
          agreementFrom: "2026-01-01",
          agreementUntil: "2027-12-31",
        },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/institutions": {
      prepare: fixed("/api/v1/institutions"),
      otherArea: "filtered",
      hidden: "HZ-PH-0001",
    },
    "POST /api/v1/institutions/:code/agreement": {
      prepare: fixed("/api/v1/institutions/HZ-PH-0001/agreement", {
        agreementFrom: "2026-01-01",
        agreementUntil: "2027-12-31",
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/institutions/:code/terminals": {
      prepare: fixed("/api/v1/institutions/HZ-PH-0001/terminals", { terminalNo: "330100000901" }),
      otherArea: "forbidden",
    },
    "GET /api/v1/institutions/:code/reconciliation": {
      prepare: fixed("/api/v1/institutions/HZ-PH-0001/reconciliation?day=2026-11-22"),
      otherArea: "forbidden",
    },
    "GET /api/v1/institutions/:code/reconciliation.csv": {
      prepare: fixed("/api/v1/institutions/HZ-PH-0001/reconciliation.csv?day=2026-11-22"),
      otherArea: "forbidden",
    },
    "POST /api/v1/catalogue/versions": {
      prepare: fixed("/api/v1/catalogue/versions", {
        name: "样例目录",
        effectiveFrom: "2030-01-01",
        csv: "code,name,class,self_pay_percent\nB1,头孢克肟片,B,10\n",
        sample: true,
      }),
      otherArea: "own",
    },
    "GET /api/v1/catalogue": { prepare: fixed("/api/v1/catalogue"), otherArea: "own" },
    "GET /api/v1/catalogue/items": { prepare: fixed("/api/v1/catalogue/items?q=XA"), otherArea: "own" },
    "POST /api/v1/settlements/quote": {
      prepare: fixed("/api/v1/settlements/quote", {
        terminalNo: "330100000901",
        items: [{ code: "XA01", quantity: 2, unitPriceFen: 500 }],
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/contributions": {
      prepare: async () => {
        const c = await cardIn("active");
        return {
          url: "/api/v1/contributions",
          body: { payer: "self", idNumber: c.idNumber, month: "2026-10", gradePercent: 100 },
        };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/medical/transfers": {
      prepare: fixed("/api/v1/medical/transfers", { month: "2026-10" }),
      otherArea: "own",
    },
    "POST /api/v1/settlements": {
      prepare: async () => {
        const c = await cardIn("active");
        return {
          url: "/api/v1/settlements",
          body: {
            terminalNo: "330100000901",
            idempotencyKey: `perm-http-${next()}`,
            card: { cardNumber: c.cardNumber, pin: initialPinOf(c.cardNumber) },
            items: [{ code: "XA01", quantity: 1, unitPriceFen: 500 }],
          },
        };
      },
      otherArea: "forbidden",
    },
    "GET /api/v1/settlements/:id": {
      prepare: async () => ({ url: `/api/v1/settlements/${(await settled()).settlementId}` }),
      otherArea: "forbidden",
    },
    "POST /api/v1/settlements/:id/refunds": {
      prepare: async () => ({
        url: `/api/v1/settlements/${(await settled()).settlementId}/refunds`,
        body: { terminalNo: "330100000901", idempotencyKey: `refund-${next()}` },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/holder/contributions": {
      prepare: async () => {
        const h = await holderWithId();
        return {
          url: "/api/v1/holder/contributions",
          body: { idNumber: h.idNumber, month: "2026-10", gradePercent: 60 },
          holderToken: h.holderToken,
        };
      },
      otherArea: "forbidden",
    },
    "GET /api/v1/holder/medical": {
      prepare: asHolder(() => ({ url: "/api/v1/holder/medical" })),
      otherArea: "own",
    },
    "GET /api/v1/holder/medical/statement": {
      prepare: asHolder(() => ({ url: "/api/v1/holder/medical/statement?from=2026-01-01&to=2026-12-31" })),
      otherArea: "own",
    },
  };
}
