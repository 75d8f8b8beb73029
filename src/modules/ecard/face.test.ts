import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { cropFace, samplePhoto } from "../../../test/faces.ts";
import { createFaceApiVerifier, decodeJpeg, type Face, LIGHTING, meanLuminance, type Rgb } from "./face.ts";

/**
 * Face images made from the sample photos `@vladmandic/face-api` ships: the faces found in one group
 * photo are cut out as "identity photos", and "live photos" are made from them by re-framing, changing
 * the exposure, darkening and cutting off half the face.
 */
const verifier = createFaceApiVerifier();
describe("face verification (face-api's bundled model, WASM, offline)", () => {
  let img: Rgb;
  let faces: Face[];
  before(async () => {
    img = samplePhoto(1);
    faces = (await verifier.faces(img)).sort((a, b) => b.box.width - a.box.width);
  });

  it("matches a live photo of the same person and refuses another person as an outdated card photo", async () => {
    assert.ok(faces.length >= 2, "the sample has at least two faces");
    const [a, b] = faces;
    const identityA = cropFace(img, a.box, 1.8);
    const liveA = cropFace(img, a.box, 2.2, 0.85, 0.05);
    const same = await verifier.verify(identityA, liveA);
    assert.equal(same.match, true, JSON.stringify(same));
    // Another person, well lit: the next face whose crop is bright enough, or one from another sample.
    const lit = (f: Face) => meanLuminance(decodeJpeg(cropFace(img, f.box, 2))!) >= LIGHTING.min;
    let other = await verifier.verify(identityA, cropFace(img, (faces.slice(1).find(lit) ?? b).box, 2));
    if (!other.match && other.reason === "POOR_LIGHTING") {
      const img2 = samplePhoto(2);
      const [c] = (await verifier.faces(img2)).sort((x, y) => y.box.width - x.box.width);
      other = await verifier.verify(identityA, cropFace(img2, c.box, 2));
    }
    assert.deepEqual([other.match, !other.match && other.reason], [false, "PHOTO_OUTDATED"]);
  });

  it("names the seed's causes: poor lighting, and a face not fully in the frame", async () => {
    const [a] = faces;
    const identityA = cropFace(img, a.box, 1.8);
    const dark = await verifier.verify(identityA, cropFace(img, a.box, 2, 0.12));
    assert.deepEqual(dark, { match: false, reason: "POOR_LIGHTING" });
    const half = await verifier.verify(identityA, cropFace(img, a.box, 1.0, 1, 0.55));
    assert.deepEqual(half, { match: false, reason: "FACE_NOT_IN_FRAME" });
    const notJpeg = await verifier.verify(identityA, Buffer.from("not a photo"));
    assert.deepEqual(notJpeg, { match: false, reason: "FACE_NOT_IN_FRAME" });
  });
});
