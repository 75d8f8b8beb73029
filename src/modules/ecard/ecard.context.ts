import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { sm2 } from "sm-crypto-v2";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import { type Actor, authorize, holderPersonId } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import { hmacSha256Hex, type PiiCipher, secretKey } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskCardNumber } from "../../shared/mask.ts";
import type { AreasService } from "../areas/areas.service.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import { stateOn } from "../cards/cards.rules.ts";
import type { EncryptionMachine } from "../keys/encryption-machine.ts";
import type { Signer } from "../keys/signer.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import { ECARD_PERMISSIONS } from "./ecard.permissions.ts";
import type { EcardRepository } from "./ecard.repository.ts";
import { BIOMETRIC_TEXT_VERSION, ecardUsability } from "./ecard.rules.ts";
import type { CodeCheck, NationalStatusList } from "./ecard.schemas.ts";
import {
  type CodeType,
  CREDENTIAL_LIFETIME_SECONDS,
  type Credential,
  signCredential,
  verifyCode,
} from "./ecard-code.ts";
import type { FaceVerifier } from "./face.ts";

export const CHANNEL_CLASSES = [
  "hrss",
  "government",
  "national_partner",
  "bank",
  "medical",
  "social",
] as const;
export const CHANNEL_SERVICES = ["signup", "credential", "identity_code", "payment_code"] as const;
/** The online service hall's channel (migration 0021): a signed-in holder's browser as the device. */
export const HALL_CHANNEL_CODE = "hall";
export { BIOMETRIC_TEXT_VERSION, PRIVACY_TEXT_VERSION } from "./ecard.rules.ts";
/** The issuer key id credentials carry (`iss`) for a version of the e-card credential key. */
export const ecardIssuerKeyId = (version: number) => `sscard-ecard-${version}`;

/**
 * The e-card credential key: the version in force signs, every version up to it verifies (so credentials
 * signed before a rotation stay valid until they expire), by key id.
 */
export type EcardIssuer = Readonly<{ keyId: string; privateKey: string; publicKeys: Record<string, string> }>;

/** The issuer of a key version in force, from the key of each version (`keyAt`). */
export function ecardIssuer(keyAt: (version: number) => Buffer, inForce: number): EcardIssuer {
  const publicKeys: Record<string, string> = {};
  for (let v = 1; v <= inForce; v += 1)
    publicKeys[ecardIssuerKeyId(v)] = sm2.getPublicKeyFromPrivateKey(keyAt(v).toString("hex"));
  return { keyId: ecardIssuerKeyId(inForce), privateKey: keyAt(inForce).toString("hex"), publicKeys };
}

/** An e-card's status (its first at issue, then each change) as the national platform is told it. */
export type EcardStatusChange = Readonly<{ ecard: Database["ecards"]; sv: number; usable: boolean }>;

/** What the e-card use cases are made from. */
export type EcardDeps = {
  db: Kysely<Database>;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  areas: AreasService;
  signer: Signer;
  issuer: EcardIssuer;
  /**
   * The national platform (issue 24): it signs the credentials of a federated province's e-cards, and
   * its published keys verify them in every province.
   */
  national?: {
    /** This province's code (the first two digits of its areas). */
    province: string;
    credential: (cardNumber: string, credential: string) => Promise<string | undefined>;
    issuerKeys: () => Readonly<Record<string, string>>;
    /** Told of every status change in its transaction: the national status list gets it through the outbox. */
    onStatusChange: (trx: Transaction<Database>, change: EcardStatusChange) => Promise<void>;
    /** Another province's national e-card code checked online by its home province, through the hub. */
    verifyCode: (input: { code: string; purpose: CodeType; role: string }) => Promise<CodeCheck>;
    /** The national status list after a cursor, as the hub signed it (undefined: the hub cannot be reached). */
    statusList: (since: string) => Promise<NationalStatusList | undefined>;
  };
  tokenKey: Buffer;
  face: () => FaceVerifier;
  machine: EncryptionMachine;
  findPerson: (q: Kysely<Database>, idNumber: string) => Promise<PersonRow | undefined>;
  repo: EcardRepository;
  persons: PersonsRepository;
  cards: CardsRepository;
};

