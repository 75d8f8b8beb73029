import { type Actor, authorize, holderPersonId } from "../../shared/auth.ts";
import { addDays, chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { SM2_USER_ID } from "../keys/signer.ts";
import { readPii } from "../persons/pii.ts";
import { type CertificatesDeps, createCertificatesContext } from "./certificates.context.ts";
import { enrolmentCertificateFacts, rightsRecordFacts } from "./certificates.facts.ts";
import { CERTIFICATE_PERMISSIONS } from "./certificates.permissions.ts";
import { certificatesOfReplacement } from "./certificates.replacement.ts";
import {
  HALL_KINDS,
  notValid,
  type OnDemandKind,
  parseQrText,
  qrText,
  signedText,
  statusOn,
} from "./certificates.rules.ts";
import { areaCodesOf, documentOf, type Lang } from "./certificates.texts.ts";
import { verifyQr } from "./certificates.verify.ts";

export { CERTIFICATE_PERMISSIONS };

/**
 * The register of certificates: issued with their facts and a signed QR, printed as PDF, revoked with
 * a reason, checked by anyone at their public address. The temporary medical certificate and the
 * collection slip come with a formal loss (certificates.replacement.ts).
 */
export function createCertificatesService(deps: CertificatesDeps) {
  const ctx = createCertificatesContext(deps);
  const {
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
  } = ctx;
  return {
    ...certificatesOfReplacement(ctx),
    /** The public key of an area's certificate-signing key (SM2, standard user ID), for offline verifiers. */
    /**
     * What an offline verifier needs from an area: the QR's SM2 public key (SM3, the standard user ID)
     * and the CA certificate that issued the PDFs' signing certificate (PAdES).
     */
    publicKey: async (areaCode: string) => {
      // Only areas there are: a made-up code would make a signer to keep for nothing.
      if ((await deps.areaName(db, areaCode)) === undefined) throw new DomainError("AREA_NOT_FOUND");
      return {
        areaCode,
        publicKey: signerOf(areaCode).publicKey,
        userId: SM2_USER_ID,
        algorithm: "SM2-SM3" as const,
        pdfCaCertificate: (await pdfSignerOf(areaCode)).caCertificatePem,
      };
    },

    /**
     * Issues a rights record, an enrolment certificate (for a coordination area and a stated purpose)
     * or a card application form, for a person the caller may see (the counter), or for the signed-in
     * holder (the hall: the rights record and the enrolment certificate).
     */
    async issue(
      actor: Actor,
      input: {
        personId?: string;
        kind: OnDemandKind;
        coordinationArea?: string;
        purpose?: string;
      },
    ) {
      const holder = actor.type === "holder";
      const personId = holder ? holderPersonId(actor) : input.personId!;
      if (holder && input.kind === "application_form") throw new DomainError("FORBIDDEN");
      const person = await deps.person(db, personId);
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      const grant = holder ? undefined : authorize(actor, CERTIFICATE_PERMISSIONS.print, person.area_code);
      const day = today();
      const masked = { nameMasked: person.name_masked, idNumberMasked: person.id_number_masked };
      const policy = await deps.policy(db, person.area_code);
      const validUntil = addDays(day, policy.recordCertificateValidDays);
      let facts: Record<string, unknown> | undefined;
      let areaCode = person.area_code;
      let cardId: string | null = null;
      if (input.kind === "rights_record")
        facts = rightsRecordFacts(masked, await deps.recordsOf(db, personId), day);
      else if (input.kind === "enrolment_certificate") {
        if (!input.coordinationArea || !input.purpose?.trim())
          throw new DomainError("VALIDATION_FAILED", {
            summary: "coordinationArea and purpose: both needed",
          });
        facts = enrolmentCertificateFacts(
          masked,
          await deps.recordsOf(db, personId),
          { coordinationArea: input.coordinationArea, purpose: input.purpose.trim() },
          day,
        );
        if (!facts)
          throw new DomainError("ENROLMENT_NOT_FOUND", { coordinationArea: input.coordinationArea });
        areaCode = String(facts.coordinationArea);
      } else {
        const card = (await deps.cardsOf(db, personId)).at(-1);
        if (!card) throw new DomainError("CARD_NOT_FOUND");
        cardId = card.id;
        areaCode = card.area_code;
        facts = {
          ...masked,
          cardNumber: card.card_number,
          areaCode: card.area_code,
          applicationKind: card.application_kind,
          bankCode: card.bank_code,
          appliedOn: chinaDate(new Date(card.created_at)),
          photo: card.photo_ref ? "on_file" : "missing",
        };
      }
      const row = await db.transaction().execute(async (trx) =>
        record(trx, actor, grant, {
          kind: input.kind,
          person,
          areaCode,
          cardId,
          facts,
          validUntil: input.kind === "application_form" ? null : validUntil,
        }),
      );
      return {
        serial: row.serial,
        kind: row.kind,
        areaCode: row.area_code,
        issuedOn: day,
        validUntil: row.valid_until,
      };
    },

    /**
     * A certificate as a PDF in Chinese or English; printing (the counter) and downloading (the holder,
     * their own only) are audited.
     */
    async pdf(actor: Actor, serial: string, lang: Lang) {
      const row = await rowOf(serial);
      if (
        actor.type === "holder" &&
        (holderPersonId(actor) !== row.person_id || !HALL_KINDS.includes(row.kind))
      )
        throw new DomainError("CERTIFICATE_NOT_FOUND");
      const grant =
        actor.type === "holder" ? undefined : authorize(actor, CERTIFICATE_PERMISSIONS.print, row.area_code);
      const person = (await deps.person(db, row.person_id))!;
      const agency = await agencyOf(row.area_code, lang);
      // pdfkit and its fonts are loaded at the first certificate, not at every start (memory).
      const { renderCertificatePdf } = await import("./certificates.pdf.ts");
      const rendered = await renderCertificatePdf(
        documentOf(row, {
          lang,
          name: readPii(cipher, person).name,
          agency,
          status: statusOn(row, today()),
          qr: qrText(deps.publicUrl, claimsOf(row, person), row.signature),
          areaNames: Object.fromEntries(
            await Promise.all(
              areaCodesOf(row).map(async (code) => [code, (await deps.areaName(db, code)) ?? code] as const),
            ),
          ),
        }),
        new Date(row.issued_at),
        lang === "en" ? "Official use" : "业务专用章",
      );
      // The PAdES signature of the area's signer over the whole file, as printed now.
      const bytes = await (await pdfSignerOf(row.area_code)).sign(rendered, {
        reason: lang === "en" ? "Certified by the issuing agency" : "出具单位电子签章",
        location: agency,
        signingTime: clock.now(),
      });
      await db.transaction().execute(async (trx) =>
        audit.record(trx, actor, grant, {
          action: actor.type === "holder" ? "certificate.download" : "certificate.print",
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
}

export type CertificatesService = ReturnType<typeof createCertificatesService>;
