import { cardApplications } from "./cards.applications.ts";
import { cardBank } from "./cards.bank.ts";
import { cardBlacklist } from "./cards.blacklist.ts";
import { cardCalendar } from "./cards.calendar.ts";
import { type CardsDeps, createCardsContext } from "./cards.context.ts";
import { cardCounter } from "./cards.counter.ts";
import { cardDaily } from "./cards.daily.ts";
import { cardLegacy } from "./cards.legacy.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import { cardProduction } from "./cards.production.ts";
import { cardReads } from "./cards.reads.ts";

export type { ApplyInput, CardView, RowReport } from "./cards.context.ts";

export { CARD_PERMISSIONS };

/**
 * The physical card's lifecycle, assembled from one file per use case: applications, production,
 * the counter's lifecycle actions, the bank's financial function, the blacklist, reads, the daily
 * job, legacy imports and the working-day calendar. Shared helpers are in cards.context.ts.
 */
export function createCardsService(deps: CardsDeps) {
  const ctx = createCardsContext(deps);
  return {
    ...cardApplications(ctx),
    ...cardProduction(ctx),
    ...cardCounter(ctx),
    ...cardBank(ctx),
    ...cardBlacklist(ctx),
    ...cardReads(ctx),
    ...cardDaily(ctx),
    ...cardLegacy(ctx),
    ...cardCalendar(ctx),
  };
}

export type CardsService = ReturnType<typeof createCardsService>;
