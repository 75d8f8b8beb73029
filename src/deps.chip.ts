import { createCardKeys } from "./modules/chip/card-keys.ts";
import type { createChipRepository } from "./modules/chip/chip.repository.ts";
import { createIssuerScriptsService } from "./modules/chip/issuer-scripts.service.ts";
import { createPsamsRepository } from "./modules/chip/psams.repository.ts";
import { createPsamsService } from "./modules/chip/psams.service.ts";
import { createPurchaseService } from "./modules/chip/purchase.service.ts";
import { createReaderService } from "./modules/chip/reader.service.ts";
import { createRemoteAuthService } from "./modules/chip/remote-auth.service.ts";
import { createTerminalsService } from "./modules/chip/terminals.service.ts";

type CardKeysDeps = Parameters<typeof createCardKeys>[0];
type ReaderDeps = Parameters<typeof createReaderService>[0];
type PsamsDeps = Parameters<typeof createPsamsService>[0];
type ScriptsDeps = Parameters<typeof createIssuerScriptsService>[0];

/** The chip's services (card keys, remote authentication, terminals and PSAMs, purchases, the reader), wired on the graph's parts. */
export function createChipServices(deps: {
  db: CardKeysDeps["db"];
  chipRepo: ReturnType<typeof createChipRepository>;
  cardsRepo: CardKeysDeps["cards"] & Parameters<typeof createRemoteAuthService>[0]["cards"];
  audit: CardKeysDeps["audit"];
  clock: ReaderDeps["clock"];
  hsm: CardKeysDeps["hsm"];
  areaExists: PsamsDeps["areaExists"];
  persons: ScriptsDeps["persons"];
  cipher: ScriptsDeps["cipher"];
  cards: ReaderDeps["cards"];
}) {
  const { db, chipRepo: repo, cardsRepo, audit, clock, hsm, cipher } = deps;
  const cardKeys = createCardKeys({ db, cards: cardsRepo, audit, hsm });
  const remoteAuth = createRemoteAuthService({ db, repo, cards: cardsRepo, cardKeys, clock });
  const psams = createPsamsService({
    db,
    repo: createPsamsRepository(),
    audit,
    clock,
    areaExists: deps.areaExists,
  });
  const terminals = createTerminalsService({ db, repo, audit, clock, hsm, psams });
  const purchases = createPurchaseService({ db, audit, cardKeys });
  const issuerScripts = createIssuerScriptsService({ db, audit, cardKeys, persons: deps.persons, cipher });
  const reader = createReaderService({
    db,
    repo,
    clock,
    cardKeys,
    cards: deps.cards,
    issuerScripts,
    purchases,
    cipher,
  });
  return { cardKeys, remoteAuth, psams, terminals, purchases, issuerScripts, reader };
}
