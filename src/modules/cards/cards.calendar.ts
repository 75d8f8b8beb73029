import { type Actor, authorize } from "../../shared/auth.ts";
import { addDays } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
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
  const { deps, db, cards, audit, requireArea } = ctx;
  return {
    /**
     * An area's calendar for a year as it applies there: its own entries and those it inherits from
     * its province and the nation (the nearest area's entry for a date wins), each with its source.
     */
    async calendarYear(actor: Actor, areaCode: string, year: string) {
      authorize(actor, CARD_PERMISSIONS.calendar, areaCode);
      await requireArea(areaCode);
      const chain = await deps.areas.chain(areaCode);
      const rows = await cards.calendarOfYear(db, chain, year);
      const byDate = new Map<string, (typeof rows)[number]>();
      for (const code of chain)
        for (const r of rows) if (r.area_code === code && !byDate.has(r.date)) byDate.set(r.date, r);
      return [...byDate.values()]
        .sort((a, b) => a.date.localeCompare(b.date))
        .map((r) => ({
          date: r.date,
          kind: r.kind,
          name: r.name,
          areaCode: r.area_code,
          own: r.area_code === areaCode,
        }));
    },

    /** Removes an area's own entry for a date (an inherited one is changed where it is set). */
    async removeCalendarDay(actor: Actor, areaCode: string, date: string) {
      const grant = authorize(actor, CARD_PERMISSIONS.calendar, areaCode);
      await requireArea(areaCode);
      await db.transaction().execute(async (trx) => {
        if (!(await cards.deleteCalendarDay(trx, areaCode, date)))
          throw new DomainError("CALENDAR_DAY_NOT_FOUND", { date });
        await audit.record(trx, actor, grant, {
          action: "calendar.remove",
          subjectType: "area",
          subjectId: areaCode,
          areaCode,
          before: { date },
        });
      });
    },

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
