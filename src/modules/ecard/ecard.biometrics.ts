import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { EcardContext } from "./ecard.context.ts";
import { ECARD_PERMISSIONS } from "./ecard.permissions.ts";

/** Identity photos and the holder's biometric consent. */
export function ecardBiometrics(ctx: EcardContext) {
  const { deps, db, audit, clock, cipher, repo, ownEcard } = ctx;
  return {
    /** Stores a person's identity photo (JPEG), encrypted, for face verification. */
    async setIdentityPhoto(actor: Actor, personId: string, input: { jpeg: Buffer; takenOn: string }) {
      authorize(actor, ECARD_PERMISSIONS.photos);
      const person = await deps.persons.byId(db, personId);
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      const grant = authorize(actor, ECARD_PERMISSIONS.photos, person.area_code);
      const row = {
        person_id: personId,
        photo_enc: cipher.encrypt(input.jpeg.toString("base64")),
        taken_on: input.takenOn,
        created_at: clock.now().toISOString(),
      };
      await db.transaction().execute(async (trx) => {
        await repo.setIdentityPhoto(trx, row);
        await audit.record(trx, actor, grant, {
          action: "person.photo.set",
          subjectType: "person",
          subjectId: personId,
          areaCode: person.area_code,
          after: { takenOn: input.takenOn },
        });
      });
    },

    /** The holder withdraws every biometric consent: the kept face images are deleted at once. */
    async withdrawBiometricConsent(actor: Actor) {
      const { ecard, card } = await ownEcard(actor);
      return db.transaction().execute(async (trx) => {
        const result = {
          deletedPhotos: await repo.deleteKeptPhotos(trx, ecard.person_id),
          withdrawnConsents: await repo.withdrawConsents(
            trx,
            ecard.person_id,
            "biometric",
            clock.now().toISOString(),
          ),
        };
        await audit.record(trx, actor, undefined, {
          action: "ecard.biometric.withdraw",
          subjectType: "ecard",
          subjectId: ecard.id,
          areaCode: card.area_code,
          after: result,
        });
        return result;
      });
    },
  };
}
