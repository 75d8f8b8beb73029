import type { KeyObject } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { CARD_STATE_RULES, CARD_STATES, holdsProvinceSlot } from "../cards/cards.rules.ts";
import type { CodeCheck } from "../ecard/ecard.schemas.ts";
import { createHubEcard } from "./hub.ecard.ts";
import type { HubRepository } from "./hub.repository.ts";
import type { HubDatabase } from "./hub.tables.ts";
import { relayedError, signedRequest } from "./national.http.ts";
import {
  type CardChange,
  duplicatesOf,
  type EcardChange,
  hubRecordKey,
  isEcardChange,
  listedNationally,
  type NationalCard,
  netPosition,
  nettingPairs,
  provinceName,
  type RefundView,
  type RemoteCheckInput,
  type RemoteRefundInput,
  type RemoteSettleRequest,
  reservationOutcome,
  type SettlementReceipt,
} from "./national.rules.ts";

export { NATIONAL_ECARD_KEY_ID } from "./hub.ecard.ts";

/** How many of a batch's persons are applied at once (each its own transaction and connection). */
const APPLY_PARALLELISM = 8;

const SLOT_STATES = CARD_STATES.filter(holdsProvinceSlot);

/**
 * The national hub (issue 24): the national cardholder registry, kept from the provinces' published
 * changes, applied idempotently by version; one active card per person nationwide; where a card is held.
 */
