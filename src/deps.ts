import { type Config, ENVIRONMENT } from "./config.ts";
import type { Db } from "./db/database.ts";
import { createChipServices } from "./deps.chip.ts";
import { placeNames } from "./deps.places.ts";
import { createApplicationsRepository } from "./modules/areas/applications.repository.ts";
import { createApplicationsService } from "./modules/areas/applications.service.ts";
import { createAreasRepository } from "./modules/areas/areas.repository.ts";
import { createAreasService } from "./modules/areas/areas.service.ts";
import { createAuditRepository } from "./modules/audit/audit.repository.ts";
import { createAuditService } from "./modules/audit/audit.service.ts";
import { createBenefitsRepository } from "./modules/benefits/benefits.repository.ts";
import { createBenefitsService } from "./modules/benefits/benefits.service.ts";
import { createCardsRepository } from "./modules/cards/cards.repository.ts";
import { createCardsService } from "./modules/cards/cards.service.ts";
import { createCertificatesRepository } from "./modules/certificates/certificates.repository.ts";
import { createCertificatesService } from "./modules/certificates/certificates.service.ts";
import { createChipRepository } from "./modules/chip/chip.repository.ts";
import { createPersonalisationService } from "./modules/chip/personalisation.service.ts";
import { createAttemptLog } from "./modules/credentials/attempt-log.ts";
import { createCredentialsRepository } from "./modules/credentials/credentials.repository.ts";
import {
  createCredentialsService,
  createPasswordInitialiser,
} from "./modules/credentials/credentials.service.ts";
import { createEcardRepository } from "./modules/ecard/ecard.repository.ts";
import { createEcardService, ecardIssuer } from "./modules/ecard/ecard.service.ts";
import { createFaceApiVerifier, type FaceVerifier } from "./modules/ecard/face.ts";
import { createEmployersRepository } from "./modules/employers/employers.repository.ts";
import { createEmployersService } from "./modules/employers/employers.service.ts";
import { createEnrolmentRepository } from "./modules/enrolment/enrolment.repository.ts";
import { createEnrolmentService } from "./modules/enrolment/enrolment.service.ts";
import { createHolderRepository } from "./modules/holder/holder.repository.ts";
import { createHolderService } from "./modules/holder/holder.service.ts";
import { createJobsRepository } from "./modules/jobs/jobs.repository.ts";
import { createJobsService } from "./modules/jobs/jobs.service.ts";
import { createSoftwarePinMachine } from "./modules/keys/encryption-machine.ts";
import { createKeys } from "./modules/keys/keys.state.ts";
import type { Lmk } from "./modules/keys/lmk.ts";
import {
  bankNotifyKey,
  certificateSigningKey,
  p256PurposeKey,
  signingKeysOf,
} from "./modules/keys/signer.ts";
import { createKioskService, KIOSK_PERMISSIONS } from "./modules/kiosk/kiosk.service.ts";
import { createMedicalRepository } from "./modules/medical/medical.repository.ts";
import { createMedicalService } from "./modules/medical/medical.service.ts";
import { createNationalRepository } from "./modules/national/national.repository.ts";
import { createNationalService } from "./modules/national/national.service.ts";
import { createPaymentsRepository } from "./modules/payments/payments.repository.ts";
import { createPaymentsService } from "./modules/payments/payments.service.ts";
import { sandboxBank } from "./modules/payments/sandbox-bank.ts";
import { createPersonsRepository } from "./modules/persons/persons.repository.ts";
import { createPersonsService } from "./modules/persons/persons.service.ts";
import { readPii } from "./modules/persons/pii.ts";
import { createPhoneService } from "./modules/phone/phone.service.ts";
import { shippedRegions } from "./modules/regions/regions.ts";
import { createStaffRepository } from "./modules/staff/staff.repository.ts";
import { createStaffService } from "./modules/staff/staff.service.ts";
import { ALL_PERMISSIONS } from "./permissions.ts";
import { type Clock, systemClock } from "./shared/clock.ts";
import { createPiiCipher } from "./shared/crypto.ts";

