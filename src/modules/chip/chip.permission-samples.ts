import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { authCryptogram } from "../../modules/chip/virtual-card.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the chip module's routes, for the permission walk (test/permissions.test.ts). */
export function chipPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, certifiedIdCode, ctx, fixed, listedCardIdCode, listedChip, login, slotOf } = w;
  let terminalSeq = 0;
  return {
    "GET /api/v1/terminals": {
      prepare: fixed("/api/v1/terminals"),
      otherArea: "filtered",
      hidden: "330100000901",
    },
    "POST /api/v1/psams": { prepare: fixed("/api/v1/psams", { count: 1 }), otherArea: "forbidden" },
    "POST /api/v1/psams/distribution": {
      prepare: async () => ({
        url: "/api/v1/psams/distribution",
        body: { areaCode: "330100", serials: (await deps.psams.issue(SYSTEM_ACTOR, 1)).serials },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/psams": { prepare: fixed("/api/v1/psams"), otherArea: "own" },
    "GET /api/v1/psams/:serial/movements": {
      prepare: async () => {
        const { serials } = await deps.psams.issue(SYSTEM_ACTOR, 1);
        await deps.psams.distribute(SYSTEM_ACTOR, { areaCode: "330100", serials });
        return { url: `/api/v1/psams/${serials[0]}/movements` };
      },
      otherArea: "notFound",
    },
    "POST /api/v1/terminals": {
      prepare: async () => ({
        url: "/api/v1/terminals",
        body: {
          terminalNo: `3301009${String(++terminalSeq).padStart(5, "0")}`,
          areaCode: "330100",
          name: "终端",
        },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/remote-authentications": {
      prepare: fixed("/api/v1/remote-authentications", {
        cardIdCode: listedCardIdCode,
        cardChallenge: "1122334455667788",
      }),
      // Authenticating another area's card is what the remote authentication is for.
      otherArea: "own",
    },
    "POST /api/v1/remote-authentications/:id/complete": {
      prepare: async () => {
        // Step 1 by the caller who will complete it (the first allowed role of Hangzhou); the chip answers.
        const keys = await deps.hsm!.cardAuthenticationKeys({
          algorithm: "SM4",
          version: 1,
          city: "330100",
          cardIdCode: listedCardIdCode,
        });
        const res = await ctx.app.inject({
          method: "POST",
          url: "/api/v1/remote-authentications",
          headers: { authorization: `Bearer ${await login("medical_operator.330100")}` },
          payload: { cardIdCode: listedCardIdCode, cardChallenge: "1122334455667788" },
        });
        const step1 = res.json();
        const answer = authCryptogram(
          keys.internalAuth,
          Buffer.from(step1.internalAuthRandom, "hex"),
        ).toString("hex");
        return {
          url: `/api/v1/remote-authentications/${step1.authenticationId}/complete`,
          body: { internalAuthResponse: answer },
        };
      },
      otherArea: "notFound",
    },
    "POST /api/v1/purchases/tac-verification": {
      prepare: async () => ({
        url: "/api/v1/purchases/tac-verification",
        body: {
          cardIdCode: listedCardIdCode,
          amountFen: 100,
          terminalNo: "330100000001",
          terminalTxnNo: "00000001",
          date: "20261122",
          time: "100000",
          tac: "00000000",
        },
      }),
      // A TAC is checked for any card a terminal took, wherever it was issued.
      otherArea: "own",
    },
    "POST /api/v1/chip-cards/:cardIdCode/pin-unblock-script": {
      prepare: fixed(`/api/v1/chip-cards/${listedCardIdCode}/pin-unblock-script`, {
        cardChallenge: "1122334455667788",
        newPin: "582046",
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/chip-cards/:cardIdCode/record-update-script": {
      prepare: fixed(`/api/v1/chip-cards/${listedCardIdCode}/record-update-script`, {
        cardChallenge: "1122334455667788",
        field: "name",
      }),
      otherArea: "forbidden",
    },
    // Certificates and CA keys are public to terminals everywhere.
    "GET /api/v1/chip-cards/:cardIdCode/certificate": {
      prepare: fixed(`/api/v1/chip-cards/${certifiedIdCode}/certificate`),
      otherArea: "own",
    },
    "GET /api/v1/areas/:code/ca-key": { prepare: fixed("/api/v1/areas/330100/ca-key"), otherArea: "own" },
    "POST /api/v1/reader/slots": {
      prepare: fixed("/api/v1/reader/slots", { terminalNo: "330100000009", card: listedChip }),
      otherArea: "forbidden",
    },
    // A slot belongs to whoever put the card in.
    "POST /api/v1/reader/slots/:slotId/read-card-basic": {
      prepare: async () => ({ url: `${await slotOf("medical_operator")}/read-card-basic` }),
      otherArea: "notFound",
    },
    "POST /api/v1/reader/slots/:slotId/verify-pin": {
      prepare: async () => ({
        url: `${await slotOf("medical_operator", ["read"])}/verify-pin`,
        body: { pin: listedChip.pin },
      }),
      otherArea: "notFound",
    },
    "POST /api/v1/reader/slots/:slotId/change-pin": {
      prepare: async () => ({
        url: `${await slotOf("medical_operator", ["read"])}/change-pin`,
        body: { oldPin: listedChip.pin, newPin: "582046" },
      }),
      otherArea: "notFound",
    },
    "POST /api/v1/reader/slots/:slotId/unblock-pin": {
      prepare: async () => ({
        url: `${await slotOf("outlet_clerk", ["read"])}/unblock-pin`,
        body: { newPin: "582046" },
      }),
      otherArea: "notFound",
    },
    "POST /api/v1/reader/slots/:slotId/debit": {
      prepare: async () => ({
        url: `${await slotOf("medical_operator", ["read", "pin"])}/debit`,
        body: { amountFen: 100 },
      }),
      otherArea: "notFound",
    },
    "DELETE /api/v1/reader/slots/:slotId": {
      prepare: async () => ({ url: await slotOf("medical_operator") }),
      otherArea: "notFound",
    },
  };
}
