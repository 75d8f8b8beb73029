import type { Actor } from "../../shared/auth.ts";
import { addDays, chinaDate } from "../../shared/clock.ts";
import type { CardsContext } from "./cards.context.ts";
import { renewalWindowStart } from "./cards.rules.ts";

/** The daily job: expiry, renewal windows opening, temporary losses auto-cancelled. */
export function cardDaily(ctx: CardsContext) {
  const { deps, db, cards, today, current, change, raiseBankTask } = ctx;
  return {
    /**
     * The daily job: cards past validity become expired, cards whose renewal window opens today are
     * listed, and temporary losses older than the area's auto-cancel days are cancelled.
     */
    async runDaily(actor: Actor, date = today()) {
      const expired: string[] = [];
      for (;;) {
        const batch = await cards.pastValidity(db, date, 500);
        if (batch.length === 0) break;
        for (const card of batch) {
          await db
            .transaction()
            .execute(async (trx) => change(trx, actor, undefined, await current(trx, card.id), "expire"));
          expired.push(card.card_number);
        }
      }
      const windowOpens: { cardNumber: string; validUntil: string }[] = [];
      const leadCache = new Map<string, number>();
      for (const c of await cards.validUntilBetween(db, date, addDays(date, 366))) {
        if (!leadCache.has(c.area_code))
          leadCache.set(
            c.area_code,
            (await deps.areas.policyAt(null, c.area_code, date)).policy.renewalLeadDays,
          );
        if (renewalWindowStart(c.valid_until!, leadCache.get(c.area_code)!) === date)
          windowOpens.push({ cardNumber: c.card_number, validUntil: c.valid_until! });
      }
      const autoCancelled: string[] = [];
      for (const card of await cards.temporarilyLostSince(db, `${date}T23:59:59.999Z`)) {
        const days = (await deps.areas.policyAt(null, card.area_code, date)).policy.preLossAutoCancelDays;
        if (days === null) continue;
        const lostOn = chinaDate(new Date(card.temporarily_lost_at!));
        if (addDays(lostOn, days) > date) continue;
        await db.transaction().execute(async (trx) => {
          const next = await change(
            trx,
            actor,
            undefined,
            await current(trx, card.id),
            "cancel",
            { cancel_reason: "pre_loss_not_revoked" },
            { reason: "pre_loss_not_revoked", days },
          );
          await raiseBankTask(trx, next, "pre_loss_not_revoked");
        });
        autoCancelled.push(card.card_number);
      }
      return { date, expired, renewalWindowOpens: windowOpens, autoCancelled };
    },
  };
}
