import type { KeyObject } from "node:crypto";
import type { Kysely } from "kysely";
import { sm2 } from "sm-crypto-v2";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { createSm2Signer } from "../../shared/signed.ts";
import { CARD_STATE_RULES, CARD_STATES, holdsProvinceSlot } from "../cards/cards.rules.ts";
import type { CodeCheck, NationalStatusList } from "../ecard/ecard.schemas.ts";
import { type Credential, signCredential, verifyCode } from "../ecard/ecard-code.ts";
import type { HubRepository } from "./hub.repository.ts";
import type { HubDatabase } from "./hub.tables.ts";
import { relayedError, signedRequest } from "./national.http.ts";
import {
  type CardChange,
  duplicatesOf,
  type EcardChange,
  formatStatusCursor,
  isEcardChange,
  listedNationally,
  type NationalCard,
  netPosition,
  provinceName,
  type RefundView,
  type RemoteCheckInput,
  type RemoteRefundInput,
  type RemoteSettleRequest,
  reservationOutcome,
  type SettlementReceipt,
  type StatusCursor,
} from "./national.rules.ts";

/** The key id national e-card credentials carry (`iss`). */
export const NATIONAL_ECARD_KEY_ID = "national-ecard-1";

/** How many of a batch's persons are applied at once (each its own transaction and connection). */
const APPLY_PARALLELISM = 8;

const SLOT_STATES = CARD_STATES.filter(holdsProvinceSlot);

/** At most this many entries in one status list answer (the terminal asks again from `to`). */
const STATUS_PAGE = 5_000;

/** How long a hub process reuses the provinces' status cursors (its own appends refresh them at once). */
const CURSORS_FRESH_MS = 1_000;

