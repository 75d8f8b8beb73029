import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type Access, actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, errors, uuidSchema } from "../../http/schemas.ts";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { languageOf } from "../../shared/language.ts";
import {
  CERTIFICATE_KINDS,
  CERTIFICATE_STATUSES,
  ON_DEMAND_KINDS,
  type OnDemandKind,
  SERIAL_PATTERN,
} from "./certificates.rules.ts";
import type { CertificatesService } from "./certificates.service.ts";
import { CERTIFICATE_PERMISSIONS } from "./certificates.service.ts";
import { kindName, type Lang, statusName } from "./certificates.texts.ts";

const serialParams = z.object({ serial: z.string().regex(SERIAL_PATTERN, "a certificate serial number") });
const langQuery = z.object({ lang: z.enum(["zh", "en"]).optional() });

/** Requests per minute one address may make to the public verification (a serial cannot be enumerated). */
export const VERIFY_PER_MINUTE = 30;

/** Certificates: the PDF, revocation, the areas' public keys, and the public verification (page and JSON). */
export function certificatesRoutes(deps: {
  certificates: CertificatesService;
  clock: Clock;
}): FastifyPluginAsyncZod {
  const { certificates, clock } = deps;
  const seen = new Map<string, { minute: number; n: number }>();
  /** A fixed one-minute window per address; over the limit, 429 with the time to come back. */
  const limit = (ip: string) => {
    const now = clock.now().getTime();
    const minute = Math.floor(now / 60_000);
    const entry = seen.get(ip);
    if (!entry || entry.minute !== minute) {
      if (seen.size > 10_000) seen.clear();
      seen.set(ip, { minute, n: 1 });
      return;
    }
    entry.n += 1;
    if (entry.n > VERIFY_PER_MINUTE)
      throw new DomainError("TOO_MANY_ATTEMPTS", { retryAt: new Date((minute + 1) * 60_000).toISOString() });
  };
  const verificationSchema = z.object({
    serial: z.string(),
    kind: z.enum(CERTIFICATE_KINDS),
    kindName: z.string(),
    areaCode: z.string(),
    agency: z.string(),
    nameMasked: z.string(),
    idNumberMasked: z.string(),
    issuedOn: z.string(),
    validUntil: z.string().nullable(),
    status: z.enum(CERTIFICATE_STATUSES),
    statusName: z.string(),
    statusReason: z.string().nullable(),
  });
  const verification = async (serial: string, lang: Lang) => {
    const v = await certificates.publicView(serial, lang);
    return { ...v, kindName: kindName(v.kind, lang), statusName: statusName(v.status, lang) };
  };

  return async (app) => {
    /** The PDF, through two doors: the counter's (any certificate of its areas) and the holder's (their own). */
    const pdfRoute = (url: string, operationId: string, access: Access, summary: string) =>
      app.get(
        url,
        {
          config: { access },
          schema: {
            operationId,
            tags: ["certificates"],
            summary,
            params: serialParams,
            querystring: langQuery,
            response: { 200: z.any().describe("application/pdf"), ...errors(...AUTH_ERRORS, 404) },
          },
        },
        async (request, reply) => {
          const pdf = await certificates.pdf(
            actorOf(request),
            request.params.serial,
            request.query.lang ?? "zh",
          );
          return reply
            .type("application/pdf")
            .header("content-disposition", `inline; filename="${request.params.serial}.pdf"`)
            .send(pdf);
        },
      );
    pdfRoute(
      "/api/v1/certificates/:serial/pdf",
      "printCertificate",
      { permission: CERTIFICATE_PERMISSIONS.print },
      "A certificate as a PDF (A4, red seal, signed QR code), in Chinese or English; audited",
    );
    pdfRoute(
      "/api/v1/holder/certificates/:serial/pdf",
      "downloadMyCertificate",
      "holder",
      "The signed-in holder's own rights record or enrolment certificate as a PDF; audited",
    );

    const issued = z.object({
      serial: z.string(),
      kind: z.enum(CERTIFICATE_KINDS),
      areaCode: z.string(),
      issuedOn: z.string(),
      validUntil: z.string().nullable(),
    });
    const onDemand = (kinds: readonly [string, ...string[]]) =>
      z.strictObject({
        kind: z.enum(kinds as [OnDemandKind, ...OnDemandKind[]]),
        coordinationArea: areaCodeSchema
          .optional()
          .describe("enrolment certificate: the coordination area (a city, or a county in it)"),
        purpose: z
          .string()
          .trim()
          .min(2)
          .max(60)
          .optional()
          .describe("enrolment certificate: what it is for (e.g. 子女入学, 购房)"),
      });
    app.post(
      "/api/v1/persons/:id/certificates",
      {
        config: { access: { permission: CERTIFICATE_PERMISSIONS.print } },
        schema: {
          operationId: "issueCertificate",
          tags: ["certificates"],
          summary:
            "Issue a rights record, an enrolment certificate (area and purpose) or the card application form for a person; audited",
          params: z.object({ id: uuidSchema }),
          body: onDemand(ON_DEMAND_KINDS),
          response: { 201: issued, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await certificates.issue(actorOf(request), { ...request.body, personId: request.params.id })),
    );
    app.post(
      "/api/v1/holder/certificates",
      {
        config: { access: "holder", forQuerySessions: true },
        schema: {
          operationId: "issueMyCertificate",
          tags: ["certificates"],
          summary:
            "The signed-in holder's own rights record or enrolment certificate (area and purpose); audited",
          body: onDemand(["rights_record", "enrolment_certificate"]),
          response: { 201: issued, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await certificates.issue(actorOf(request), request.body)),
    );

    app.post(
      "/api/v1/certificates/:serial/revoke",
      {
        config: { access: { permission: CERTIFICATE_PERMISSIONS.revoke } },
        schema: {
          operationId: "revokeCertificate",
          tags: ["certificates"],
          summary: "Revoke a certificate with a reason (its QR and address then say so)",
          params: serialParams,
          body: z.strictObject({ reason: z.string().trim().min(2).max(200) }),
          response: {
            200: z.object({ serial: z.string(), status: z.literal("revoked"), reason: z.string() }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => certificates.revoke(actorOf(request), request.params.serial, request.body.reason),
    );

    app.get(
      "/api/v1/certificate-keys/:areaCode",
      {
        config: { access: "public" },
        schema: {
          operationId: "getCertificateKey",
          tags: ["certificates"],
          summary:
            "An area's keys for offline verifiers: the QR's SM2 public key (SM3, the standard user ID) and the CA certificate of the PDFs' signatures (PAdES)",
          params: z.object({ areaCode: areaCodeSchema }),
          response: {
            200: z.object({
              areaCode: z.string(),
              publicKey: z.string(),
              userId: z.string(),
              algorithm: z.literal("SM2-SM3"),
              pdfCaCertificate: z
                .string()
                .describe("PEM: trust it in a PDF reader to see the certificates' signatures as trusted"),
            }),
            ...errors(400, 404),
          },
        },
      },
      async (request) => certificates.publicKey(request.params.areaCode),
    );

    app.get(
      "/api/v1/certificates/:serial/verification",
      {
        config: { access: "public" },
        schema: {
          operationId: "verifyCertificate",
          tags: ["certificates"],
          summary:
            "What anyone may know of a certificate: masked holder, what it certifies, its status now (rate limited)",
          params: serialParams,
          querystring: langQuery,
          response: { 200: verificationSchema, ...errors(400, 404, 429) },
        },
      },
      async (request) => {
        limit(request.ip);
        return verification(
          request.params.serial,
          request.query.lang ?? languageOf(request.headers["accept-language"]),
        );
      },
    );

    app.get(
      "/v/:serial",
      {
        config: { access: "public" },
        schema: { hide: true, params: serialParams, querystring: langQuery },
      },
      async (request, reply) => {
        limit(request.ip);
        const lang = request.query.lang ?? languageOf(request.headers["accept-language"]);
        const v = await verification(request.params.serial, lang).catch((err: unknown) => {
          if (err instanceof DomainError && err.code === "CERTIFICATE_NOT_FOUND") return undefined;
          throw err;
        });
        return reply.type("text/html; charset=utf-8").send(verificationPage(v, request.params.serial, lang));
      },
    );
  };
}

const html = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The public verification page: one small HTML document, no script, in Chinese or English. */
function verificationPage(
  v:
    | (Awaited<ReturnType<CertificatesService["publicView"]>> & { kindName: string; statusName: string })
    | undefined,
  serial: string,
  lang: Lang,
): string {
  const zh = lang === "zh";
  const rows = v
    ? [
        [zh ? "凭证类型" : "Certificate", v.kindName],
        [zh ? "编号" : "Serial", v.serial],
        [zh ? "持有人" : "Holder", `${v.nameMasked}（${v.idNumberMasked}）`],
        [zh ? "出具机构" : "Issued by", v.agency],
        [zh ? "出具日期" : "Issued on", v.issuedOn],
        [zh ? "有效期至" : "Valid until", v.validUntil ?? "—"],
        [zh ? "当前状态" : "Status now", v.statusName],
      ]
    : [];
  const verdict = !v
    ? zh
      ? `查无此凭证：${serial}。请核对编号，谨防伪造。`
      : `No certificate ${serial}: check the number; it may be forged.`
    : v.status === "valid"
      ? zh
        ? "此凭证真实有效。请核对持有人身份证件。"
        : "This certificate is genuine and valid. Check the holder's ID document."
      : zh
        ? `此凭证已不再有效：${v.statusName}。`
        : `This certificate is no longer valid: ${v.statusName}.`;
  return `<!doctype html>
<html lang="${zh ? "zh-CN" : "en"}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${zh ? "凭证核验" : "Certificate verification"}</title>
<style>body{font:18px/1.6 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;color:#1a1a1a}h1{font-size:1.5rem}
.verdict{padding:.75rem 1rem;border-radius:6px;background:${v?.status === "valid" ? "#e6f4ea" : "#fde8e6"};border:1px solid ${v?.status === "valid" ? "#1e7b34" : "#b3261e"}}
th{text-align:left;padding-right:1rem;color:#444;font-weight:600}</style></head>
<body><main><h1>${zh ? "社会保障凭证核验" : "Certificate verification"}</h1>
<p class="verdict" role="status">${html(verdict)}</p>
${rows.length ? `<table><tbody>${rows.map(([k, val]) => `<tr><th scope="row">${html(k)}</th><td>${html(val)}</td></tr>`).join("")}</tbody></table>` : ""}
<p><a href="?lang=${zh ? "en" : "zh"}" lang="${zh ? "en" : "zh-CN"}">${zh ? "English" : "中文"}</a></p></main></body></html>`;
}
