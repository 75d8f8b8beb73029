import type { Kysely } from "kysely";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskCardNumber } from "../../shared/mask.ts";
import type { CardState } from "../cards/cards.rules.ts";
import type { PasswordField } from "../credentials/credentials.context.ts";
import type { HolderService } from "../holder/holder.service.ts";
import type { RegionTable } from "../regions/regions.ts";
import { parseIdCardRecord } from "./id-card.rules.ts";
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
  cardByNumber: (q: Kysely<Database>, cardNumber: string) => Promise<CardRow | undefined>;
  personById: (q: Kysely<Database>, id: string) => Promise<PersonRow | undefined>;
  /** The card's social security password, counted on its lockout as at any terminal. */
  verifyCard: (actor: Actor, card: CardRow, password: PasswordField, source: string) => Promise<unknown>;
  /** The cards service's pre-loss (the card held, its history event, the blacklist, the audit record). */
  reportTemporaryLoss: (actor: Actor, cardNumber: string) => Promise<{ state: string; updatedAt: string }>;
  /** A holder session on the kiosk channel (the holder module). */
  openSession: HolderService["openKioskSession"];
  /** The registered name, decrypted, to compare with the ID card's. */
  nameOf: (person: PersonRow) => string;
  regions: RegionTable;
  clock: Clock;
}) {
  const { db } = deps;
  /** The person a card belongs to, once the kiosk may act in the card's area. */
  async function cardOf(actor: Actor, cardNumber: string) {
    const card = await deps.cardByNumber(db, cardNumber);
    const person = card && (await deps.personById(db, card.person_id));
    if (!card || !person || !PRE_LOSS_CARD.includes(card.state)) throw new DomainError("INVALID_CREDENTIALS");
    authorize(actor, KIOSK_PERMISSIONS.session, card.area_code);
    return { card, person };
  }
  return {
    /**
     * A session for the holder in front of the kiosk: the card (its number as the reader reads it) and
     * its password typed on the screen's pad, counted on the card's lockout — all the holder's services;
     * or the resident ID card's record from the reader (checked, and its name equal to the register's)
     * — reads and prints only.
     */
    async openSession(
      actor: Actor,
      input: { card?: { cardNumber: string } & PasswordField; idCardRecord?: string; source: string },
    ) {
      authorize(actor, KIOSK_PERMISSIONS.session);
      if ((input.card === undefined) === (input.idCardRecord === undefined))
        throw new DomainError("VALIDATION_FAILED", { summary: "card or idCardRecord: one of them" });
      if (input.card) {
        const { card, person } = await cardOf(actor, input.card.cardNumber);
        await deps.verifyCard(actor, card, input.card, input.source);
        return deps.openSession(person, actor, "card");
      }
      const read = parseIdCardRecord(
        Buffer.from(input.idCardRecord!, "base64"),
        chinaDate(deps.clock.now()),
        deps.regions,
      );
      if (!read.ok) throw new DomainError("ID_CARD_INVALID", { reason: `id_card_${read.problem}` });
      const person = await deps.findPerson(db, read.facts.idNumber);
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      authorize(actor, KIOSK_PERMISSIONS.session, person.area_code);
      if (deps.nameOf(person) !== read.facts.name) throw new DomainError("HOLDER_ID_MISMATCH");
      return deps.openSession(person, actor, "id_card");
    },

    /**
     * Pre-loss without a session: the holder types the ID number and the card's password on the
     * kiosk; the card stops settling at once. An unknown ID number and one without a card look alike.
     */
    async preLoss(actor: Actor, input: { idNumber: string; source: string } & PasswordField) {
      authorize(actor, KIOSK_PERMISSIONS.preLoss);
      const person = await deps.findPerson(db, input.idNumber);
      const card = person && (await deps.cardsOf(db, person.id)).find((c) => PRE_LOSS_CARD.includes(c.state));
      if (!person || !card) throw new DomainError("INVALID_CREDENTIALS");
      // The kiosk's own area first: a password is not tried for a card it may not act on.
      authorize(actor, KIOSK_PERMISSIONS.preLoss, card.area_code);
      await deps.verifyCard(actor, card, input, input.source);
      const lost = await deps.reportTemporaryLoss(actor, card.card_number);
      return {
        cardNumberMasked: maskCardNumber(card.card_number),
        nameMasked: person.name_masked,
        state: lost.state,
        reportedAt: lost.updatedAt,
      };
    },
  };
}

export type KioskService = ReturnType<typeof createKioskService>;
