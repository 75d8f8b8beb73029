import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { CardsService } from "../cards/cards.service.ts";
import type { CardKeys } from "./card-keys.ts";
import { CHIP_PERMISSIONS } from "./chip.permissions.ts";
import type { ChipRepository } from "./chip.repository.ts";
import type { IssuerScriptsService } from "./issuer-scripts.service.ts";
import { PURCHASE_PERMISSIONS, type PurchaseService } from "./purchase.service.ts";
import { mac1, mac2, purchaseSessionKey } from "./purchase.ts";
import {
  changePin,
  debit,
  keysSam,
  type PurchaseSam,
  ReaderError,
  readCardBasic,
  unblockPin,
  verifyPin,
} from "./reader.ts";
import { type CardImage, createVirtualCard } from "./virtual-card.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const READER_PERMISSIONS = {
  use: CHIP_PERMISSIONS.readerUse,
  unblockPin: CHIP_PERMISSIONS.readerUnblockPin,
  debit: CHIP_PERMISSIONS.readerDebit,
};

const IDLE_MS = 10 * 60_000;
const MAX_SLOTS = 1000;

type Slot = {
  card: ReturnType<typeof createVirtualCard>;
  terminalNo: string;
  owner: string;
  cardIdCode?: string;
  /** The chip PIN was verified since the card was last read (the holder's password at this terminal). */
  pinVerified?: boolean;
  touched: number;
  txn: number;
};

/**
 * The reader interface over HTTP, for sscard's own terminals (counter, kiosk, demo) whose secure
 * module is the encryption machine: a virtual card is put into a slot of a registered terminal, and
 * the hospitals' reader calls (readCardBasic, verifyPin, changePin, unblockPin, debit) run against it
 * through the same library a PSAM terminal uses. Slots live in this process's memory, like a card in a
 * reader, and are emptied after 10 idle minutes; their chip keys never appear in a response.
 */
