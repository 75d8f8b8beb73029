import { randomUUID } from "node:crypto";
import { type Actor, authorize, authorizeHolderOr, type Grant } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import { readPii } from "../persons/pii.ts";
import type { EnrolmentContext, RemoteCheckAnswer } from "./enrolment.context.ts";
import { CHECK_DETAIL_ROLES } from "./enrolment.context.ts";

import { ENROLMENT_PERMISSIONS } from "./enrolment.permissions.ts";
import {
  CHECK_DIAGNOSTICS,
  type CheckDiagnostic,
  coordinationArea,
  type EnrolmentStatus,
  onlineCheck,
  type Scheme,
  survivorResolver,
} from "./enrolment.rules.ts";

/** The online check at card reading, and its log. */
export function enrolmentCheck(ctx: EnrolmentContext) {
  const { deps, db, repo, clock, cipher, checksOf, today, checkLog } = ctx;

  /** Logs a check answered by the card's home province and words its result here. */
  async function crossProvince(actor: Actor, grant: Grant, cardNumber: string, remote: RemoteCheckAnswer) {
    const known = remote.result === "INSURED" || remote.result in CHECK_DIAGNOSTICS;
    if (!known)
      throw new DomainError("PROVINCE_UNAVAILABLE", {
        province: remote.homeProvince,
        provinceName: remote.homeProvinceName,
      });
    checkLog.enqueue({
      id: randomUUID(),
      card_number: cardNumber,
      card_id: null,
      at: clock.now().toISOString(),
      actor_id: actor.id,
      actor_name: actor.name,
      actor_role: grant.role,
      channel: actor.channel,
      result: remote.result,
      place: (await deps.placeOf?.(grant)) ?? null,
    });
    const homeProvince = { code: remote.homeProvince, name: remote.homeProvinceName, source: remote.source };
    if (!remote.insured || remote.result !== "INSURED") {
      const code = (remote.result === "INSURED" ? "CARD_INVALID" : remote.result) as CheckDiagnostic;
      return {
        result: code,
        insured: false as const,
        diagnostic: { code, ...CHECK_DIAGNOSTICS[code] },
        cardNumber,
        homeProvince,
      };
    }
    return {
      result: "INSURED" as const,
      insured: true as const,
      cardNumber,
      medicalFunction: "active" as const,
      medicalInsuranceNumber: remote.medicalInsuranceNumber ?? "",
      coordinationArea: remote.coordinationArea ?? "",
      schemes: (remote.schemes ?? []).map((s) => ({
        scheme: s.scheme as Scheme,
        status: s.status as EnrolmentStatus,
        areaCode: s.areaCode,
      })),
      homeProvince,
    };
  }

  return {
    flushChecks: () => checkLog.flush(),

    /**
     * The online check at card reading: the insured status of the card's holder in the card's
     * coordination area, or a diagnostic with its cause and remedy. Every check is logged.
     */
    async check(
      actor: Actor,
      input: {
        cardNumber?: string;
        /** A temporary medical certificate's number, standing for the card during its replacement. */
        temporaryCertificateNo?: string;
        cardIdCode?: string;
        idNumber?: string;
        name?: string;
      },
    ) {
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.check);
      if ((input.cardNumber === undefined) === (input.temporaryCertificateNo === undefined))
        throw new DomainError("VALIDATION_FAILED", {
          summary: "cardNumber or temporaryCertificateNo: one of them",
        });
      const certificate = input.temporaryCertificateNo
        ? await deps.temporaryCertificate(db, input.temporaryCertificateNo)
        : undefined;
      const card = certificate
        ? await deps.cards.byId(db, certificate.cardId)
        : input.cardNumber
          ? await deps.cards.byNumber(db, input.cardNumber)
          : undefined;
      // A card this province does not hold: the check goes through the national hub to its home province.
      if (!card && !certificate && input.cardNumber && deps.remoteCheck) {
        const remote = await deps.remoteCheck({
          cardNumber: input.cardNumber,
          ...(input.cardIdCode === undefined ? {} : { cardIdCode: input.cardIdCode }),
          ...(input.idNumber === undefined ? {} : { idNumber: input.idNumber }),
          ...(input.name === undefined ? {} : { name: input.name }),
          role: grant.role,
        });
        if (remote) return crossProvince(actor, grant, input.cardNumber, remote);
      }
      const person = card ? await deps.persons.byId(db, card.person_id) : undefined;
      let dataMatches = false;
      // The personal fields are decrypted only when a name is to be compared or shown.
      let pii: { name: string; address: string | null } | undefined;
      const piiOf = (row: NonNullable<typeof person>) => {
        pii ??= readPii(cipher, row);
        return pii;
      };
      if (card && person) {
        dataMatches =
          (input.cardIdCode === undefined || input.cardIdCode === card.card_id_code) &&
          (input.idNumber === undefined ||
            cipher.blindIndex(input.idNumber.trim().toUpperCase()) === person.id_number_index) &&
          (input.name === undefined || input.name.trim() === piiOf(person).name);
      }
      const area = card ? coordinationArea(card.area_code) : "";
      const day = today();
      const facts = card && person && dataMatches ? await repo.checkFacts(db, person.id, area, day) : [];
      const numbers = facts.filter((f) => f.kind === "n") as { number: string; merged_into: string | null }[];
      const enrolments = facts.filter((f) => f.kind === "e");
      const arrearsActive = facts.some((f) => f.kind === "a");
      const outcome = onlineCheck({
        card: card && {
          cardIdCode: card.card_id_code,
          state: card.state,
          ssFunction: card.ss_function,
          validUntil: card.valid_until,
        },
        ...(input.temporaryCertificateNo
          ? { temporaryCertificate: { found: certificate !== undefined, valid: certificate?.valid === true } }
          : {}),
        dataMatches,
        enrolments: enrolments.map((e) => ({
          scheme: e.scheme as Scheme,
          areaCode: e.area_code,
          status: e.status,
          personalNumber: e.number,
        })),
        unmergedNumbers: numbers.filter((n) => !n.merged_into).map((n) => n.number),
        survivorOf: survivorResolver(numbers),
        arrearsActive,
        today: day,
      });
      const place = (await deps.placeOf?.(grant)) ?? null;
      checkLog.enqueue({
        id: randomUUID(),
        card_number: card?.card_number ?? input.cardNumber ?? "",
        card_id: card?.id ?? null,
        at: clock.now().toISOString(),
        actor_id: actor.id,
        actor_name: actor.name,
        actor_role: grant.role,
        channel: actor.channel,
        result: outcome.ok ? "INSURED" : outcome.diagnostic,
        place,
      });
      if (!outcome.ok) {
        const text = CHECK_DIAGNOSTICS[outcome.diagnostic as CheckDiagnostic];
        return {
          result: outcome.diagnostic,
          insured: false as const,
          diagnostic: { code: outcome.diagnostic, ...text },
        };
      }
      const detailed = CHECK_DETAIL_ROLES.includes(grant.role);
      return {
        result: "INSURED" as const,
        insured: true as const,
        cardNumber: card!.card_number,
        ...(certificate ? { temporaryCertificateNo: input.temporaryCertificateNo } : {}),
        medicalFunction: outcome.medicalFunction,
        medicalInsuranceNumber: outcome.medicalInsuranceNumber,
        coordinationArea: area,
        schemes: outcome.schemes,
        ...(detailed && person
          ? {
              holder: {
                personalNumbers: numbers.map((n) => ({ number: n.number, mergedInto: n.merged_into })),
                address: piiOf(person).address,
              },
            }
          : {}),
      };
    },

    /** The online checks made on a card, newest first (who, when, result), for staff of the card's area. */
    async checksOfCard(actor: Actor, cardNumber: string) {
      if (actor.type !== "holder") authorize(actor, ENROLMENT_PERMISSIONS.read);
      const card = await deps.cards.byNumber(db, cardNumber);
      if (!card) throw new DomainError("CARD_NOT_FOUND");
      authorizeHolderOr(actor, ENROLMENT_PERMISSIONS.read, card.person_id, card.area_code);
      const checks = await checksOf(card.id);
      return actor.type === "holder" ? checks.map(forHolder) : checks;
    },

    /**
     * The holder's own view of the checks on the card (kiosk, 12333, counter): the holder proves it
     * with the card's social security password, which counts towards the lockout like any attempt.
     */
    async checksForHolder(actor: Actor, cardNumber: string, input: { pin: string; source: string }) {
      await deps.verifyHolderPassword(actor, cardNumber, input.pin, input.source);
      const card = await deps.cards.byNumber(db, cardNumber);
      if (!card) throw new DomainError("CARD_NOT_FOUND");
      return (await checksOf(card.id)).map(forHolder);
    },
  };
}

/**
 * A check as the holder sees it: where (the institution or outlet) and through which channel, never
 * the member of staff's name or login.
 */
function forHolder<T extends { checkedBy: string; place: string | null; channel: string }>(c: T): T {
  return { ...c, checkedBy: c.place ?? c.channel };
}
