import { type Actor, authorize } from "../../shared/auth.ts";
import { addDays } from "../../shared/clock.ts";
import type { CardsContext } from "./cards.context.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import type { WorkCalendar } from "./cards.rules.ts";

/** The working-day calendar of an area: its own days first, then its province's and the nation's. */
export async function calendarFor(ctx: CardsContext, areaCode: string): Promise<WorkCalendar> {
  const { deps, db, cards, today } = ctx;
  const chain = await deps.areas.chain(areaCode);
  const days = await cards.calendar(db, chain, addDays(today(), -1));
  const holidays = new Set<string>();
  const workdays = new Set<string>();
  // Nearest area first: a city's own entry for a date wins over its province's and the nation's.
  const seen = new Set<string>();
  for (const code of chain) {
    for (const d of days.filter((x) => x.area_code === code)) {
      if (seen.has(d.date)) continue;
      seen.add(d.date);
      (d.kind === "holiday" ? holidays : workdays).add(d.date);
    }
  }
  return { holidays, workdays };
}

/** The working-day calendar of an area (ready dates are counted in working days). */
export function cardCalendar(ctx: CardsContext) {
  const { db, cards, audit, requireArea } = ctx;
  return {
    /** Sets a public holiday or a make-up working day for an area's working-day calendar. */
    async setCalendarDay(
      actor: Actor,
      areaCode: string,
      input: { date: string; kind: "holiday" | "workday"; name: string },
    ) {
      const grant = authorize(actor, CARD_PERMISSIONS.calendar, areaCode);
      await requireArea(areaCode);
      await db.transaction().execute(async (trx) => {
        await cards.upsertCalendarDay(trx, {
          area_code: areaCode,
          date: input.date,
          kind: input.kind,
          name: input.name,
        });
        await audit.record(trx, actor, grant, {
          action: "calendar.set",
          subjectType: "area",
          subjectId: areaCode,
          areaCode,
          after: input,
        });
      });
    },
  };
}
