import { addDays } from "../../shared/clock.ts";

/** Where a card is in its life. `archived` is issued with the social security function not activated (封存/未启用). */
export const CARD_STATES = [
  "applied",
  "in_production",
  "delivered",
  "archived",
  "active",
  "temporarily_lost",
  "formally_lost",
  "locked",
  "expired",
  "cancelled",
] as const;
export type CardState = (typeof CARD_STATES)[number];

/** Every state but the final one. */
const LIVE = CARD_STATES.filter((s) => s !== "cancelled");

/**
 * The lifecycle: each action, the states it may start from, and the state it leads to. `previous`
 * returns to the state the card had before a temporary loss (active, archived or locked).
 */
export const LIFECYCLE = {
  send_to_production: { from: ["applied"], to: "in_production" },
  production_failed: { from: ["in_production"], to: "applied" },
  deliver: { from: ["in_production"], to: "delivered" },
  issue: { from: ["delivered"], to: "archived" },
  issue_and_activate: { from: ["delivered"], to: "active" },
  activate: { from: ["archived"], to: "active" },
  report_temporary_loss: { from: ["active", "archived", "locked"], to: "temporarily_lost" },
  revoke_temporary_loss: { from: ["temporarily_lost"], to: "previous" },
  report_formal_loss: { from: ["active", "archived", "locked", "temporarily_lost"], to: "formally_lost" },
  lock: { from: ["active"], to: "locked" },
  unlock: { from: ["locked"], to: "active" },
  expire: { from: ["delivered", "archived", "active", "locked"], to: "expired" },
  cancel: { from: LIVE, to: "cancelled" },
} as const satisfies Record<string, { from: readonly CardState[]; to: CardState | "previous" }>;

export type CardAction = keyof typeof LIFECYCLE;
export const CARD_ACTIONS = Object.keys(LIFECYCLE) as CardAction[];

