import { randomUUID } from "node:crypto";
import type { Actor } from "../../shared/auth.ts";
import { chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { ECARD_CARD_STATES } from "../cards/cards.rules.ts";
import { ageOn, GUARDIAN_AGE } from "../persons/age.rules.ts";
import { readPii } from "../persons/pii.ts";
import type { EcardContext } from "./ecard.context.ts";
import { BIOMETRIC_TEXT_VERSION } from "./ecard.context.ts";
import type { FamilyRelationship } from "./ecard.rules.ts";

/** Family members' e-cards a guardian holds. */
export function ecardFamily(ctx: EcardContext) {
  const {
    deps,
    db,
    audit,
    clock,
    cipher,
    repo,
    bindDevice,
    cardOf,
    ecardById,
    credentialFor,
    published,
    validDeviceKey,
    biometricConsent,
    recordConsent,
    verifyFace,
    channelOf,
    ownedBy,
    ownEcard,
  } = ctx;
  /** The e-card of a person's card in a state that carries one. */
  const ecardOfPerson = async (personId: string) => {
    const card = (await deps.cards.ofPerson(db, personId)).find((c) =>
      (ECARD_CARD_STATES as readonly string[]).includes(c.state),
    );
    return card && (await repo.ofCard(db, card.id));
  };
  return {
    /**
     * Family service: a holder adds a relative without a smartphone, up to the area's slots. An adult
     * relative confirms with their own face (a live photo against their identity photo); a child under
     * 16 needs the guardian relationship (`child`) and a photo, which becomes the child's identity
     * photo when there is none, so it needs the guardian's biometric consent. An adult's live photo is
     * dropped after the check. The holder's device then gets a credential for the relative's e-card.
     */
    async addRelative(
      actor: Actor,
      input: {
        ecardId: string;
        relative: { idNumber: string; name: string };
        relationship: FamilyRelationship;
        photo: Buffer;
        /** For a child: the biometric consent text version the guardian agreed to (the photo is kept). */
        photoConsentTextVersion?: string;
        devicePublicKey: string;
      },
    ) {
      const channel = await channelOf(actor, "credential");
      const holderEcard = await ecardById(db, input.ecardId);
      await ownedBy(actor, holderEcard);
      const holderCard = await cardOf(db, holderEcard.card_id);
      const relative = await deps.findPerson(db, input.relative.idNumber);
      if (!relative || readPii(cipher, relative).name !== input.relative.name.trim())
        throw new DomainError("PERSON_NOT_FOUND");
      if (relative.id === holderEcard.person_id)
        throw new DomainError("VALIDATION_FAILED", { summary: "relative: someone other than the holder" });
      const age = ageOn(relative.birth_date, chinaDate(clock.now()));
      let verifiedBy: "face" | "guardian_photo";
      if (age < GUARDIAN_AGE) {
        if (input.relationship !== "child")
          throw new DomainError("VALIDATION_FAILED", {
            summary: "relationship: a child under 16 is added by a guardian (child)",
          });
        if (input.photoConsentTextVersion === undefined)
          throw new DomainError("BIOMETRIC_CONSENT_REQUIRED", { textVersion: BIOMETRIC_TEXT_VERSION });
        biometricConsent(input.photoConsentTextVersion);
        verifiedBy = "guardian_photo";
      } else {
        await verifyFace(relative.id, input.photo);
        verifiedBy = "face";
      }
      const slots = (await deps.areas.policyAt(null, holderCard.area_code)).policy.familyServiceSlots;
      const relativeEcard = await ecardOfPerson(relative.id);
      if (!relativeEcard) throw new DomainError("ECARD_NOT_FOUND");
      const deviceKey = validDeviceKey(input.devicePublicKey);
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        // The holder's e-card held: the relatives are counted and one added with no other addition between.
        await repo.lockById(trx, holderEcard.id);
        const present = await repo.presentFamily(trx, holderEcard.id);
        if (present.some((f) => f.relative_person_id === relative.id))
          throw new DomainError("CONCURRENT_MODIFICATION");
        if (present.length >= slots) throw new DomainError("FAMILY_SLOTS_FULL", { slots });
        // The guardian's photo becomes the child's identity photo (under their biometric consent) when
        // the child has none.
        if (verifiedBy === "guardian_photo" && !(await repo.identityPhoto(trx, relative.id))) {
          await recordConsent(trx, relative.id, channel.id, "biometric", BIOMETRIC_TEXT_VERSION);
          await repo.setIdentityPhoto(trx, {
            person_id: relative.id,
            photo_enc: cipher.encrypt(input.photo.toString("base64")),
            taken_on: clock.now().toISOString().slice(0, 10),
            created_at: clock.now().toISOString(),
          });
        }
        await repo.insertFamilyMember(trx, {
          id,
          holder_ecard_id: holderEcard.id,
          relative_person_id: relative.id,
          relationship: input.relationship,
          verified_by: verifiedBy,
          added_at: clock.now().toISOString(),
          removed_at: null,
        });
        await bindDevice(trx, relativeEcard.id, channel.id, deviceKey);
        await audit.record(trx, actor, undefined, {
          action: "ecard.family.add",
          subjectType: "ecard",
          subjectId: holderEcard.id,
          areaCode: holderCard.area_code,
          after: { relative: relative.id_number_masked, relationship: input.relationship, verifiedBy },
        });
      });
      const relativeCard = await cardOf(db, relativeEcard.card_id);
      return published(relativeCard.card_number, {
        familyId: id,
        relativeEcardId: relativeEcard.id,
        credential: credentialFor(relativeEcard, relativeCard, relative, channel.code, deviceKey),
      });
    },

    /** The relatives the signed-in holder's e-card carries, masked, with their e-cards (for their codes). */
    async familyOf(actor: Actor) {
      const { ecard } = await ownEcard(actor);
      const present = await repo.presentFamily(db, ecard.id);
      return Promise.all(
        present.map(async (f) => {
          const person = (await deps.persons.byId(db, f.relative_person_id))!;
          const relativeEcard = await ecardOfPerson(person.id);
          return {
            familyId: f.id,
            relationship: f.relationship,
            nameMasked: person.name_masked,
            idNumberMasked: person.id_number_masked,
            ecardId: relativeEcard?.id ?? null,
            addedAt: f.added_at,
          };
        }),
      );
    },

    /**
     * Removes a relative at any time: the holder's devices (those the holder's own e-card is on through
     * the channel) lose the relative's e-card at once; the relative's own devices keep it.
     */
    async removeRelative(actor: Actor, familyId: string) {
      const channel = await channelOf(actor, "credential");
      const row = await repo.familyMember(db, familyId);
      if (!row || row.removed_at) throw new DomainError("ECARD_NOT_FOUND");
      await ownedBy(actor, await ecardById(db, row.holder_ecard_id));
      const relativeEcards = await repo.idsOfPerson(db, row.relative_person_id);
      await db.transaction().execute(async (trx) => {
        const at = clock.now().toISOString();
        // The removal and its audit record happen once: a second removal at the same time finds it gone.
        if (!(await repo.removeFamilyMember(trx, familyId, at))) throw new DomainError("ECARD_NOT_FOUND");
        const holderDevices = await repo.deviceKeysOf(trx, row.holder_ecard_id, channel.id);
        await repo.revokeDevices(trx, relativeEcards, channel.id, at, holderDevices);
        await audit.record(trx, actor, undefined, {
          action: "ecard.family.remove",
          subjectType: "ecard",
          subjectId: row.holder_ecard_id,
          areaCode: null,
          after: { familyId },
        });
      });
      return { removed: true as const };
    },
  };
}
