import type { Kysely, Transaction } from "kysely";
import type { CardRow, Database } from "../../db/schema.ts";
import { type Actor, authorize, authorizeHolderOr, type Grant } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import { maskIdNumber, maskName } from "../../shared/mask.ts";
import type { Policy } from "../areas/areas.rules.ts";
import type { AreasService } from "../areas/areas.service.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import { stateOn } from "../cards/cards.rules.ts";
import type { CardsService } from "../cards/cards.service.ts";
import type { EncryptionMachine, PinInput } from "../keys/encryption-machine.ts";
import { PinBlockError, type PinBlockFormat } from "../keys/pin-block.ts";
import { parseIdNumber } from "../persons/id-number.rules.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import type { RegionTable } from "../regions/regions.ts";
import type { AttemptLog } from "./attempt-log.ts";
import { PASSWORD_PERMISSIONS } from "./credentials.permissions.ts";
import type { CredentialsRepository } from "./credentials.repository.ts";
import {
  afterWrongPin,
  clearPinRefused,
  initialPin,
  ONLINE_SIGN_IN,
  type Purpose,
  THROTTLE,
  throttleWindow,
  usableForPassword,
  weakPinReason,
} from "./pin.rules.ts";

/** A password as a request carries it: typed on a PIN pad behind the counter or web, or a terminal's PIN block. */
export type PasswordField = { pin?: string; pinBlock?: { format: PinBlockFormat; block: string } };

/**
 * Gives a card its initial password when it is handed over, inside the caller's transaction. The
 * policy is read by the caller before the transaction: on SQLite a query outside the transaction
 * would wait for it forever.
 */
export function createPasswordInitialiser(deps: {
  repo: CredentialsRepository;
  machine: EncryptionMachine;
  clock: Clock;
}) {
  return async (trx: Transaction<Database>, card: CardRow, policy: Pick<Policy, "initialPassword">) => {
    if (await deps.repo.get(trx, card.id)) return;
    await deps.repo.insert(trx, {
      card_id: card.id,
      pvv: deps.machine.pinVerificationValue(card.card_id_code, {
        pin: initialPin(card.card_number, policy),
      }),
      is_initial: 1,
      failures: 0,
      failure_day: null,
      locked_at: null,
      changed_at: null,
      created_at: deps.clock.now().toISOString(),
    });
  };
}

/** A password attempt's record: who tried which card from where, for what, and the outcome. */
function attemptRecord(
  a: { actor: Actor; card: CardRow; at: Date; source: string; purpose: Purpose },
  result: string,
  failures: number,
): Database["pin_attempts"] {
  return {
    // Time-ordered: the log's primary key grows at its end instead of at random pages.
    id: timeOrderedId(),
    card_id: a.card.id,
    at: a.at.toISOString(),
    channel: a.actor.channel,
    actor_type: a.actor.type,
    actor_id: a.actor.id,
    source: a.source,
    purpose: a.purpose,
    result,
    failures_after: failures,
  };
}

/** Who comes to the outlet: the holder with the ID card, or an agent with both IDs. */
export type OutletIdentity = { holderIdNumber: string; agent?: { idNumber: string; name: string } };

/** What the password use cases are made from. */
export type CredentialsDeps = {
  db: Kysely<Database>;
  repo: CredentialsRepository;
  cardsRepo: CardsRepository;
  cards: CardsService;
  persons: PersonsRepository;
  areas: AreasService;
  audit: AuditService;
  clock: Clock;
  machine: EncryptionMachine;
  cipher: PiiCipher;
  regions: RegionTable;
  attempts: AttemptLog;
};

