import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, dateSchema, errors, okSchema, uuidSchema } from "../../http/schemas.ts";
import type { CardsService } from "./cards.service.ts";
import { CARD_PERMISSIONS } from "./cards.service.ts";

/** The terminals' blacklist, the partner bank's tasks and the working-day calendar. */
export function cardBankRoutes(deps: { cards: CardsService }): FastifyPluginAsyncZod {
  const { cards } = deps;
  const _counter = { permission: CARD_PERMISSIONS.counter };
  return async (app) => {
    app.get(
      "/blacklist",
      {
        config: { access: { permission: CARD_PERMISSIONS.read } },
        schema: {
          operationId: "getBlacklistDelta",
          tags: ["cards"],
          summary:
            "The terminals' blacklist changes after a version, in order, signed with SM2 (standard user ID)",
          querystring: z.strictObject({
            since: z.coerce.number().int().min(0).default(0),
            limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
          }),
          response: {
            200: z.object({
              from: z.number().int(),
              to: z.number().int(),
              entries: z.array(
                z.object({
                  version: z.number().int(),
                  cardIdCode: z.string(),
                  action: z.enum(["add", "remove"]),
                  state: z.string(),
                }),
              ),
              signature: z.string(),
              publicKey: z.string(),
              userId: z.string(),
              algorithm: z.literal("SM2-SM3"),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => cards.blacklistDelta(actorOf(request), request.query.since, request.query.limit),
    );

    app.get(
      "/bank-tasks",
      {
        config: { access: { permission: CARD_PERMISSIONS.bank } },
        schema: {
          operationId: "listBankTasks",
          tags: ["cards"],
          summary: "Open account-cancellation tasks of the calling clerk's bank",
          response: {
            200: z.array(
              z.object({
                id: z.string(),
                cardNumber: z.string(),
                areaCode: z.string(),
                kind: z.string(),
                reason: z.string(),
                createdAt: z.string(),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => cards.bankTasks(actorOf(request)),
    );

    app.post(
      "/bank-tasks/:id/confirm",
      {
        config: { access: { permission: CARD_PERMISSIONS.bank } },
        schema: {
          operationId: "confirmBankTask",
          tags: ["cards"],
          summary: "Confirm the bank account is cancelled",
          params: z.object({ id: uuidSchema }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await cards.confirmBankTask(actorOf(request), request.params.id);
        return { ok: true as const };
      },
    );

    const calendarAccess = {
      access: {
        permission: CARD_PERMISSIONS.calendar,
        area: (r: { params: unknown }) => (r.params as { code: string }).code,
      },
    };
    app.get(
      "/areas/:code/calendar",
      {
        config: calendarAccess,
        schema: {
          operationId: "getCalendar",
          tags: ["areas"],
          summary:
            "An area's working-day calendar for a year as it applies there: its own entries and those inherited from its province and the nation",
          params: z.object({ code: areaCodeSchema }),
          querystring: z.strictObject({ year: z.string().regex(/^\d{4}$/, "YYYY") }),
          response: {
            200: z.array(
              z.object({
                date: z.string(),
                kind: z.enum(["holiday", "workday"]),
                name: z.string(),
                areaCode: z.string().describe("the area whose entry applies"),
                own: z.boolean().describe("the area's own entry (it may remove it)"),
              }),
            ),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => cards.calendarYear(actorOf(request), request.params.code, request.query.year),
    );
    app.delete(
      "/areas/:code/calendar/:date",
      {
        config: calendarAccess,
        schema: {
          operationId: "removeCalendarDay",
          tags: ["areas"],
          summary: "Remove an area's own holiday or make-up working day",
          params: z.object({ code: areaCodeSchema, date: dateSchema }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await cards.removeCalendarDay(actorOf(request), request.params.code, request.params.date);
        return { ok: true as const };
      },
    );
    app.put(
      "/areas/:code/calendar/:date",
      {
        config: {
          access: { permission: CARD_PERMISSIONS.calendar, area: (r) => (r.params as { code: string }).code },
        },
        schema: {
          operationId: "setCalendarDay",
          tags: ["areas"],
          summary: "Set a public holiday or a make-up working day in an area's working-day calendar",
          params: z.object({ code: areaCodeSchema, date: dateSchema }),
          body: z.strictObject({ kind: z.enum(["holiday", "workday"]), name: z.string().min(1).max(50) }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await cards.setCalendarDay(actorOf(request), request.params.code, {
          date: request.params.date,
          ...request.body,
        });
        return { ok: true as const };
      },
    );
  };
}
