import { createHash, randomInt, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { sm2 } from "sm-crypto-v2";
import type { CardRow, Database } from "../../db/schema.ts";
import { type Actor, authorize, type Grant, SYSTEM_ACTOR } from "../../shared/auth.ts";
import { canonicalJson } from "../../shared/canonical-json.ts";
import { addDays, type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import type { Policy } from "../areas/areas.rules.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardState } from "../cards/cards.rules.ts";
import { createSm2Signer, SM2_USER_ID } from "../keys/signer.ts";
import { readPii } from "../persons/pii.ts";
import { renderCertificatePdf } from "./certificates.pdf.ts";
import { CERTIFICATE_PERMISSIONS } from "./certificates.permissions.ts";
import type { CertificatesRepository } from "./certificates.repository.ts";
import {
  type CertificateKind,
  certificateSerial,
  notValid,
  parseQrText,
  type QrClaims,
  qrText,
  SERIAL_PATTERN,
  signedText,
  statusOn,
} from "./certificates.rules.ts";
import { documentOf, type Lang } from "./certificates.texts.ts";
import { verifyQr } from "./certificates.verify.ts";

export { CERTIFICATE_PERMISSIONS };

type Row = Database["certificates"];

/**
 * The register of certificates: issued with their facts and a signed QR, printed as PDF, revoked with
 * a reason, checked by anyone at their public address. The temporary medical certificate and the
 * collection slip are issued inside the formal loss's transaction and end inside the new card's issue.
 */
export function createCertificatesService(deps: {
  db: Kysely<Database>;
  repo: CertificatesRepository;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  /** The machine's signing key: each area's certificate key is derived from it (keys/signer.ts). */
  areaSigningKey: (areaCode: string) => Buffer;
  /** The public address verification links point to (SSCARD_PUBLIC_URL). */
  publicUrl: string;
  /** The outlet or institution of a grant, by name. */
  placeOf: (grant: Grant) => Promise<string | null>;
  areaName: (q: Kysely<Database>, code: string) => Promise<string | undefined>;
  person: (q: Kysely<Database>, id: string) => Promise<Database["persons"] | undefined>;
  /** Holds a card's row (a temporary certificate's status changes only while its card is held). */
  lockCard: (trx: Transaction<Database>, cardId: string) => Promise<unknown>;
  /** The area's policy in force (how long the temporary certificate and the slip stay valid). */
  policy: (q: Kysely<Database>, areaCode: string) => Promise<Policy>;
}) {
  const { db, repo, audit, clock, cipher } = deps;
  const signers = new Map<string, ReturnType<typeof createSm2Signer> & { privateKey: string }>();
  const signerOf = (areaCode: string) => {
    let s = signers.get(areaCode);
    if (!s) {
      const key = deps.areaSigningKey(areaCode);
      s = { ...createSm2Signer(key), privateKey: key.toString("hex") };
      signers.set(areaCode, s);
    }
    return s;
  };
  const today = () => chinaDate(clock.now());

  const claimsOf = (row: Row, person: Database["persons"]): QrClaims => ({
    v: 1,
    s: row.serial,
    k: row.kind,
    a: row.area_code,
    n: person.name_masked,
    i: person.id_number_masked,
    d: chinaDate(new Date(row.issued_at)),
    u: row.valid_until ?? "",
    h: createHash("sm3").update(row.facts).digest("hex").slice(0, 32),
  });

  /** Records a certificate in the caller's transaction: the facts, the signed claims, the audit record. */
  async function record(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant | undefined,
    input: {
      kind: CertificateKind;
      person: Database["persons"];
      areaCode: string;
      cardId: string | null;
      facts: Record<string, unknown>;
      validUntil: string | null;
      serial?: string;
    },
  ): Promise<Row> {
    const now = clock.now();
    const row: Row = {
      id: randomUUID(),
      serial: input.serial ?? certificateSerial(input.kind, input.areaCode, chinaDate(now), randomInt(1e8)),
      kind: input.kind,
      person_id: input.person.id,
      area_code: input.areaCode,
      outlet: grant ? await deps.placeOf(grant) : null,
      card_id: input.cardId,
      facts: canonicalJson(input.facts),
      issued_at: now.toISOString(),
      valid_until: input.validUntil,
      status: "valid",
      status_reason: null,
      status_at: null,
      issued_by: actor.id,
      signature: "",
    };
    row.signature = sm2.doSignature(
      signedText(claimsOf(row, input.person)),
      signerOf(input.areaCode).privateKey,
      {
        hash: true,
        der: false,
        userId: SM2_USER_ID,
      },
    );
    await repo.insert(trx, row);
    await audit.record(trx, actor, grant, {
      action: "certificate.issue",
      subjectType: "certificate",
      subjectId: row.id,
      areaCode: row.area_code,
      after: { serial: row.serial, kind: row.kind, validUntil: row.valid_until },
    });
    return row;
  }

  async function ending(
    trx: Transaction<Database>,
    actor: Actor,
    row: Row,
    status: Row["status"],
    reason: string,
  ) {
    await repo.setStatus(trx, row.id, status, reason, clock.now().toISOString());
    await audit.record(trx, actor, undefined, {
      action: `certificate.${status === "revoked" ? "revoke" : "supersede"}`,
      subjectType: "certificate",
      subjectId: row.id,
      areaCode: row.area_code,
      after: { serial: row.serial, status, reason },
    });
  }

  async function rowOf(serial: string) {
    const row = await repo.bySerial(db, serial);
    if (!row) throw new DomainError("CERTIFICATE_NOT_FOUND");
    return row;
  }

  return {
    /** The public key of an area's certificate-signing key (SM2, standard user ID), for offline verifiers. */
    publicKey: (areaCode: string) => ({
      areaCode,
      publicKey: signerOf(areaCode).publicKey,
      userId: SM2_USER_ID,
      algorithm: "SM2-SM3" as const,
    }),

    /**
     * Inside the formal loss's transaction: the temporary medical certificate (its serial is the
     * replacement's certificate number) valid until the new card is collected or the grace after its
     * ready date, and the collection slip with the ready date and the outlet.
     */
    async issuedWithReplacement(
      trx: Transaction<Database>,
      actor: Actor,
      grant: Grant | undefined,
      replacement: CardRow,
      lost: CardRow,
    ) {
      const person = (await deps.person(trx, replacement.person_id))!;
      const outlet = grant ? await deps.placeOf(grant) : null;
      const readyDate = replacement.ready_date ?? today();
      const policy = await deps.policy(trx, replacement.area_code);
      const common = {
        nameMasked: person.name_masked,
        idNumberMasked: person.id_number_masked,
        readyDate,
        outlet,
      };
      await record(trx, actor, grant, {
        kind: "temporary_medical",
        person,
        areaCode: replacement.area_code,
        cardId: replacement.id,
        serial: replacement.temp_certificate_no ?? undefined,
        validUntil: addDays(readyDate, policy.temporaryCertificateGraceDays),
        facts: {
          ...common,
          lostCardNumber: lost.card_number,
          replacementCardNumber: replacement.card_number,
        },
      });
      await record(trx, actor, grant, {
        kind: "collection_slip",
        person,
        areaCode: replacement.area_code,
        cardId: replacement.id,
        validUntil: addDays(readyDate, policy.collectionSlipValidDays),
        facts: { ...common, replacementCardNumber: replacement.card_number, feeFen: replacement.fee_fen },
      });
    },

    /**
     * Inside a card's state change: once a replacement is issued, its temporary certificate is revoked
     * (the new card is collected) and its collection slip is spent.
     */
    async afterCardChange(trx: Transaction<Database>, card: CardRow, from: CardState) {
      if (from !== "delivered" || (card.state !== "active" && card.state !== "archived")) return;
      for (const row of await repo.validOfCard(trx, card.id, "temporary_medical"))
        await ending(trx, SYSTEM_ACTOR, row, "revoked", "new_card_collected");
      for (const row of await repo.validOfCard(trx, card.id, "collection_slip"))
        await ending(trx, SYSTEM_ACTOR, row, "superseded", "card_collected");
    },

    /**
     * A temporary medical certificate by its number, for the online check: the replacement card it
     * stands for and whether it is valid today (undefined: no such temporary certificate).
     */
    async temporaryCertificate(q: Kysely<Database>, serial: string) {
      const row = SERIAL_PATTERN.test(serial) ? await repo.bySerial(q, serial) : undefined;
      if (!row || row.kind !== "temporary_medical" || !row.card_id) return undefined;
      return { cardId: row.card_id, valid: statusOn(row, today()) === "valid", row };
    },

    /**
     * The temporary certificates of a settlement batch, read while their cards are held: their status
     * on the batch's day decides (a new card's issue and a revocation hold the card too).
     */
    async certificatesIn(trx: Transaction<Database>, serials: readonly string[]) {
      return new Map((await repo.bySerials(trx, [...new Set(serials)])).map((r) => [r.serial, r]));
    },

    /** The valid collection slip of a replacement not yet collected (its card view shows it). */
    async collectionSlipOf(q: Kysely<Database>, cardId: string) {
      return (await repo.validOfCard(q, cardId, "collection_slip"))[0]?.serial;
    },

    /**
     * Inside a card's hand-over, the card held: a replacement after a formal loss is collected with its
     * collection slip — its number, or its scanned QR (signature checked) — or, the slip reported lost,
     * with the ID card alone. The slip ends here; the hand-over's audit record says which it was.
     */
    async onCollection(
      trx: Transaction<Database>,
      actor: Actor,
      card: CardRow,
      slip: { presented?: string; lost?: boolean },
    ): Promise<string | undefined> {
      const [expected] = await repo.validOfCard(trx, card.id, "collection_slip");
      if (!expected) return undefined;
      const text = slip.presented?.trim();
      if (!text) {
        if (!slip.lost) throw new DomainError("COLLECTION_SLIP_REQUIRED");
        await ending(trx, actor, expected, "revoked", "slip_reported_lost");
        return "reported_lost";
      }
      let serial = text;
      if (!SERIAL_PATTERN.test(text)) {
        const scanned = verifyQr(text, { [expected.area_code]: signerOf(expected.area_code).publicKey });
        if (!scanned.ok) throw new DomainError("COLLECTION_SLIP_MISMATCH", { reason: scanned.reason });
        serial = scanned.claims.s;
      }
      if (serial !== expected.serial)
        throw new DomainError("COLLECTION_SLIP_MISMATCH", { reason: "not_this_card" });
      await ending(trx, actor, expected, "superseded", "card_collected");
      return expected.serial;
    },

    /** A certificate as a PDF in Chinese or English; printing is audited. */
    async pdf(actor: Actor, serial: string, lang: Lang) {
      const row = await rowOf(serial);
      const grant = authorize(actor, CERTIFICATE_PERMISSIONS.print, row.area_code);
      const person = (await deps.person(db, row.person_id))!;
      const bytes = await renderCertificatePdf(
        documentOf(row, {
          lang,
          name: readPii(cipher, person).name,
          agency: await agencyOf(row.area_code, lang),
          status: statusOn(row, today()),
          qr: qrText(deps.publicUrl, claimsOf(row, person), row.signature),
        }),
        new Date(row.issued_at),
        lang === "en" ? "Official use" : "业务专用章",
      );
      await db.transaction().execute(async (trx) =>
        audit.record(trx, actor, grant, {
          action: "certificate.print",
          subjectType: "certificate",
          subjectId: row.id,
          areaCode: row.area_code,
          after: { serial, lang },
        }),
      );
      return bytes;
    },

    /** Revokes a certificate with a reason (the counter). */
    async revoke(actor: Actor, serial: string, reason: string) {
      const found = await rowOf(serial);
      authorize(actor, CERTIFICATE_PERMISSIONS.revoke, found.area_code);
      return db.transaction().execute(async (trx) => {
        // A temporary certificate settles while its card is held: its card is held first here too.
        if (found.card_id) await deps.lockCard(trx, found.card_id);
        const row = (await repo.lockBySerial(trx, serial))!;
        const status = statusOn(row, today());
        if (status !== "valid") throw notValid(row, status);
        await ending(trx, actor, row, "revoked", reason);
        return { serial, status: "revoked" as const, reason };
      });
    },

    /**
     * A QR text checked as an offline verifier does (the claims' signature under the area's public key:
     * `keys`, or this platform's own), then against the register: the status now, and that the facts
     * signed are the facts recorded.
     */
    async check(text: string, keys?: Readonly<Record<string, string>>) {
      const parsed = parseQrText(text);
      const area = parsed.ok ? parsed.claims.a : "";
      const offline = verifyQr(
        text,
        keys ?? (/^\d{6}$/.test(area) ? { [area]: signerOf(area).publicKey } : {}),
      );
      if (!offline.ok) return { ok: false as const, reason: offline.reason };
      const row = await repo.bySerial(db, offline.claims.s);
      if (!row) return { ok: false as const, reason: "NOT_IN_REGISTER" as const, claims: offline.claims };
      const person = (await deps.person(db, row.person_id))!;
      if (signedText(claimsOf(row, person)) !== signedText(offline.claims))
        return { ok: false as const, reason: "FACTS_DIFFER" as const, claims: offline.claims };
      const status = statusOn(row, today());
      if (status !== "valid")
        return {
          ok: false as const,
          reason: "NOT_VALID" as const,
          claims: offline.claims,
          status,
          statusReason: row.status_reason,
        };
      return { ok: true as const, claims: offline.claims };
    },

    /** What anyone may see at the public address: masked, what is certified, the status now. */
    async publicView(serial: string, lang: Lang) {
      const row = await rowOf(serial);
      const person = (await deps.person(db, row.person_id))!;
      return {
        serial: row.serial,
        kind: row.kind,
        areaCode: row.area_code,
        agency: await agencyOf(row.area_code, lang),
        nameMasked: person.name_masked,
        idNumberMasked: person.id_number_masked,
        issuedOn: chinaDate(new Date(row.issued_at)),
        validUntil: row.valid_until,
        status: statusOn(row, today()),
        statusReason: row.status_reason,
      };
    },
  };

  async function agencyOf(areaCode: string, lang: Lang) {
    const name = (await deps.areaName(db, areaCode)) ?? areaCode;
    return lang === "en"
      ? `Human Resources and Social Security Bureau of ${name}`
      : `${name}人力资源和社会保障局`;
  }
}

export type CertificatesService = ReturnType<typeof createCertificatesService>;