export function createHubService(deps: {
  db: Kysely<HubDatabase>;
  repo: HubRepository;
  clock: Clock;
  /** Each province's request key, and the address the hub reaches it at (forwarded checks). */
  provinces?: ReadonlyMap<string, { key: KeyObject; url?: string }>;
  /** The SM2 private key of national e-card credentials (hex); without it the hub issues none. */
  ecardKey?: string;
  /** At most this many entries in one status list answer (5,000 unless told). */
  statusPage?: number;
}) {
  const ecard = createHubEcard(deps);
  const { db, repo, clock } = deps;
  /**
   * Forwards a request about a card to its home province, signed for the asking province: the card's
   * route, and the answer (undefined when the home province has no address or cannot be reached).
   */
  async function toHome(asking: string, path: string, input: { cardNumber: string }) {
    const route = await repo.route(db, input.cardNumber);
    if (!route) throw new DomainError("NATIONAL_CARD_UNKNOWN");
    return { route, ...(await forward(asking, route.province, path, input)) };
  }

  /** Sends a request to a province signed for the asking province (undefined: no address, or no answer). */
  async function forward(asking: string, home: string, path: string, input: object) {
    const peer = deps.provinces?.get(home);
    const r = peer?.url
      ? await signedRequest(
          { baseUrl: peer.url, key: peer.key, province: asking, at: clock.now().toISOString() },
          "POST",
          path,
          input,
        )
      : undefined;
    return { home, homeProvinceName: provinceName(home), r };
  }

  /**
   * The home province's answer to a forwarded request; its refusal (a 4xx of its own) as this call's
   * error; no answer: PROVINCE_UNAVAILABLE (the caller retries).
   */
  function answerOf(sent: Awaited<ReturnType<typeof forward>>) {
    const { home, homeProvinceName, r } = sent;
    if (r?.status === 200) return r.json;
    const refused = r && relayedError(r);
    if (refused) throw refused;
    throw new DomainError("PROVINCE_UNAVAILABLE", { province: home, provinceName: homeProvinceName });
  }

  return {
    statusList: ecard.statusList,
    signEcardCredential: ecard.signEcardCredential,
    ecardIssuerKeys: ecard.ecardIssuerKeys,

    /**
     * Applies a province's changes, each in its own transaction: a change the hub already has (the same
     * or a later version) is counted as stale and changes nothing, so a batch delivered twice applies once.
     */
    async applyChanges(
      province: string,
      changes: readonly CardChange[],
      ecards: readonly EcardChange[] = [],
    ) {
      let applied = 0;
      let stale = 0;
      // The national status list first, in one transaction on the province's shard.
      const toList = ecards.filter(listedNationally);
      const listed = toList.length
        ? await db
            .transaction()
            .execute((trx) => repo.appendStatus(trx, province, toList, clock.now().toISOString()))
        : 0;
      if (listed > 0) ecard.listed();
      const applyOne = async (change: CardChange | EcardChange) => {
        const at = clock.now().toISOString();
        const written = await db.transaction().execute(async (trx) => {
          const person = await repo.lockPerson(trx, change.nationalIndex, at);
          const n = await repo.putCard(trx, change.nationalIndex, { ...change, province }, at);
          if (n > 0) {
            await repo.putRoute(trx, {
              card_number: change.cardNumber,
              national_index: change.nationalIndex,
              province,
              state: change.state,
              version: change.version,
            });
            // The card the reservation was for has arrived: the slot is held by the card from now on.
            if (person.reserved_province === province)
              await repo.setReservation(trx, change.nationalIndex, null, at);
          }
          // An e-card's change carries its card: the card is there even if its own change comes later.
          const e = isEcardChange(change)
            ? await repo.putEcard(trx, change.nationalIndex, change.cardNumber, change)
            : 0;
          return n + e > 0;
        });
        if (written) applied++;
        else stale++;
      };
      // A person's changes in their order; different persons' at once, a few transactions at a time
      // (on Citus each is a short transaction on one or two shards).
      const byPerson = new Map<string, (CardChange | EcardChange)[]>();
      for (const c of [...changes, ...ecards])
        byPerson.set(c.nationalIndex, [...(byPerson.get(c.nationalIndex) ?? []), c]);
      const queues = [...byPerson.values()];
      await Promise.all(
        Array.from({ length: Math.min(APPLY_PARALLELISM, queues.length) }, async () => {
          for (let q = queues.shift(); q; q = queues.shift()) for (const c of q) await applyOne(c);
        }),
      );
      return { applied, stale, listed };
    },

    /**
     * A province reserves a person's national slot before it writes a new card: refused with where the
     * card is held when another province holds an active one (or is writing one).
     */
    async reserve(province: string, nationalIndex: string) {
      const now = clock.now();
      const outcome = await db.transaction().execute(async (trx) => {
        const person = await repo.lockPerson(trx, nationalIndex, now.toISOString());
        const cards = await repo.cardsOf(trx, nationalIndex);
        const reservation =
          person.reserved_province && person.reserved_at
            ? { province: person.reserved_province, at: person.reserved_at }
            : null;
        const r = reservationOutcome(cards, reservation, province, now);
        if (r.ok) await repo.setReservation(trx, nationalIndex, province, now.toISOString());
        return r;
      });
      if (outcome.ok) return { reserved: true as const, province };
      throw new DomainError(outcome.code, {
        province: outcome.province,
        provinceName: provinceName(outcome.province),
      });
    },

    /** Where a card number is held and its state there (routing a cross-province request). */
    async cardRoute(cardNumber: string) {
      const route = await repo.route(db, cardNumber);
      if (!route) throw new DomainError("NATIONAL_CARD_UNKNOWN");
      return {
        cardNumber,
        province: route.province,
        provinceName: provinceName(route.province),
        state: route.state as NationalCard["state"],
        version: Number(route.version),
        ecard:
          route.ecard_sv === null
            ? null
            : { sv: Number(route.ecard_sv), usable: Number(route.ecard_usable) === 1 },
      };
    },

    /**
     * A card's online check asked by another province, forwarded to the card's home province and its
     * answer passed back. When the home province cannot answer, a card its last published state refuses
     * (lost, cancelled, expired...) is refused from the registry; otherwise PROVINCE_UNAVAILABLE.
     */
    async forwardCheck(asking: string, input: RemoteCheckInput) {
      const { route, home, homeProvinceName, r } = await toHome(asking, "/national/v1/online-checks", input);
      if (r?.status === 200)
        return {
          ...(r.json as { result: string; insured: boolean }),
          homeProvince: home,
          homeProvinceName,
          source: "home" as const,
        };
      if (r && r.status < 500)
        throw new DomainError("PROVINCE_UNAVAILABLE", { province: home, provinceName: homeProvinceName });
      const byState = CARD_STATE_RULES[route.state as NationalCard["state"]].onlineCheck;
      if (byState !== "ok")
        return {
          result: byState,
          insured: false,
          homeProvince: home,
          homeProvinceName,
          source: "registry" as const,
        };
      throw new DomainError("PROVINCE_UNAVAILABLE", { province: home, provinceName: homeProvinceName });
    },

    /**
     * A settlement of a treating province's hospital on another province's card: forwarded to the card's
     * home province, which decides it with its account and policy, then recorded here once for the
     * day's netting. The hospital's key makes a retry (or the hub's restart between the two) answer the
     * first settlement: the home province replays it, the record is not written twice.
     */
    async forwardSettlement(asking: string, input: RemoteSettleRequest) {
      const path = "/national/v1/settlements";
      const { home, homeProvinceName, r } =
        input.cardNumber === undefined
          ? await forward(asking, ecard.homeOfCode(input.ecardCode!), path, input)
          : await toHome(asking, path, { ...input, cardNumber: input.cardNumber });
      const receipt = answerOf({ home, homeProvinceName, r }) as SettlementReceipt;
      await repo.recordSettlement(db, {
        key: hubRecordKey(asking, input.institution.code, input.idempotencyKey),
        treating_province: asking,
        home_province: home,
        // Paid with an e-card's code, the hub knows the card only as the receipt masks it.
        card_number: input.cardNumber ?? String(receipt.cardNumberMasked),
        settlement_id: receipt.settlementId,
        day: receipt.day,
        total_fen: receipt.totals.totalFen,
        account_fen: receipt.totals.accountFen,
        self_fen: receipt.totals.selfFen,
        at: clock.now().toISOString(),
      });
      return { ...receipt, homeProvince: { code: home, name: homeProvinceName } };
    },

    /**
     * A national e-card's code shown in another province, checked online by its home province (routed by
     * the area its credential names): the home province's answer, passed back.
     */
    async forwardCodeCheck(
      asking: string,
      input: { code: string; purpose: "identity" | "payment"; role: string },
    ) {
      const home = ecard.homeOfCode(input.code, input.purpose);
      const answer = answerOf(await forward(asking, home, "/national/v1/ecard-codes/verify", input));
      return { ...(answer as CodeCheck), homeProvince: home };
    },

    /**
     * A treating hospital's refund of its cross-province settlement: the settlement found by the key the
     * hospital settled with (its own province's and code's, so no other hospital can name it), the
     * refund made by the home province under its rules, then recorded here once for the day's netting.
     */
    async forwardRefund(asking: string, input: RemoteRefundInput) {
      const settled = await repo.settlementByKey(
        db,
        hubRecordKey(asking, input.institution.code, input.settlementKey),
      );
      if (!settled || settled.settlement_id !== input.settlementId)
        throw new DomainError("SETTLEMENT_NOT_FOUND");
      const home = settled.home_province;
      const refund = answerOf(await forward(asking, home, "/national/v1/refunds", input)) as RefundView;
      await repo.recordRefund(db, {
        key: hubRecordKey(asking, input.institution.code, input.idempotencyKey, "refund"),
        settlement_key: settled.key,
        treating_province: asking,
        home_province: home,
        refund_id: refund.refundId,
        day: refund.day,
        account_fen: refund.accountFen,
        self_fen: refund.selfFen,
        at: clock.now().toISOString(),
      });
      return refund;
    },

    /**
     * A day's cross-province settlements of a province: each pair's count and the account money the
     * home province owes the treating one, and the province's net position (positive: it receives).
     */
    async netting(province: string, day: string) {
      const { settled, refunds } = await repo.netting(db, day, province);
      const pairs = nettingPairs(settled, refunds);
      return { day, province, pairs, netFen: netPosition(pairs, province) };
    },

    /** The persons holding active cards in this province and another, with each card, for cancellation. */
    async duplicates(province: string) {
      const cards = await repo.duplicateCandidates(db, province, SLOT_STATES);
      return duplicatesOf(cards).map((d) => ({
        cards: d.cards.map((c) => ({ cardNumber: c.cardNumber, province: c.province, state: c.state })),
      }));
    },
  };
}

export type HubService = ReturnType<typeof createHubService>;