export function createReaderService(deps: {
  repo: ChipRepository;
  db: Kysely<Database>;
  clock: Clock;
  cardKeys: CardKeys;
  cards: CardsService;
  issuerScripts: IssuerScriptsService;
  purchases: PurchaseService;
}) {
  const { db, clock, cardKeys } = deps;
  const { repo } = deps;
  const slots = new Map<string, Slot>();

  function prune(now: number) {
    for (const [key, s] of slots) if (now - s.touched > IDLE_MS) slots.delete(key);
  }

  function slotOf(actor: Actor, id: string): Slot {
    authorize(actor, READER_PERMISSIONS.use);
    const now = clock.now().getTime();
    prune(now);
    const slot = slots.get(id);
    if (!slot || slot.owner !== actor.id) throw new DomainError("READER_SLOT_NOT_FOUND");
    slot.touched = now;
    return slot;
  }

  /** Runs a reader call, turning the reader's refusals into the API's errors. */
  async function guarded<T>(run: () => Promise<T> | T): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ReaderError)) throw err;
      if (err.refusal === "CARD_BLACKLISTED")
        throw new DomainError("CARD_BLACKLISTED", { state: "blacklist" });
      if (err.refusal === "CARD_AUTHENTICATION_FAILED") throw new DomainError("CARD_AUTHENTICATION_FAILED");
      throw new DomainError("READER_REFUSED", { reason: err.refusal });
    }
  }

  const authenticated = (slot: Slot) => {
    if (!slot.cardIdCode) throw new DomainError("READER_REFUSED", { reason: "READ_CARD_FIRST" });
    return slot.cardIdCode;
  };

  /** The machine acting as the terminal's PSAM for a debit. */
  const sam = (actor: Actor): PurchaseSam => ({
    async purchaseMac1(cardIdCode, init, fields) {
      const { keys } = await cardKeys.forCard(actor, cardIdCode, ["purchase"], "card.purchase.refused");
      const session = purchaseSessionKey(keys.purchase, init.random, init.counter, fields.terminalTxnNo);
      return { mac1: mac1(session, fields), checkMac2: (m) => m.equals(mac2(session, fields)) };
    },
  });

  return {
    /** Puts a virtual card (its saved file) into a slot of a registered terminal. */
    async insert(actor: Actor, input: { terminalNo: string; card: CardImage }) {
      const terminal = await repo.terminal(db, input.terminalNo);
      if (!terminal)
        throw new DomainError("VALIDATION_FAILED", {
          summary: `terminal ${input.terminalNo} is not registered`,
        });
      authorize(actor, READER_PERMISSIONS.use, terminal.area_code);
      prune(clock.now().getTime());
      if (slots.size >= MAX_SLOTS) throw new DomainError("READER_REFUSED", { reason: "READER_FULL" });
      const id = randomUUID();
      slots.set(id, {
        card: createVirtualCard(structuredClone(input.card)),
        terminalNo: input.terminalNo,
        owner: actor.id,
        touched: clock.now().getTime(),
        txn: 0,
      });
      return { slotId: id };
    },

    async readCardBasic(actor: Actor, id: string) {
      const slot = slotOf(actor, id);
      const basic = await guarded(() =>
        readCardBasic(slot.card, {
          terminalNo: slot.terminalNo,
          deviceNo: `SSCARD-${slot.terminalNo}`,
          sam: keysSam(async (code) => {
            const { keys } = await cardKeys.forCard(
              actor,
              code,
              ["internal_auth", "external_auth"],
              "card.read.refused",
            );
            return { internalAuth: keys.internal_auth, externalAuth: keys.external_auth };
          }),
          isBlacklisted: (code) => deps.cards.isBlacklisted(code),
          supportedRegions: [""],
          today: () => chinaDate(clock.now()),
        }),
      );
      slot.cardIdCode = basic.cardIdCode;
      slot.pinVerified = false;
      return basic;
    },

    async verifyPin(actor: Actor, id: string, pin: string) {
      const slot = slotOf(actor, id);
      authenticated(slot);
      const answer = await guarded(() => verifyPin(slot.card, pin));
      slot.pinVerified = answer.ok;
      return answer;
    },

    /**
     * The card in the caller's slot as the terminal authenticated it (PSAM internal and external
     * authentication when it was read), and whether its PIN was verified since: for a settlement.
     */
    authenticatedCard(actor: Actor, id: string) {
      const slot = slotOf(actor, id);
      return {
        cardIdCode: authenticated(slot),
        terminalNo: slot.terminalNo,
        pinVerified: slot.pinVerified === true,
      };
    },

    async changePin(actor: Actor, id: string, input: { oldPin: string; newPin: string }) {
      const slot = slotOf(actor, id);
      authenticated(slot);
      return guarded(() => changePin(slot.card, input.oldPin, input.newPin));
    },

    /** The counter's chip PIN unblock: the issuer script from the machine, sent to the card. */
    async unblockPin(actor: Actor, id: string, newPin: string) {
      const slot = slotOf(actor, id);
      const cardIdCode = authenticated(slot);
      await guarded(() =>
        unblockPin(
          slot.card,
          async (cardChallenge) =>
            (await deps.issuerScripts.unblockPin(actor, { cardIdCode, cardChallenge, newPin })).apdu,
        ),
      );
      return { ok: true as const };
    },

    /** A debit of the purse (after verifyPin), its TAC checked by sscard at once. */
    async debit(actor: Actor, id: string, amountFen: number) {
      const slot = slotOf(actor, id);
      // The TAC check must be allowed before the card is debited.
      authorize(actor, PURCHASE_PERMISSIONS.verifyTac);
      const cardIdCode = authenticated(slot);
      slot.txn += 1;
      const result = await guarded(() =>
        debit(slot.card, sam(actor), {
          cardIdCode,
          terminalNo: slot.terminalNo,
          amountFen,
          terminalTxnNo: slot.txn,
          at: clock.now(),
        }),
      );
      const { valid } = await deps.purchases.verifyTac(actor, {
        cardIdCode,
        amountFen,
        terminalNo: slot.terminalNo,
        terminalTxnNo: result.terminalTxnNo,
        date: result.date,
        time: result.time,
        tac: result.tac,
      });
      return { ...result, tacValid: valid };
    },

    eject(actor: Actor, id: string) {
      slotOf(actor, id);
      slots.delete(id);
    },
  };
}

export type ReaderService = ReturnType<typeof createReaderService>;
