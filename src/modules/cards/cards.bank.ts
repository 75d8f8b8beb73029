import { type Actor, authorize, findGrant } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskIdNumber, maskName } from "../../shared/mask.ts";
import type { CardsContext } from "./cards.context.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import { allowedActions, stateRule } from "./cards.rules.ts";

/** The financial function and the partner bank's account tasks. */
export function cardBank(ctx: CardsContext) {
  const {
    db,
    cards,
    clock,
    view,
    cardByNumber,
    validIdNumber,
    checkHolder,
    current,
    outletOf,
    setFinancial,
  } = ctx;
  return {
    /**
     * Activates the financial function: only a clerk of the card's partner bank, in person with the
     * holder's ID, or by an agent (door-to-door for the elderly, seriously ill or disabled) recorded with
     * the agent's ID and the reason.
     */
    async activateFinancial(
      actor: Actor,
      cardNumber: string,
      input: {
        holderIdNumber: string;
        agent?: { idNumber: string; name: string; reason: "elderly" | "seriously_ill" | "disabled" };
        doorToDoor?: boolean;
      },
    ) {
      // Any branch of the partner bank, anywhere in the country, may activate (so no area check here).
      const grant = authorize(actor, CARD_PERMISSIONS.bank);
      const card = await cardByNumber(cardNumber);
      if (!card.bank_code) throw new DomainError("NO_PARTNER_BANK");
      const outlet = await outletOf(grant);
      if (outlet?.bank_code !== card.bank_code)
        throw new DomainError("NOT_PARTNER_BANK", { bankCode: card.bank_code });
      await checkHolder(card, input.holderIdNumber);
      if (card.financial_function === "activated") throw new DomainError("FINANCIAL_ALREADY_ACTIVE");
      const state = card.state;
      if (!stateRule(state).services.includes("financial_activate")) {
        throw new DomainError("CARD_ACTION_NOT_ALLOWED", {
          state,
          action: "activate_financial",
          allowed: allowedActions(state),
          allowedText: allowedActions(state).join(", ") || "—",
        });
      }
      const agent = input.agent
        ? {
            idNumber: maskIdNumber(validIdNumber(input.agent.idNumber)),
            name: maskName(input.agent.name),
            reason: input.agent.reason,
          }
        : undefined;
      const updated = await db.transaction().execute(async (trx) => {
        const fresh = await current(trx, card.id);
        if (fresh.financial_function === "activated") throw new DomainError("FINANCIAL_ALREADY_ACTIVE");
        const next = await setFinancial(trx, actor, grant, fresh, "activated", "activate_financial", {
          bank: card.bank_code,
          outlet: outlet.name,
          ...(agent ? { agent, doorToDoor: input.doorToDoor ?? false } : {}),
        });
        return next;
      });
      return view(updated);
    },

    /** Open account-cancellation tasks of the calling clerk's bank. */
    async bankTasks(actor: Actor) {
      const grant = authorize(actor, CARD_PERMISSIONS.bank);
      const outlet = await outletOf(grant);
      if (!outlet?.bank_code) return [];
      const tasks = await cards.openBankTasks(db, outlet.bank_code);
      // A bank's branches see the tasks of the areas they serve.
      return tasks
        .filter((t) => findGrant(actor, CARD_PERMISSIONS.bank, t.area_code))
        .map((t) => ({
          id: t.id,
          cardNumber: t.card_number,
          areaCode: t.area_code,
          kind: t.kind,
          reason: t.reason,
          createdAt: t.created_at,
        }));
    },

    /** The bank confirms it closed the account: the task is done and the card's financial function cancelled. */
    async confirmBankTask(actor: Actor, taskId: string) {
      const grant = authorize(actor, CARD_PERMISSIONS.bank);
      const task = await cards.bankTask(db, taskId);
      const outlet = await outletOf(grant);
      if (task?.status !== "open") throw new DomainError("BANK_TASK_NOT_FOUND");
      if (outlet?.bank_code !== task.bank_code)
        throw new DomainError("NOT_PARTNER_BANK", { bankCode: task.bank_code });
      const taskCard = await cards.byId(db, task.card_id);
      authorize(actor, CARD_PERMISSIONS.bank, taskCard!.area_code);
      await db.transaction().execute(async (trx) => {
        if (!(await cards.completeBankTask(trx, taskId, actor.id, clock.now().toISOString()))) {
          throw new DomainError("BANK_TASK_NOT_FOUND");
        }
        await setFinancial(
          trx,
          actor,
          grant,
          await current(trx, task.card_id),
          "cancelled",
          "bank_account_cancelled",
          {
            task: taskId,
          },
        );
      });
    },
  };
}
