import { randomInt } from "node:crypto";
import type { Actor, Permission } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskIdNumber, maskName } from "../../shared/mask.ts";
import { calendarFor } from "./cards.calendar.ts";
import type { CardsContext } from "./cards.context.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import type { REPLACEMENT_REASONS } from "./cards.rules.ts";
import {
  addWorkingDays,
  allowedActions,
  type CancelReason,
  missingCancelEvidence,
  renewalWindowStart,
  replaceableFor,
} from "./cards.rules.ts";

/** The service outlet's lifecycle actions: issue, activation, loss, replacement, cancellation. */
export function cardCounter(ctx: CardsContext) {
  const {
    deps,
    db,
    cards,
    persons,
    clock,
    today,
    view,
    scoped,
    scopedOrHolder,
    validIdNumber,
    checkHolder,
    current,
    change,
    raiseBankTask,
    insertApplication,
    checkCollectingEmployer,
  } = ctx;
  return {
    /**
     * Hands a delivered card over: to the holder (ID checked) or to the employer (letter of
     * introduction). With `activate` the social security function is switched on at once; otherwise
     * the card stays archived. A card that replaces another cancels the old one (reason `replaced`).
     */
    async issue(
      actor: Actor,
      cardNumber: string,
      input: {
        collectedBy: "holder" | "employer";
        holderIdNumber?: string;
        employerLetterRef?: string;
        employerCreditCode?: string;
        activate: boolean;
        /** The collection slip of a replacement after a formal loss: its number or scanned QR text. */
        collectionSlip?: string;
        /** The holder reports the slip lost: the ID card is checked instead, and the slip ends. */
        collectionSlipLost?: boolean;
      },
    ) {
      const { card, grant } = await scoped(actor, CARD_PERMISSIONS.counter, cardNumber);
      if (input.collectedBy === "holder") await checkHolder(card, input.holderIdNumber ?? "");
      else await checkCollectingEmployer(card, input);
      const policy = (await deps.areas.policyAt(null, card.area_code)).policy;
      const updated = await db.transaction().execute(async (trx) => {
        const fresh = await current(trx, card.id);
        const slip = await deps.onCollection?.(trx, actor, fresh, {
          presented: input.collectionSlip,
          lost: input.collectionSlipLost,
        });
        const next = await change(
          trx,
          actor,
          grant,
          fresh,
          input.activate ? "issue_and_activate" : "issue",
          {
            issued_to: input.collectedBy,
            employer_letter_ref: input.collectedBy === "employer" ? input.employerLetterRef! : null,
            ss_function: input.activate ? "activated" : "not_activated",
          },
          {
            collectedBy: input.collectedBy,
            ...(slip ? { collectionSlip: slip } : {}),
            ...(input.collectedBy === "employer"
              ? { letter: input.employerLetterRef, employer: input.employerCreditCode }
              : {}),
          },
        );
        await deps.initialisePassword(trx, next, policy);
        if (fresh.replaces_card_id) {
          const old = await current(trx, fresh.replaces_card_id);
          if (old.state !== "cancelled") {
            await change(
              trx,
              actor,
              grant,
              old,
              "cancel",
              { cancel_reason: "replaced" },
              { reason: "replaced", by: next.card_number },
            );
            await raiseBankTask(trx, old, "replaced");
          }
        }
        return next;
      });
      return view(updated);
    },

    /** Switches on the social security function of an archived card at the counter. */
    async activate(actor: Actor, cardNumber: string, input: { holderIdNumber: string }) {
      const { card, grant } = await scoped(actor, CARD_PERMISSIONS.counter, cardNumber);
      await checkHolder(card, input.holderIdNumber);
      const updated = await db
        .transaction()
        .execute(async (trx) =>
          change(trx, actor, grant, await current(trx, card.id), "activate", { ss_function: "activated" }),
        );
      return view(updated);
    },

    /** A temporary loss report (挂失): settlement and card authentication stop as soon as it commits. */
    /**
     * A pre-loss. `permission`: the action the caller was allowed under when it is not the cards'
     * own (a kiosk's pre-loss with the holder's ID number and password, `kiosk.preLoss`).
     */
    async reportTemporaryLoss(
      actor: Actor,
      cardNumber: string,
      permission: Permission = CARD_PERMISSIONS.reportLoss,
    ) {
      const { card, grant } = await scopedOrHolder(actor, permission, cardNumber);
      const updated = await db.transaction().execute(async (trx) => {
        const fresh = await current(trx, card.id);
        return change(trx, actor, grant, fresh, "report_temporary_loss", {
          state_before_loss: fresh.state,
          temporarily_lost_at: clock.now().toISOString(),
        });
      });
      return view(updated);
    },

    /** Revokes a temporary loss after checking the holder's identity; the card returns to its earlier state. */
    async revokeTemporaryLoss(actor: Actor, cardNumber: string, input: { holderIdNumber: string }) {
      const { card, grant } = await scopedOrHolder(actor, CARD_PERMISSIONS.counter, cardNumber);
      // A holder signed in with ID number and password has shown who they are already.
      if (actor.type !== "holder") await checkHolder(card, input.holderIdNumber);
      const updated = await db.transaction().execute(async (trx) =>
        change(trx, actor, grant, await current(trx, card.id), "revoke_temporary_loss", {
          state_before_loss: null,
          temporarily_lost_at: null,
        }),
      );
      return view(updated);
    },

    /**
     * Formal loss and replacement in one step: the lost card is marked, a replacement application is
     * made with a temporary medical certificate number, a ready date in working days and the fee.
     */
    async reportFormalLoss(
      actor: Actor,
      cardNumber: string,
      input: { holderIdNumber: string; agent?: { idNumber: string; name: string }; photoRef?: string | null },
    ) {
      const { card, grant } = await scoped(actor, CARD_PERMISSIONS.counter, cardNumber);
      await checkHolder(card, input.holderIdNumber);
      const agent = input.agent
        ? { idNumber: maskIdNumber(validIdNumber(input.agent.idNumber)), name: maskName(input.agent.name) }
        : undefined;
      const policy = (await deps.areas.policyAt(null, card.area_code)).policy;
      const readyDate = addWorkingDays(
        today(),
        policy.replacementReadyWorkingDays,
        await calendarFor(ctx, card.area_code),
      );
      const certificate = `LS${card.area_code}${today().replaceAll("-", "")}${String(randomInt(1e8)).padStart(8, "0")}`;
      const result = await db.transaction().execute(async (trx) => {
        const fresh = await current(trx, card.id);
        if (await cards.pendingSuccessor(trx, fresh.id)) {
          const pending = (await cards.pendingSuccessor(trx, fresh.id))!;
          throw new DomainError("REPLACEMENT_PENDING", { cardNumber: pending.card_number });
        }
        const lost = await change(
          trx,
          actor,
          grant,
          fresh,
          "report_formal_loss",
          {},
          agent ? { agent } : undefined,
        );
        const replacement = await insertApplication(trx, actor, grant, {
          person_id: fresh.person_id,
          area_code: fresh.area_code,
          application_kind: "replacement",
          replaces_card_id: fresh.id,
          replacement_reason: "lost",
          photo_ref: input.photoRef ?? fresh.photo_ref,
          bank_code: fresh.bank_code,
          temp_certificate_no: certificate,
          ready_date: readyDate,
          fee_fen: policy.replacementFeeFen,
        });
        await deps.onReplacementForLoss?.(trx, actor, grant, replacement, lost);
        return { lost, replacement };
      });
      return { lostCard: await view(result.lost), replacement: await view(result.replacement) };
    },

    /**
     * Applies for a new card to replace a working one: renewal from the policy's lead days before
     * expiry (free), or replacement for damage, chip failure, changed card-face data or photo (fee).
     * The holder's consent is required; the old card works until the new one is issued.
     */
    async applyReplacement(
      actor: Actor,
      cardNumber: string,
      input: {
        reason: (typeof REPLACEMENT_REASONS)[number];
        consent: boolean;
        holderIdNumber: string;
        photoRef?: string | null;
      },
    ) {
      // A holder may apply online for the renewal of their own card (the photo on file is used).
      if (actor.type === "holder" && input.reason !== "expiry") throw new DomainError("FORBIDDEN");
      const { card, grant } = await scopedOrHolder(actor, CARD_PERMISSIONS.counter, cardNumber);
      if (!input.consent) throw new DomainError("CONSENT_REQUIRED");
      if (actor.type !== "holder") await checkHolder(card, input.holderIdNumber);
      const policy = (await deps.areas.policyAt(null, card.area_code)).policy;
      const state = card.state;
      if (!replaceableFor(state, input.reason)) {
        throw new DomainError("CARD_ACTION_NOT_ALLOWED", {
          state,
          action: `replace:${input.reason}`,
          allowed: allowedActions(state),
          allowedText: allowedActions(state).join(", ") || "—",
        });
      }
      if (input.reason === "expiry" && card.valid_until) {
        const opensOn = renewalWindowStart(card.valid_until, policy.renewalLeadDays);
        if (today() < opensOn)
          throw new DomainError("RENEWAL_NOT_OPEN", { validUntil: card.valid_until, opensOn });
      }
      const readyDate = addWorkingDays(
        today(),
        policy.replacementReadyWorkingDays,
        await calendarFor(ctx, card.area_code),
      );
      const created = await db.transaction().execute(async (trx) => {
        await persons.lock(trx, card.person_id);
        const pending = await cards.pendingSuccessor(trx, card.id);
        if (pending) throw new DomainError("REPLACEMENT_PENDING", { cardNumber: pending.card_number });
        return insertApplication(trx, actor, grant, {
          person_id: card.person_id,
          area_code: card.area_code,
          application_kind: input.reason === "expiry" ? "renewal" : "replacement",
          replaces_card_id: card.id,
          replacement_reason: input.reason,
          photo_ref: input.photoRef ?? card.photo_ref,
          bank_code: card.bank_code,
          ready_date: readyDate,
          fee_fen: input.reason === "expiry" ? 0 : policy.replacementFeeFen,
        });
      });
      return view(created);
    },

    /** Cancels a card with its reason; an active financial function raises the bank's account-cancellation task. */
    async cancel(
      actor: Actor,
      cardNumber: string,
      input: {
        reason: CancelReason;
        holderIdNumber?: string;
        agent?: { idNumber: string; name: string };
        recordRef?: string;
      },
    ) {
      const { card, grant } = await scoped(actor, CARD_PERMISSIONS.counter, cardNumber);
      const missing = missingCancelEvidence(input.reason, input);
      if (missing) throw new DomainError("CANCEL_EVIDENCE_MISSING", { reason: missing });
      if (input.holderIdNumber) await checkHolder(card, input.holderIdNumber);
      const agent = input.agent
        ? { idNumber: maskIdNumber(validIdNumber(input.agent.idNumber)), name: maskName(input.agent.name) }
        : undefined;
      const updated = await db.transaction().execute(async (trx) => {
        const next = await change(
          trx,
          actor,
          grant,
          await current(trx, card.id),
          "cancel",
          { cancel_reason: input.reason },
          {
            reason: input.reason,
            ...(input.holderIdNumber ? { holderIdChecked: true } : {}),
            ...(agent ? { agent } : {}),
            ...(input.recordRef ? { recordRef: input.recordRef.trim() } : {}),
          },
        );
        await raiseBankTask(trx, next, input.reason);
        return next;
      });
      return view(updated);
    },
  };
}
