import type { Kysely } from "kysely";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { CardState } from "../cards/cards.rules.ts";
import { KIOSK_PERMISSIONS } from "./kiosk.permissions.ts";

export { KIOSK_PERMISSIONS };

/**
 * The card a pre-loss is about: one the lifecycle's `report_temporary_loss` applies to, or one already
 * pre-lost (the holder learns so, after the password, as 409).
 */
const PRE_LOSS_CARD: readonly CardState[] = ["active", "archived", "locked", "temporarily_lost"];

/**
 * The self-service terminal (seed 003: "self-service pre-loss at the self-service terminal electronic
 * touch screen" in outlets and designated medical institutions). The kiosk is the channel principal
 * (its API key, an outlet's area); what it does is audited with the kiosk channel.
 */
export function createKioskService(deps: {
  db: Kysely<Database>;
  /** The persons service's lookup by ID number (validates the number). */
  findPerson: (q: Kysely<Database>, idNumber: string) => Promise<PersonRow | undefined>;
  cardsOf: (q: Kysely<Database>, personId: string) => Promise<CardRow[]>;
  /** The card's social security password, counted on its lockout as at any terminal. */
  verifyCard: (actor: Actor, card: CardRow, pin: string, source: string) => Promise<unknown>;
  /** The cards service's pre-loss (the card held, its history event, the blacklist, the audit record). */
  reportTemporaryLoss: (actor: Actor, cardNumber: string) => Promise<{ state: string; updatedAt: string }>;
}) {
  const { db } = deps;
  return {
    /**
     * Pre-loss without a session: the holder types the ID number and the card's password on the
     * kiosk; the card stops settling at once. An unknown ID number and one without a card look alike.
     */
    async preLoss(actor: Actor, input: { idNumber: string; pin: string; source: string }) {
      authorize(actor, KIOSK_PERMISSIONS.preLoss);
      const person = await deps.findPerson(db, input.idNumber);
      const card = person && (await deps.cardsOf(db, person.id)).find((c) => PRE_LOSS_CARD.includes(c.state));
      if (!person || !card) throw new DomainError("INVALID_CREDENTIALS");
      // The kiosk's own area first: a password is not tried for a card it may not act on.
      authorize(actor, KIOSK_PERMISSIONS.preLoss, card.area_code);
      await deps.verifyCard(actor, card, input.pin, input.source);
      const lost = await deps.reportTemporaryLoss(actor, card.card_number);
      return {
        cardNumberMasked: `${card.card_number.slice(0, 2)}*****${card.card_number.slice(-2)}`,
        nameMasked: person.name_masked,
        state: lost.state,
        reportedAt: lost.updatedAt,
      };
    },
  };
}

export type KioskService = ReturnType<typeof createKioskService>;
