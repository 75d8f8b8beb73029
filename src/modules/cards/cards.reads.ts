import type { Transaction } from "kysely";
import type { CardRow, Database } from "../../db/schema.ts";
import { type Actor, authorize, type Grant, holderPersonId } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { CardsContext } from "./cards.context.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import { type CardAction, holderAllowedActions } from "./cards.rules.ts";

/** Reading cards: by number, by holder, by ID number, a card's history. */
export function cardReads(ctx: CardsContext) {
  const {
    db,
    cards,
    persons,
    cipher,
    holderOf,
    toView,
    view,
    cardByNumber,
    scoped,
    validIdNumber,
    current,
    change,
  } = ctx;
  return {
    /** A card by its printed number for other modules (no access check: callers check their own). */
    cardByNumber,

    async getByNumber(actor: Actor, cardNumber: string) {
      const { card } = await scoped(actor, CARD_PERMISSIONS.read, cardNumber);
      const person = await persons.byId(db, card.person_id);
      return toView(card, holderOf(person!), null);
    },

    /** The signed-in holder's own cards, newest first, each with its history (the online service hall). */
    async ofHolder(actor: Actor) {
      const rows = await cards.ofPerson(db, holderPersonId(actor));
      return Promise.all(
        rows.map(async (c) => ({
          ...(await view(c)),
          allowedActions: holderAllowedActions(c.state),
          history: (await cards.events(db, c.id)).map((e) => ({
            at: e.at,
            action: e.action,
            fromState: e.from_state,
            toState: e.to_state,
            channel: e.channel,
          })),
        })),
      );
    },

    async listByIdNumber(actor: Actor, idNumber: string) {
      authorize(actor, CARD_PERMISSIONS.read);
      const person = await persons.byIndex(db, cipher.blindIndex(validIdNumber(idNumber)));
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      authorize(actor, CARD_PERMISSIONS.read, person.area_code);
      const rows = await cards.ofPerson(db, person.id);
      return Promise.all(rows.map((c) => view(c)));
    },

    async history(actor: Actor, cardNumber: string) {
      const { card } = await scoped(actor, CARD_PERMISSIONS.read, cardNumber);
      const events = await cards.events(db, card.id);
      return events.map((e) => ({
        seq: e.seq,
        at: e.at,
        action: e.action,
        fromState: e.from_state,
        toState: e.to_state,
        actorType: e.actor_type,
        actorId: e.actor_id,
        actorRole: e.actor_role,
        channel: e.channel,
        details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
      }));
    },

    /** A lifecycle action inside another module's transaction (the password lock, activation by password change). */
    async act(
      trx: Transaction<Database>,
      actor: Actor,
      grant: Grant | undefined,
      cardId: string,
      action: CardAction,
      changes: Partial<CardRow> = {},
    ) {
      return change(trx, actor, grant, await current(trx, cardId), action, changes);
    },
  };
}