/** The helpers the e-card use cases share: usability, status versions, codes checked online, credentials, consent and face checks, channels. */
export function createEcardContext(deps: EcardDeps) {
  const { db, audit, clock, cipher, repo } = deps;
  const key = secretKey(deps.tokenKey);
  const secretHash = (secret: string) => hmacSha256Hex(key, `channel:${secret}`);
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

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
    await deps.national?.onStatusChange(trx, { ecard, sv, usable });
    return sv;
  }

  /** A code checked online: the offline checks, then the current status version and usability. */
  async function checkOnline(code: string, purpose: CodeType) {
    const parsed = verifyCode(
      code,
      { issuerKeys: issuerKeys(), status: new Map(), now: nowSeconds() },
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
    // The registry learns the e-card from its first status (not a change: the status list leaves it out).
    if (deps.national)
      await deps.national.onStatusChange(trx, {
        ecard: row,
        sv: row.status_version,
        usable: (await usability(trx, row, card)).scope !== "none",
      });
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

  /** The keys credentials are verified with: this province's versions and the national platform's. */
  function issuerKeys(): Readonly<Record<string, string>> {
    const national = deps.national?.issuerKeys();
    return national && Object.keys(national).length
      ? { ...deps.issuer.publicKeys, ...national }
      : deps.issuer.publicKeys;
  }

  /**
   * An answer carrying a credential, with the credential signed by the national platform when this
   * province is federated and the hub signs it (after the transaction: the hub's answer holds no lock).
   */
  async function published<T extends { credential: string }>(cardNumber: string, answer: T): Promise<T> {
    const national = await deps.national?.credential(cardNumber, answer.credential);
    return national ? { ...answer, credential: national } : answer;
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
      iss: deps.issuer.keyId,
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
    return signCredential(credential, deps.issuer.privateKey);
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

  /**
   * The channel a request comes from, refused at once when it is not active: a channel's key, or for a
   * signed-in holder the online hall (sscard's own channel, whose device is the holder's browser).
   */
  async function channelOf(actor: Actor, service: (typeof CHANNEL_SERVICES)[number]) {
    if (actor.type !== "channel" && actor.type !== "holder") throw new DomainError("FORBIDDEN");
    const channel =
      actor.type === "holder"
        ? await repo.channelByCode(db, HALL_CHANNEL_CODE)
        : await repo.channelById(db, actor.id);
    if (channel?.state !== "active") throw new DomainError("CHANNEL_SUSPENDED");
    if (!(JSON.parse(channel.services) as string[]).includes(service))
      throw new DomainError("FORBIDDEN", { service });
    return channel;
  }

  /**
   * A holder in the hall acts on their own e-card only (with `orFamily`, also on the e-cards of the
   * relatives their own carries); a channel, trusted with its users, on any. Someone else's is "not
   * found", as if it did not exist.
   */
  async function ownedBy(actor: Actor, ecard: Database["ecards"], options: { orFamily?: boolean } = {}) {
    if (actor.type !== "holder" || ecard.person_id === holderPersonId(actor)) return;
    const own = options.orFamily ? await repo.newestOf(db, holderPersonId(actor)) : undefined;
    const family = own ? await repo.presentFamily(db, own.id) : [];
    if (!family.some((f) => f.relative_person_id === ecard.person_id))
      throw new DomainError("ECARD_NOT_FOUND");
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
    deps,
    db,
    audit,
    clock,
    cipher,
    repo,
    policyOf,
    usability,
    bump,
    checkOnline,
    newEcard,
    ownEcard,
    bindDevice,
    cardOf,
    ecardById,
    credentialFor,
    issuerKeys,
    published,
    validDeviceKey,
    biometricConsent,
    recordConsent,
    keepFacePhoto,
    verifyFace,
    channelOf,
    ownedBy,
    verifyAndUse,
    key,
    secretHash,
    nowSeconds,
  };
}

export type EcardContext = ReturnType<typeof createEcardContext>;
