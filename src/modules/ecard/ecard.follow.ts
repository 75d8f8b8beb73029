import type { Transaction } from "kysely";
import type { CardRow, Database } from "../../db/schema.ts";
import type { CardState } from "../cards/cards.rules.ts";
import type { EcardContext } from "./ecard.context.ts";
import { ecardUsability } from "./ecard.rules.ts";

/** The e-card follows its card: each card state change updates its availability in the same transaction. */
export function ecardFollow(ctx: EcardContext) {
  const { clock, repo, policyOf, usability, bump, newEcard } = ctx;
  return {
    /**
     * Inside a card's state change: its e-card's availability is recomputed, and when it changes the
     * status version rises and the status list gets the entry in the same transaction.
     */
    async afterCardChange(trx: Transaction<Database>, card: CardRow, from: CardState | null) {
      // A new card has no e-card yet: it is issued when the card is.
      if (from === null) return;
      const ecard = await repo.ofCard(trx, card.id);
      if (!ecard) {
        // Issuing a physical card issues its e-card (the holder then signs up for it in an app).
        if (from === "delivered" && (card.state === "active" || card.state === "archived"))
          await newEcard(trx, card);
        return;
      }
      // An authorisation is given for one loss: when the card leaves that loss, it ends (a new loss needs a new one).
      if (from === "temporarily_lost" && card.state !== "temporarily_lost")
        await repo.revokeAuthorisations(trx, ecard.id, clock.now().toISOString());
      const policy = await policyOf(card.area_code, trx);
      const before = ecardUsability({
        cardState: from,
        ecardSuspended: ecard.suspended === 1,
        authorisationActive: false,
        policy,
      });
      const after = await usability(trx, ecard, card);
      if (before.scope !== after.scope || from !== card.state) await bump(trx, ecard, after.scope !== "none");
    },
  };
}
