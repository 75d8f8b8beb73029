import { actorWith } from "../../../test/fixtures.ts";
import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { CONDITION_CODES, MATERIAL_KINDS } from "./applications.rules.ts";

/** Sample requests for the areas module's routes, for the permission walk (test/permissions.test.ts). */
export function areasPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, fixed, next, policy } = w;
  /** Zhejiang's cities the walk registers without an issuer ID, one per new application (Wenzhou, 330300, is the shared one's). */
  const cities = ["330400", "330500", "330600", "330700", "330800", "330900", "331000", "331100"];
  /** Hangzhou's counties, one per registration. */
  const counties = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112", "330113"];
  const freshCity = async () => {
    const code = cities.shift()!;
    await deps.areas.create(SYSTEM_ACTOR, { code });
    return code;
  };
  const province = actorWith("province_admin", "330000");
  const pdf = Buffer.from("%PDF-1.7\n%%EOF\n").toString("base64");
  /** One application the samples drive round its states (a return keeps it going; nothing approves it). */
  let shared: string | undefined;
  async function application(wanted: "editable" | "at_province" | "at_ministry") {
    if (!shared) {
      await deps.areas.create(SYSTEM_ACTOR, { code: "330300" });
      const app = await deps.applications.open(province, "330300");
      shared = app.applicationId;
      for (const kind of MATERIAL_KINDS)
        await deps.applications.putMaterial(province, shared, kind, {
          fileName: `${kind}.pdf`,
          contentType: kind === "card_file_structures" ? "application/json" : "application/pdf",
          contentBase64: kind === "card_file_structures" ? Buffer.from("{}").toString("base64") : pdf,
        });
      await deps.applications.setConditions(
        province,
        shared,
        Object.fromEntries(CONDITION_CODES.map((c) => [c, { met: true, evidence: "见附件" }])),
      );
    }
    let state = (await deps.applications.get(province, shared)).state;
    if (state === "at_ministry" && wanted !== "at_ministry")
      state = (await deps.applications.returnIt(SYSTEM_ACTOR, shared, "退回重办")).state;
    if (state === "at_province" && wanted === "editable")
      state = (await deps.applications.returnIt(province, shared, "退回重办")).state;
    if ((state === "draft" || state === "returned") && wanted !== "editable")
      state = (await deps.applications.file(province, shared)).state;
    if (state === "at_province" && wanted === "at_ministry")
      await deps.applications.forward(province, shared);
    return `/api/v1/area-applications/${shared}`;
  }
  return {
    "GET /api/v1/areas": { prepare: fixed("/api/v1/areas"), otherArea: "own" },
    "POST /api/v1/areas": {
      prepare: async () => ({
        url: "/api/v1/areas",
        // A county under Hangzhou, registered by the province (without an issuer ID: a county issues none).
        body: { code: counties[next() % counties.length] },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/area-applications": {
      prepare: async () => ({ url: "/api/v1/area-applications", body: { areaCode: await freshCity() } }),
      otherArea: "forbidden",
    },
    "GET /api/v1/area-applications": {
      prepare: async () => {
        await application("editable");
        return { url: "/api/v1/area-applications" };
      },
      otherArea: "filtered",
      hidden: "330300",
    },
    "GET /api/v1/area-applications/:applicationId": {
      prepare: async () => ({ url: await application("editable") }),
      otherArea: "notFound",
    },
    "PUT /api/v1/area-applications/:applicationId/conditions": {
      prepare: async () => ({
        url: `${await application("editable")}/conditions`,
        body: {
          conditions: Object.fromEntries(CONDITION_CODES.map((c) => [c, { met: true, evidence: "已具备" }])),
        },
      }),
      otherArea: "notFound",
    },
    "PUT /api/v1/area-applications/:applicationId/materials/:kind": {
      prepare: async () => ({
        url: `${await application("editable")}/materials/other_materials`,
        body: { fileName: "其他.pdf", contentType: "application/pdf", contentBase64: pdf },
      }),
      otherArea: "notFound",
    },
    "GET /api/v1/area-applications/:applicationId/materials/:kind": {
      prepare: async () => ({ url: `${await application("editable")}/materials/registration_form` }),
      otherArea: "notFound",
    },
    "POST /api/v1/area-applications/:applicationId/file": {
      prepare: async () => ({ url: `${await application("editable")}/file` }),
      otherArea: "notFound",
    },
    "POST /api/v1/area-applications/:applicationId/review": {
      prepare: async () => ({
        url: `${await application("at_province")}/review`,
        body: { decision: "forward" },
      }),
      otherArea: "notFound",
    },
    "POST /api/v1/area-applications/:applicationId/decision": {
      prepare: async () => ({
        url: `${await application("at_ministry")}/decision`,
        body: { decision: "return", reason: "材料需补正" },
      }),
      otherArea: "notFound",
    },
    "GET /api/v1/areas/:code": { prepare: fixed("/api/v1/areas/330100"), otherArea: "forbidden" },
    "GET /api/v1/areas/:code/policy": {
      prepare: fixed("/api/v1/areas/330100/policy?date=2026-12-01"),
      otherArea: "forbidden",
    },
    "GET /api/v1/areas/:code/policies": {
      prepare: fixed("/api/v1/areas/330100/policies"),
      otherArea: "forbidden",
    },
    "POST /api/v1/areas/:code/policies": {
      prepare: fixed("/api/v1/areas/330100/policies", { effectiveFrom: "2027-01-01", policy }),
      otherArea: "forbidden",
    },
    "GET /api/v1/areas/:code/outlets": {
      prepare: fixed("/api/v1/areas/330100/outlets"),
      otherArea: "forbidden",
    },
    "POST /api/v1/areas/:code/outlets": {
      prepare: fixed("/api/v1/areas/330100/outlets", { name: "网点", kind: "service_outlet" }),
      otherArea: "forbidden",
    },
  };
}
