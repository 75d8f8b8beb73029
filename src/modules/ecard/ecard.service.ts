import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { sm2 } from "sm-crypto-v2";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import { type Actor, authorize, holderPersonId } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import { hmacSha256Hex, type PiiCipher, secretKey } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskCardNumber } from "../../shared/mask.ts";
import { PERMISSIONS } from "../../shared/permissions.ts";
import type { AreasService } from "../areas/areas.service.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import { type CardState, stateOn } from "../cards/cards.rules.ts";
import type { EncryptionMachine } from "../keys/encryption-machine.ts";
import type { Signer } from "../keys/signer.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import type { EcardRepository } from "./ecard.repository.ts";
import {
  ageOn,
  ECARD_CARD_STATES,
  ecardPasswordProblem,
  ecardUsability,
  GUARDIAN_AGE,
  MAX_AUTHORISATION_HOURS,
} from "./ecard.rules.ts";
import {
  type CodeType,
  CREDENTIAL_LIFETIME_SECONDS,
  type Credential,
  signCredential,
  verifyCode,
} from "./ecard-code.ts";
import type { FaceVerifier } from "./face.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const ECARD_PERMISSIONS = PERMISSIONS.ecard;

export const CHANNEL_CLASSES = [
  "hrss",
  "government",
  "national_partner",
  "bank",
  "medical",
  "social",
] as const;
export const CHANNEL_SERVICES = ["signup", "credential", "identity_code", "payment_code"] as const;
/** The version of the privacy text a holder agrees to at sign-up. */
export const PRIVACY_TEXT_VERSION = "2026-11";
/**
 * The version of the separate biometric consent text: with it a face image is kept (encrypted) after
 * the verification; without it the image is used for the one check and dropped.
 */
export const BIOMETRIC_TEXT_VERSION = "2026-11-bio";
/** The issuer key id in credentials; the key is the platform's SM2 signing key. */
export const ISSUER_KEY_ID = "sscard-ecard-1";

/**
 * The electronic card: channels, sign-up with face verification, device credentials for codes that
 * verify offline, the signed status list, online verification with single-use payment codes, and the
 * holder's authorisation while the card is lost. Its availability follows the physical card
 * (`ecardUsability`); every change of availability raises the e-card's status version and appends to
 * the status list in the same transaction as the change.
 */
