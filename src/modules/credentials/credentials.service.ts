import { credentialsChange } from "./credentials.change.ts";
import { type CredentialsDeps, createCredentialsContext } from "./credentials.context.ts";
import { credentialsOutlet } from "./credentials.outlet.ts";
import { PASSWORD_PERMISSIONS } from "./credentials.permissions.ts";
import { credentialsStatus } from "./credentials.status.ts";
import { credentialsVerify } from "./credentials.verify.ts";

export { createPasswordInitialiser, type PasswordField } from "./credentials.context.ts";
export { PASSWORD_PERMISSIONS };

/**
 * The one verification service of every channel, the lockout, unlock, reset and change, assembled
 * from one file per use case; shared helpers are in credentials.context.ts.
 */
export function createCredentialsService(deps: CredentialsDeps) {
  const ctx = createCredentialsContext(deps);
  return {
    ...credentialsVerify(ctx),
    ...credentialsChange(ctx),
    ...credentialsOutlet(ctx),
    ...credentialsStatus(ctx),
  };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;
