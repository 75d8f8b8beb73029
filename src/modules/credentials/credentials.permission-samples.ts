import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the credentials module's routes, for the permission walk (test/permissions.test.ts). */
export function credentialsPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, cardIn, fixed, initialPinOf, listedCard, next } = w;
  return {
    "POST /api/v1/cards/:cardNumber/password/verify": {
      prepare: async () => {
        const c = await cardIn("active");
        return {
          url: `/api/v1/cards/${c.cardNumber}/password/verify`,
          body: { pin: initialPinOf(c.cardNumber), purpose: "query" },
        };
      },
      // A card is valid nationwide: any designated institution or outlet may verify its password.
      otherArea: "own",
    },
    "POST /api/v1/cards/:cardNumber/password/change": {
      prepare: async () => {
        const c = await cardIn("active");
        return {
          url: `/api/v1/cards/${c.cardNumber}/password/change`,
          body: { current: { pin: initialPinOf(c.cardNumber) }, next: { pin: "582046" } },
        };
      },
      otherArea: "own",
    },
    "POST /api/v1/cards/:cardNumber/password/unlock": {
      prepare: async () => {
        const c = await cardIn("active");
        for (let i = 0; i < 6; i++) {
          await deps.credentials
            .verify(
              SYSTEM_ACTOR,
              c.cardNumber,
              { pin: "000000", purpose: "query" },
              `192.0.2.${next() % 250}`,
            )
            .catch(() => {});
        }
        return {
          url: `/api/v1/cards/${c.cardNumber}/password/unlock`,
          body: { holderIdNumber: c.idNumber },
        };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/cards/:cardNumber/password/reset": {
      prepare: async () => {
        const c = await cardIn("active");
        return {
          url: `/api/v1/cards/${c.cardNumber}/password/reset`,
          body: { holderIdNumber: c.idNumber, next: { pin: "582046" } },
        };
      },
      otherArea: "forbidden",
    },
    "GET /api/v1/cards/:cardNumber/password": {
      prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}/password`),
      otherArea: "forbidden",
    },
    // Terminals accept cards from everywhere, so every terminal gets the whole list.
  };
}
