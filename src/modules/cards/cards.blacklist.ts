import { type Actor, authorize } from "../../shared/auth.ts";
import type { CardsContext } from "./cards.context.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import { isBlacklisted } from "./cards.rules.ts";

/** The blacklist terminals apply: signed deltas, and a card's standing now. */
export function cardBlacklist(ctx: CardsContext) {
  const { deps, db, cards } = ctx;
  return {
    /**
     * The blacklist changes after `since`, for terminals to apply in order, signed with SM2 (standard
     * user ID) so a terminal can check them offline.
     */
    async blacklistDelta(actor: Actor, since: number, limit = 10_000) {
      authorize(actor, CARD_PERMISSIONS.read);
      const rows = await cards.blacklistSince(db, since, limit);
      const entries = rows.map((r) => ({
        version: Number(r.version),
        cardIdCode: r.card_id_code,
        action: r.action,
        state: r.state,
      }));
      const to = entries.at(-1)?.version ?? since;
      return deps.signer.sign({ from: since, to, entries });
    },

    /** Whether terminals must refuse a card (lost, cancelled or expired): read at the moment of asking. */
    async isBlacklisted(cardIdCode: string): Promise<boolean> {
      const card = await cards.byIdCode(db, cardIdCode);
      return !card || isBlacklisted(card.state);
    },
  };
}
