import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { create, type Font } from "fontkit";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";

/**
 * The certificate as a PDF: an A4 page laid out like a government certificate — title, the certified
 * fields, the statement, the issuing agency and date with its red seal overprinted (drawn as vectors:
 * ring, star, the agency's name on the arc, 业务专用章), the QR code and the serial number.
 *
 * The Chinese font comes with `npm install`: Noto Sans SC (SIL Open Font License 1.1) from the
 * `@expo-google-fonts/noto-sans-sc` package, a static TrueType face that pdfkit subsets into each PDF
 * (only the glyphs used, ~10 KB). Debian's Noto CJK is the fallback when the package is absent.
 */
export type CertificateDocument = Readonly<{
  title: string;
  /** The certified fields, in order. */
  fields: readonly (readonly [string, string])[];
  /** Tables of facts (a rights record's contributions, for example): a caption, a header row, rows. */
  tables?: readonly Readonly<{
    caption: string;
    header: readonly string[];
    rows: readonly (readonly string[])[];
  }>[];
  statement: string;
  agency: string;
  issuedOn: string;
  serialLabel: string;
  serial: string;
  qrText: string;
  qrCaption: string;
  /** A banner across the page when the certificate is no longer valid (a reprint of a revoked one). */
  banner?: string;
}>;

const FONT_CANDIDATES = [
  () =>
    createRequire(import.meta.url).resolve(
      "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
    ),
  () => "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
];

let fontPath: string | undefined;
/** The CJK font file: the npm package's, else Debian's. */
export function cjkFont(): string {
  if (fontPath) return fontPath;
  for (const candidate of FONT_CANDIDATES)
    try {
      const path = candidate();
      if (existsSync(path)) {
        fontPath = path;
        return path;
      }
    } catch {
      // Not installed: the next candidate.
    }
  throw new Error("no CJK font: npm install brings @expo-google-fonts/noto-sans-sc");
}

/**
 * The font parsed once per process (10 MB): every document shares it and subsets the glyphs it uses
 * (pdfkit takes a fontkit font in place of the file; parsing it for each document was a fifth of a
 * certificate's time).
 */
let parsedFont: Font | undefined;
const font = () =>
  (parsedFont ??= create(
    readFileSync(cjkFont()),
    cjkFont().endsWith(".ttc") ? "NotoSansCJKsc-Regular" : undefined,
  ));

const RED = "#d0201a";

/** The agency's round seal: ring, five-pointed star, the name along the upper arc, the use below the star. */
function drawSeal(doc: PDFKit.PDFDocument, cx: number, cy: number, agency: string, use: string) {
  const r = 62;
  doc.save().opacity(0.85);
  doc.lineWidth(3.2).strokeColor(RED).circle(cx, cy, r).stroke();
  // The star: five outer and five inner points.
  const star: [number, number][] = [];
  for (let i = 0; i < 10; i++) {
    const radius = i % 2 === 0 ? 17 : 7;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    star.push([cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
  }
  doc
    .polygon(...star)
    .fillColor(RED)
    .fill();
  // The name on the arc, from about 210° to 330° (clockwise from the left), each character upright to the centre.
  const chars = [...agency];
  const span = Math.min(250, 22 * chars.length);
  const start = -90 - span / 2;
  doc.fontSize(chars.length > 12 ? 10 : 12).fillColor(RED);
  chars.forEach((ch, i) => {
    const deg = start + (span * (i + 0.5)) / chars.length;
    const rad = (deg * Math.PI) / 180;
    const x = cx + (r - 14) * Math.cos(rad);
    const y = cy + (r - 14) * Math.sin(rad);
    doc
      .save()
      .translate(x, y)
      .rotate(deg + 90);
    doc.text(ch, -6, -6, { lineBreak: false });
    doc.restore();
  });
  doc.fontSize(10).text(use, cx - 30, cy + 24, { width: 60, align: "center", lineBreak: false });
  doc.restore();
}

/**
 * The QR code as vector squares, `size` points wide, the dark modules of a row drawn as one rectangle
 * per run. The `qrcode` package chooses the mask by the standard's penalty rules at a third of the cost
 * of `qrcode-generator` (which the web pages use), and a certificate's time is mostly its QR code.
 */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = modules.size;
  const cell = size / (n + 8);
  doc.save().rect(x, y, size, size).fillColor("#ffffff").fill();
  doc.fillColor("#000000");
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      if (!modules.get(r, c)) continue;
      const start = c;
      while (c + 1 < n && modules.get(r, c + 1)) c++;
      doc.rect(x + (start + 4) * cell, y + (r + 4) * cell, (c - start + 1) * cell, cell);
    }
  doc.fill().restore();
}

