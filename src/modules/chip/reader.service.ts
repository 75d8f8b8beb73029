import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
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
import { type CardImage, createVirtualCard, type VirtualCardSession } from "./virtual-card.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const READER_PERMISSIONS = {
  use: CHIP_PERMISSIONS.readerUse,
  unblockPin: CHIP_PERMISSIONS.readerUnblockPin,
  debit: CHIP_PERMISSIONS.readerDebit,
};

const IDLE_MS = 10 * 60_000;
const MAX_SLOTS = 1000;
/** How long one request may hold a slot; a worker that died holding it frees it then. */
const HOLD_MS = 30_000;

type Slot = {
  card: ReturnType<typeof createVirtualCard>;
  terminalNo: string;
  cardIdCode?: string;
  /** The chip PIN was verified since the card was last read (the holder's password at this terminal). */
  pinVerified?: boolean;
  txn: number;
};

/** What a slot's row seals: the card's image and the chip's session. */
type SealedCard = { image: CardImage; session: VirtualCardSession };

/**
 * The reader interface over HTTP, for sscard's own terminals (counter, kiosk, demo) whose secure
 * module is the encryption machine: a virtual card is put into a slot of a registered terminal, and
 * the hospitals' reader calls (readCardBasic, verifyPin, changePin, unblockPin, debit) run against it
 * through the same library a PSAM terminal uses. A slot is a database row (the card sealed with the
 * data key, since it holds the chip's keys), so any worker or server serves it; one request at a time
 * holds it (a second at once gets READER_SLOT_BUSY), and it is emptied after 10 idle minutes. Its chip
 * keys never appear in a response.
 */
export function createReaderService(deps: {
  repo: ChipRepository;
  db: Kysely<Database>;
  clock: Clock;
  cardKeys: CardKeys;
  cards: CardsService;
  issuerScripts: IssuerScriptsService;
  purchases: PurchaseService;
  cipher: PiiCipher;
}) {
  const { db, clock, cardKeys, cipher } = deps;
  const { repo } = deps;
  const iso = (ms: number) => new Date(ms).toISOString();

  /**
   * Runs `work` on the caller's slot, holding it: the card is unsealed, powered up in its saved
   * session, and written back with what the commands changed (PIN tries, purse, session) even when
   * the work is refused.
   */
  async function withSlot<T>(actor: Actor, id: string, work: (slot: Slot) => Promise<T>): Promise<T> {
    authorize(actor, READER_PERMISSIONS.use);
    const now = clock.now().getTime();
    const held = await repo.holdReaderSlot(db, {
      id,
      owner: actor.id,
      liveSince: iso(now - IDLE_MS),
      now: iso(now),
      until: iso(now + HOLD_MS),
    });
    if (!held) {
      const row = await repo.readerSlot(db, id);
      if (row && row.owner === actor.id && row.touched_at >= iso(now - IDLE_MS))
        throw new DomainError("READER_SLOT_BUSY");
      throw new DomainError("READER_SLOT_NOT_FOUND");
    }
    const sealed = JSON.parse(cipher.decrypt(held.card_sealed)) as SealedCard;
    const slot: Slot = {
      card: createVirtualCard(sealed.image, undefined, sealed.session),
      terminalNo: held.terminal_no,
      cardIdCode: held.card_id_code ?? undefined,
      pinVerified: held.pin_verified === 1,
      txn: Number(held.txn),
    };
    try {
      return await work(slot);
    } finally {
      const card: SealedCard = { image: slot.card.image(), session: slot.card.session() };
      await repo.releaseReaderSlot(db, id, held.busy_until ?? "", {
        card_sealed: cipher.encrypt(JSON.stringify(card)),
        card_id_code: slot.cardIdCode ?? null,
        pin_verified: slot.pinVerified ? 1 : 0,
        txn: slot.txn,
        touched_at: clock.now().toISOString(),
        busy_until: null,
      });
    }
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
      const now = clock.now().getTime();
      await repo.pruneReaderSlots(db, iso(now - IDLE_MS));
      if ((await repo.readerSlotCount(db)) >= MAX_SLOTS)
        throw new DomainError("READER_REFUSED", { reason: "READER_FULL" });
      const id = randomUUID();
      const card: SealedCard = { image: input.card, session: createVirtualCard(input.card).session() };
      await repo.insertReaderSlot(db, {
        id,
        owner: actor.id,
        terminal_no: input.terminalNo,
        card_sealed: cipher.encrypt(JSON.stringify(card)),
        card_id_code: null,
        pin_verified: 0,
        txn: 0,
        touched_at: iso(now),
        busy_until: null,
      });
      return { slotId: id };
    },

    readCardBasic: (actor: Actor, id: string) =>
      withSlot(actor, id, async (slot) => {
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
      }),

    verifyPin: (actor: Actor, id: string, pin: string) =>
      withSlot(actor, id, async (slot) => {
        authenticated(slot);
        const answer = await guarded(() => verifyPin(slot.card, pin));
        slot.pinVerified = answer.ok;
        return answer;
      }),

    /**
     * The card in the caller's slot as the terminal authenticated it (PSAM internal and external
     * authentication when it was read), and whether its PIN was verified since: for a settlement.
     */
    authenticatedCard: (actor: Actor, id: string) =>
      withSlot(actor, id, async (slot) => ({
        cardIdCode: authenticated(slot),
        terminalNo: slot.terminalNo,
        pinVerified: slot.pinVerified === true,
      })),

    changePin: (actor: Actor, id: string, input: { oldPin: string; newPin: string }) =>
      withSlot(actor, id, async (slot) => {
        authenticated(slot);
        return guarded(() => changePin(slot.card, input.oldPin, input.newPin));
      }),

    /** The counter's chip PIN unblock: the issuer script from the machine, sent to the card. */
    unblockPin: (actor: Actor, id: string, newPin: string) =>
      withSlot(actor, id, async (slot) => {
        const cardIdCode = authenticated(slot);
        await guarded(() =>
          unblockPin(
            slot.card,
            async (cardChallenge) =>
              (await deps.issuerScripts.unblockPin(actor, { cardIdCode, cardChallenge, newPin })).apdu,
          ),
        );
        return { ok: true as const };
      }),

    /** A debit of the purse (after verifyPin), its TAC checked by sscard at once. */
    debit: (actor: Actor, id: string, amountFen: number) =>
      withSlot(actor, id, async (slot) => {
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
      }),

    async eject(actor: Actor, id: string) {
      authorize(actor, READER_PERMISSIONS.use);
      if (!(await repo.deleteReaderSlot(db, id, actor.id))) throw new DomainError("READER_SLOT_NOT_FOUND");
    },
  };
}

export type ReaderService = ReturnType<typeof createReaderService>;