/** The composition root: every service wired once, for the server, the CLI and the tests alike. */
export function createDeps(
  database: Db,
  config: Pick<Config, "secrets" | "sessionTtlMinutes" | "sessionIdleMinutes" | "authCacheSeconds"> &
    Partial<Pick<Config, "publicUrl" | "signingVersions" | "national">>,
  clock: Clock = systemClock,
  /** Replacements for sources of randomness, for tests. */
  options: { drawCardNumber?: () => string; lmk?: Lmk; face?: FaceVerifier; pinRoot?: Buffer } = {},
) {
  const { db, dialect } = database;
  const signing = signingKeysOf(config.secrets.signingKey, config.signingVersions);
  const regions = shippedRegions();
  const cipher = createPiiCipher(config.secrets.dataKey, config.secrets.indexKey);
  const areasRepo = createAreasRepository(dialect);
  const audit = createAuditService({
    db,
    audit: createAuditRepository(dialect),
    clock,
    sealer: signing.auditSealer(),
  });
  const areas = createAreasService({ db, areas: areasRepo, audit, clock, regions });
  const areaExists = async (code: string) => Boolean(await areasRepo.get(db, code));
  const applications = createApplicationsService({
    ...{ db, repo: createApplicationsRepository(), areas: areasRepo, audit, clock },
  });
  const personsRepo = createPersonsRepository(dialect);
  const cardsRepo = createCardsRepository(dialect);
  const national = createNationalService({
    ...{ db, repo: createNationalRepository(), persons: personsRepo, cards: cardsRepo },
    ...{ cipher, clock, hub: config.national?.hub },
  });
  const persons = createPersonsService({ db, persons: personsRepo, audit, clock, cipher, regions });
  const machine = createSoftwarePinMachine(options.pinRoot ?? config.secrets.pinKey);
  const credentialsRepo = createCredentialsRepository(dialect);
  const employersRepo = createEmployersRepository();
  let faceVerifier: ReturnType<typeof createFaceApiVerifier> | undefined;
  const ecard = createEcardService({
    db,
    audit,
    clock,
    cipher,
    areas,
    signer: signing.signer("ecard-status"),
    issuer: ecardIssuer(signing.keyAt("ecard-credential"), signing.inForce("ecard-credential")),
    national: national.federated
      ? {
          ...{ province: national.province!, credential: national.nationalCredential },
          issuerKeys: national.nationalIssuerKeys,
          ...{ onStatusChange: national.afterEcardStatus, statusList: national.statusList },
          verifyCode: national.verifyCode,
        }
      : undefined,
    tokenKey: config.secrets.tokenKey,
    face: () => {
      if (options.face) return options.face;
      faceVerifier ??= createFaceApiVerifier();
      return faceVerifier;
    },
    findPerson: persons.rowByIdNumber,
    machine,
    repo: createEcardRepository(dialect),
    persons: personsRepo,
    cards: cardsRepo,
  });
  const medicalRepo = createMedicalRepository(dialect);
  const enrolmentRepo = createEnrolmentRepository(dialect);
  /** Institutions' and outlets' names by grant, one cache for the process. */
  const placeOf = placeNames(db, medicalRepo, areasRepo);
  const certificates = createCertificatesService({
    db,
    repo: createCertificatesRepository(dialect),
    audit,
    clock,
    cipher,
    areaSigningKey: (area) => certificateSigningKey(config.secrets.signingKey, area),
    pdfKeys: (area) => ({
      caKey: p256PurposeKey(config.secrets.signingKey, `sscard/pdf-ca/${area}/v1`),
      signerKey: p256PurposeKey(config.secrets.signingKey, `sscard/pdf-signer/${area}/v1`),
    }),
    publicUrl: config.publicUrl ?? ENVIRONMENT.SSCARD_PUBLIC_URL,
    placeOf,
    areaName: async (q, code) => (await areasRepo.get(q, code))?.name ?? regions.fullName(code),
    person: personsRepo.byId,
    lockCard: cardsRepo.lockById,
    cardsOf: cardsRepo.ofPerson,
    recordsOf: async (q, personId) => {
      const [enrolments, contributions, credits, settlements, account] = await Promise.all([
        enrolmentRepo.enrolmentsOfPerson(q, personId),
        medicalRepo.contributionsOf(q, personId, 120),
        medicalRepo.credits(q, personId),
        medicalRepo.settlementsOfPerson(q, personId, 1000),
        medicalRepo.account(q, personId),
      ]);
      return {
        enrolments,
        contributions,
        credits,
        settlements,
        balanceFen: Number(account?.balance_fen ?? 0),
      };
    },
    policy: async (q, area) => (await areas.policyAt(null, area, undefined, q)).policy,
  });
  const {
    hsm,
    requireHsm,
    keyState,
    ceremonies: keyCeremonies,
  } = createKeys({
    db,
    lmk: options.lmk,
    clock,
    audit,
    areaExists,
  });
  const chipRepo = createChipRepository();
  const personalisation = createPersonalisationService({
    db,
    repo: chipRepo,
    cards: cardsRepo,
    audit,
    clock,
    hsm: requireHsm,
  });
  const cards = createCardsService({
    db,
    cards: cardsRepo,
    persons: personsRepo,
    areasRepo,
    areas,
    audit,
    clock,
    cipher,
    regions,
    employers: employersRepo,
    initialisePassword: createPasswordInitialiser({ repo: credentialsRepo, machine, clock }),
    registerPerson: persons.registerIn,
    drawCardNumber: options.drawCardNumber,
    // The e-card follows its card: told of every state change inside its transaction.
    onStateChange: [ecard.afterCardChange, certificates.afterCardChange, national.afterCardChange],
    reserveNationalSlot: national.reserveSlot,
    // The temporary medical certificate and the collection slip, in the formal loss's transaction.
    onReplacementForLoss: certificates.issuedWithReplacement,
    onCollection: certificates.onCollection,
    collectionSlipOf: certificates.collectionSlipOf,
    signer: signing.signer("blacklist"),
    personalise: personalisation.forProduction,
  });
  const attempts = createAttemptLog({ db, repo: credentialsRepo });
  const credentials = createCredentialsService({
    db,
    repo: credentialsRepo,
    cardsRepo,
    cards,
    persons: personsRepo,
    areas,
    audit,
    clock,
    machine,
    cipher,
    regions,
    attempts,
  });
  const staff = createStaffService({
    permissions: ALL_PERMISSIONS,
    db,
    staff: createStaffRepository(dialect),
    areas: areasRepo,
    employers: employersRepo,
    institutionArea: async (q, id) => (await medicalRepo.institutionById(q, id))?.area_code,
    audit,
    clock,
    tokenKey: config.secrets.tokenKey,
    sessionTtlMinutes: config.sessionTtlMinutes,
    sessionIdleMinutes: config.sessionIdleMinutes,
    authCacheSeconds: config.authCacheSeconds,
  });
  const chip = createChipServices({
    ...{
      db,
      chipRepo,
      cardsRepo,
      audit,
      clock,
      hsm: requireHsm,
      areaExists,
      persons: personsRepo,
      cipher,
      cards,
    },
  });
  const { remoteAuth, psams, terminals, purchases, issuerScripts, reader } = chip;
  const enrolment = createEnrolmentService({
    db,
    repo: enrolmentRepo,
    persons: personsRepo,
    findPerson: persons.rowByIdNumber,
    cards: cardsRepo,
    verifyHolderPassword: (actor, cardNumber, pin, source) =>
      credentials.verify(actor, cardNumber, { pin, purpose: "query" }, source),
    audit,
    clock,
    cipher,
    regions,
    paidMonths: async (q, personId, area) =>
      (await medicalRepo.paidMonths(q, personId, area)).map((p) => p.month),
    arrearsGraceMonths: async (area) => (await areas.policyAt(null, area)).policy.medical.arrearsGraceMonths,
    temporaryCertificate: certificates.temporaryCertificate,
    placeOf,
    remoteCheck: national.federated ? national.remoteCheck : undefined,
  });
  const employers = createEmployersService({
    ...{ db, repo: employersRepo, enrolment, persons, audit, clock, cipher, regions },
  });
  const holder = createHolderService({
    db,
    repo: createHolderRepository(),
    clock,
    tokenKey: config.secrets.tokenKey,
    audit,
    cards: cardsRepo,
    persons: personsRepo,
    findPerson: persons.rowByIdNumber,
    verifyPassword: async (actor, cardNumber, pin, source) =>
      credentials.verifyOnlineSignIn(actor, await cards.cardByNumber(cardNumber), pin, source),
    identityOfCode: ecard.identityOfCode,
  });
  const kiosk = createKioskService({
    db,
    findPerson: persons.rowByIdNumber,
    cardsOf: cardsRepo.ofPerson,
    verifyCard: (actor, card, password, source) =>
      credentials.verifyCard(
        actor,
        card,
        { pin: password.pin, pinBlock: password.pinBlock, purpose: "identity" },
        source,
      ),
    reportTemporaryLoss: (actor, cardNumber) =>
      cards.reportTemporaryLoss(actor, cardNumber, KIOSK_PERMISSIONS.preLoss),
    cardByNumber: cardsRepo.byNumber,
    personById: personsRepo.byId,
    openSession: holder.openKioskSession,
    nameOf: (person) => readPii(cipher, person).name,
    regions,
    clock,
  });
  const medical = createMedicalService({
    db,
    attempts,
    repo: medicalRepo,
    cards: cardsRepo,
    terminals: chipRepo,
    enrolment: enrolmentRepo,
    areas,
    audit,
    clock,
    findPerson: persons.rowByIdNumber,
    hiredOn: employersRepo.hiredOn,
    verifyCardPassword: (actor, card, pin, source) =>
      credentials.verifyCard(actor, card, { pin, purpose: "transaction" }, source),
    cardOfPaymentCode: (actor, code) => ecard.cardOfPaymentCode(actor, code),
    homeOfNationalCode: national.federated ? ecard.homeOfNationalCode : undefined,
    temporaryCertificate: certificates.temporaryCertificate,
    certificatesIn: certificates.certificatesIn,
    verifyForTemporaryCertificate: credentials.verifyForTemporaryCertificate,
    readerCard: (actor, slotId) => reader.authenticatedCard(actor, slotId),
    remoteSettle: national.federated ? national.remoteSettle : undefined,
    remoteRefund: national.federated ? national.remoteRefund : undefined,
  });
  const benefits = createBenefitsService({
    ...{ db, repo: createBenefitsRepository(), audit, clock, cipher, regions },
    areaExists,
    findPerson: persons.rowByIdNumber,
    person: personsRepo.byId,
    cardsInProvince: cardsRepo.ofPersonInProvince,
  });
  const phone = createPhoneService({
    ...{
      db,
      audit,
      clock,
      persons,
      cardsRepo,
      credentials,
      cards,
      enrolmentRepo,
      medical,
      enrolment,
      benefits,
    },
    ...{ areas, regions, cipher },
  });
  const notifyKey = bankNotifyKey(config.secrets.signingKey);
  /** THE SANDBOX BANK (tests, demonstrations): signs notifications as the bank would, and refunds. */
  const bank = sandboxBank(notifyKey);
  const payments = createPaymentsService({
    db,
    repo: createPaymentsRepository(),
    audit,
    clock,
    cipher,
    notifyKey,
    person: personsRepo.byId,
    selfContributionFen: medical.selfContributionFen,
    paidMonths: async (q, personId, area) =>
      (await medicalRepo.paidMonths(q, personId, area)).map((p) => p.month),
    payContribution: medical.payContribution,
    gateway: bank,
  });
  const jobs = createJobsService({
    db,
    repo: createJobsRepository(),
    clock,
    cards,
    medical,
    enrolment,
    payments,
    audit,
  });
  return {
    database,
    certificates,
    kiosk,
    phone,
    benefits,
    payments,
    sandboxBank: bank,
    signingKeys: signing.published(),
    clock,
    regions,
    cipher,
    machine,
    hsm,
    keyState,
    keyCeremonies,
    audit,
    areas,
    applications,
    persons,
    staff,
    cards,
    credentials,
    remoteAuth,
    terminals,
    psams,
    purchases,
    personalisation,
    issuerScripts,
    reader,
    enrolment,
    employers,
    holder,
    ecard,
    medical,
    jobs,
    national,
  };
}

export type Deps = ReturnType<typeof createDeps>;
