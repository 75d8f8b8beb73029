import { CARD_STATE_RULES, type CardState } from "../cards/cards.rules.ts";
import { weakPinReason } from "../credentials/pin.rules.ts";

/**
 * The electronic card follows its physical card (domain brief §7, seed 001): a normal card → the e-card
 * serves everything; an archived (issued, not activated) card → queries only; a temporarily lost
 * card → usable only within a time-limited authorisation the holder gave after verifying who they
 * are (or not at all, by the area's policy); cancelled, formally lost or expired → personal services
 * unavailable. The holder can also suspend the e-card everywhere.
 */
/** The version of the privacy text a holder agrees to at sign-up. */
export const PRIVACY_TEXT_VERSION = "2026-11";
/**
 * The version of the separate biometric consent text: with it a face image is kept (encrypted) after
 * the verification; without it the image is used for the one check and dropped.
 */
export const BIOMETRIC_TEXT_VERSION = "2026-11-bio";

/** A relative's relationship to the holder in the family service (the form offers them in this order). */
export const FAMILY_RELATIONSHIPS = ["parent", "child", "spouse", "other"] as const;
export type FamilyRelationship = (typeof FAMILY_RELATIONSHIPS)[number];

export type EcardScope = "all" | "query" | "none";

export type EcardUsability = Readonly<{
  scope: EcardScope;
  reason:
    | "card_active"
    | "card_archived"
    | "lost_with_authorisation"
    | "lost_without_authorisation"
    | "lost_policy_unavailable"
    | "card_unavailable"
    | "card_not_issued"
    | "suspended_by_holder";
}>;

export function ecardUsability(input: {
  cardState: CardState;
  ecardSuspended: boolean;
  /** Whether a holder's authorisation (while the card is temporarily lost) is in force now. */
  authorisationActive: boolean;
  policy: "with_holder_authorisation" | "unavailable";
}): EcardUsability {
  if (input.ecardSuspended) return { scope: "none", reason: "suspended_by_holder" };
  switch (CARD_STATE_RULES[input.cardState].ecard) {
    case "all":
      return { scope: "all", reason: "card_active" };
    case "query":
      return { scope: "query", reason: "card_archived" };
    case "by_authorisation":
      if (input.policy === "unavailable") return { scope: "none", reason: "lost_policy_unavailable" };
      return input.authorisationActive
        ? { scope: "all", reason: "lost_with_authorisation" }
        : { scope: "none", reason: "lost_without_authorisation" };
    case "not_issued":
      return { scope: "none", reason: "card_not_issued" };
    case "none":
      return { scope: "none", reason: "card_unavailable" };
  }
}

export { ECARD_CARD_STATES } from "../cards/cards.rules.ts";

/** How long a holder's authorisation while the card is lost lasts, at most. */
export const MAX_AUTHORISATION_HOURS = 72;

/**
 * An e-card password: the card password's rules (6 digits, not one digit repeated, not a run, not the
 * birth date) and, stricter, no 6 digits taken from anywhere in the ID number.
 */
export function ecardPasswordProblem(pin: string, holder: { idNumber: string; birthDate: string }) {
  const weak = weakPinReason(pin, holder);
  if (weak) return weak;
  if (holder.idNumber.includes(pin)) return "id_number";
  return undefined;
}
