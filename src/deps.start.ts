import type { Config } from "./config.ts";
import type { Db } from "./db/database.ts";
import { createDeps } from "./deps.ts";
import { createKeysRepository } from "./modules/keys/keys.repository.ts";
import { openLmk } from "./modules/keys/open-lmk.ts";
import { pinRootUnderLmk } from "./modules/keys/pin-root.ts";
import { type Clock, startedClock, systemClock } from "./shared/clock.ts";

/** The clock the server and the CLI run on: the machine's, or one started at SSCARD_CLOCK_START. */
export function clockOf(config: Pick<Config, "clockStart">): Clock {
  return config.clockStart ? startedClock(config.clockStart) : systemClock;
}

/**
 * The services as a process starts them (server, workers, CLI) on a migrated database: the encryption
 * machine's LMK opened, and the PIN root read from under it (imported from `SSCARD_PIN_KEY` the first
 * time, said through `log`). Without an LMK the configured PIN key is used, as on a laptop.
 */
export async function startDeps(
  database: Db,
  config: Config,
  clock: Clock,
  log: (line: string) => void = () => {},
) {
  const lmk = openLmk(config.hsm);
  const pinRoot = lmk
    ? await pinRootUnderLmk(createKeysRepository(database.db), lmk, config.secrets.pinKey, clock.now())
    : undefined;
  if (pinRoot?.imported)
    log("PIN root key imported under the LMK (pin-root-v1); PINs are verified with it from now on");
  return createDeps(database, config, clock, { lmk, pinRoot: pinRoot?.key });
}
