import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the enrolment module's routes, for the permission walk (test/permissions.test.ts). */
export function enrolmentPermissionSamples(w: Walk): Record<string, Sample> {
  const { asHolder, deps, enrolled, fixed, initialPinOf, listedCard, listedNumber, newPerson, twoNumbers } =
    w;
  return {
    "GET /api/v1/holder/enrolments": {
      prepare: asHolder(() => ({ url: "/api/v1/holder/enrolments" })),
      otherArea: "own",
    },
    "POST /api/v1/enrolments": {
      prepare: async () => ({
        url: "/api/v1/enrolments",
        body: {
          idNumber: await newPerson(),
          scheme: "resident_pension",
          areaCode: "330106",
          startDate: "2026-01-01",
        },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/enrolments": {
      prepare: fixed(`/api/v1/enrolments?idNumber=${listedCard.idNumber}`),
      otherArea: "forbidden",
    },
    "POST /api/v1/enrolments/:id/status": {
      prepare: async () => ({
        url: `/api/v1/enrolments/${(await enrolled()).id}/status`,
        body: { to: "suspended", reason: "核查", version: 1 },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/personal-numbers/:number": {
      prepare: fixed(`/api/v1/personal-numbers/${listedNumber}`),
      otherArea: "forbidden",
    },
    "POST /api/v1/personal-numbers/merge-preview": {
      prepare: async () => ({
        url: "/api/v1/personal-numbers/merge-preview",
        body: { idNumber: (await twoNumbers()).idNumber, coordinationArea: "330100" },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/personal-numbers/merge": {
      prepare: async () => {
        const p = await twoNumbers();
        const review = await deps.enrolment.previewMerge(SYSTEM_ACTOR, {
          idNumber: p.idNumber,
          coordinationArea: "330100",
          survivor: p.survivor,
        });
        return {
          url: "/api/v1/personal-numbers/merge",
          body: {
            idNumber: p.idNumber,
            coordinationArea: "330100",
            survivor: p.survivor,
            holderIdNumber: p.idNumber,
            reviewToken: review.reviewToken,
            // All but one active enrolment per family suspended with the merge (MERGE_CONFLICT otherwise).
            suspend: review.conflicts.flatMap((c) => c.enrolmentIds.slice(1)),
          },
        };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/arrears": {
      prepare: async () => ({
        url: "/api/v1/arrears",
        body: {
          idNumber: await newPerson(),
          coordinationArea: "330100",
          fromDate: "2026-11-01",
          reason: "欠缴",
        },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/arrears/:id/end": {
      prepare: async () => {
        const a = await deps.enrolment.recordArrears(SYSTEM_ACTOR, {
          idNumber: await newPerson(),
          coordinationArea: "330100",
          fromDate: "2026-11-01",
          reason: "欠缴",
        });
        return { url: `/api/v1/arrears/${a.id}/end`, body: { toDate: "2026-11-20" } };
      },
      otherArea: "forbidden",
    },
    // Hospitals and pharmacies check cards from everywhere.
    "POST /api/v1/online-checks": {
      prepare: fixed("/api/v1/online-checks", { cardNumber: listedCard.cardNumber }),
      otherArea: "own",
    },
    "GET /api/v1/cards/:cardNumber/online-checks": {
      prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}/online-checks`),
      otherArea: "forbidden",
    },
    // The holder proves it with the card's password, at any outlet or terminal.
    "POST /api/v1/cards/:cardNumber/online-checks/holder-view": {
      prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}/online-checks/holder-view`, {
        pin: initialPinOf(listedCard.cardNumber),
      }),
      otherArea: "own",
    },
    "POST /api/v1/medical/arrears-runs": {
      prepare: fixed("/api/v1/medical/arrears-runs"),
      otherArea: "own",
    },
  };
}
