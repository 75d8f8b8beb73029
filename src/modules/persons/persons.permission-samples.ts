import { newIdNumber } from "../../../test/fixtures.ts";
import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the persons module's routes, for the permission walk (test/permissions.test.ts). */
export function personsPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, fixed, ids } = w;
  /** A holder signed in, and the version of their own record. */
  const holderWithVersion = async () => {
    const holderToken = await w.holderLogin();
    const card = await deps.cards.cardByNumber(w.holderCards.get(holderToken)!);
    const person = await deps.persons.get(SYSTEM_ACTOR, card.person_id);
    return { holderToken, version: person.version };
  };
  return {
    "GET /api/v1/holder/contact": {
      prepare: w.asHolder(() => ({ url: "/api/v1/holder/contact" })),
      otherArea: "own",
    },
    "PUT /api/v1/holder/contact": {
      prepare: async () => {
        const { holderToken, version } = await holderWithVersion();
        return { url: "/api/v1/holder/contact", body: { version, phone: "13800000000" }, holderToken };
      },
      // Another holder's token changes that holder's own record (each holder's record starts at version 1).
      otherArea: "own",
    },
    "POST /api/v1/persons": {
      prepare: async () => ({
        url: "/api/v1/persons",
        body: { idNumber: newIdNumber(), name: "新人", ethnicity: "01", areaCode: "330100" },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/persons": {
      prepare: fixed(`/api/v1/persons?idNumber=${ids.idNumber}`),
      otherArea: "forbidden",
    },
    "GET /api/v1/persons/:id": { prepare: fixed(`/api/v1/persons/${ids.person}`), otherArea: "forbidden" },
    "PATCH /api/v1/persons/:id": {
      prepare: async () => ({
        url: `/api/v1/persons/${ids.person}`,
        body: { version: (await deps.persons.get(SYSTEM_ACTOR, ids.person)).version, phone: "13800000000" },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/persons/:id/reveal-id-number": {
      prepare: fixed(`/api/v1/persons/${ids.person}/reveal-id-number`, { reason: "核对身份" }),
      otherArea: "forbidden",
    },
  };
}
