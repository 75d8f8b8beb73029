import type { CardRow } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import type { CredentialsContext, PasswordField } from "./credentials.context.ts";

import { PASSWORD_PERMISSIONS } from "./credentials.permissions.ts";
import type { Purpose } from "./pin.rules.ts";

/** Verifying a card's password, on every channel, with the lockout. */
export function credentialsVerify(ctx: CredentialsContext) {
  const { deps, verifyCard, verifyOnlineSignIn, attempt, pinInput, policyOf, raise } = ctx;
  return {
    /** Writes the waiting successful-attempt records (at shutdown, and before reading the log). */
    flushAttempts: () => deps.attempts.flush(),

    /** Verifies the social security password for any channel; every attempt is recorded. */
    async verify(
      actor: Actor,
      cardNumber: string,
      field: PasswordField & { purpose: Purpose },
      source: string,
    ) {
      if (actor.type !== "holder") authorize(actor, PASSWORD_PERMISSIONS.verify);
      return verifyCard(actor, await deps.cards.cardByNumber(cardNumber), field, source);
    },

    /** `verify` for a card the caller has already read (a settlement reads it once). */
    verifyCard,
    verifyOnlineSignIn,

    /**
     * The holder's password with a temporary medical certificate (seed 003: it stands for the card while
     * the replacement is made): the password is the lost card's, its lockout counts as for the card, and
     * the lost card's own state is not asked (the certificate's validity is, by the caller).
     */
    async verifyForTemporaryCertificate(actor: Actor, lostCard: CardRow, pin: string, source: string) {
      const grant = authorize(actor, PASSWORD_PERMISSIONS.verify);
      const input = await pinInput(actor, lostCard, { pin });
      const outcome = await attempt(
        actor,
        grant,
        lostCard,
        input,
        "transaction",
        source,
        await policyOf(lostCard),
      );
      if (outcome.kind !== "ok") raise(outcome);
      return { verified: true as const };
    },
  };
}
