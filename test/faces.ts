import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import jpeg from "jpeg-js";
import { decodeJpeg, type Face, type Rgb } from "../src/modules/ecard/face.ts";

/**
 * Face images for tests, made from the sample photos `@vladmandic/face-api` ships: faces are cut out of
 * a group photo as identity photos, and live photos are made from them by re-framing and changing the
 * exposure (or darkening, or cutting off half the face).
 */
export function samplePhoto(n: number): Rgb {
  const file = join(
    dirname(createRequire(import.meta.url).resolve("@vladmandic/face-api/package.json")),
    "demo",
    `sample${n}.jpg`,
  );
  return decodeJpeg(readFileSync(file))!;
}

/** A crop around a face box, `grow` times its size, exposure scaled, moved by `shiftX` face widths; JPEG. */
export function cropFace(img: Rgb, box: Face["box"], grow: number, exposure = 1, shiftX = 0): Buffer {
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
