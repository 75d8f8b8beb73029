import { createECDH, createHash, webcrypto } from "node:crypto";
import { plainAddPlaceholder } from "@signpdf/placeholder-plain";
import { SignPdf } from "@signpdf/signpdf";
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from "@signpdf/utils";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

/**
 * PAdES signatures on the certificates' PDFs (ETSI.CAdES.detached, PAdES B-B): a CMS SignedData over
 * the PDF's byte ranges, made with `pkijs` on Node's WebCrypto — ECDSA P-256 with SHA-256, the signed
 * attributes content-type, message-digest and signing-certificate-v2 — by the area's signer, whose
 * certificate the area's CA issued. Any PDF reader checks it (poppler's `pdfsig` in the tests); a
 * changed byte breaks it. Names in the certificates are UTF8String, so Chinese agency names survive
 * (node-forge, the signer `@signpdf` ships, mangles them).
 */

type Key = webcrypto.CryptoKey;
const crypto = webcrypto;
pkijs.setEngine("node", new pkijs.CryptoEngine({ name: "node", crypto: crypto as never }));

const ECDSA = { name: "ECDSA", namedCurve: "P-256" } as const;
const OID = {
  country: "2.5.4.6",
  organisation: "2.5.4.10",
  commonName: "2.5.4.3",
  data: "1.2.840.113549.1.7.1",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  subjectKeyIdentifier: "2.5.29.14",
} as const;

/** A P-256 key pair in WebCrypto from its 32-byte private scalar. */
async function keyPairOf(d: Buffer) {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const jwk = {
    kty: "EC",
    crv: "P-256",
    x: point.subarray(1, 33).toString("base64url"),
    y: point.subarray(33, 65).toString("base64url"),
  };
  return {
    privateKey: await crypto.subtle.importKey("jwk", { ...jwk, d: d.toString("base64url") }, ECDSA, false, [
      "sign",
    ]),
    publicKey: await crypto.subtle.importKey("jwk", jwk, ECDSA, true, ["verify"]),
  };
}

/** C=CN, O=<agency>, CN=<name>: one attribute per relative name (pkijs would put them in one). */
const name = (organisation: string, commonName: string) => {
  const rdn = (type: string, value: asn1js.BaseBlock) =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: value as never }).toSchema()] });
  const der = new asn1js.Sequence({
    value: [
      rdn(OID.country, new asn1js.PrintableString({ value: "CN" })),
      rdn(OID.organisation, new asn1js.Utf8String({ value: organisation })),
      rdn(OID.commonName, new asn1js.Utf8String({ value: commonName })),
    ],
  }).toBER(false);
  return pkijs.RelativeDistinguishedNames.fromBER(der);
};

/** An X.509 v3 certificate, signed by `issuerKey`; its validity is fixed (not the machine's clock). */
async function certificate(input: {
  serial: Buffer;
  subject: pkijs.RelativeDistinguishedNames;
  issuer: pkijs.RelativeDistinguishedNames;
  publicKey: Key;
  issuerKey: Key;
  ca: boolean;
}) {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({
    valueHex: new Uint8Array([0x01, ...input.serial.subarray(0, 15)]).buffer,
  });
  cert.subject = input.subject;
  cert.issuer = input.issuer;
  cert.notBefore.value = new Date("2020-01-01T00:00:00Z");
  cert.notAfter.value = new Date("2049-12-31T23:59:59Z");
  await cert.subjectPublicKeyInfo.importKey(input.publicKey as never);
  const spki = Buffer.from(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  // keyCertSign + cRLSign for the CA; digitalSignature + nonRepudiation for the signer.
  const usage = input.ca ? { bits: 0x06, unused: 1 } : { bits: 0xc0, unused: 6 };
  cert.extensions = [
    new pkijs.Extension({
      extnID: OID.basicConstraints,
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: input.ca }).toSchema().toBER(false),
    }),
    new pkijs.Extension({
      extnID: OID.keyUsage,
      critical: true,
      extnValue: new asn1js.BitString({
        valueHex: new Uint8Array([usage.bits]).buffer,
        unusedBits: usage.unused,
      }).toBER(false),
    }),
    new pkijs.Extension({
      extnID: OID.subjectKeyIdentifier,
      extnValue: new asn1js.OctetString({ valueHex: createHash("sha1").update(spki).digest() }).toBER(false),
    }),
  ];
  await cert.sign(input.issuerKey as never, "SHA-256");
  return cert;
}

