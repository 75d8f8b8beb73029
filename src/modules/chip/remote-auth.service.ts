import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import { isBlacklisted } from "../cards/cards.rules.ts";
import type { CardKeys } from "./card-keys.ts";
import { CHIP_PERMISSIONS } from "./chip.permissions.ts";
import type { ChipRepository } from "./chip.repository.ts";
import { authCryptogram } from "./virtual-card.ts";

/** Terminals (and their operators) that may ask sscard to authenticate a card from another area. */
/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const REMOTE_AUTH_PERMISSIONS = { authenticate: CHIP_PERMISSIONS.remoteAuth };

const STEP_SECONDS = 60;

/**
 * Remote two-step authentication of a card the local PSAM cannot authenticate (another area's keys):
 * step 1 turns the card's challenge into the external-authentication cryptogram the card needs, and
 * gives a random for the card's internal authentication; step 2 checks the card's answer. Card keys
 * are derived inside the encryption machine and never leave it.
 */
export function createRemoteAuthService(deps: {
  cards: Pick<CardsRepository, "byIdCode" | "recordPersonalisation">;
  repo: ChipRepository;
  db: Kysely<Database>;
  cardKeys: CardKeys;
  clock: Clock;
}) {
  const { db, clock, cardKeys } = deps;
  const { repo } = deps;
  const ACTION = "card.remote_auth.refused";
  const keysOf = (actor: Actor, cardIdCode: string) =>
    cardKeys.forCard(actor, cardIdCode, ["internal_auth", "external_auth"], ACTION);
  const refuse = (actor: Actor, cardIdCode: string, reason: string) =>
    cardKeys.refuse(actor, cardIdCode, ACTION, reason);

  return {
    async step1(actor: Actor, input: { cardIdCode: string; cardChallenge: string }) {
      authorize(actor, REMOTE_AUTH_PERMISSIONS.authenticate);
      const card = await deps.cards.byIdCode(db, input.cardIdCode);
      if (!card) throw new DomainError("CARD_NOT_FOUND");
      if (isBlacklisted(card.state)) {
        await refuse(actor, input.cardIdCode, `blacklisted: ${card.state}`);
        throw new DomainError("CARD_BLACKLISTED", { state: card.state });
      }
      const { keys } = await keysOf(actor, input.cardIdCode);
      const random = randomBytes(8);
      const id = randomUUID();
      await repo.insertRemoteAuth(db, {
        id,
        card_id_code: input.cardIdCode,
        terminal_id: actor.id,
        random: random.toString("hex"),
        expires_at: new Date(clock.now().getTime() + STEP_SECONDS * 1000).toISOString(),
        completed_at: null,
      });
      return {
        authenticationId: id,
        externalAuthCryptogram: authCryptogram(
          keys.external_auth,
          Buffer.from(input.cardChallenge, "hex"),
        ).toString("hex"),
        internalAuthRandom: random.toString("hex"),
        expiresInSeconds: STEP_SECONDS,
      };
    },

    /** Step 2: the card's answer to the random of step 1; each authentication completes once. */
    async step2(actor: Actor, input: { authenticationId: string; internalAuthResponse: string }) {
      authorize(actor, REMOTE_AUTH_PERMISSIONS.authenticate);
      const row = await repo.remoteAuth(db, input.authenticationId);
      const now = clock.now().toISOString();
      if (!row || row.terminal_id !== actor.id || row.completed_at || row.expires_at < now) {
        if (row)
          await refuse(
            actor,
            row.card_id_code,
            row.completed_at ? "replayed" : "expired or another terminal",
          );
        throw new DomainError("REMOTE_AUTH_NOT_FOUND");
      }
      // Completing first makes the step one-time even when two answers race.
      if (!(await repo.completeRemoteAuth(db, row.id, now))) {
        await refuse(actor, row.card_id_code, "replayed");
        throw new DomainError("REMOTE_AUTH_NOT_FOUND");
      }
      const expected = authCryptogram(
        (await keysOf(actor, row.card_id_code)).keys.internal_auth,
        Buffer.from(row.random, "hex"),
      );
      const answer = Buffer.from(input.internalAuthResponse, "hex");
      if (answer.length !== expected.length || !timingSafeEqual(answer, expected)) {
        await refuse(actor, row.card_id_code, "wrong internal authentication cryptogram");
        throw new DomainError("CARD_AUTHENTICATION_FAILED");
      }
      return { authenticated: true as const, cardIdCode: row.card_id_code };
    },
  };
}

export type RemoteAuthService = ReturnType<typeof createRemoteAuthService>;
