import type { Actor } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import { readPii } from "../persons/pii.ts";
import type { EcardContext } from "./ecard.context.ts";
import { PRIVACY_TEXT_VERSION } from "./ecard.context.ts";
import { ECARD_CARD_STATES } from "./ecard.rules.ts";

/** Sign-up with face verification, and device credentials for offline codes. */
export function ecardSignup(ctx: EcardContext) {
  const {
    deps,
    db,
    audit,
    clock,
    cipher,
    repo,
    usability,
    newEcard,
    bindDevice,
    cardOf,
    ecardById,
    credentialFor,
    published,
    issuerKeys,
    validDeviceKey,
    biometricConsent,
    recordConsent,
    keepFacePhoto,
    verifyFace,
    channelOf,
    ownedBy,
    secretHash,
  } = ctx;
  return {
    /**
     * The sign-up a channel makes for its user: name + ID number + privacy consent, the channel's own
     * real-name identity, face verification of a live photo against the identity photo, and the
     * device key the credential is bound to. The live photo is kept (encrypted) only with the separate
     * biometric consent (`keepPhotoConsentTextVersion`); otherwise it is dropped after the check.
     */
    async signUp(
      actor: Actor,
      input: {
        name: string;
        idNumber: string;
        consentTextVersion: string;
        realName: { name: string; idNumber: string };
        /** A live photo for face verification, or the ticket a counter gave after checking the ID. */
        livePhoto?: Buffer;
        counterTicket?: string;
        /** The biometric consent text version, when the holder agrees that the live photo is kept. */
        keepPhotoConsentTextVersion?: string;
        devicePublicKey: string;
      },
    ) {
      if ((input.livePhoto === undefined) === (input.counterTicket === undefined))
        throw new DomainError("VALIDATION_FAILED", { summary: "livePhoto or counterTicket: one of them" });
      if (input.keepPhotoConsentTextVersion !== undefined && input.livePhoto === undefined)
        throw new DomainError("VALIDATION_FAILED", {
          summary: "keepPhotoConsentTextVersion: only with a live photo",
        });
      const channel = await channelOf(actor, "signup");
      if (input.consentTextVersion !== PRIVACY_TEXT_VERSION)
        throw new DomainError("PRIVACY_CONSENT_REQUIRED", { textVersion: PRIVACY_TEXT_VERSION });
      biometricConsent(input.keepPhotoConsentTextVersion);
      const person = await deps.findPerson(db, input.idNumber);
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      const pii = readPii(cipher, person);
      if (pii.name !== input.name.trim()) throw new DomainError("HOLDER_ID_MISMATCH");
      const realNameIndex = cipher.blindIndex(input.realName.idNumber.trim().toUpperCase());
      if (realNameIndex !== person.id_number_index || input.realName.name.trim() !== pii.name)
        throw new DomainError("FACE_VERIFICATION_FAILED", { reason: "REAL_NAME_MISMATCH" });
      const deviceKey = validDeviceKey(input.devicePublicKey);
      const faceDistance = input.livePhoto ? await verifyFace(person.id, input.livePhoto) : null;
      const card = (await deps.cards.ofPerson(db, person.id))
        .filter((c) => (ECARD_CARD_STATES as readonly string[]).includes(c.state))
        .at(-1);
      if (!card) throw new DomainError("HOLDER_NO_CARD");
      const made = await db.transaction().execute(async (trx) => {
        if (input.counterTicket) {
          // The path without a face: a ticket the counter issued to this person after the ID check, once.
          const ticketHash = secretHash(`ticket:${input.counterTicket.toUpperCase()}`);
          if (!(await repo.spendCounterTicket(trx, ticketHash, person.id, clock.now().toISOString())))
            throw new DomainError("COUNTER_TICKET_INVALID");
        }
        const ecard = (await repo.ofCard(trx, card.id)) ?? (await newEcard(trx, card));
        await bindDevice(trx, ecard.id, channel.id, deviceKey);
        await recordConsent(trx, person.id, channel.id, "privacy", input.consentTextVersion);
        if (input.keepPhotoConsentTextVersion && input.livePhoto)
          await keepFacePhoto(trx, person.id, channel.id, input.keepPhotoConsentTextVersion, input.livePhoto);
        await audit.record(trx, actor, undefined, {
          action: "ecard.signup",
          subjectType: "ecard",
          subjectId: ecard.id,
          areaCode: card.area_code,
          after: {
            channel: channel.code,
            verifiedBy: input.counterTicket ? "counter" : "face",
            faceDistance,
            photoKept: !!input.keepPhotoConsentTextVersion,
          },
        });
        return { ecardId: ecard.id, credential: credentialFor(ecard, card, person, channel.code, deviceKey) };
      });
      return published(card.card_number, made);
    },

    /** A new credential for a device (daily, or after a status change); refused while the e-card is unusable. */
    async refreshCredential(actor: Actor, input: { ecardId: string; devicePublicKey: string }) {
      const channel = await channelOf(actor, "credential");
      const ecard = await ecardById(db, input.ecardId);
      await ownedBy(actor, ecard, { orFamily: true });
      const device = await repo.activeDevice(db, ecard.id, channel.id, input.devicePublicKey.toLowerCase());
      if (!device) throw new DomainError("ECARD_NOT_FOUND");
      const card = await cardOf(db, ecard.card_id);
      const usable = await usability(db, ecard, card);
      if (usable.scope === "none") throw new DomainError("ECARD_UNUSABLE", { reason: usable.reason });
      const person = (await deps.persons.byId(db, ecard.person_id))!;
      return published(card.card_number, {
        credential: credentialFor(ecard, card, person, channel.code, device.device_key),
        scope: usable.scope,
      });
    },

    /** The issuer public keys terminals verify credentials with. */
    issuerKeys,
  };
}
