import { createHash, randomInt, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { sm2 } from "sm-crypto-v2";
import type { CardRow, Database } from "../../db/schema.ts";
import type { Actor, Grant } from "../../shared/auth.ts";
import { canonicalJson } from "../../shared/canonical-json.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import type { Policy } from "../areas/areas.rules.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { createSm2Signer, SM2_USER_ID } from "../keys/signer.ts";
import type { PersonRecords } from "./certificates.facts.ts";
import type { PdfSigner } from "./certificates.pades.ts";
import type { CertificatesRepository } from "./certificates.repository.ts";
import { type CertificateKind, certificateSerial, type QrClaims, signedText } from "./certificates.rules.ts";
import type { Lang } from "./certificates.texts.ts";

export type Row = Database["certificates"];

/** What the certificates use cases are made from. */
export type CertificatesDeps = {
  db: Kysely<Database>;
  repo: CertificatesRepository;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  /** The machine's signing key: each area's certificate key is derived from it (keys/signer.ts). */
  areaSigningKey: (areaCode: string) => Buffer;
  /** An area's P-256 keys for PAdES: its PDF-signing CA's and its signer's (keys/signer.ts). */
  pdfKeys: (areaCode: string) => { caKey: Buffer; signerKey: Buffer };
  /** The public address verification links point to (SSCARD_PUBLIC_URL). */
  publicUrl: string;
  /** The outlet or institution of a grant, by name. */
  placeOf: (grant: Grant) => Promise<string | null>;
  areaName: (q: Kysely<Database>, code: string) => Promise<string | undefined>;
  person: (q: Kysely<Database>, id: string) => Promise<Database["persons"] | undefined>;
  /** A person's enrolments, contributions, credits, settlements and balance (the rights record's sources). */
  recordsOf: (q: Kysely<Database>, personId: string) => Promise<PersonRecords>;
  /** A person's cards, the newest application last (the application form's source). */
  cardsOf: (q: Kysely<Database>, personId: string) => Promise<CardRow[]>;
  /** Holds a card's row (a temporary certificate's status changes only while its card is held). */
  lockCard: (trx: Transaction<Database>, cardId: string) => Promise<unknown>;
  /** The area's policy in force (how long the temporary certificate and the slip stay valid). */
  policy: (q: Kysely<Database>, areaCode: string) => Promise<Policy>;
};

/**
 * The register's shared parts: each area's certificate-signing key, the signed claims of a row, and
 * recording and ending a certificate with its audit record in the caller's transaction.
 */
export function createCertificatesContext(deps: CertificatesDeps) {
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
  /** Each area's PDF signer (its CA and signer certificates are made once per process). */
  const pdfSigners = new Map<string, Promise<PdfSigner>>();
  const pdfSignerOf = (areaCode: string) => {
    let signer = pdfSigners.get(areaCode);
    if (!signer) {
      // The PAdES libraries (pkijs, asn1js, signpdf) are loaded at the first signature, not at start.
      signer = Promise.all([agencyOf(areaCode, "zh"), import("./certificates.pades.ts")]).then(
        ([agency, pades]) => pades.createPdfSigner({ agency, ...deps.pdfKeys(areaCode) }),
      );
      pdfSigners.set(areaCode, signer);
      signer.catch(() => pdfSigners.delete(areaCode));
    }
    return signer;
  };

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

  async function agencyOf(areaCode: string, lang: Lang) {
    const name = (await deps.areaName(db, areaCode)) ?? areaCode;
    return lang === "en"
      ? `Human Resources and Social Security Bureau of ${name}`
      : `${name}人力资源和社会保障局`;
  }

  return {
    deps,
    db,
    repo,
    audit,
    clock,
    cipher,
    signerOf,
    pdfSignerOf,
    today,
    claimsOf,
    record,
    ending,
    rowOf,
    agencyOf,
  };
}

export type CertificatesContext = ReturnType<typeof createCertificatesContext>;
