import { cardInState } from "../../../test/fixtures.ts";
import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { PRIVACY_TEXT_VERSION } from "../../modules/ecard/ecard.service.ts";
import { mintCode } from "../../modules/ecard/ecard-code.ts";
import { type Actor, SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the ecard module's routes, for the permission walk (test/permissions.test.ts). */
export function ecardPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, channels, ctx, device, ecardHolder, fixed, hallToken, ids, listedCard, next, photo } = w;
  /** An e-card holder whose e-card password is set (582046) through the channel's app. */
  const withPassword = async () => {
    const e = await ecardHolder();
    await deps.ecard.password(await deps.ecard.authenticateChannel(channels.active), {
      op: "set",
      ecardId: e.ecardId,
      pin: "582046",
    });
    return e;
  };
  /**
   * A hall sample: a fresh e-card holder (with the e-card password set when asked) signed in to the
   * hall, and the request about their own e-card (given the holder's actor for any preparation).
   */
  const inHall =
    (
      request: (
        e: Awaited<ReturnType<typeof ecardHolder>>,
        holder: Actor,
      ) => { url: string; body?: object } | Promise<{ url: string; body?: object }>,
      password = false,
    ) =>
    async () => {
      const e = password ? await withPassword() : await ecardHolder();
      const holderToken = await hallToken(e);
      return { ...(await request(e, await deps.holder.authenticate(holderToken))), holderToken };
    };
  return {
    "POST /api/v1/ecard/channels": {
      prepare: async () => ({
        url: "/api/v1/ecard/channels",
        body: { code: `app-${next()}`, name: "新渠道", class: "bank", level: 1, services: ["signup"] },
      }),
      otherArea: "own",
    },
    "POST /api/v1/ecard/channels/:id/state": {
      prepare: async () => {
        const made = await deps.ecard.registerChannel(SYSTEM_ACTOR, {
          code: `app-${next()}`,
          name: "待停渠道",
          class: "social",
          level: 1,
          services: ["signup"],
        });
        return { url: `/api/v1/ecard/channels/${made.id}/state`, body: { state: "suspended" } };
      },
      otherArea: "own",
    },
    "PUT /api/v1/persons/:id/photo": {
      prepare: fixed(`/api/v1/persons/${ids.person}/photo`, { jpegBase64: photo, takenOn: "2026-01-01" }),
      otherArea: "forbidden",
    },
    "POST /api/v1/ecard/counter-tickets": {
      prepare: fixed("/api/v1/ecard/counter-tickets", {
        idNumber: listedCard.idNumber,
        holderIdNumber: listedCard.idNumber,
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/ecard/signups": {
      prepare: async () => {
        const c = await cardInState(deps, "active");
        const person = await deps.persons.findByIdNumber(SYSTEM_ACTOR, c.idNumber);
        await deps.ecard.setIdentityPhoto(SYSTEM_ACTOR, person.id, {
          jpeg: Buffer.from(photo, "base64"),
          takenOn: "2026-01-01",
        });
        return {
          url: "/api/v1/ecard/signups",
          body: {
            name: "卡主",
            idNumber: c.idNumber,
            consentTextVersion: PRIVACY_TEXT_VERSION,
            realName: { name: "卡主", idNumber: c.idNumber },
            livePhotoBase64: photo,
            devicePublicKey: device.publicKey,
          },
        };
      },
      otherArea: "own",
    },
    "POST /api/v1/ecard/credentials": {
      prepare: async () => {
        const e = await ecardHolder();
        return {
          url: "/api/v1/ecard/credentials",
          body: { ecardId: e.ecardId, devicePublicKey: device.publicKey },
        };
      },
      otherArea: "own",
    },
    "POST /api/v1/ecard/password": {
      prepare: async () => ({
        url: "/api/v1/ecard/password",
        body: { ecardId: (await ecardHolder()).ecardId, pin: "582046" },
      }),
      otherArea: "own",
    },
    "POST /api/v1/ecard/password/change": {
      prepare: async () => {
        const e = await withPassword();
        return {
          url: "/api/v1/ecard/password/change",
          body: { ecardId: e.ecardId, current: "582046", next: "693157" },
        };
      },
      otherArea: "own",
    },
    "POST /api/v1/ecard/password/reset": {
      prepare: async () => ({
        url: "/api/v1/ecard/password/reset",
        body: { ecardId: (await ecardHolder()).ecardId, livePhotoBase64: photo, next: "693157" },
      }),
      otherArea: "own",
    },
    "POST /api/v1/ecard/password/verify": {
      prepare: async () => {
        const e = await withPassword();
        return { url: "/api/v1/ecard/password/verify", body: { ecardId: e.ecardId, pin: "582046" } };
      },
      otherArea: "own",
    },
    "POST /api/v1/ecard/family": {
      prepare: async () => {
        const e = await ecardHolder();
        const relative = await ecardHolder();
        return {
          url: "/api/v1/ecard/family",
          body: {
            ecardId: e.ecardId,
            relative: { idNumber: relative.idNumber, name: "卡主" },
            relationship: "parent",
            photoBase64: photo,
            devicePublicKey: device.publicKey,
          },
        };
      },
      otherArea: "own",
    },
    "POST /api/v1/ecard/family/:id/remove": {
      prepare: async () => {
        const e = await ecardHolder();
        const relative = await ecardHolder();
        const added = await deps.ecard.addRelative(await deps.ecard.authenticateChannel(channels.active), {
          ecardId: e.ecardId,
          relative: { idNumber: relative.idNumber, name: "卡主" },
          relationship: "parent",
          photo: Buffer.from(photo, "base64"),
          devicePublicKey: device.publicKey,
        });
        return { url: `/api/v1/ecard/family/${added.familyId}/remove` };
      },
      otherArea: "own",
    },
    // The same device routes through the online hall: the holder's own e-card, another holder's is not found.
    "POST /api/v1/holder/ecard/devices": {
      prepare: inHall(
        () => ({
          url: "/api/v1/holder/ecard/devices",
          body: { devicePublicKey: device.publicKey, pin: "582046" },
        }),
        true,
      ),
      // Another holder has no e-card password set (or no e-card): refused, nothing of the first's.
      otherArea: "forbidden",
    },
    "GET /api/v1/holder/ecard/family": {
      prepare: inHall(() => ({ url: "/api/v1/holder/ecard/family" })),
      otherArea: "own",
    },
    "POST /api/v1/holder/ecard/credentials": {
      prepare: inHall(async (e, holder) => {
        await deps.ecard.enableCodesHere(holder, { devicePublicKey: device.publicKey, pin: "582046" });
        return {
          url: "/api/v1/holder/ecard/credentials",
          body: { ecardId: e.ecardId, devicePublicKey: device.publicKey },
        };
      }, true),
      otherArea: "notFound",
    },
    "POST /api/v1/holder/ecard/password": {
      prepare: inHall((e) => ({
        url: "/api/v1/holder/ecard/password",
        body: { ecardId: e.ecardId, pin: "582046" },
      })),
      otherArea: "notFound",
    },
    "POST /api/v1/holder/ecard/password/change": {
      prepare: inHall(
        (e) => ({
          url: "/api/v1/holder/ecard/password/change",
          body: { ecardId: e.ecardId, current: "582046", next: "693157" },
        }),
        true,
      ),
      otherArea: "notFound",
    },
    "POST /api/v1/holder/ecard/password/reset": {
      prepare: inHall((e) => ({
        url: "/api/v1/holder/ecard/password/reset",
        body: { ecardId: e.ecardId, livePhotoBase64: photo, next: "693157" },
      })),
      otherArea: "notFound",
    },
    "POST /api/v1/holder/ecard/family": {
      prepare: inHall(async (e) => ({
        url: "/api/v1/holder/ecard/family",
        body: {
          ecardId: e.ecardId,
          relative: { idNumber: (await ecardHolder()).idNumber, name: "卡主" },
          relationship: "parent",
          photoBase64: photo,
          devicePublicKey: device.publicKey,
        },
      })),
      otherArea: "notFound",
    },
    "POST /api/v1/holder/ecard/family/:id/remove": {
      prepare: inHall(async (e, holder) => {
        const added = await deps.ecard.addRelative(holder, {
          ecardId: e.ecardId,
          relative: { idNumber: (await ecardHolder()).idNumber, name: "卡主" },
          relationship: "parent",
          photo: Buffer.from(photo, "base64"),
          devicePublicKey: device.publicKey,
        });
        return { url: `/api/v1/holder/ecard/family/${added.familyId}/remove` };
      }),
      otherArea: "notFound",
    },
    "GET /api/v1/ecard/issuer-keys": { prepare: fixed("/api/v1/ecard/issuer-keys"), otherArea: "own" },
    "GET /api/v1/ecard/status-list": {
      prepare: fixed("/api/v1/ecard/status-list?since=0"),
      otherArea: "own",
    },
    // Terminals verify codes of e-cards from everywhere.
    "POST /api/v1/ecard/codes/verify": {
      prepare: async () => {
        const e = await ecardHolder();
        const now = Math.floor(ctx.clock.now().getTime() / 1000);
        return {
          url: "/api/v1/ecard/codes/verify",
          body: { code: mintCode(e.credential, device.privateKey, "identity", now), purpose: "identity" },
        };
      },
      otherArea: "own",
    },
    "GET /api/v1/holder/ecard": {
      prepare: inHall(() => ({ url: "/api/v1/holder/ecard" })),
      otherArea: "own",
    },
    "POST /api/v1/holder/ecard/biometric-consent/withdrawal": {
      prepare: inHall(() => ({ url: "/api/v1/holder/ecard/biometric-consent/withdrawal" })),
      otherArea: "own",
    },
    "POST /api/v1/holder/ecard/suspension": {
      prepare: inHall(() => ({ url: "/api/v1/holder/ecard/suspension", body: { suspended: true } })),
      otherArea: "own",
    },
    "POST /api/v1/holder/ecard/authorisations": {
      // Signed in before the loss report (a lost card's password is not checked for a new sign-in).
      prepare: inHall(async (e) => {
        await deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, e.cardNumber);
        return { url: "/api/v1/holder/ecard/authorisations", body: { hours: 4 } };
      }),
      otherArea: "forbidden",
    },
  };
}
