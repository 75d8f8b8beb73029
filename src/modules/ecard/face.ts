import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import jpeg from "jpeg-js";

/**
 * Face verification for the e-card sign-up and password reset: a live photo against the identity
 * photo. Images are JPEG bytes, held in memory only for the call (never logged or stored here).
 */
export type FaceRefusal = "POOR_LIGHTING" | "FACE_NOT_IN_FRAME" | "PHOTO_OUTDATED";
export type FaceCheck = Readonly<
  { match: true; distance: number } | { match: false; reason: FaceRefusal; distance?: number }
>;
export type FaceVerifier = Readonly<{
  verify: (identityJpeg: Buffer, liveJpeg: Buffer) => Promise<FaceCheck>;
}>;

/**
 * The Euclidean distance between two 128-value face descriptors under which two photos are taken to
 * show the same person. face-api's authors suggest 0.6; sscard is stricter.
 */
export const FACE_MATCH_THRESHOLD = 0.5;
/** Mean luminance (0–255) outside which a photo is too dark or too bright to judge. */
export const LIGHTING = { min: 45, max: 225 } as const;

export type Rgb = Readonly<{ width: number; height: number; data: Uint8Array }>;

/** Decodes a JPEG to RGB (undefined when it is not a JPEG). */
export function decodeJpeg(bytes: Buffer): Rgb | undefined {
  try {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 128 });
    return { width: img.width, height: img.height, data: img.data };
  } catch {
    return undefined;
  }
}

export function meanLuminance(img: Rgb): number {
  let sum = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++)
    sum += 0.299 * img.data[3 * i] + 0.587 * img.data[3 * i + 1] + 0.114 * img.data[3 * i + 2];
  return sum / n;
}

type FaceApi = typeof import("@vladmandic/face-api");
type Tf = typeof import("@tensorflow/tfjs");

export type Face = Readonly<{
  box: { x: number; y: number; width: number; height: number };
  descriptor: Float32Array;
}>;

/**
 * The face-embedding model that `@vladmandic/face-api` ships (SSD MobileNet v1 detector, 68-point
 * landmarks, 128-d ResNet descriptor), on TensorFlow.js's WASM backend, offline: models and WASM
 * binaries come from the installed packages. Loaded once, on first use.
 */
export function createFaceApiVerifier(): FaceVerifier & { faces: (img: Rgb) => Promise<Face[]> } {
  let ready: Promise<{ faceapi: FaceApi; tf: Tf }> | undefined;
  const load = () => {
    ready ??= (async () => {
      const require = createRequire(import.meta.url);
      const tf = require("@tensorflow/tfjs") as Tf;
      const wasm = require("@tensorflow/tfjs-backend-wasm") as { setWasmPaths: (p: string) => void };
      wasm.setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`);
      const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js") as FaceApi;
      await tf.setBackend("wasm");
      await tf.ready();
      const models = join(dirname(require.resolve("@vladmandic/face-api/package.json")), "model");
      await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
      await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
      await faceapi.nets.faceRecognitionNet.loadFromDisk(models);
      return { faceapi, tf };
    })();
    return ready;
  };

  async function faces(img: Rgb): Promise<Face[]> {
    const { faceapi, tf } = await load();
    const input = tf.tensor3d(img.data, [img.height, img.width, 3], "int32");
    try {
      const found = await faceapi
        .detectAllFaces(
          input as never,
          new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 5 }),
        )
        .withFaceLandmarks()
        .withFaceDescriptors();
      return found.map((f) => ({ box: f.detection.box, descriptor: f.descriptor }));
    } finally {
      input.dispose();
    }
  }

  /** The largest face, or undefined when none is found or it is cut by the frame. */
  async function wholeFace(img: Rgb): Promise<Face | undefined> {
    const all = await faces(img);
    const face = all.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
    if (!face) return undefined;
    const margin = 2;
    const { x, y, width, height } = face.box;
    if (x < margin || y < margin || x + width > img.width - margin || y + height > img.height - margin)
      return undefined;
    return face;
  }

  return {
    faces,
    async verify(identityJpeg, liveJpeg) {
      const live = decodeJpeg(liveJpeg);
      if (!live) return { match: false, reason: "FACE_NOT_IN_FRAME" };
      const light = meanLuminance(live);
      if (light < LIGHTING.min || light > LIGHTING.max) return { match: false, reason: "POOR_LIGHTING" };
      const liveFace = await wholeFace(live);
      if (!liveFace) return { match: false, reason: "FACE_NOT_IN_FRAME" };
      const identity = decodeJpeg(identityJpeg);
      const idFace = identity && (await wholeFace(identity));
      // An identity photo in which no face can be found is as good as an outdated one: a new card photo.
      if (!idFace) return { match: false, reason: "PHOTO_OUTDATED" };
      let sum = 0;
      for (let i = 0; i < 128; i++) sum += (liveFace.descriptor[i] - idFace.descriptor[i]) ** 2;
      const distance = Math.sqrt(sum);
      return distance <= FACE_MATCH_THRESHOLD
        ? { match: true, distance }
        : { match: false, reason: "PHOTO_OUTDATED", distance };
    },
  };
}