export function createEcardService(deps: {
  db: Kysely<Database>;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  areas: AreasService;
  signer: Signer;
  issuerPrivateKey: string;
  tokenKey: Buffer;
  face: () => FaceVerifier;
  machine: EncryptionMachine;
  findPerson: (q: Kysely<Database>, idNumber: string) => Promise<PersonRow | undefined>;
  repo: EcardRepository;
  persons: PersonsRepository;
  cards: CardsRepository;
}) {
  const { db, audit, clock, cipher, repo } = deps;
  const key = secretKey(deps.tokenKey);
  const secretHash = (secret: string) => hmacSha256Hex(key, `channel:${secret}`);
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
  const issuerPublicKey = sm2.getPublicKeyFromPrivateKey(deps.issuerPrivateKey);

  /** The area's rule for the e-card while the card is temporarily lost, read through `q` (a transaction or the pool). */
  async function policyOf(areaCode: string, q: Kysely<Database> = db) {
    return (await deps.areas.policyAt(null, areaCode, undefined, q)).policy.ecardWhileTemporarilyLost;
  }

  /** The e-card's usability now, read through `q` (inside a transaction, pass the transaction). */
  async function usability(q: Kysely<Database>, ecard: Database["ecards"], card: CardRow) {
    const grant = await repo.activeAuthorisation(q, ecard.id, clock.now().toISOString());
    return ecardUsability({
      cardState: stateOn(card, chinaDate(clock.now())),
      ecardSuspended: ecard.suspended === 1,
      authorisationActive: grant !== undefined,
      policy: await policyOf(card.area_code, q),
    });
  }

  /** Raises the e-card's status version and appends the status list, inside the caller's transaction. */
  async function bump(trx: Transaction<Database>, ecard: Database["ecards"], usable: boolean) {
    const sv = Number(ecard.status_version) + 1;
    await repo.update(trx, ecard.id, { status_version: sv });
    await repo.appendStatus(trx, {
      ecard_id: ecard.id,
      status_version: sv,
      usable: usable ? 1 : 0,
      at: clock.now().toISOString(),
    });
    return sv;
  }

  /** A code checked online: the offline checks, then the current status version and usability. */
  async function checkOnline(code: string, purpose: CodeType) {
    const parsed = verifyCode(
      code,
      { issuerKeys: { [ISSUER_KEY_ID]: issuerPublicKey }, status: new Map(), now: nowSeconds() },
      purpose,
    );
    if (!parsed.ok) throw new DomainError("ECARD_CODE_REFUSED", { reason: parsed.reason });
    const ecard = await ecardById(db, parsed.credential.eid);
    const card = await cardOf(db, ecard.card_id);
    const usable = await usability(db, ecard, card);
    if (Number(ecard.status_version) > parsed.credential.sv)
      throw new DomainError("ECARD_CODE_REFUSED", { reason: "STATUS_CHANGED" });
    if (usable.scope === "none" || (purpose === "payment" && usable.scope !== "all"))
      throw new DomainError("ECARD_CODE_REFUSED", { reason: "UNUSABLE" });
    return { parsed, ecard, card, usable };
  }

  /** A card's e-card, made when the card is issued (or at sign-up for cards issued before e-cards). */
  async function newEcard(trx: Transaction<Database>, card: CardRow): Promise<Database["ecards"]> {
    const row: Database["ecards"] = {
      id: randomBytes(16).toString("hex"),
      card_id: card.id,
      person_id: card.person_id,
      suspended: 0,
      status_version: 1,
      created_at: clock.now().toISOString(),
      pin_pvv: null,
      pin_failures: 0,
      pin_locked_at: null,
    };
    await repo.insert(trx, row);
    return row;
  }

  /** The signed-in holder's newest e-card and the card it belongs to. */
  async function ownEcard(actor: Actor) {
    const ecard = await repo.newestOf(db, holderPersonId(actor));
    if (!ecard) throw new DomainError("ECARD_NOT_FOUND");
    return { ecard, card: await cardOf(db, ecard.card_id) };
  }

  /** Binds a device key to an e-card for one channel (sign-up, and a relative added to a family). */
  async function bindDevice(
    trx: Transaction<Database>,
    ecardId: string,
    channelId: string,
    deviceKey: string,
  ) {
    await repo.insertDevice(trx, {
      id: randomUUID(),
      ecard_id: ecardId,
      channel_id: channelId,
      device_key: deviceKey,
      created_at: clock.now().toISOString(),
      revoked_at: null,
    });
  }

  async function cardOf(q: Kysely<Database>, cardId: string) {
    const card = await deps.cards.byId(q, cardId);
    if (!card) throw new DomainError("CARD_NOT_FOUND");
    return card;
  }

  async function ecardById(q: Kysely<Database>, id: string) {
    const e = await repo.byId(q, id);
    if (!e) throw new DomainError("ECARD_NOT_FOUND");
    return e;
  }

  function credentialFor(
    ecard: Database["ecards"],
    card: CardRow,
    person: PersonRow,
    channel: string,
    deviceKey: string,
  ) {
    const now = nowSeconds();
    const credential: Credential = {
      v: 1,
      iss: ISSUER_KEY_ID,
      eid: ecard.id,
      dk: deviceKey,
      nm: person.name_masked,
      cn: maskCardNumber(card.card_number),
      ar: card.area_code,
      sv: Number(ecard.status_version),
      ch: channel,
      iat: now,
      exp: now + CREDENTIAL_LIFETIME_SECONDS,
    };
    return signCredential(credential, deps.issuerPrivateKey);
  }

  function validDeviceKey(hex: string) {
    if (!/^(02|03)[0-9a-f]{64}$|^04[0-9a-f]{128}$/i.test(hex))
      throw new DomainError("VALIDATION_FAILED", { summary: "devicePublicKey: an SM2 public key (hex)" });
    return hex.toLowerCase();
  }

  /** A biometric consent text version the caller sent, when it sent one, must be the current one. */
  function biometricConsent(textVersion: string | undefined) {
    if (textVersion !== undefined && textVersion !== BIOMETRIC_TEXT_VERSION)
      throw new DomainError("BIOMETRIC_CONSENT_REQUIRED", { textVersion: BIOMETRIC_TEXT_VERSION });
  }

  async function recordConsent(
    trx: Transaction<Database>,
    personId: string,
    channelId: string,
    kind: "privacy" | "biometric",
    textVersion: string,
  ): Promise<string> {
    const id = randomUUID();
    await repo.insertConsent(trx, {
      id,
      person_id: personId,
      channel_id: channelId,
      kind,
      text_version: textVersion,
      at: clock.now().toISOString(),
      withdrawn_at: null,
    });
    return id;
  }

  /** Keeps a face image after the check, encrypted, under the biometric consent recorded with it. */
  async function keepFacePhoto(
    trx: Transaction<Database>,
    personId: string,
    channelId: string,
    textVersion: string,
    photo: Buffer,
  ) {
    const consentId = await recordConsent(trx, personId, channelId, "biometric", textVersion);
    await repo.insertKeptPhoto(trx, {
      id: randomUUID(),
      person_id: personId,
      consent_id: consentId,
      photo_enc: cipher.encrypt(photo.toString("base64")),
      created_at: clock.now().toISOString(),
    });
  }

  /** A live photo against the person's identity photo; the distance when they match, else the seed's cause. */
  async function verifyFace(personId: string, livePhoto: Buffer): Promise<number> {
    const photo = await repo.identityPhoto(db, personId);
    if (!photo) throw new DomainError("FACE_VERIFICATION_FAILED", { reason: "PHOTO_OUTDATED" });
    const check = await deps.face().verify(Buffer.from(cipher.decrypt(photo.photo_enc), "base64"), livePhoto);
    if (!check.match) throw new DomainError("FACE_VERIFICATION_FAILED", { reason: check.reason });
    return Math.round(check.distance * 1000) / 1000;
  }

  /** The channel a request comes from, refused at once when it is not active. */
  async function channelOf(actor: Actor, service: (typeof CHANNEL_SERVICES)[number]) {
    if (actor.type !== "channel") throw new DomainError("FORBIDDEN");
    const channel = await repo.channelById(db, actor.id);
    if (channel?.state !== "active") throw new DomainError("CHANNEL_SUSPENDED");
    if (!(JSON.parse(channel.services) as string[]).includes(service))
      throw new DomainError("FORBIDDEN", { service });
    return channel;
  }

  /** The online checks of a code, and for a payment code its single use (recorded with an audit record). */
  async function verifyAndUse(actor: Actor, input: { code: string; purpose: CodeType }) {
    const grant = authorize(actor, ECARD_PERMISSIONS.terminal);
    const checked = await checkOnline(input.code, input.purpose);
    const { parsed, ecard, card } = checked;
    if (input.purpose === "payment") {
      await db.transaction().execute(async (trx) => {
        if (await repo.codeUsed(trx, parsed.codeId))
          throw new DomainError("ECARD_CODE_REFUSED", { reason: "REPLAYED" });
        await repo.insertCodeUse(trx, {
          code_id: parsed.codeId,
          ecard_id: ecard.id,
          used_by: actor.id,
          used_at: clock.now().toISOString(),
        });
        await audit.record(trx, actor, grant, {
          action: "ecard.code.payment",
          subjectType: "ecard",
          subjectId: ecard.id,
          areaCode: card.area_code,
          after: { channel: parsed.credential.ch },
        });
      });
    }
    return checked;
  }

  return {
    /** Registers a channel (app); its secret is returned once and stored only as a keyed hash. */
    async registerChannel(
      actor: Actor,
      input: {
        code: string;
        name: string;
        class: (typeof CHANNEL_CLASSES)[number];
        level: 1 | 2;
        parentCode?: string;
        services: readonly (typeof CHANNEL_SERVICES)[number][];
      },
    ) {
      const grant = authorize(actor, ECARD_PERMISSIONS.channels);
      let parentId: string | null = null;
      if (input.level === 2) {
        const parent = input.parentCode ? await repo.channelByCode(db, input.parentCode) : undefined;
        if (parent?.level !== 1)
          throw new DomainError("VALIDATION_FAILED", {
            summary: "parentCode: a level-1 channel for a level-2 channel",
          });
        parentId = parent.id;
      } else if (input.parentCode)
        throw new DomainError("VALIDATION_FAILED", { summary: "parentCode: only for level-2 channels" });
      const secret = randomBytes(32).toString("base64url");
      const row: Database["ecard_channels"] = {
        id: randomUUID(),
        code: input.code,
        name: input.name,
        class: input.class,
        level: input.level,
        parent_id: parentId,
        secret_hash: secretHash(secret),
        services: JSON.stringify(input.services),
        state: "active",
        created_at: clock.now().toISOString(),
      };
      await db.transaction().execute(async (trx) => {
        if (await repo.channelByCode(trx, input.code)) throw new DomainError("CONCURRENT_MODIFICATION");
        await repo.insertChannel(trx, row);
        await audit.record(trx, actor, grant, {
          action: "ecard.channel.register",
          subjectType: "ecard_channel",
          subjectId: row.id,
          areaCode: null,
          after: { code: row.code, class: row.class, level: row.level, services: input.services },
        });
      });
      return { id: row.id, code: row.code, level: row.level, state: row.state, token: `ecc_${secret}` };
    },

    /** Suspends, reactivates or retires a channel; a suspended channel is refused at its next call. */
    async setChannelState(actor: Actor, id: string, state: "active" | "suspended" | "exited") {
      const grant = authorize(actor, ECARD_PERMISSIONS.channels);
      await db.transaction().execute(async (trx) => {
        if (!(await repo.setChannelState(trx, id, state))) throw new DomainError("ECARD_CHANNEL_NOT_FOUND");
        await audit.record(trx, actor, grant, {
          action: "ecard.channel.state",
          subjectType: "ecard_channel",
          subjectId: id,
          areaCode: null,
          after: { state },
        });
      });
      return { id, state };
    },

    /** A channel's bearer token to its actor; not cached, so a suspension takes effect at once. */
    async authenticateChannel(token: string): Promise<Actor> {
      const row = await repo.channelBySecret(db, secretHash(token.slice(4)));
      if (!row) throw new DomainError("UNAUTHENTICATED");
      if (row.state !== "active") throw new DomainError("CHANNEL_SUSPENDED");
      return { type: "channel", id: row.id, name: row.code, channel: "ecard", grants: [] };
    },

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
      const pii = JSON.parse(cipher.decrypt(person.pii_enc)) as { name: string };
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
      return db.transaction().execute(async (trx) => {
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
    },

    /** A new credential for a device (daily, or after a status change); refused while the e-card is unusable. */
    async refreshCredential(actor: Actor, input: { ecardId: string; devicePublicKey: string }) {
      const channel = await channelOf(actor, "credential");
      const ecard = await ecardById(db, input.ecardId);
      const device = await repo.activeDevice(db, ecard.id, channel.id, input.devicePublicKey.toLowerCase());
      if (!device) throw new DomainError("ECARD_NOT_FOUND");
      const card = await cardOf(db, ecard.card_id);
      const usable = await usability(db, ecard, card);
      if (usable.scope === "none") throw new DomainError("ECARD_UNUSABLE", { reason: usable.reason });
      const person = (await deps.persons.byId(db, ecard.person_id))!;
      return {
        credential: credentialFor(ecard, card, person, channel.code, device.device_key),
        scope: usable.scope,
      };
    },

    /** The issuer public keys terminals verify credentials with. */
    issuerKeys: () => ({ [ISSUER_KEY_ID]: issuerPublicKey }),

    /** The person whose e-card showed this identity code (the hall's sign-in with the e-card). */
    async identityOfCode(code: string) {
      return (await checkOnline(code, "identity")).ecard.person_id;
    },

    /** The status list changes after a version, signed (terminals apply them in order). */
    async statusList(actor: Actor, since: number) {
      authorize(actor, ECARD_PERMISSIONS.terminal);
      const rows = await repo.statusChangesAfter(db, since, 50_000);
      return deps.signer.sign({
        from: since,
        to: rows.length ? Number(rows[rows.length - 1].version) : since,
        entries: rows.map((r) => ({ eid: r.ecard_id, sv: Number(r.status_version), usable: r.usable === 1 })),
      });
    },

    /**
     * Verifies a code online: the offline checks against the current status, the e-card's usability
     * now, and for a payment code its single use (a replay is refused).
     */
    async verifyOnline(actor: Actor, input: { code: string; purpose: CodeType }) {
      const { parsed, usable } = await verifyAndUse(actor, input);
      return {
        valid: true as const,
        type: parsed.type,
        nameMasked: parsed.credential.nm,
        cardNumberMasked: parsed.credential.cn,
        areaCode: parsed.credential.ar,
        scope: usable.scope,
      };
    },

    /** A payment code verified online and used (once): its physical card, for a settlement. */
    async cardOfPaymentCode(actor: Actor, code: string): Promise<CardRow> {
      const { usable, card } = await verifyAndUse(actor, { code, purpose: "payment" });
      if (usable.scope !== "all") throw new DomainError("ECARD_UNUSABLE", { reason: usable.reason });
      return card;
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
        const sv = await bump(trx, ecard, true);
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
        relationship: "child" | "parent" | "spouse" | "other";
        photo: Buffer;
        /** For a child: the biometric consent text version the guardian agreed to (the photo is kept). */
        photoConsentTextVersion?: string;
        devicePublicKey: string;
      },
    ) {
      const channel = await channelOf(actor, "credential");
      const holderEcard = await ecardById(db, input.ecardId);
      const holderCard = await cardOf(db, holderEcard.card_id);
      const relative = await deps.findPerson(db, input.relative.idNumber);
      if (
        !relative ||
        (JSON.parse(cipher.decrypt(relative.pii_enc)) as { name: string }).name !== input.relative.name.trim()
      )
        throw new DomainError("PERSON_NOT_FOUND");
      if (relative.id === holderEcard.person_id)
        throw new DomainError("VALIDATION_FAILED", { summary: "relative: someone other than the holder" });
      const age = ageOn(relative.birth_date, clock.now().toISOString().slice(0, 10));
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
      const relativeEcard = await repo.usableOf(db, relative.id);
      if (!relativeEcard) throw new DomainError("ECARD_NOT_FOUND");
      const deviceKey = validDeviceKey(input.devicePublicKey);
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
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
      return {
        familyId: id,
        relativeEcardId: relativeEcard.id,
        credential: credentialFor(relativeEcard, relativeCard, relative, channel.code, deviceKey),
      };
    },

    /** Removes a relative at any time: the holder's devices lose the relative's e-card at once. */
    async removeRelative(actor: Actor, familyId: string) {
      await channelOf(actor, "credential");
      const row = await repo.familyMember(db, familyId);
      if (!row || row.removed_at) throw new DomainError("ECARD_NOT_FOUND");
      const relativeEcards = await repo.idsOfPerson(db, row.relative_person_id);
      await db.transaction().execute(async (trx) => {
        const at = clock.now().toISOString();
        await repo.removeFamilyMember(trx, familyId, at);
        // The holder's devices were registered on the relative's e-card through this channel.
        await repo.revokeDevices(trx, relativeEcards, actor.id, at);
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
      };
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

    /** "Suspend my e-card everywhere" (and its undoing): every channel's codes fail from the next status list. */
    async setSuspendedByHolder(actor: Actor, suspended: boolean) {
      const { ecard, card } = await ownEcard(actor);
      await db.transaction().execute(async (trx) => {
        await repo.update(trx, ecard.id, { suspended: suspended ? 1 : 0 });
        const after = await usability(trx, { ...ecard, suspended: suspended ? 1 : 0 }, card);
        await bump(trx, ecard, after.scope !== "none");
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
     * Inside a card's state change: its e-card's availability is recomputed, and when it changes the
     * status version rises and the status list gets the entry in the same transaction.
     */
    async afterCardChange(trx: Transaction<Database>, card: CardRow, from: CardState) {
      const ecard = await repo.ofCard(trx, card.id);
      if (!ecard) {
        // Issuing a physical card issues its e-card (the holder then signs up for it in an app).
        if (from === "delivered" && (card.state === "active" || card.state === "archived"))
          await newEcard(trx, card);
        return;
      }
      // An authorisation is given for one loss: when the card leaves that loss, it ends (a new loss needs a new one).
      if (from === "temporarily_lost" && card.state !== "temporarily_lost")
        await repo.revokeAuthorisations(trx, ecard.id, clock.now().toISOString());
      const policy = await policyOf(card.area_code, trx);
      const before = ecardUsability({
        cardState: from,
        ecardSuspended: ecard.suspended === 1,
        authorisationActive: false,
        policy,
      });
      const after = await usability(trx, ecard, card);
      if (before.scope !== after.scope || from !== card.state) await bump(trx, ecard, after.scope !== "none");
    },
  };
}

export type EcardService = ReturnType<typeof createEcardService>;
