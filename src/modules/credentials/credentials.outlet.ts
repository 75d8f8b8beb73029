import type { Actor } from "../../shared/auth.ts";
import type { CredentialsContext, OutletIdentity, PasswordField } from "./credentials.context.ts";

/** What only the service outlet does: unlock a locked password, reset a forgotten one. */
export function credentialsOutlet(ctx: CredentialsContext) {
  const { clock, pinInput, newPvv, atOutlet } = ctx;
  return {
    /** Unlocks a locked password at a service outlet after the ID check; the password itself stays. */
    async unlock(actor: Actor, cardNumber: string, input: OutletIdentity) {
      await atOutlet(actor, cardNumber, input, "password.unlock", async () => ({
        failures: 0,
        failure_day: null,
        locked_at: null,
      }));
      return { unlocked: true as const };
    },

    /** Resets a forgotten or locked password at a service outlet: ID check, then the holder sets a new one. */
    async reset(actor: Actor, cardNumber: string, input: OutletIdentity & { next: PasswordField }) {
      await atOutlet(actor, cardNumber, input, "password.reset", async (card, policy) => ({
        pvv: await newPvv(card, await pinInput(actor, card, input.next), policy),
        is_initial: 0,
        failures: 0,
        failure_day: null,
        locked_at: null,
        changed_at: clock.now().toISOString(),
      }));
      return { reset: true as const };
    },
  };
}