/** The CMS signer the `@signpdf` library calls with the PDF's signed byte ranges. */
class CadesSigner extends Signer {
  readonly #key: Key;
  readonly #chain: readonly pkijs.Certificate[];
  constructor(key: Key, chain: readonly pkijs.Certificate[]) {
    super();
    this.#key = key;
    this.#chain = chain;
  }

  override async sign(pdf: Buffer): Promise<Buffer> {
    const [cert] = this.#chain;
    const digest = createHash("sha256").update(pdf).digest();
    const certHash = createHash("sha256")
      .update(Buffer.from(cert.toSchema().toBER(false)))
      .digest();
    const attribute = (type: string, value: asn1js.AsnType) => new pkijs.Attribute({ type, values: [value] });
    const signed = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
              attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: digest })),
              // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 { certHash (SHA-256) } }
              attribute(
                OID.signingCertificateV2,
                new asn1js.Sequence({
                  value: [
                    new asn1js.Sequence({
                      value: [
                        new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certHash })] }),
                      ],
                    }),
                  ],
                }),
              ),
            ],
          }),
        }),
      ],
      certificates: [...this.#chain],
    });
    await signed.sign(this.#key as never, 0, "SHA-256");
    const content = new pkijs.ContentInfo({
      contentType: pkijs.ContentInfo.SIGNED_DATA,
      content: signed.toSchema(true),
    });
    return Buffer.from(content.toSchema().toBER(false));
  }
}

/** An area's PDF signer: its CA certificate (published for verifiers) and the signing of one PDF. */
export type PdfSigner = Readonly<{
  caCertificatePem: string;
  sign: (pdf: Buffer, input: { reason: string; location: string; signingTime: Date }) => Promise<Buffer>;
}>;

const pem = (der: ArrayBuffer) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd()}\n-----END CERTIFICATE-----\n`;

/**
 * The PDF signer of an agency: its CA (self-signed, the area's root for certificates' signatures) and
 * the signer certificate it issued, from two P-256 private keys.
 */
export async function createPdfSigner(input: {
  agency: string;
  caKey: Buffer;
  signerKey: Buffer;
}): Promise<PdfSigner> {
  const [ca, signer] = await Promise.all([keyPairOf(input.caKey), keyPairOf(input.signerKey)]);
  const caName = name(input.agency, `${input.agency} 电子证明签发 CA`);
  const caCert = await certificate({
    serial: createHash("sha256").update(input.caKey).digest(),
    subject: caName,
    issuer: caName,
    publicKey: ca.publicKey,
    issuerKey: ca.privateKey,
    ca: true,
  });
  const signerCert = await certificate({
    serial: createHash("sha256").update(input.signerKey).digest(),
    subject: name(input.agency, `${input.agency} 电子证明专用章`),
    issuer: caName,
    publicKey: signer.publicKey,
    issuerKey: ca.privateKey,
    ca: false,
  });
  const cadesSigner = new CadesSigner(signer.privateKey, [signerCert, caCert]);
  const signPdf = new SignPdf();
  return {
    caCertificatePem: pem(caCert.toSchema().toBER(false)),
    async sign(pdf, meta) {
      const placed = plainAddPlaceholder({
        pdfBuffer: pdf,
        reason: meta.reason,
        contactInfo: "",
        name: input.agency,
        location: meta.location,
        signingTime: meta.signingTime,
        signatureLength: 4096,
        subFilter: SUBFILTER_ETSI_CADES_DETACHED,
        appName: "sscard",
      });
      return signPdf.sign(placed, cadesSigner, meta.signingTime);
    },
  };
}
