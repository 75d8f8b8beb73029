import { type Actor, authorize } from "../../shared/auth.ts";
import type { CredentialsContext, PasswordField } from "./credentials.context.ts";

import { PASSWORD_PERMISSIONS } from "./credentials.permissions.ts";
import type { Purpose } from "./pin.rules.ts";

/** Verifying a card's password, on every channel, with the lockout. */
export function credentialsVerify(ctx: CredentialsContext) {
  const { deps, verifyCard, verifyForTemporaryCertificate, verifyOnlineSignIn } = ctx;
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
    verifyForTemporaryCertificate,
    verifyOnlineSignIn,
  };
}
