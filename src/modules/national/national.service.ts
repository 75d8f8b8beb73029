import { createSecretKey, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import type { Clock } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError, type ErrorCode } from "../../shared/errors.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import type { CardState } from "../cards/cards.rules.ts";
import type { EcardStatusChange } from "../ecard/ecard.context.ts";
import type { CodeCheck, NationalStatusList } from "../ecard/ecard.schemas.ts";
import type { MedicalDeps } from "../medical/medical.context.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import type { NationalConfig } from "./national.config.ts";
import { relayedError, signedRequest } from "./national.http.ts";
import type { NationalRepository } from "./national.repository.ts";
import {
  type CardChange,
  type EcardChange,
  hubRequestProblem,
  isEcardChange,
  nationalIndex,
  type RefundView,
  type RemoteCheckAnswer,
  type RemoteCheckInput,
  type RemoteRefundInput,
  type RemoteSettleRequest,
} from "./national.rules.ts";

/** The home province's receipt of a cross-province settlement, with the province named. */
type RemoteReceipt = NonNullable<Awaited<ReturnType<NonNullable<MedicalDeps["remoteSettle"]>>>>;

/** How long a deliverer holds the rows it sends; after it, another process sends them again. */
const LEASE_MS = 30_000;

/** How long the outbox keeps what it delivered (what was published, for an operator's questions). */
const KEEP_DELIVERED_MS = 7 * 86_400_000;

/**
 * A province's side of the national platform (issue 24): it publishes every card change to the hub
 * through a transactional outbox (written in the change's transaction, delivered at least once after
 * it), and reserves a person's national slot before it writes a new card. Without SSCARD_HUB_URL the
 * province is not federated and none of this runs.
 */
