import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, dateSchema, errors, uuidSchema } from "../../http/schemas.ts";
import { classSchema, fen } from "./medical.schemas.ts";
import type { MedicalService } from "./medical.service.ts";

/** The holder's own medical account and statement (the online service hall). */
export function medicalHolderRoutes(deps: { medical: MedicalService }): FastifyPluginAsyncZod {
  const { medical } = deps;
  return async (app) => {
    app.get(
      "/holder/medical",
      {
        config: { access: "holder" },
        schema: {
          operationId: "getOwnMedicalAccount",
          tags: ["holder"],
          summary:
            "My medical account: balance, monthly credits, contributions paid, settlements with their items",
          response: {
            200: z.object({
              balanceFen: fen,
              credits: z.array(z.object({ month: z.string(), amountFen: fen, at: z.string() })),
              contributions: z
                .array(
                  z.object({
                    month: z.string(),
                    coordinationArea: z.string(),
                    payer: z.enum(["employer", "self"]),
                    employerFen: fen,
                    personalFen: fen,
                    paidAt: z.string(),
                  }),
                )
                .describe("the latest 36 months paid, newest first"),
              settlements: z.array(
                z.object({
                  settlementId: uuidSchema,
                  institution: z.string(),
                  day: z.string(),
                  state: z.string(),
                  totalFen: fen,
                  accountFen: fen,
                  selfFen: fen,
                  items: z.array(
                    z.object({
                      name: z.string(),
                      class: classSchema,
                      quantity: z.number().int(),
                      amountFen: fen,
                      accountFen: fen,
                      selfFen: fen,
                    }),
                  ),
                }),
              ),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => medical.holderAccount(actorOf(request)),
    );
    app.get(
      "/holder/medical/statement",
      {
        config: { access: "holder" },
        schema: {
          operationId: "getOwnMedicalStatement",
          tags: ["holder"],
          summary: "My account statement for a period, with the running balance",
          querystring: z.object({ from: dateSchema, to: dateSchema }),
          response: {
            200: z.object({
              from: z.string(),
              to: z.string(),
              openingFen: fen,
              entries: z.array(
                z.object({
                  day: z.string(),
                  at: z.string(),
                  kind: z.string(),
                  amountFen: fen,
                  balanceFen: fen,
                }),
              ),
              closingFen: fen,
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => medical.statement(actorOf(request), request.query.from, request.query.to),
    );
  };
}
