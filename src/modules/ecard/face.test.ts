import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { before, describe, it } from "node:test";
import jpeg from "jpeg-js";
import { createFaceApiVerifier, decodeJpeg, type Face, LIGHTING, meanLuminance, type Rgb } from "./face.ts";

/**
 * Face images made from the sample photos `@vladmandic/face-api` ships: the faces found in one group
 * photo are cut out as "identity photos", and "live photos" are made from them by re-framing, changing
 * the exposure, darkening and cutting off half the face.
 */
const verifier = createFaceApiVerifier();
const sample = (n: number) =>
  decodeJpeg(
    readFileSync(
      join(
        dirname(createRequire(import.meta.url).resolve("@vladmandic/face-api/package.json")),
        "demo",
        `sample${n}.jpg`,
      ),
    ),
  )!;

/** A crop of an image around a box, `grow` times its size, with the exposure scaled, as JPEG. */
function crop(img: Rgb, box: Face["box"], grow: number, exposure = 1, shiftX = 0): Buffer {
  const w = Math.round(box.width * grow);
  const h = Math.round(box.height * grow);
  const x0 = Math.max(0, Math.round(box.x + box.width / 2 - w / 2 + shiftX * box.width));
  const y0 = Math.max(0, Math.round(box.y + box.height / 2 - h / 2));
  const width = Math.min(w, img.width - x0);
  const height = Math.min(h, img.height - y0);
  const out = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const s = 3 * ((y0 + y) * img.width + x0 + x);
      const d = 4 * (y * width + x);
      for (let c = 0; c < 3; c++) out[d + c] = Math.min(255, Math.round(img.data[s + c] * exposure));
      out[d + 3] = 255;
    }
  return jpeg.encode({ data: out, width, height }, 90).data;
}

describe("face verification (face-api's bundled model, WASM, offline)", () => {
  let img: Rgb;
  let faces: Face[];
  before(async () => {
    img = sample(1);
    faces = (await verifier.faces(img)).sort((a, b) => b.box.width - a.box.width);
  });

  it("matches a live photo of the same person and refuses another person as an outdated card photo", async () => {
    assert.ok(faces.length >= 2, "the sample has at least two faces");
    const [a, b] = faces;
    const identityA = crop(img, a.box, 1.8);
    const liveA = crop(img, a.box, 2.2, 0.85, 0.05);
    const same = await verifier.verify(identityA, liveA);
    assert.equal(same.match, true, JSON.stringify(same));
    // Another person, well lit: the next face whose crop is bright enough, or one from another sample.
    const lit = (f: Face) => meanLuminance(decodeJpeg(crop(img, f.box, 2))!) >= LIGHTING.min;
    let other = await verifier.verify(identityA, crop(img, (faces.slice(1).find(lit) ?? b).box, 2));
    if (!other.match && other.reason === "POOR_LIGHTING") {
      const img2 = sample(2);
      const [c] = (await verifier.faces(img2)).sort((x, y) => y.box.width - x.box.width);
      other = await verifier.verify(identityA, crop(img2, c.box, 2));
    }
    assert.deepEqual([other.match, !other.match && other.reason], [false, "PHOTO_OUTDATED"]);
  });

  it("names the seed's causes: poor lighting, and a face not fully in the frame", async () => {
    const [a] = faces;
    const identityA = crop(img, a.box, 1.8);
    const dark = await verifier.verify(identityA, crop(img, a.box, 2, 0.12));
    assert.deepEqual(dark, { match: false, reason: "POOR_LIGHTING" });
    const half = await verifier.verify(identityA, crop(img, a.box, 1.0, 1, 0.55));
    assert.deepEqual(half, { match: false, reason: "FACE_NOT_IN_FRAME" });
    const notJpeg = await verifier.verify(identityA, Buffer.from("not a photo"));
    assert.deepEqual(notJpeg, { match: false, reason: "FACE_NOT_IN_FRAME" });
  });
});
