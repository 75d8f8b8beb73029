import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsQRModule from "jsqr";

/**
 * Certificates' PDFs as their readers see them, with poppler-utils: the page as an image (its QR code
 * decoded as a phone would), the text, and the signature as a PDF reader checks it.
 */

/** jsQR is CommonJS: its function is the module itself in Node, `default` in its types. */
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;
/** poppler-utils (pdftoppm, pdftotext, pdfsig) and NSS's certutil (a PDF reader's trust store). */
export const poppler = [
  ["pdftoppm", "-v"],
  ["pdfsig", "-v"],
  ["certutil", "-H"],
].every(([tool, flag]) => spawnSync(tool, [flag], { stdio: "ignore" }).error === undefined);
if (!poppler && process.env.SSCARD_REQUIRE_POPPLER === "1")
  throw new Error("poppler-utils and libnss3-tools required: apt-get install poppler-utils libnss3-tools");

/** The PDF's first page as a grey image (poppler), its QR code decoded as a phone would. */
export function qrOfPdf(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "sscard-cert-"));
  writeFileSync(join(dir, "c.pdf"), pdf);
  // A printed page (re-distilled by cups-pdf) draws the modules as abutting rectangles: read it as a
  // phone would, at more than one distance.
  for (const dpi of ["150", "200", "300"]) {
    execFileSync("pdftoppm", ["-r", dpi, "-gray", "-singlefile", join(dir, "c.pdf"), join(dir, "page")]);
    const pgm = readFileSync(join(dir, "page.pgm"));
    // P5 <width> <height> <max>\n then one byte per pixel.
    const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 40).toString("latin1"))!;
    const [width, height] = [Number(header[1]), Number(header[2])];
    const grey = pgm.subarray(header[0].length);
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = grey[i];
      rgba[4 * i + 3] = 255;
    }
    const decoded = jsQR(rgba, width, height);
    if (decoded) return decoded.data;
  }
  assert.fail("the QR code on the page can be read");
}

export function textOfPdf(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "sscard-cert-"));
  writeFileSync(join(dir, "c.pdf"), pdf);
  return execFileSync("pdftotext", ["-layout", join(dir, "c.pdf"), "-"]).toString("utf8");
}

/** Where each certificate's first page is left as an image for people to look at (ignored by git). */
export const CERTIFICATE_SCREENSHOTS = "test-output/screenshots/certificates";

/** The PDF's first page as a PNG in the test output (poppler), named for what it shows. */
export function screenshotOfPdf(pdf: Buffer, name: string): string {
  mkdirSync(CERTIFICATE_SCREENSHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "sscard-cert-"));
  writeFileSync(join(dir, "c.pdf"), pdf);
  const out = join(CERTIFICATE_SCREENSHOTS, name);
  execFileSync("pdftoppm", ["-r", "80", "-png", "-singlefile", join(dir, "c.pdf"), out]);
  return `${out}.png`;
}

/**
 * poppler's `pdfsig` on a PDF: what a PDF reader says of its signature. With `trustedCaPem`, the CA is
 * trusted first (an NSS database made with `certutil`, as a reader's trust store).
 */
export function pdfsig(pdf: Buffer, trustedCaPem?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "sscard-sig-"));
  writeFileSync(join(dir, "c.pdf"), pdf);
  const args = [join(dir, "c.pdf")];
  if (trustedCaPem) {
    const db = join(dir, "nss");
    mkdirSync(db);
    execFileSync("certutil", ["-N", "-d", `sql:${db}`, "--empty-password"]);
    writeFileSync(join(dir, "ca.pem"), trustedCaPem);
    execFileSync("certutil", [
      "-A",
      "-d",
      `sql:${db}`,
      "-n",
      "area-ca",
      "-t",
      "C,C,C",
      "-i",
      join(dir, "ca.pem"),
    ]);
    args.unshift("-nssdir", `sql:${db}`);
  }
  const run = spawnSync("pdfsig", args, { encoding: "utf8" });
  return `${run.stdout}${run.stderr}`;
}

/** How many of the first page's pixels are seal red (poppler's colour raster at 50 dpi). */
export function redPixelsOfPdf(pdf: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), "sscard-red-"));
  writeFileSync(join(dir, "c.pdf"), pdf);
  execFileSync("pdftoppm", ["-r", "50", "-singlefile", join(dir, "c.pdf"), join(dir, "page")]);
  const ppm = readFileSync(join(dir, "page.ppm"));
  // P6 <width> <height> <max>\n then three bytes per pixel.
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 40).toString("latin1"))!;
  let red = 0;
  for (let i = header[0].length; i + 2 < ppm.length; i += 3)
    if (ppm[i] > 170 && ppm[i + 1] < 90 && ppm[i + 2] < 90) red += 1;
  return red;
}
