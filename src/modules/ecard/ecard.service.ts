import { ecardBiometrics } from "./ecard.biometrics.ts";
import { ecardChannels } from "./ecard.channels.ts";
import { ecardCodes } from "./ecard.codes.ts";
import { createEcardContext, type EcardDeps } from "./ecard.context.ts";
import { ecardFamily } from "./ecard.family.ts";
import { ecardFollow } from "./ecard.follow.ts";
import { ecardHolder } from "./ecard.holder.ts";
import { ECARD_PERMISSIONS } from "./ecard.permissions.ts";
import { ecardSignup } from "./ecard.signup.ts";

export {
  BIOMETRIC_TEXT_VERSION,
  CHANNEL_CLASSES,
  CHANNEL_SERVICES,
  ecardIssuer,
  ecardIssuerKeyId,
  PRIVACY_TEXT_VERSION,
} from "./ecard.context.ts";
export { ECARD_PERMISSIONS };

/**
 * The electronic card, assembled from one file per use case: channels, biometrics, sign-up and
 * credentials, codes, family, the holder's own e-card, and following the card. Its availability
 * follows the physical card (`ecardUsability`); every change of availability raises the e-card's
 * status version and appends to the status list in the same transaction as the change.
 */
export function createEcardService(deps: EcardDeps) {
  const ctx = createEcardContext(deps);
  return {
    ...ecardChannels(ctx),
    ...ecardBiometrics(ctx),
    ...ecardSignup(ctx),
    ...ecardCodes(ctx),
    ...ecardFamily(ctx),
    ...ecardHolder(ctx),
    ...ecardFollow(ctx),
  };
}

export type EcardService = ReturnType<typeof createEcardService>;
