import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, amountFenSchema, errors, pinSchema, uuidSchema } from "../../http/schemas.ts";
import type { ReaderService } from "./reader.service.ts";
import { READER_PERMISSIONS } from "./reader.service.ts";
import type { CardImage } from "./virtual-card.ts";

const hex16 = z.string().regex(/^[0-9A-Fa-f]{32}$/);
const record = z.record(z.string().regex(/^\d{1,2}$/), z.string().max(64));

/** A virtual card's saved file, as `save()` writes it. */
const cardImageSchema = z.object({
  ef05: record,
  ef06: record,
  keys: z.record(z.string().regex(/^\d{1,2}$/), hex16),
  keyVersion: z.number().int().min(1).max(99).optional(),
  holderKey: z.object({ privateKey: z.string(), publicKey: z.string() }).optional(),
  pin: z.string().regex(/^\d{4,12}$/),
  pinTriesLeft: z.number().int().min(0).max(15),
  pinTriesMax: z.number().int().min(1).max(15),
  purse: z
    .object({ balance: z.number().int().min(0), counter: z.number().int().min(0).max(65_535) })
    .optional(),
});

const pinResultSchema = z.object({ ok: z.boolean(), triesLeft: z.number().int().optional() });
const slotParams = z.object({ slotId: uuidSchema });
const SLOT_ERRORS = [...AUTH_ERRORS, 404, 409, 422, 503] as const;

/** The reader interface over HTTP (the hospitals' reader calls against a virtual card in a slot). */
export function readerRoutes(deps: { reader: ReaderService }): FastifyPluginAsyncZod {
  const { reader } = deps;
  const use = { permission: READER_PERMISSIONS.use };
  return async (app) => {
    app.post(
      "/reader/slots",
      {
        config: { access: use },
        schema: {
          operationId: "insertCardInReader",
          tags: ["reader"],
          summary: "Put a virtual card (its saved file) into a reader slot of a registered terminal",
          body: z.strictObject({
            terminalNo: z.string().regex(/^\d{12}$/),
            card: cardImageSchema,
          }),
          response: { 201: z.object({ slotId: uuidSchema }), ...errors(...AUTH_ERRORS, 422) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(
          await reader.insert(actorOf(request), {
            terminalNo: request.body.terminalNo,
            card: request.body.card as unknown as CardImage,
          }),
        ),
    );

    app.post(
      "/reader/slots/:slotId/read-card-basic",
      {
        config: { access: use },
        schema: {
          operationId: "readCardBasic",
          tags: ["reader"],
          summary:
            "iReadCardBas: authenticate the card both ways, check issuer, type, spec version, validity and the blacklist, read the basic data",
          params: slotParams,
          response: {
            200: z.object({
              region: z.string(),
              ssn: z.string(),
              cardNumber: z.string(),
              cardIdCode: z.string(),
              name: z.string(),
              atrHistorical: z.string(),
              specVersion: z.string(),
              issueDate: z.string(),
              validUntil: z.string(),
              terminalNo: z.string(),
              deviceNo: z.string(),
              pipe: z.string(),
            }),
            ...errors(...SLOT_ERRORS),
          },
        },
      },
      async (request) => reader.readCardBasic(actorOf(request), request.params.slotId),
    );

    app.post(
      "/reader/slots/:slotId/verify-pin",
      {
        config: { access: use },
        schema: {
          operationId: "verifyChipPin",
          tags: ["reader"],
          summary: "VERIFY the holder's chip PIN (the answer says how many tries are left)",
          params: slotParams,
          body: z.strictObject({ pin: pinSchema }),
          response: { 200: pinResultSchema, ...errors(...SLOT_ERRORS) },
        },
      },
      async (request) => reader.verifyPin(actorOf(request), request.params.slotId, request.body.pin),
    );

    app.post(
      "/reader/slots/:slotId/change-pin",
      {
        config: { access: use },
        schema: {
          operationId: "changeChipPin",
          tags: ["reader"],
          summary: "CHANGE REFERENCE DATA: the chip PIN, old then new",
          params: slotParams,
          body: z.strictObject({ oldPin: pinSchema, newPin: pinSchema }),
          response: { 200: pinResultSchema, ...errors(...SLOT_ERRORS) },
        },
      },
      async (request) => reader.changePin(actorOf(request), request.params.slotId, request.body),
    );

    app.post(
      "/reader/slots/:slotId/unblock-pin",
      {
        config: { access: { permission: READER_PERMISSIONS.unblockPin } },
        schema: {
          operationId: "unblockChipPin",
          tags: ["reader"],
          summary: "Unblock the chip PIN with a new one: the issuer script made by the encryption machine",
          params: slotParams,
          body: z.strictObject({ newPin: pinSchema }),
          response: { 200: z.object({ ok: z.literal(true) }), ...errors(...SLOT_ERRORS) },
        },
      },
      async (request) => reader.unblockPin(actorOf(request), request.params.slotId, request.body.newPin),
    );

    app.post(
      "/reader/slots/:slotId/debit",
      {
        config: { access: { permission: READER_PERMISSIONS.debit } },
        schema: {
          operationId: "debitPurse",
          tags: ["reader"],
          summary: "Debit the card's purse (after verify-pin) with MAC1/MAC2; sscard checks the TAC at once",
          params: slotParams,
          body: z.strictObject({ amountFen: amountFenSchema }),
          response: {
            200: z.object({
              balanceBeforeFen: z.number().int(),
              balanceAfterFen: z.number().int(),
              counter: z.number().int(),
              terminalTxnNo: z.string(),
              date: z.string(),
              time: z.string(),
              tac: z.string(),
              tacValid: z.boolean(),
            }),
            ...errors(...SLOT_ERRORS),
          },
        },
      },
      async (request) => reader.debit(actorOf(request), request.params.slotId, request.body.amountFen),
    );

    app.delete(
      "/reader/slots/:slotId",
      {
        config: { access: use },
        schema: {
          operationId: "ejectCard",
          tags: ["reader"],
          summary: "Take the card out of the slot",
          params: slotParams,
          response: { 204: z.null(), ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request, reply) => {
        await reader.eject(actorOf(request), request.params.slotId);
        return reply.status(204).send(null);
      },
    );
  };
}
