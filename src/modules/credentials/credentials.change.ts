import { type Actor, authorize, authorizeHolderOr } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { CredentialsContext, PasswordField } from "./credentials.context.ts";

import { PASSWORD_PERMISSIONS } from "./credentials.permissions.ts";

/** Changing the password with the current one. */
export function credentialsChange(ctx: CredentialsContext) {
  const { deps, db, repo, cardsRepo, audit, clock, pinInput, policyOf, attempt, raise, usable, newPvv } = ctx;
  return {
    /**
     * Changes the password with the old one (outlets, pharmacies, kiosks, online). Changing the
     * initial password of an archived card activates its social security function.
     */
    async change(
      actor: Actor,
      cardNumber: string,
      input: { current: PasswordField; next: PasswordField },
      source: string,
    ) {
      if (actor.type !== "holder") authorize(actor, PASSWORD_PERMISSIONS.change);
      const card = await deps.cards.cardByNumber(cardNumber);
      const grant = authorizeHolderOr(actor, PASSWORD_PERMISSIONS.change, card.person_id);
      usable(card, "query");
      const policy = await policyOf(card);
      const outcome = await attempt(
        actor,
        grant,
        card,
        await pinInput(actor, card, input.current),
        "query",
        source,
        policy,
      );
      if (outcome.kind !== "ok") raise(outcome);
      const pvv = await newPvv(card, await pinInput(actor, card, input.next), policy);
      await db.transaction().execute(async (trx) => {
        const pw = await repo.lock(trx, card.id);
        if (pw?.locked_at) throw new DomainError("PASSWORD_LOCKED");
        await repo.update(trx, card.id, {
          pvv,
          is_initial: 0,
          failures: 0,
          failure_day: null,
          changed_at: clock.now().toISOString(),
        });
        const current = (await cardsRepo.byId(trx, card.id))!;
        const activates = current.state === "archived";
        if (activates)
          await deps.cards.act(trx, actor, grant, card.id, "activate", { ss_function: "activated" });
        await audit.record(trx, actor, grant, {
          action: "password.change",
          subjectType: "card",
          subjectId: card.id,
          areaCode: card.area_code,
          after: { wasInitial: pw?.is_initial === 1, activated: activates },
        });
      });
      return { changed: true as const };
    },
  };
}
