import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardKeys } from "./card-keys.ts";
import { CHIP_PERMISSIONS } from "./chip.permissions.ts";
import { amountBytes, tac, terminalBytes } from "./purchase.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const PURCHASE_PERMISSIONS = { verifyTac: CHIP_PERMISSIONS.verifyTac };

export type TacInput = Readonly<{
  cardIdCode: string;
  amountFen: number;
  terminalNo: string;
  terminalTxnNo: string;
  date: string;
  time: string;
  tac: string;
}>;

/** Checks a card's transaction authentication code with the card's TAC key, derived in the encryption machine. */
export function createPurchaseService(deps: {
  db: Kysely<Database>;
  cardKeys: CardKeys;
  audit: AuditService;
}) {
  return {
    async verifyTac(actor: Actor, input: TacInput) {
      const grant = authorize(actor, PURCHASE_PERMISSIONS.verifyTac);
      const { keys } = await deps.cardKeys.forCard(actor, input.cardIdCode, ["mac"], "card.tac.invalid");
      const key = keys.mac;
      const expected = tac(key, {
        amount: amountBytes(input.amountFen),
        terminalNo: terminalBytes(input.terminalNo),
        terminalTxnNo: Buffer.from(input.terminalTxnNo, "hex"),
        date: Buffer.from(input.date, "hex"),
        time: Buffer.from(input.time, "hex"),
      });
      const valid = expected.toString("hex").toUpperCase() === input.tac.toUpperCase();
      if (!valid) {
        await deps.db.transaction().execute((trx) =>
          deps.audit.record(trx, actor, grant, {
            action: "card.tac.invalid",
            subjectType: "card",
            subjectId: input.cardIdCode,
            areaCode: input.cardIdCode.slice(0, 6),
            after: {
              terminalNo: input.terminalNo,
              terminalTxnNo: input.terminalTxnNo,
              amountFen: input.amountFen,
            },
          }),
        );
      }
      return { valid };
    },
  };
}

export type PurchaseService = ReturnType<typeof createPurchaseService>;