/** The helpers the password use cases share: the holder, the PIN as typed or as a block, the policy, an attempt with its lockout, the outlet's identity check. */
export function createCredentialsContext(deps: CredentialsDeps) {
  const { db, repo, cardsRepo, audit, clock, machine, cipher } = deps;

  async function holderOf(card: CardRow) {
    const person = (await deps.persons.byId(db, card.person_id))!;
    return {
      idNumber: cipher.decrypt(person.id_number_enc),
      birthDate: person.birth_date,
      index: person.id_number_index,
    };
  }

  /**
   * Turns the request's password into the machine's input. Terminals must send a PIN block, bound to
   * the holder's social security number (its first 17 digits are the account number of format 4).
   */
  async function pinInput(actor: Actor, card: CardRow, field: PasswordField): Promise<PinInput> {
    if (field.pinBlock) {
      const holder = await holderOf(card);
      return { pinBlock: field.pinBlock, terminalId: actor.id, accountNumber: holder.idNumber.slice(0, 17) };
    }
    if (clearPinRefused(actor)) throw new DomainError("PIN_BLOCK_REQUIRED");
    if (!field.pin) throw new DomainError("VALIDATION_FAILED", { summary: "pin or pinBlock is required" });
    return { pin: field.pin };
  }

  /** Runs a machine operation, turning an undecipherable PIN block into its error. */
  function guarded<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof PinBlockError) throw new DomainError("INVALID_PIN_BLOCK");
      throw err;
    }
  }

  async function policyOf(card: CardRow): Promise<Policy> {
    return (await deps.areas.policyAt(null, card.area_code)).policy;
  }

  type Outcome =
    | { kind: "ok"; initial: boolean; left: number }
    | { kind: "wrong"; left: number }
    | { kind: "locked" }
    | { kind: "change_required" }
    | { kind: "throttled"; retryAt: string }
    | { kind: "not_set" };

  /**
   * One attempt, in one transaction: the throttle, the lock, the comparison, the counter and the
   * attempt record. The password row is held for the transaction, so concurrent attempts on a card
   * count one after another and the lock falls at exactly the threshold.
   */
  async function attempt(
    actor: Actor,
    grant: Grant | undefined,
    card: CardRow,
    input: PinInput,
    purpose: Purpose,
    source: string,
    policy: Policy,
  ): Promise<Outcome> {
    const now = clock.now();
    const today = chinaDate(now);
    const window = throttleWindow(now);
    const throttleKeys = [`${actor.type}:${actor.id}`, `source:${source}`] as const;
    const attemptRow = (result: string, failures: number) =>
      attemptRecord({ actor, card, at: now, source, purpose }, result, failures);

    // The common case reads only: a right password with nothing to reset changes no state, so it
    // needs no write transaction and its attempt record goes to the group-committed log.
    const seen = await repo.getWithThrottle(db, card.id, throttleKeys, window.start);
    if (seen && !seen.locked_at && seen.failures === 0) {
      const throttled = seen.throttle >= THROTTLE.maxFailures;
      if (!throttled && guarded(() => machine.verifyPin(card.card_id_code, input, seen.pvv))) {
        if (seen.is_initial && policy.queryOnlyUntilPasswordChanged && purpose === "transaction") {
          deps.attempts.enqueue(attemptRow("change_required", 0));
          return { kind: "change_required" };
        }
        deps.attempts.enqueue(attemptRow("ok", 0));
        return { kind: "ok", initial: seen.is_initial === 1, left: policy.lockout.threshold };
      }
    }

    return db.transaction().execute(async (trx): Promise<Outcome> => {
      const record = (result: string, failures: number) =>
        repo.insertAttempt(trx, attemptRow(result, failures));
      // The throttle rows are held before the password row: the count checked is the count bumped.
      if ((await repo.lockThrottle(trx, throttleKeys, window.start)) >= THROTTLE.maxFailures) {
        const pw = await repo.get(trx, card.id);
        await record("throttled", pw?.failures ?? 0);
        return { kind: "throttled", retryAt: window.end };
      }
      const pw = await repo.lock(trx, card.id);
      if (!pw) return { kind: "not_set" };
      if (pw.locked_at) {
        await record("locked", pw.failures);
        return { kind: "locked" };
      }
      if (!guarded(() => machine.verifyPin(card.card_id_code, input, pw.pvv))) {
        const next = afterWrongPin({ failures: pw.failures, day: pw.failure_day }, policy.lockout, today);
        await repo.update(trx, card.id, {
          failures: next.failures,
          failure_day: next.day,
          locked_at: next.locked ? now.toISOString() : null,
        });
        for (const key of throttleKeys) await repo.bumpThrottle(trx, key, window.start);
        await record(next.locked ? "wrong_locked" : "wrong", next.failures);
        if (next.locked) {
          const current = (await cardsRepo.byId(trx, card.id))!;
          if (current.state === "active") await deps.cards.act(trx, actor, grant, card.id, "lock");
          await audit.record(trx, actor, grant, {
            action: "password.locked",
            subjectType: "card",
            subjectId: card.id,
            areaCode: card.area_code,
            after: { failures: next.failures, mode: policy.lockout.mode, channel: actor.channel },
          });
          return { kind: "locked" };
        }
        return { kind: "wrong", left: policy.lockout.threshold - next.failures };
      }
      if (pw.failures > 0) await repo.update(trx, card.id, { failures: 0, failure_day: null });
      if (pw.is_initial && policy.queryOnlyUntilPasswordChanged && purpose === "transaction") {
        await record("change_required", 0);
        return { kind: "change_required" };
      }
      await record("ok", 0);
      return { kind: "ok", initial: pw.is_initial === 1, left: policy.lockout.threshold };
    });
  }

  function raise(outcome: Outcome): never {
    switch (outcome.kind) {
      case "wrong":
        throw new DomainError("PASSWORD_WRONG", { attemptsLeft: outcome.left });
      case "locked":
        throw new DomainError("PASSWORD_LOCKED");
      case "change_required":
        throw new DomainError("PASSWORD_CHANGE_REQUIRED");
      case "throttled":
        throw new DomainError("TOO_MANY_ATTEMPTS", { retryAt: outcome.retryAt });
      case "not_set":
        throw new DomainError("PASSWORD_NOT_SET");
      default:
        throw new DomainError("INTERNAL_ERROR");
    }
  }

  function usable(card: CardRow, purpose: Purpose) {
    const state = stateOn(card, chinaDate(clock.now()));
    if (!usableForPassword(state, purpose)) throw new DomainError("CARD_NOT_USABLE", { state });
  }

  /** Holder identity at the counter, or an agent with both IDs where the policy allows. */
  async function checkIdentity(
    card: CardRow,
    policy: Policy,
    input: { holderIdNumber: string; agent?: { idNumber: string; name: string } },
  ) {
    if (input.agent && !policy.agentMayResetPassword) throw new DomainError("AGENT_NOT_ALLOWED");
    const id = parseIdNumber(input.holderIdNumber, chinaDate(clock.now()), deps.regions);
    if (!id.ok) throw new DomainError("INVALID_ID_NUMBER", { reason: id.problem });
    const holder = await holderOf(card);
    if (holder.index !== cipher.blindIndex(id.facts.idNumber)) throw new DomainError("HOLDER_ID_MISMATCH");
    if (input.agent) {
      const agentId = parseIdNumber(input.agent.idNumber, chinaDate(clock.now()), deps.regions);
      if (!agentId.ok) throw new DomainError("INVALID_ID_NUMBER", { reason: agentId.problem });
      return { agent: { idNumber: maskIdNumber(agentId.facts.idNumber), name: maskName(input.agent.name) } };
    }
    return {};
  }

  /** The new password's PVV after the weak-password rules ran on it inside the machine. */
  async function newPvv(card: CardRow, input: PinInput, policy: Policy) {
    const holder = await holderOf(card);
    const reason = guarded(() =>
      machine.checkPin(input, (pin) => weakPinReason(pin, holder, initialPin(card.card_number, policy))),
    );
    if (reason) throw new DomainError("WEAK_PASSWORD", { reason });
    return guarded(() => machine.pinVerificationValue(card.card_id_code, input));
  }

  /**
   * Unlock and reset: only an outlet clerk of the card's area, after the ID check (an agent where the
   * policy allows); the password row changes, a password-locked card returns to active, audited.
   */
  async function atOutlet(
    actor: Actor,
    cardNumber: string,
    input: OutletIdentity,
    action: "password.unlock" | "password.reset",
    changesFor: (card: CardRow, policy: Policy) => Promise<Partial<Database["card_passwords"]>>,
  ) {
    authorize(actor, PASSWORD_PERMISSIONS.unlockOrReset);
    const card = await deps.cards.cardByNumber(cardNumber);
    const grant = authorize(actor, PASSWORD_PERMISSIONS.unlockOrReset, card.area_code);
    const policy = await policyOf(card);
    const who = await checkIdentity(card, policy, input);
    const changes = await changesFor(card, policy);
    await db.transaction().execute(async (trx) => {
      const pw = await repo.lock(trx, card.id);
      if (!pw) throw new DomainError("PASSWORD_NOT_SET");
      // Unlocking is for a locked password: one that is not locked is refused, not silently "unlocked".
      if (action === "password.unlock" && pw.locked_at === null) throw new DomainError("PASSWORD_NOT_LOCKED");
      await repo.update(trx, card.id, changes);
      if ((await cardsRepo.byId(trx, card.id))!.state === "locked")
        await deps.cards.act(trx, actor, grant, card.id, "unlock");
      await audit.record(trx, actor, grant, {
        action,
        subjectType: "card",
        subjectId: card.id,
        areaCode: card.area_code,
        before: { locked: pw.locked_at !== null, failures: pw.failures },
        after: { locked: false, ...who },
      });
    });
  }

  async function verifyCard(
    actor: Actor,
    card: CardRow,
    field: PasswordField & { purpose: Purpose },
    source: string,
  ) {
    if (actor.type !== "holder") authorize(actor, PASSWORD_PERMISSIONS.verify);
    const grant = authorizeHolderOr(actor, PASSWORD_PERMISSIONS.verify, card.person_id);
    usable(card, field.purpose);
    const input = await pinInput(actor, card, field);
    const outcome = await attempt(actor, grant, card, input, field.purpose, source, await policyOf(card));
    if (outcome.kind !== "ok") raise(outcome);
    return { verified: true as const, initialPassword: outcome.initial, attemptsLeft: outcome.left };
  }

  /**
   * The password of an online sign-in (service hall): counted on the card's own online counter and the
   * source's throttle, never on the card's lockout counter (see ONLINE_SIGN_IN and docs/passwords.md).
   * A card locked at a counter or terminal stays refused. Both counters are held while checked.
   */
  async function verifyOnlineSignIn(actor: Actor, card: CardRow, pin: string, source: string) {
    usable(card, "identity");
    const now = clock.now();
    const window = throttleWindow(now);
    const keys = [`online-sign-in:${card.id}`, `source:${source}`] as const;
    const outcome = await db.transaction().execute(async (trx) => {
      const record = (result: string, failures: number) =>
        repo.insertAttempt(
          trx,
          attemptRecord({ actor, card, at: now, source, purpose: "identity" }, result, failures),
        );
      // The card's online counter, then the source's: every attempt takes throttle rows in this order.
      const cardCount = Number(await repo.lockThrottle(trx, [keys[0]], window.start));
      const sourceCount = Number(await repo.lockThrottle(trx, [keys[1]], window.start));
      const pw = await repo.get(trx, card.id);
      if (!pw) return { kind: "not_set" } as const;
      if (cardCount >= ONLINE_SIGN_IN.maxFailures || sourceCount >= THROTTLE.maxFailures) {
        await record("online_blocked", pw.failures);
        return { kind: "throttled", retryAt: window.end } as const;
      }
      if (pw.locked_at) {
        await record("locked", pw.failures);
        return { kind: "locked" } as const;
      }
      if (!guarded(() => machine.verifyPin(card.card_id_code, { pin }, pw.pvv))) {
        for (const key of keys) await repo.bumpThrottle(trx, key, window.start);
        await record("online_wrong", pw.failures);
        return { kind: "wrong", left: ONLINE_SIGN_IN.maxFailures - cardCount - 1 } as const;
      }
      await record("ok", pw.failures);
      return { kind: "ok", initial: pw.is_initial === 1, left: ONLINE_SIGN_IN.maxFailures } as const;
    });
    if (outcome.kind !== "ok") raise(outcome);
    return { verified: true as const, initial: outcome.initial };
  }

  return {
    deps,
    db,
    repo,
    cardsRepo,
    audit,
    clock,
    machine,
    cipher,
    holderOf,
    pinInput,
    guarded,
    policyOf,
    attempt,
    raise,
    usable,
    checkIdentity,
    newPvv,
    atOutlet,
    verifyCard,
    verifyOnlineSignIn,
  };
}

export type CredentialsContext = ReturnType<typeof createCredentialsContext>;
