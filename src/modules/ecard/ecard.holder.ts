import { randomBytes, randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { EcardContext } from "./ecard.context.ts";
import { ECARD_PERMISSIONS } from "./ecard.permissions.ts";
import { ecardPasswordProblem, MAX_AUTHORISATION_HOURS } from "./ecard.rules.ts";

/** The holder's own e-card: its view, the password, suspension, the authorisation while the card is lost, the counter ticket. */
export function ecardHolder(ctx: EcardContext) {
  const {
    deps,
    db,
    audit,
    clock,
    cipher,
    repo,
    policyOf,
    usability,
    bump,
    ownEcard,
    cardOf,
    ecardById,
    verifyFace,
    channelOf,
    ownedBy,
    bindDevice,
    credentialFor,
    published,
    validDeviceKey,
    secretHash,
  } = ctx;
  const holder = {
    /** The holder's own e-card: whether it can be used now, the channels it is in, and its recent uses. */
    async holderView(actor: Actor) {
      const { ecard, card } = await ownEcard(actor);
      const usable = await usability(db, ecard, card);
      const [channels, uses, biometric, kept] = await Promise.all([
        repo.channelsOf(db, ecard.id),
        repo.recentUses(db, ecard.id, 20),
        repo.activeConsentCount(db, ecard.person_id, "biometric"),
        repo.keptPhotoCount(db, ecard.person_id),
      ]);
      return {
        ecardId: ecard.id,
        suspended: ecard.suspended === 1,
        biometricConsent: biometric > 0,
        keptFacePhotos: kept,
        scope: usable.scope,
        reason: usable.reason,
        channels: channels.map((c) => ({ code: c.code, name: c.name, state: c.state, since: c.created_at })),
        recentPayments: uses.map((u) => ({ at: u.used_at })),
        passwordSet: ecard.pin_pvv !== null,
        passwordLocked: ecard.pin_locked_at !== null,
      };
    },

    /**
     * The e-card password (6 digits; the card rules plus no digits taken from the ID number): set once
     * after sign-up, changed with the old one, reset with a new face verification, verified for any
     * channel (one value: a change is effective everywhere at once), locked after the area's lockout
     * threshold of consecutive wrong entries (a reset unlocks it).
     */
    async password(
      actor: Actor,
      input:
        | { op: "set"; ecardId: string; pin: string }
        | { op: "change"; ecardId: string; current: string; next: string }
        | { op: "reset"; ecardId: string; livePhoto: Buffer; next: string }
        | { op: "verify"; ecardId: string; pin: string },
    ) {
      const channel = await channelOf(actor, "credential");
      const ecard = await ecardById(db, input.ecardId);
      await ownedBy(actor, ecard);
      const card = await cardOf(db, ecard.card_id);
      const person = (await deps.persons.byId(db, ecard.person_id))!;
      const label = `ecard:${ecard.id}`;
      const threshold = (await deps.areas.policyAt(null, card.area_code)).policy.lockout.threshold;
      const newPvv = (pin: string) => {
        const reason = ecardPasswordProblem(pin, {
          idNumber: cipher.decrypt(person.id_number_enc),
          birthDate: person.birth_date,
        });
        if (reason) throw new DomainError("WEAK_PASSWORD", { reason });
        return deps.machine.pinVerificationValue(label, { pin });
      };
      /**
       * Checks `pin` against the e-card held in `trx`: the lock, the count and its increment are read and
       * written with the row held, so concurrent wrong passwords lock at exactly the threshold. A wrong
       * password's count and audit record commit; the refusal is thrown after the commit.
       */
      const check = async (trx: Transaction<Database>, held: Database["ecards"], pin: string) => {
        if (!held.pin_pvv) return new DomainError("ECARD_PASSWORD_NOT_SET");
        if (held.pin_locked_at) return new DomainError("ECARD_PASSWORD_LOCKED");
        if (deps.machine.verifyPin(label, { pin }, held.pin_pvv)) {
          if (held.pin_failures) await repo.update(trx, held.id, { pin_failures: 0 });
          return undefined;
        }
        const failures = Number(held.pin_failures) + 1;
        const locked = failures >= threshold;
        await repo.update(trx, held.id, {
          pin_failures: failures,
          pin_locked_at: locked ? clock.now().toISOString() : null,
        });
        await audit.record(trx, actor, undefined, {
          action: "ecard.password.wrong",
          subjectType: "ecard",
          subjectId: held.id,
          areaCode: card.area_code,
          after: { channel: channel.code, failures, locked },
        });
        return locked
          ? new DomainError("ECARD_PASSWORD_LOCKED")
          : new DomainError("ECARD_PASSWORD_WRONG", { attemptsLeft: threshold - failures });
      };
      const store = async (trx: Transaction<Database>, pvv: string, action: string) => {
        await repo.update(trx, ecard.id, { pin_pvv: pvv, pin_failures: 0, pin_locked_at: null });
        await audit.record(trx, actor, undefined, {
          action,
          subjectType: "ecard",
          subjectId: ecard.id,
          areaCode: card.area_code,
          after: { channel: channel.code },
        });
      };
      // New passwords are checked before the row is held; a reset's face check too (it is slow).
      const next = input.op === "verify" ? undefined : newPvv(input.op === "set" ? input.pin : input.next);
      if (input.op === "reset") await verifyFace(person.id, input.livePhoto);
      const refusal = await db.transaction().execute(async (trx) => {
        const held = await repo.lockById(trx, ecard.id);
        if (!held) return new DomainError("ECARD_NOT_FOUND");
        if (input.op === "verify") return check(trx, held, input.pin);
        if (input.op === "set") {
          if (held.pin_pvv) return new DomainError("CONCURRENT_MODIFICATION");
          await store(trx, next!, "ecard.password.set");
          return undefined;
        }
        if (input.op === "change") {
          const wrong = await check(trx, held, input.current);
          if (wrong) return wrong;
        }
        await store(trx, next!, `ecard.password.${input.op}`);
        return undefined;
      });
      if (refusal) throw refusal;
      return { ok: true as const };
    },

    /**
     * Codes on this device in the online hall: the holder, signed in, types the e-card password once
     * per browser; the browser's SM2 key is bound to the e-card for the hall channel and gets its
     * credential, and from then on makes the identity and payment codes itself, as an app does.
     * Binding a key already bound is harmless (the same credential comes back).
     */
    async enableCodesHere(actor: Actor, input: { devicePublicKey: string; pin: string }) {
      const { ecard, card } = await ownEcard(actor);
      const channel = await channelOf(actor, "credential");
      const deviceKey = validDeviceKey(input.devicePublicKey);
      // An e-card that cannot be used is refused before its password is tried (and counted).
      const usable = await usability(db, ecard, card);
      if (usable.scope === "none") throw new DomainError("ECARD_UNUSABLE", { reason: usable.reason });
      await holder.password(actor, { op: "verify", ecardId: ecard.id, pin: input.pin });
      const person = (await deps.persons.byId(db, ecard.person_id))!;
      const bound = await db.transaction().execute(async (trx) => {
        // The e-card held: its usability and status version are the ones the credential carries, and the
        // same key bound twice at once makes one device, not two.
        const held = (await repo.lockById(trx, ecard.id)) ?? ecard;
        const now = await usability(trx, held, card);
        if (now.scope === "none") throw new DomainError("ECARD_UNUSABLE", { reason: now.reason });
        if (!(await repo.activeDevice(trx, ecard.id, channel.id, deviceKey))) {
          await bindDevice(trx, ecard.id, channel.id, deviceKey);
          await audit.record(trx, actor, undefined, {
            action: "ecard.device.bind",
            subjectType: "ecard",
            subjectId: ecard.id,
            areaCode: card.area_code,
            after: { channel: channel.code },
          });
        }
        return {
          ecardId: ecard.id,
          credential: credentialFor(held, card, person, channel.code, deviceKey),
          scope: now.scope,
        };
      });
      return published(card.card_number, bound);
    },

    /** "Suspend my e-card everywhere" (and its undoing): every channel's codes fail from the next status list. */
    async setSuspendedByHolder(actor: Actor, suspended: boolean) {
      const { ecard, card } = await ownEcard(actor);
      await db.transaction().execute(async (trx) => {
        const held = (await repo.lockById(trx, ecard.id)) ?? ecard;
        await repo.update(trx, ecard.id, { suspended: suspended ? 1 : 0 });
        const after = await usability(trx, { ...held, suspended: suspended ? 1 : 0 }, card);
        await bump(trx, held, after.scope !== "none");
        await audit.record(trx, actor, undefined, {
          action: suspended ? "ecard.suspend" : "ecard.resume",
          subjectType: "ecard",
          subjectId: ecard.id,
          areaCode: card.area_code,
          after: { suspended },
        });
      });
      return { suspended };
    },

    /**
     * The holder's authorisation to use the e-card while the card is temporarily lost (after signing in
     * with ID number and password): time-limited; devices fetch a new credential to use it.
     */
    async authoriseWhileLost(actor: Actor, input: { hours: number }) {
      const { ecard, card } = await ownEcard(actor);
      const hours = Math.min(Math.max(1, Math.floor(input.hours)), MAX_AUTHORISATION_HOURS);
      if (card.state !== "temporarily_lost") throw new DomainError("CARD_NOT_USABLE", { state: card.state });
      if ((await policyOf(card.area_code)) === "unavailable")
        throw new DomainError("ECARD_UNUSABLE", { reason: "lost_policy_unavailable" });
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + hours * 3600_000).toISOString();
      return db.transaction().execute(async (trx) => {
        await repo.insertAuthorisation(trx, {
          id: randomUUID(),
          ecard_id: ecard.id,
          granted_at: now.toISOString(),
          expires_at: expiresAt,
          revoked_at: null,
        });
        const sv = await bump(trx, (await repo.lockById(trx, ecard.id)) ?? ecard, true);
        await audit.record(trx, actor, undefined, {
          action: "ecard.authorise_while_lost",
          subjectType: "ecard",
          subjectId: ecard.id,
          areaCode: card.area_code,
          after: { expiresAt, statusVersion: sv },
        });
        return { ecardId: ecard.id, expiresAt };
      });
    },

    /**
     * The path without a face: after checking the holder's ID document at a counter, the clerk gives a
     * one-time ticket (30 minutes) the holder types into the app to sign up.
     */
    async counterTicket(actor: Actor, input: { idNumber: string; holderIdNumber: string }) {
      authorize(actor, ECARD_PERMISSIONS.photos);
      const person = await deps.findPerson(db, input.idNumber);
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      const grant = authorize(actor, ECARD_PERMISSIONS.photos, person.area_code);
      if (cipher.blindIndex(input.holderIdNumber.trim().toUpperCase()) !== person.id_number_index)
        throw new DomainError("HOLDER_ID_MISMATCH");
      const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
      const ticket = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join("");
      const expiresAt = new Date(clock.now().getTime() + 30 * 60_000).toISOString();
      await db.transaction().execute(async (trx) => {
        await repo.insertCounterTicket(trx, {
          ticket_hash: secretHash(`ticket:${ticket}`),
          person_id: person.id,
          issued_by: actor.id,
          expires_at: expiresAt,
          used_at: null,
        });
        await audit.record(trx, actor, grant, {
          action: "ecard.counter_ticket",
          subjectType: "person",
          subjectId: person.id,
          areaCode: person.area_code,
          after: { expiresAt },
        });
      });
      return { ticket, expiresAt };
    },
  };
  return holder;
}
