import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the holder module's routes, for the permission walk (test/permissions.test.ts). */
export function holderPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, asHolder, holderCards, holderLogin, initialPinOf } = w;
  return {
    "POST /api/v1/holder/logout": {
      prepare: asHolder(() => ({ url: "/api/v1/holder/logout" })),
      otherArea: "own",
    },
    "GET /api/v1/holder/cards": {
      prepare: asHolder(() => ({ url: "/api/v1/holder/cards" })),
      otherArea: "own",
    },
    "POST /api/v1/holder/cards/:cardNumber/temporary-loss": {
      prepare: asHolder((n) => ({ url: `/api/v1/holder/cards/${n}/temporary-loss` })),
      otherArea: "notFound",
    },
    "POST /api/v1/holder/cards/:cardNumber/temporary-loss/revoke": {
      prepare: async () => {
        const holderToken = await holderLogin();
        const n = holderCards.get(holderToken)!;
        await deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, n);
        return { url: `/api/v1/holder/cards/${n}/temporary-loss/revoke`, holderToken };
      },
      otherArea: "notFound",
    },
    "POST /api/v1/holder/cards/:cardNumber/password/change": {
      prepare: asHolder((n) => ({
        url: `/api/v1/holder/cards/${n}/password/change`,
        body: { current: initialPinOf(n), next: "582046" },
      })),
      otherArea: "notFound",
    },
    "POST /api/v1/holder/cards/:cardNumber/renewal": {
      prepare: async () => {
        const holderToken = await holderLogin();
        const n = holderCards.get(holderToken)!;
        // In the renewal window: the card expires within the policy's lead days.
        await deps.database.db
          .updateTable("cards")
          .set({ valid_until: "2026-12-31" })
          .where("card_number", "=", n)
          .execute();
        return { url: `/api/v1/holder/cards/${n}/renewal`, body: { consent: true }, holderToken };
      },
      otherArea: "notFound",
    },
    "GET /api/v1/holder/cards/:cardNumber/online-checks": {
      prepare: asHolder((n) => ({ url: `/api/v1/holder/cards/${n}/online-checks` })),
      otherArea: "notFound",
    },
  };
}