export function createNationalService(deps: {
  db: Kysely<Database>;
  repo: NationalRepository;
  persons: Pick<PersonsRepository, "byId">;
  cards: Pick<CardsRepository, "byId">;
  cipher: PiiCipher;
  clock: Clock;
  hub: NationalConfig["hub"];
}) {
  const { db, repo, clock, hub } = deps;
  const requestKey = hub && createSecretKey(hub.key);
  const indexKey = hub && createSecretKey(hub.indexKey);
  const indexOf = (person: Pick<PersonRow, "id_number_enc">) =>
    nationalIndex(indexKey!, deps.cipher.decrypt(person.id_number_enc));

  /** A signed request to the hub: its answer, or undefined when the hub cannot be reached. */
  const call = (method: "GET" | "POST", path: string, payload?: object, timeoutMs?: number) =>
    signedRequest(
      {
        baseUrl: hub!.url,
        key: requestKey!,
        province: hub!.province,
        at: clock.now().toISOString(),
        timeoutMs,
      },
      method,
      path,
      payload,
    );

  /**
   * Sends the outbox's waiting changes to the hub, up to `limit` at a time, until none is left or the
   * hub refuses: each row is marked delivered only after the hub acknowledged it.
   */
  async function deliver(limit = 500) {
    if (!hub) return { delivered: 0, failed: 0 };
    let delivered = 0;
    for (;;) {
      const now = clock.now();
      const rows = await repo.claim(
        db,
        now.toISOString(),
        new Date(now.getTime() + LEASE_MS).toISOString(),
        limit,
      );
      if (rows.length === 0) return { delivered, failed: 0 };
      const ids = rows.map((r) => r.id);
      const payloads = rows.map((row) => JSON.parse(row.payload) as CardChange | EcardChange);
      // A batch may take longer than a clerk's request: the lease (30 s) bounds it.
      const r = await call(
        "POST",
        "/hub/v1/changes",
        {
          changes: payloads.filter((p) => !isEcardChange(p)),
          ecards: payloads.filter(isEcardChange),
        },
        LEASE_MS / 2,
      );
      if (r?.status !== 200) {
        await repo.failed(db, ids, r ? `${r.status} ${String(r.json.code ?? "")}` : "hub unreachable");
        return { delivered, failed: rows.length };
      }
      await repo.delivered(db, ids, clock.now().toISOString());
      delivered += rows.length;
    }
  }

  /**
   * The hub's answer to a request; its refusal (a 4xx of its own, or of the province it asked) as this
   * call's error; no answer (or not federated): HUB_UNAVAILABLE, the caller retries.
   */
  async function ask(method: "GET" | "POST", path: string, payload?: object) {
    if (!hub) throw new DomainError("HUB_UNAVAILABLE");
    const r = await call(method, path, payload);
    if (r?.status === 200) return r.json;
    throw (r && relayedError(r)) || new DomainError("HUB_UNAVAILABLE");
  }

  /** Writes a card's change (or its e-card's, with the card as it is now) to the outbox, in the change's transaction. */
  async function publish(
    trx: Transaction<Database>,
    card: CardRow,
    ecard?: Omit<EcardChange, keyof CardChange>,
  ) {
    const person = await deps.persons.byId(trx, card.person_id);
    if (!person) return;
    const change: CardChange | EcardChange = {
      nationalIndex: indexOf(person),
      cardNumber: card.card_number,
      state: card.state,
      version: card.version,
      ...ecard,
    };
    await repo.add(trx, {
      id: randomUUID(),
      at: clock.now().toISOString(),
      card_number: card.card_number,
      payload: JSON.stringify(change),
    });
  }

  /** Deletes what was delivered more than a week ago, a batch at a time: how many rows. */
  const pruneDelivered = (limit = 10_000) =>
    repo.prune(db, new Date(clock.now().getTime() - KEEP_DELIVERED_MS).toISOString(), limit);

  /** The hub's published e-card keys, as last fetched (a province's terminals verify national credentials with them). */
  let nationalKeys: Readonly<Record<string, string>> = {};
  async function refreshIssuerKeys() {
    if (!hub) return;
    const r = await call("GET", "/hub/v1/ecard/issuer-keys");
    if (r?.status === 200) nationalKeys = r.json as Record<string, string>;
  }

  return {
    federated: hub !== undefined,
    /** This province's code when federated. */
    province: hub?.province,

    /** The national e-card keys last fetched from the hub (key id → SM2 public key). */
    nationalIssuerKeys: () => nationalKeys,
    refreshIssuerKeys,

    /**
     * The credential signed by the national platform instead of this province's key: undefined when the
     * hub cannot sign it now (unreachable, or the card's change not delivered yet), and the province's
     * own credential stands, valid in this province.
     */
    async nationalCredential(cardNumber: string, credential: string): Promise<string | undefined> {
      if (!hub) return undefined;
      const claims = JSON.parse(Buffer.from(credential.split(".")[0], "base64url").toString("utf8"));
      const r = await call("POST", "/hub/v1/ecard-credentials", { cardNumber, credential: claims });
      if (r?.status !== 200) return undefined;
      if (Object.keys(nationalKeys).length === 0) await refreshIssuerKeys();
      return String(r.json.credential);
    },

    /** Told of every card change (and every new card: `from` null) inside its transaction: the outbox row. */
    async afterCardChange(trx: Transaction<Database>, card: CardRow, _from: CardState | null) {
      if (hub) await publish(trx, card);
    },

    /**
     * Told of every e-card status change inside its transaction: the outbox row that puts it in the
     * national status list and the registry (with its card as it is now).
     */
    async afterEcardStatus(trx: Transaction<Database>, change: EcardStatusChange) {
      if (!hub) return;
      const card = await deps.cards.byId(trx, change.ecard.card_id);
      if (card) await publish(trx, card, { ecardId: change.ecard.id, sv: change.sv, usable: change.usable });
    },

    /**
     * The national e-card status list after a terminal's cursor, as the hub signed it: undefined when
     * the hub cannot be reached (the terminal keeps its cursor and asks again).
     */
    async statusList(since: string): Promise<NationalStatusList | undefined> {
      if (!hub) return undefined;
      const r = await call("GET", `/hub/v1/ecard/status-list?since=${encodeURIComponent(since)}`);
      if (r?.status === 200) return r.json as NationalStatusList;
      const refused = r && relayedError(r);
      if (refused) throw refused;
      return undefined;
    },

    /**
     * Reserves the person's national slot before a new card is written here: refused (409, with the
     * province that holds the card) when another province holds an active card. When the hub cannot be
     * reached the application goes on: the card reaches the hub through the outbox, and a person found
     * with cards in two provinces is listed for cancellation (duplicates).
     */
    async reserveSlot(person: Pick<PersonRow, "id_number_enc">) {
      if (!hub) return { reserved: false as const, reason: "not_federated" as const };
      const r = await call("POST", "/hub/v1/reservations", { nationalIndex: indexOf(person) });
      if (!r || r.status >= 500) return { reserved: false as const, reason: "hub_unavailable" as const };
      if (r.status === 200) return { reserved: true as const };
      const code = String(r.json.code ?? "");
      if (code === "NATIONAL_CARD_HELD" || code === "NATIONAL_SLOT_RESERVED")
        throw new DomainError(code as ErrorCode, (r.json.details ?? {}) as Record<string, string>);
      throw new DomainError("HUB_UNAVAILABLE");
    },

    deliver,

    pruneDelivered,

    /**
     * Delivers the outbox every `intervalMs` in this process (each serving process may run it: the
     * rows' leases keep two from sending the same change at once). Returns a function that stops it.
     */
    startDelivery(intervalMs: number, onError: (err: unknown) => void) {
      if (!hub) return () => {};
      let running = false;
      let ticks = 1;
      // The hub's e-card keys at once (another province's national codes verify from the start), then
      // every minute (a rotation reaches the terminals), with the week-old delivered rows pruned.
      refreshIssuerKeys().catch(onError);
      const timer = setInterval(() => {
        if (ticks++ % 60 === 0) {
          refreshIssuerKeys().catch(onError);
          pruneDelivered().catch(onError);
        }
        if (running) return;
        running = true;
        deliver()
          .catch(onError)
          .finally(() => {
            running = false;
          });
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },

    /** How many changes wait for the hub, and since when (the outbox's lag). */
    backlog: () => repo.backlog(db),

    /** Where the hub says a card is held (cross-province requests). */
    async cardRoute(cardNumber: string) {
      if (!hub) throw new DomainError("HUB_UNAVAILABLE");
      const r = await call("GET", `/hub/v1/cards/${encodeURIComponent(cardNumber)}`);
      if (!r || r.status >= 500) throw new DomainError("HUB_UNAVAILABLE");
      if (r.status === 404) throw new DomainError("NATIONAL_CARD_UNKNOWN");
      return r.json as { province: string; provinceName: string; state: CardState; version: number };
    },

    /**
     * The online check of a card this province does not hold, through the hub to the card's home
     * province: its answer, or undefined when no province holds the card. Refused with HUB_UNAVAILABLE
     * or PROVINCE_UNAVAILABLE (503) when the answer cannot be had: a cross-province check is retried.
     */
    async remoteCheck(input: RemoteCheckInput) {
      if (!hub) return undefined;
      const r = await call("POST", "/hub/v1/online-checks", input);
      if (!r) throw new DomainError("HUB_UNAVAILABLE");
      if (r.status === 200) return r.json as unknown as RemoteCheckAnswer;
      const code = String(r.json.code ?? "");
      if (code === "NATIONAL_CARD_UNKNOWN") return undefined;
      if (code === "PROVINCE_UNAVAILABLE")
        throw new DomainError("PROVINCE_UNAVAILABLE", (r.json.details ?? {}) as Record<string, string>);
      throw relayedError(r) ?? new DomainError("HUB_UNAVAILABLE");
    },

    /** Whether a request claiming to come from the hub is signed with this province's hub key (the reason if not). */
    hubProblem(r: {
      at: string;
      method: string;
      path: string;
      body: string;
      signature: string;
      province: string;
    }) {
      if (!hub) return "unknown_province" as const;
      return hubRequestProblem(requestKey!, r, clock.now());
    },

    /**
     * A settlement on a card this province does not hold, through the hub to its home province: the
     * home province's receipt, or undefined when no province holds the card. The home province's refusal
     * (a wrong password, a card not usable, a declined shortfall) is this call's error.
     */
    async remoteSettle(input: RemoteSettleRequest) {
      if (!hub) return undefined;
      const r = await call("POST", "/hub/v1/settlements", input);
      if (!r) throw new DomainError("HUB_UNAVAILABLE");
      if (r.status === 200) return r.json as unknown as RemoteReceipt;
      if (r.json.code === "NATIONAL_CARD_UNKNOWN") return undefined;
      throw relayedError(r) ?? new DomainError("HUB_UNAVAILABLE");
    },

    /**
     * A refund of a cross-province settlement one of this province's institutions made, through the hub
     * to the province that settled it: its answer, or its refusal as that province's own error.
     */
    remoteRefund: async (input: RemoteRefundInput) =>
      (await ask("POST", "/hub/v1/refunds", input)) as unknown as RefundView,

    /**
     * Another province's national e-card code checked online by its home province, through the hub: the
     * home province's answer, or its refusal as its own error (a code used, an e-card suspended...).
     */
    verifyCode: async (input: { code: string; purpose: "identity" | "payment"; role: string }) =>
      (await ask("POST", "/hub/v1/ecard-codes/verify", input)) as unknown as CodeCheck,

    /** This province's cross-province settlements of a day with each other province, as the hub nets them. */
    async netting(day: string) {
      return (await ask("GET", `/hub/v1/netting?day=${encodeURIComponent(day)}`)) as {
        day: string;
        province: string;
        netFen: number;
        pairs: {
          treatingProvince: string;
          homeProvince: string;
          count: number;
          accountFen: number;
          totalFen: number;
          refundCount: number;
          refundedAccountFen: number;
        }[];
      };
    },

    /** The persons with active cards here and in another province, as the hub lists them. */
    async duplicates() {
      if (!hub) throw new DomainError("HUB_UNAVAILABLE");
      const r = await call("GET", "/hub/v1/duplicates");
      if (r === undefined || r.status !== 200) throw new DomainError("HUB_UNAVAILABLE");
      return r.json as unknown as { cards: { cardNumber: string; province: string; state: CardState }[] }[];
    },
  };
}

export type NationalService = ReturnType<typeof createNationalService>;
