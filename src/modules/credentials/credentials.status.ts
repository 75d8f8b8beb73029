import { type Actor, authorize } from "../../shared/auth.ts";
import { chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { CredentialsContext } from "./credentials.context.ts";

import { PASSWORD_PERMISSIONS } from "./credentials.permissions.ts";
import { attemptsLeft } from "./pin.rules.ts";

/** A card's password status and recent attempts. */
export function credentialsStatus(ctx: CredentialsContext) {
  const { deps, db, repo, clock, policyOf } = ctx;
  return {
    /** The password's state (never the password): initial or not, locked, failures, attempts left. */
    async status(actor: Actor, cardNumber: string) {
      authorize(actor, PASSWORD_PERMISSIONS.read);
      const card = await deps.cards.cardByNumber(cardNumber);
      authorize(actor, PASSWORD_PERMISSIONS.read, card.area_code);
      const pw = await repo.get(db, card.id);
      if (!pw) throw new DomainError("PASSWORD_NOT_SET");
      const policy = await policyOf(card);
      const today = chinaDate(clock.now());
      await deps.attempts.flush();
      const attempts = await repo.attempts(db, card.id, 20);
      return {
        initialPassword: pw.is_initial === 1,
        queryOnlyUntilChanged: pw.is_initial === 1 && policy.queryOnlyUntilPasswordChanged,
        locked: pw.locked_at !== null,
        lockedAt: pw.locked_at,
        lockout: policy.lockout,
        attemptsLeft: pw.locked_at
          ? 0
          : attemptsLeft({ failures: pw.failures, day: pw.failure_day }, policy.lockout, today),
        bankPassword: "held by the partner bank; sscard never stores or checks it" as const,
        recentAttempts: attempts.map((a) => ({
          at: a.at,
          channel: a.channel,
          actorType: a.actor_type,
          actorId: a.actor_id,
          purpose: a.purpose,
          result: a.result,
        })),
      };
    },
  };
}