/** At most this many signed status answers kept for a second (distinct cursors). */
const ANSWERS_KEPT = 10_000;

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
  const statusPage = deps.statusPage ?? STATUS_PAGE;
  const ecardPublicKeys: Record<string, string> = deps.ecardKey
    ? { [NATIONAL_ECARD_KEY_ID]: sm2.getPublicKeyFromPrivateKey(deps.ecardKey) }
    : {};
  const { db, repo, clock } = deps;
  // The national status list is signed with the national e-card key, under the same key id.
  const statusSigner = deps.ecardKey ? createSm2Signer(Buffer.from(deps.ecardKey, "hex")) : undefined;
  let cursors:
    | { read: number; seqs: Promise<Map<string, number>>; answers: Map<string, Promise<NationalStatusList>> }
    | undefined;
  /**
   * The provinces' status cursors, read at most once a second per process (one small table), with the
   * signed answers given since, by cursor: terminals that are caught up share one answer and one
   * signature. A change listed by this process starts a new second at once.
   */
  const statusSnapshot = () => {
    if (!cursors || performance.now() - cursors.read > CURSORS_FRESH_MS)
      cursors = { read: performance.now(), seqs: repo.statusCursors(db), answers: new Map() };
    return cursors;
  };

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

  /** The status list after `since`, as the provinces' cursors `seqs` say, signed. */
  async function statusAnswer(
    since: StatusCursor,
    seqs: ReadonlyMap<string, number>,
  ): Promise<NationalStatusList> {
    const to = new Map(since);
    let more = false;
    const moved = [...seqs]
      .filter(([p, last]) => last > (since.get(p) ?? 0))
      .sort(([a], [b]) => a.localeCompare(b));
    const entries: { eid: string; sv: number; usable: boolean }[] = [];
    // The provinces that moved, in order, until the answer holds a page (a terminal far behind asks again).
    for (const [province, last] of moved) {
      const room = statusPage - entries.length;
      if (room <= 0) {
        more = true;
        break;
      }
      const rows = await repo.statusAfter(db, province, since.get(province) ?? 0, room);
      if (rows.length === 0) continue;
      const end = Number(rows[rows.length - 1].seq);
      to.set(province, end);
      if (end < last) more = true;
      for (const r of rows)
        entries.push({ eid: r.ecard_id, sv: Number(r.sv), usable: Number(r.usable) === 1 });
    }
    return statusSigner!.sign({
      keyId: NATIONAL_ECARD_KEY_ID,
      from: formatStatusCursor(since),
      to: formatStatusCursor(to),
      more,
      entries,
    });
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

  /**
   * The home province of a code of a national e-card: its credential, signed by this hub
   * (checked offline: signature, expiry, the code's type), names the card's area. The code's single use
   * is the home province's to check.
   */
  function homeOfCode(code: string, purpose: "identity" | "payment" = "payment") {
    const parsed = verifyCode(
      code,
      { issuerKeys: ecardPublicKeys, status: new Map(), now: Math.floor(clock.now().getTime() / 1000) },
      purpose,
    );
    if (!parsed.ok) throw new DomainError("ECARD_CODE_REFUSED", { reason: parsed.reason });
    return parsed.credential.ar.slice(0, 2);
  }

  return {
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
      if (listed > 0) cursors = undefined;
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
     * The national e-card status list after a terminal's cursor, signed with the national e-card key:
     * each province's entries in the order the hub committed them, provinces in order, up to a page
     * (`more`: ask again from `to`). A terminal applies every entry (the highest status version of an e-card wins).
     */
    async statusList(since: StatusCursor) {
      if (!statusSigner) throw new DomainError("HUB_UNAVAILABLE");
      const snapshot = statusSnapshot();
      const key = formatStatusCursor(since);
      let answer = snapshot.answers.get(key);
      if (!answer) {
        if (snapshot.answers.size >= ANSWERS_KEPT) snapshot.answers.clear();
        answer = snapshot.seqs.then((seqs) => statusAnswer(since, seqs));
        snapshot.answers.set(key, answer);
        // A failed read is not kept: the next poll reads again.
        answer.catch(() => {
          snapshot.answers.delete(key);
          if (cursors === snapshot) cursors = undefined;
        });
      }
      return answer;
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
          ? await forward(asking, homeOfCode(input.ecardCode!), path, input)
          : await toHome(asking, path, { ...input, cardNumber: input.cardNumber });
      const receipt = answerOf({ home, homeProvinceName, r }) as SettlementReceipt;
      await repo.recordSettlement(db, {
        key: `${asking}|${input.institution.code}|${input.idempotencyKey}`,
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
      const home = homeOfCode(input.code, input.purpose);
      const answer = answerOf(await forward(asking, home, "/national/v1/ecard-codes/verify", input));
      return { ...(answer as CodeCheck), homeProvince: home };
    },

    /**
     * A treating hospital's refund of its cross-province settlement: the settlement found by the key the
     * hospital settled with (its own province's and code's, so no other hospital can name it), the
     * refund made by the home province under its rules, then recorded here once for the day's netting.
     */
    async forwardRefund(asking: string, input: Omit<RemoteRefundInput, "homeProvince">) {
      const settled = await repo.settlementByKey(
        db,
        `${asking}|${input.institution.code}|${input.settlementKey}`,
      );
      if (!settled || settled.settlement_id !== input.settlementId)
        throw new DomainError("SETTLEMENT_NOT_FOUND");
      const home = settled.home_province;
      const refund = answerOf(await forward(asking, home, "/national/v1/refunds", input)) as RefundView;
      await repo.recordRefund(db, {
        key: `${asking}|${input.institution.code}|refund|${input.idempotencyKey}`,
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
      const pairs = await repo.netting(db, day, province);
      return { day, province, pairs, netFen: netPosition(pairs, province) };
    },

    /**
     * Signs a province's e-card credential as the national platform (seed 004: the e-card is issued by
     * the national social security card platform): the card must be the province's in the registry, in a
     * state whose e-card may be used, and the credential's area the province's own.
     */
    async signEcardCredential(province: string, input: { cardNumber: string; credential: Credential }) {
      if (!deps.ecardKey) throw new DomainError("HUB_UNAVAILABLE");
      const route = await repo.route(db, input.cardNumber);
      if (!route) throw new DomainError("NATIONAL_CARD_UNKNOWN");
      if (route.province !== province)
        throw new DomainError("NATIONAL_CARD_HELD", {
          province: route.province,
          provinceName: provinceName(route.province),
        });
      if (!(await repo.isAreaOf(db, input.credential.ar, province)))
        throw new DomainError("VALIDATION_FAILED", {
          summary: "credential.ar: an area of the signing province",
        });
      const scope = CARD_STATE_RULES[route.state as NationalCard["state"]].ecard;
      if (scope === "none" || scope === "not_issued")
        throw new DomainError("ECARD_UNUSABLE", { reason: `card_${route.state}` });
      const credential: Credential = { ...input.credential, iss: NATIONAL_ECARD_KEY_ID };
      return { credential: signCredential(credential, deps.ecardKey) };
    },

    /** The public keys of national e-card credentials, for every province's terminals. */
    ecardIssuerKeys: () => ecardPublicKeys,

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
