import { randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { sm2 } from "sm-crypto-v2";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { Policy } from "../areas/areas.rules.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { ChipData } from "../cards/cards.deps.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import { initialPin } from "../credentials/pin.rules.ts";
import type { Hsm } from "../keys/hsm.ts";
import type { Signed } from "../keys/signer.ts";
import { pinForTransport } from "../keys/transport.ts";
import type { HolderCertificate } from "./certificates.ts";
import { CHIP_PERMISSIONS } from "./chip.permissions.ts";
import type { ChipRepository } from "./chip.repository.ts";
import {
  CARD_KEY_TYPES,
  type CardKeyId,
  type FactoryRecord,
  factoryRecord,
  type PersonalisationData,
  personalise,
} from "./personalise.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const PERSONALISATION_PERMISSIONS = {
  personalise: CHIP_PERMISSIONS.personalise,
  certificate: CHIP_PERMISSIONS.certificate,
};

/**
 * Personalisation at production: for each card of a batch, its data, its keys diversified inside the
 * encryption machine at the city's newest key version, the initial PIN and (spec 3.00) a holder SM2
 * key pair with a certificate signed by the area's CA key, as the personalisation file's record for
 * the card factory: every secret enciphered under the factory's transport key (`tk-factory-<city>-…`). The
 * key version, the certificate and an audit record are written in the batch's transaction.
 */
export function createPersonalisationService(deps: {
  cards: Pick<CardsRepository, "byIdCode" | "recordPersonalisation">;
  repo: ChipRepository;
  db: Kysely<Database>;
  hsm: () => Hsm;
  audit: AuditService;
  clock: Clock;
}) {
  const { db, audit, clock } = deps;
  const { repo } = deps;
  return {
    async forProduction(
      actor: Actor,
      trx: Transaction<Database>,
      cards: readonly ChipData[],
      policy: Pick<Policy, "initialPassword">,
    ): Promise<FactoryRecord[]> {
      const hsm = deps.hsm();
      const byCity = new Map<
        string,
        { version: number; wrapper: Awaited<ReturnType<Hsm["transportWrapper"]>> }
      >();
      const records: FactoryRecord[] = [];
      const at = clock.now().toISOString();
      for (const chip of cards) {
        const data: PersonalisationData = { ...chip, initialPin: initialPin(chip.cardNumber, policy) };
        const city = data.cardIdCode.slice(0, 6);
        const grant = authorize(actor, PERSONALISATION_PERMISSIONS.personalise, city);
        const card = await deps.cards.byIdCode(trx, data.cardIdCode);
        if (!card || card.card_number !== data.cardNumber) throw new DomainError("CARD_NOT_FOUND");
        if (card.state !== "in_production") throw new DomainError("CARD_NOT_USABLE", { state: card.state });
        let setup = byCity.get(city);
        if (!setup) {
          const [version] = await hsm.activeVersions({ type: "internal_auth", algorithm: "SM4", city });
          if (version === undefined)
            throw new DomainError("KEY_NOT_FOUND", { label: `${city} internal_auth` });
          setup = { version, wrapper: await hsm.transportWrapper("factory", city) };
          byCity.set(city, setup);
        }
        const { version } = setup;
        const keys: Partial<Record<CardKeyId, Buffer>> = {};
        for (const [id, type] of Object.entries(CARD_KEY_TYPES))
          keys[Number(id) as CardKeyId] = await hsm.cardKey({
            type,
            algorithm: "SM4",
            version,
            city,
            cardIdCode: data.cardIdCode,
          });
        let certificate: Signed<HolderCertificate> | undefined;
        let holderKey: { privateKey: string; publicKey: string } | undefined;
        if (data.specVersion === "3.00") {
          holderKey = sm2.generateKeyPairHex();
          const ca = await hsm.areaCa(city);
          certificate = await hsm.signWithAreaCa<HolderCertificate>(city, {
            format: "sscard-holder-certificate/1",
            serial: randomBytes(8).toString("hex").toUpperCase(),
            cardIdCode: data.cardIdCode,
            cardNumber: data.cardNumber,
            subjectPublicKey: holderKey.publicKey,
            issuerArea: city,
            caKey: ca.label,
            notBefore: data.issueDate,
            notAfter: data.validUntil,
          });
        }
        const image = personalise(data, keys, { keyVersion: version, holderKey });
        records.push(
          factoryRecord(image, setup.wrapper, pinForTransport(data.initialPin, randomBytes(8)), certificate),
        );
        await deps.cards.recordPersonalisation(trx, data.cardIdCode, version, at);
        if (certificate)
          await repo.insertCertificate(trx, {
            serial: certificate.serial,
            card_id_code: data.cardIdCode,
            area_code: city,
            certificate: JSON.stringify(certificate),
            created_at: at,
          });
        await audit.record(trx, actor, grant, {
          action: "card.personalise",
          subjectType: "card",
          subjectId: data.cardIdCode,
          areaCode: city,
          after: {
            keyVersion: version,
            transportKey: setup.wrapper.transportKey,
            certificateSerial: certificate?.serial ?? null,
          },
        });
      }
      return records;
    },

    /** An area's CA public key (public: terminals check certificates against it). */
    async caKey(actor: Actor, area: string) {
      authorize(actor, PERSONALISATION_PERMISSIONS.certificate);
      return deps.hsm().areaCa(area);
    },

    /** A card's holder certificate and its area CA's public key (public data: terminals verify offline). */
    async certificate(actor: Actor, cardIdCode: string) {
      authorize(actor, PERSONALISATION_PERMISSIONS.certificate);
      const row = await repo.certificate(db, cardIdCode);
      if (!row) throw new DomainError("CARD_NOT_FOUND");
      return JSON.parse(row.certificate) as Signed<HolderCertificate>;
    },
  };
}

export type PersonalisationService = ReturnType<typeof createPersonalisationService>;