/** Why a card was cancelled. */
export const CANCEL_REASONS = [
  "replaced",
  "duplicate",
  "death",
  "transfer_out",
  "emigration",
  "holder_request",
  "pre_loss_not_revoked",
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/**
 * What a cancellation needs besides its reason: on the holder's request the holder's ID checked at
 * the counter (an agent shows the holder's ID and their own); for a death, an emigration or a
 * transfer out, the reference of the record that proves it (the death record, the household
 * registration's cancellation, the transfer letter). Undefined when nothing is missing.
 */
export function missingCancelEvidence(
  reason: CancelReason,
  input: { holderIdNumber?: string; recordRef?: string },
): "holder_id" | "record_ref" | undefined {
  if (reason === "holder_request" && !input.holderIdNumber) return "holder_id";
  if (
    (reason === "death" || reason === "emigration" || reason === "transfer_out") &&
    !input.recordRef?.trim()
  )
    return "record_ref";
  return undefined;
}

/** The actions allowed from a state. */
/**
 * Whether an employer may collect a card for its holder: the employer that applied for it (its
 * unified social credit code is on the card) or one that employs the holder.
 */
export function employerMayCollect(
  card: { employer_code: string | null },
  employerCreditCode: string,
  employsHolder: boolean,
): boolean {
  return card.employer_code === employerCreditCode || employsHolder;
}

export function allowedActions(state: CardState): CardAction[] {
  return CARD_ACTIONS.filter((a) => (LIFECYCLE[a].from as readonly CardState[]).includes(state));
}

/**
 * The state a card is in at the moment of use on `today` (YYYY-MM-DD, China calendar): a card whose
 * validity ended before today is expired, whether or not the daily job has recorded it yet. Every use
 * (password, settlement, e-card) decides on this, not on the stored state alone.
 */
export function stateOn(card: { state: CardState; valid_until: string | null }, today: string): CardState {
  const state = card.state;
  if (
    card.valid_until &&
    card.valid_until < today &&
    (LIFECYCLE.expire.from as readonly CardState[]).includes(state)
  )
    return "expired";
  return state;
}

/** The lifecycle actions a holder may take on their own card online (the rest happen at an outlet or bank). */
export const HOLDER_CARD_ACTIONS = [
  "report_temporary_loss",
  "revoke_temporary_loss",
] as const satisfies readonly CardAction[];

/** The actions a signed-in holder can take on a card in `state`: only the holder's own, never an outlet's. */
export function holderAllowedActions(state: CardState): CardAction[] {
  return allowedActions(state).filter((a) => (HOLDER_CARD_ACTIONS as readonly CardAction[]).includes(a));
}

export type Transition = { ok: true; to: CardState } | { ok: false; state: CardState; allowed: CardAction[] };

/** The state an action leads to from `state`, or the refusal with the actions that are allowed. */
export function transition(
  state: CardState,
  action: CardAction,
  stateBeforeLoss: CardState | null,
): Transition {
  const rule = LIFECYCLE[action];
  if (!(rule.from as readonly CardState[]).includes(state))
    return { ok: false, state, allowed: allowedActions(state) };
  if (rule.to === "previous") return { ok: true, to: stateBeforeLoss ?? "active" };
  return { ok: true, to: rule.to };
}

/** What a password may be checked for (pin.rules decides the throttle and lockout, not the state). */
export type PasswordPurpose = "query" | "transaction" | "identity";
/** The counter's services beside the lifecycle actions. */
export type CounterService = "replacement" | "password_unlock" | "password_reset" | "financial_activate";
/** What the e-card can do while its card is in a state (ecardUsability adds the holder's suspension and authorisation). */
export type EcardScope = "all" | "query" | "by_authorisation" | "not_issued" | "none";
/** What the online check at card reading answers for a card in a state ("ok": the card's own checks pass). */
export type OnlineCheck =
  | "ok"
  | "CARD_INVALID"
  | "CARD_TEMPORARILY_LOST"
  | "CARD_EXPIRED"
  | "CARD_NOT_ENABLED";

export type StateRule = Readonly<{
  /** Settles and authenticates: a pre-loss stops it at once. */
  settles: boolean;
  /**
   * What its password may be checked for: a transaction needs an active card (a password-locked one
   * answers PASSWORD_LOCKED instead); queries also work on an archived card; proving who one is
   * (signing in to the online hall, 12333) also works while temporarily lost, so that the holder can
   * revoke the pre-loss or authorise the e-card.
   */
  password: readonly PasswordPurpose[];
  /** Counter services offered beside the lifecycle actions. */
  services: readonly CounterService[];
  /** Replacement reasons allowed: renewal (expiry) also for an expired card. */
  replacement: "any" | "renewal_only" | "none";
  /** On the terminals' blacklist. */
  blacklisted: boolean;
  /** Counts as the holder's card in its province (one card per person per province). */
  holdsProvinceSlot: boolean;
  /** Usable card in the sense of the duplicates advice (seed 001: "normal card"). */
  normal: boolean;
  ecard: EcardScope;
  onlineCheck: OnlineCheck;
}>;

const NOT_ISSUED: StateRule = {
  settles: false,
  password: [],
  services: [],
  replacement: "none",
  blacklisted: false,
  holdsProvinceSlot: true,
  normal: false,
  ecard: "not_issued",
  onlineCheck: "CARD_NOT_ENABLED",
};
const ENDED = (onlineCheck: OnlineCheck, services: readonly CounterService[] = []): StateRule => ({
  settles: false,
  password: [],
  services,
  replacement: services.length ? "renewal_only" : "none",
  blacklisted: true,
  holdsProvinceSlot: false,
  normal: false,
  ecard: "none",
  onlineCheck,
});

/**
 * What each card state allows, in one table every module reads (settlement, passwords, the counter's
 * services, the blacklist, the one-card rule, the e-card, the online check) and the card view carries
 * to the web pages. The compiler checks that every state has its row.
 */
export const CARD_STATE_RULES = {
  applied: NOT_ISSUED,
  in_production: NOT_ISSUED,
  delivered: NOT_ISSUED,
  archived: {
    settles: false,
    password: ["query", "identity"],
    services: ["replacement", "password_reset", "financial_activate"],
    replacement: "any",
    blacklisted: false,
    holdsProvinceSlot: true,
    normal: true,
    ecard: "query",
    onlineCheck: "CARD_NOT_ENABLED",
  },
  active: {
    settles: true,
    password: ["query", "transaction", "identity"],
    services: ["replacement", "password_unlock", "password_reset", "financial_activate"],
    replacement: "any",
    blacklisted: false,
    holdsProvinceSlot: true,
    normal: true,
    ecard: "all",
    onlineCheck: "ok",
  },
  locked: {
    settles: false,
    password: ["query", "transaction", "identity"],
    services: ["replacement", "password_unlock", "password_reset"],
    replacement: "any",
    blacklisted: false,
    holdsProvinceSlot: true,
    normal: false,
    ecard: "all",
    onlineCheck: "ok",
  },
  temporarily_lost: {
    settles: false,
    password: ["identity"],
    services: [],
    replacement: "none",
    blacklisted: true,
    holdsProvinceSlot: true,
    normal: false,
    ecard: "by_authorisation",
    onlineCheck: "CARD_TEMPORARILY_LOST",
  },
  formally_lost: ENDED("CARD_INVALID"),
  expired: ENDED("CARD_EXPIRED", ["replacement"]),
  cancelled: ENDED("CARD_INVALID"),
} as const satisfies Record<CardState, StateRule>;

/** A state's row, as the wider type (for `includes` on its lists). */
export function stateRule(state: CardState): StateRule {
  return CARD_STATE_RULES[state];
}

/** The e-card's availability for each card state, as the lifecycle publishes it. */
export const ECARD_BY_CARD_STATE: Readonly<Record<CardState, string>> = {
  applied: "none (the e-card is issued with the card)",
  in_production: "none (the e-card is issued with the card)",
  delivered: "none (the e-card is issued with the card)",
  archived: "queries only",
  active: "all services",
  locked: "all services (the card's password is locked, not the e-card)",
  temporarily_lost: "with the holder's time-limited authorisation, by the area's policy",
  formally_lost: "personal services unavailable",
  expired: "personal services unavailable",
  cancelled: "personal services unavailable",
};

/** Only an active card settles or authenticates: a pre-loss stops it at once. */
export function canSettle(state: CardState): boolean {
  return CARD_STATE_RULES[state].settles;
}

/** States that put a card on the terminals' blacklist. */
export const BLACKLISTED_STATES = CARD_STATES.filter((s) => CARD_STATE_RULES[s].blacklisted);

export function isBlacklisted(state: CardState): boolean {
  return CARD_STATE_RULES[state].blacklisted;
}

/** States in which a card counts as the holder's card in its province (one card per person per province). */
export function holdsProvinceSlot(state: CardState): boolean {
  return CARD_STATE_RULES[state].holdsProvinceSlot;
}

/** Whether a card's password may be checked for `purpose` in `state`. */
export function usableForPassword(state: CardState, purpose: PasswordPurpose): boolean {
  return (CARD_STATE_RULES[state].password as readonly PasswordPurpose[]).includes(purpose);
}

/** Whether a card in `state` may be replaced for `reason` (expiry: renewal). */
export function replaceableFor(state: CardState, reason: string): boolean {
  const r = CARD_STATE_RULES[state].replacement;
  return r === "any" || (r === "renewal_only" && reason === "expiry");
}

/** The card states whose e-card can be signed up for or added to a family. */
export const ECARD_CARD_STATES = CARD_STATES.filter((s) => {
  const scope = CARD_STATE_RULES[s].ecard;
  return scope === "all" || scope === "query" || scope === "by_authorisation";
});

/** What the counter should do with one of several cards a person holds in a province (seed 001). */
export function duplicateAdvice(state: CardState, financialFunction: string): string {
  if (!CARD_STATE_RULES[state].normal) {
    return financialFunction === "activated"
      ? "unavailable card: cancel its bank account at the partner bank, then cancel the card"
      : "unavailable card: cancel it";
  }
  return "normal card: if it is not used for local services, cancel it together with its bank account";
}

/** The lifecycle as a Mermaid state diagram, for the docs and the lifecycle endpoint. */
export function lifecycleMermaid(): string {
  const lines = ["stateDiagram-v2", "  [*] --> applied"];
  for (const action of CARD_ACTIONS) {
    const rule = LIFECYCLE[action];
    if (action === "cancel") continue;
    for (const from of rule.from) {
      if (rule.to === "previous") {
        // Back to whichever state the loss was reported from.
        for (const before of LIFECYCLE.report_temporary_loss.from)
          lines.push(`  ${from} --> ${before}: ${action}`);
        continue;
      }
      lines.push(`  ${from} --> ${rule.to}: ${action}`);
    }
  }
  lines.push("  note right of cancelled: cancel is allowed from every state but cancelled");
  lines.push("  cancelled --> [*]");
  return lines.join("\n");
}

/** The validity end: `years` after the issue date, the day before the anniversary (YYYY-MM-DD). */
export function validityEnd(issueDate: string, years: number): string {
  const [y, m, d] = issueDate.split("-").map(Number);
  const end = new Date(Date.UTC(y + years, m - 1, d));
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

/** The first day a holder may apply for renewal: `leadDays` before the validity end. */
export function renewalWindowStart(validUntil: string, leadDays: number): string {
  return addDays(validUntil, -leadDays);
}

/** Why a working card is replaced (a lost card's replacement comes with the formal loss). */
export const REPLACEMENT_REASONS = [
  "expiry",
  "damaged",
  "chip_failure",
  "data_changed",
  "photo_changed",
] as const;
export type ReplacementReason = (typeof REPLACEMENT_REASONS)[number] | "lost";

export { addWorkingDays, isWorkingDay, type WorkCalendar } from "./calendar.rules.ts";
export {
  cardNumberCheckCharacter,
  isValidCardIdCode,
  isValidCardNumber,
  isWellFormedCardNumber,
  newCardIdCode,
  newCardNumber,
} from "./card-number.rules.ts";

/** A chip's serial number as the factory's return file gives it: 16 hex characters (upper case). */
export const isChipSerial = (serial: string): boolean => /^[0-9A-F]{16}$/.test(serial);