/** Renders a certificate to PDF bytes. `createdAt` fixes the document's date (the issue time). */
export function renderCertificatePdf(
  model: CertificateDocument,
  createdAt: Date,
  sealUse: string,
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: 72, bottom: 60, left: 72, right: 72 },
    // The QR text rides in the document's keywords too, so `sscard certificate verify <file.pdf>` reads
    // it without rendering the page.
    info: {
      Title: model.title,
      Author: model.agency,
      Keywords: model.qrText,
      CreationDate: createdAt,
      ModDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.registerFont("cjk", font() as never);
  doc.font("cjk");
  const width = doc.page.width - 144;

  doc.fontSize(22).fillColor("#000000").text(model.title, 72, 80, { width, align: "center" });
  doc.moveDown(1.2);
  doc.fontSize(12);
  for (const [label, value] of model.fields) {
    const y = doc.y;
    doc.fillColor("#444444").text(label, 72, y, { width: 130 });
    doc.fillColor("#000000").text(value, 210, y, { width: width - 138 });
    doc.moveDown(0.4);
  }
  for (const table of model.tables ?? []) {
    doc.moveDown(0.6).fontSize(12).fillColor("#000000").text(table.caption, 72, doc.y, { width });
    doc.fontSize(9.5);
    const col = width / table.header.length;
    const line = (cells: readonly string[], color: string) => {
      const y = doc.y + 2;
      cells.forEach((cell, i) => {
        doc.fillColor(color).text(cell, 72 + i * col, y, { width: col - 4, lineBreak: false });
      });
      doc.y = y + 14;
    };
    line(table.header, "#444444");
    doc
      .moveTo(72, doc.y)
      .lineTo(72 + width, doc.y)
      .lineWidth(0.5)
      .strokeColor("#999999")
      .stroke();
    for (const row of table.rows) line(row, "#000000");
  }
  doc.moveDown(1).fontSize(12).fillColor("#000000").text(model.statement, 72, doc.y, { width });

  const bottom = doc.page.height - 60;
  // The agency and the date, bottom right, with the seal over them.
  doc.fontSize(12).text(model.agency, 300, bottom - 150, { width: 223, align: "center" });
  doc.text(model.issuedOn, 300, bottom - 130, { width: 223, align: "center" });
  drawSeal(doc, 411, bottom - 135, model.agency, sealUse);
  // The QR code and the serial, bottom left.
  drawQr(doc, model.qrText, 72, bottom - 190, 130);
  doc
    .fontSize(9)
    .fillColor("#000000")
    .text(model.qrCaption, 72, bottom - 56, { width: 200 });
  doc.text(`${model.serialLabel}: ${model.serial}`, 72, bottom - 42, { width: 220 });
  if (model.banner)
    doc
      .save()
      .rotate(-30, { origin: [297, 420] })
      .fontSize(40)
      .fillColor(RED)
      .opacity(0.35)
      .text(model.banner, 60, 400, { width: 475, align: "center" })
      .restore();
  doc.end();
  return done;
}

/** The QR text a certificate's PDF carries in its keywords (undefined when there is none). */
export function qrTextOfPdf(pdf: Buffer): string | undefined {
  let text = pdf.toString("latin1");
  // The keywords may be an indirect object (`/Keywords 16 0 R` … `16 0 obj (…) endobj`).
  const ref = /\/Keywords (\d+) 0 R/.exec(text);
  if (ref) {
    const start = text.indexOf(`\n${ref[1]} 0 obj`);
    if (start < 0) return undefined;
    text = `/Keywords ${text.slice(start + `\n${ref[1]} 0 obj`.length, text.indexOf("endobj", start)).trim()}`;
  }
  const literal = /\/Keywords \(((?:\\.|[^\\)])*)\)/.exec(text);
  if (literal) return literal[1].replace(/\\(.)/g, "$1");
  const hex = /\/Keywords <([0-9A-Fa-f\s]+)>/.exec(text);
  if (!hex) return undefined;
  const bytes = Buffer.from(hex[1].replace(/\s/g, ""), "hex");
  // UTF-16BE with its byte-order mark, as PDF writes text strings outside Latin-1.
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return bytes.subarray(2).swap16().toString("utf16le");
  return bytes.toString("latin1");
}
