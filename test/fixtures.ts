import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before } from "node:test";
import { type App, buildApp } from "../src/app.ts";
import type { Dialect } from "../src/db/database.ts";
import { seedDemoKeys } from "../src/demo/demo.keys.ts";
import { createDeps, type Deps } from "../src/deps.ts";
import { NATIONAL_DEFAULT_POLICY } from "../src/modules/areas/areas.rules.ts";
import type { CardState } from "../src/modules/cards/cards.rules.ts";
import {
  CARD_KEY_TYPES,
  type CardKeyId,
  type FactoryRecord,
  imageFromFactoryRecord,
  personalise,
} from "../src/modules/chip/personalise.ts";
import type { CardImage } from "../src/modules/chip/virtual-card.ts";
import { initialPin } from "../src/modules/credentials/pin.rules.ts";
import type { FaceVerifier } from "../src/modules/ecard/face.ts";
import { softwareLmk } from "../src/modules/keys/lmk.ts";
import type { IdCardFacts } from "../src/modules/kiosk/id-card.rules.ts";
import { needsGuardian } from "../src/modules/persons/age.rules.ts";
import { makeIdNumber } from "../src/modules/persons/id-number.rules.ts";
import { type Actor, type Role, SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { type Clock, chinaDate, fixedClock } from "../src/shared/clock.ts";
import { parseCsv } from "../src/shared/csv.ts";
import { createTestDb } from "./db.ts";

/** Test secrets: random per run, never the same as any real deployment's. */
export function testSecrets() {
  return {
    dataKey: randomBytes(32),
    indexKey: randomBytes(32),
    tokenKey: randomBytes(32),
    pinKey: randomBytes(32),
    signingKey: randomBytes(32),
  };
}

export const TEST_PASSWORD = "Test-password-2026";

/** The wiring the server uses, on a fresh test database, with a clock the test controls. */
export async function createTestDeps(
  dialect: Dialect,
  clock: Clock = fixedClock("2026-11-22T02:00:00Z"),
  /** keys: false leaves the encryption machine empty (as a fresh installation's, for the demo's own ceremonies). */
  options: { face?: FaceVerifier; keys?: boolean } = {},
) {
  const database = await createTestDb(dialect);
  const secrets = testSecrets();
  const config = { secrets, sessionTtlMinutes: 480, sessionIdleMinutes: 30, authCacheSeconds: 5 };
  const lmk = softwareLmk(randomBytes(32));
  const deps = createDeps(database, config, clock, { lmk, face: options.face });
  if (options.keys !== false) await seedCardKeys(deps);
  /** A second server on the same database and secrets (another worker or machine behind the balancer). */
  const another = () => createDeps(database, config, clock, { lmk, face: options.face });
  return { deps, database, secrets, clock, another };
}

/** The cities whose card keys, CA key and factory transport key every test machine holds. */
export const TEST_CITIES = [
  ["330000", "330100"],
  ["330000", "330200"],
  ["320000", "320100"],
] as const;

const factoryKeys = new WeakMap<Deps, Buffer>();

/**
 * The test cities' card keys, CA keys and factory transport keys at `version` (the demo's ceremonies,
 * src/demo/demo.keys.ts), every factory with this machine's one transport key (factoryKeyOf). Keys
 * already held are kept: every test machine has version 1 from the start (createTestDeps).
 */
export async function seedCardKeys(deps: Deps, version = 1) {
  let factoryKey = factoryKeys.get(deps);
  if (!factoryKey) {
    factoryKey = randomBytes(16);
    factoryKeys.set(deps, factoryKey);
  }
  await seedDemoKeys(deps.hsm!, TEST_CITIES, { version, factoryKey });
}

/** The transport key the test card factory built from its custodians' components. */
export const factoryKeyOf = (deps: Deps): Buffer => factoryKeys.get(deps)!;

/**
 * The chip the card factory makes for one card of a production batch, from the batch's
 * personalisation file and its transport key (a purse loaded with `purseFen` if given).
 */
export function chipFromBatch(
  deps: Deps,
  batch: { personalisationFile: string },
  cardNumber: string,
  options: { purseFen?: number } = {},
): CardImage {
  const record = batch.personalisationFile
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as FactoryRecord)
    .find((r) => r.cardNumber === cardNumber);
  assert.ok(record, `card ${cardNumber} is not in the batch's personalisation file`);
  return imageFromFactoryRecord(record, factoryKeyOf(deps), options);
}

/** A return file for a batch's factory file: `ok` with a chip serial for `made` (all when not given), else `failed`. */
export function returnFileFor(batch: { file: string }, made?: (cardNumber: string) => boolean): string {
  const rows = (parseCsv(batch.file) as { rows: { values: Record<string, string> }[] }).rows;
  return [
    "card_id_code,result,chip_serial",
    ...rows.map((r) =>
      !made || made(r.values.card_number)
        ? `${r.values.card_id_code},ok,${randomBytes(8).toString("hex").toUpperCase()}`
        : `${r.values.card_id_code},failed,`,
    ),
  ].join("\n");
}

/** Areas used across tests: Zhejiang with Hangzhou and Ningbo, Jiangsu with Nanjing. */
export async function seedAreas(deps: Deps) {
  await deps.areas.create(SYSTEM_ACTOR, { code: "330000", issuerId: "3300000001" });
  await deps.areas.create(SYSTEM_ACTOR, { code: "330100", issuerId: "3301000001" });
  await deps.areas.create(SYSTEM_ACTOR, { code: "330200", issuerId: "3302000001" });
  await deps.areas.create(SYSTEM_ACTOR, { code: "320000", issuerId: "3200000001" });
  await deps.areas.create(SYSTEM_ACTOR, { code: "320100", issuerId: "3201000001" });
}

/** Creates a staff member holding one role in one area and returns a session token for it. */
export async function staffToken(
  deps: Deps,
  username: string,
  role: Role,
  areaCode: string,
  extra: { institutionId?: string; employerId?: string } = {},
): Promise<string> {
  await deps.staff.createAccount(SYSTEM_ACTOR, {
    username,
    displayName: username,
    password: TEST_PASSWORD,
    grants: [{ role, areaCode, ...extra }],
  });
  return (await deps.staff.login({ username, password: TEST_PASSWORD })).token;
}

let personSeq = 100;
/** A new valid ID number (Hangzhou Xihu district unless told otherwise). */
export function newIdNumber(region = "330106", birth = "1990-03-07"): string {
  personSeq += 1;
  return makeIdNumber(region, birth, personSeq % 1000);
}

/** A staff actor holding one role in one area, for calling services directly. */
export function actorWith(role: Role, areaCode: string, extra: { institutionId?: string } = {}): Actor {
  return {
    type: "staff",
    id: `${role}@${areaCode}`,
    name: role,
    channel: "counter",
    grants: [{ role, areaCode, outletId: null, ...extra }],
  };
}

/** Fresh dependencies with the test areas for a describe block; the database is removed after it. */
export function useTestDeps(dialect: Dialect) {
  const t = {} as Awaited<ReturnType<typeof createTestDeps>>;
  before(async () => {
    Object.assign(t, await createTestDeps(dialect));
    await seedAreas(t.deps);
  });
  after(async () => t.database?.close());
  return t;
}

/** Builds the app over fresh dependencies for a describe block; closes both after it. */
export function useTestApp(dialect: Dialect, options: { logger?: unknown; face?: FaceVerifier } = {}) {
  const ctx = {} as { app: App; deps: Deps; clock: ReturnType<typeof fixedClock> };
  let close: (() => Promise<void>) | undefined;
  before(async () => {
    const clock = fixedClock("2026-11-22T02:00:00Z");
    const { deps, database } = await createTestDeps(dialect, clock, { face: options.face });
    ctx.deps = deps;
    ctx.clock = clock;
    const answered = new Map<string, Answer>();
    ctx.app = await buildApp(deps, {
      logger: options.logger as never,
      bodyLimit: 64 * 1024,
      onAnswer: (a) => answered.set(`${a.method} ${a.route} ${a.status} ${a.mediaType}`, a),
    });
    close = async () => {
      // Every answer the tests saw must be one the API document promises.
      const undocumented = answersNotInDocument(ctx.app, [...answered.values()]);
      await ctx.app.close();
      await database.close();
      assert.deepEqual(undocumented, [], "answers the API document does not list");
    };
  });
  after(async () => close?.());
  return ctx;
}

type Answer = { method: string; route: string; status: number; mediaType: string | undefined };

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
// biome-ignore lint/suspicious/noExplicitAny: a test reads whatever the route answered
export type Reply = { status: number; body: any; headers: Record<string, unknown> };

/**
 * Calls the API as the holder of `token` (none: unauthenticated): `url` under /api/v1, `payload` as
 * JSON; answers the status, the body (parsed JSON, the text of a file, null for a 204) and headers.
 */
export function callAs(app: App, token: string | undefined) {
  return async (
    method: Method,
    url: string,
    payload?: object,
    options: { remoteAddress?: string } = {},
  ): Promise<Reply> => {
    const res = await app.inject({
      method,
      url: `/api/v1${url}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload ? { payload } : {}),
      ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    });
    const json = String(res.headers["content-type"] ?? "").includes("json");
    return {
      status: res.statusCode,
      body: res.statusCode === 204 ? null : json ? res.json() : res.body,
      headers: res.headers,
    };
  };
}

/** The body of a call that must succeed (2xx), else a failure naming the call and its answer. */
export function okBody(reply: Reply, what: string) {
  assert.ok(reply.status < 300, `${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/** The answers whose status (or media type) the operation's entry in the API document does not list. */
function answersNotInDocument(app: App, answered: readonly Answer[]): string[] {
  const doc = (
    app as unknown as { swagger: () => { paths: Record<string, Record<string, unknown>> } }
  ).swagger();
  const out: string[] = [];
  for (const a of answered) {
    const path = a.route.replace(/:(\w+)/g, "{$1}");
    const op = doc.paths[path]?.[a.method.toLowerCase()] as
      | { responses: Record<string, { content?: Record<string, unknown> }> }
      | undefined;
    const response = op?.responses[String(a.status)] ?? op?.responses.default;
    if (!response) out.push(`${a.method} ${a.route} → ${a.status}`);
    else if (a.status !== 204 && a.mediaType && !response.content?.[a.mediaType])
      out.push(`${a.method} ${a.route} → ${a.status} ${a.mediaType}`);
  }
  return out;
}

/**
 * A chip for a registered card as sscard's personalisation would write it (key version 1, a purse of
 * 100 yuan), for tests of cards that were made by the services without a production run.
 */
export async function chipImageFor(deps: Deps, card: { cardNumber: string; idNumber: string; name: string }) {
  const c = await deps.cards.getByNumber(SYSTEM_ACTOR, card.cardNumber);
  const keys: Partial<Record<CardKeyId, Buffer>> = {};
  for (const [id, type] of Object.entries(CARD_KEY_TYPES))
    keys[Number(id) as CardKeyId] = await deps.hsm!.cardKey({
      type,
      algorithm: "SM4",
      version: 1,
      city: c.cardIdCode.slice(0, 6),
      cardIdCode: c.cardIdCode,
    });
  return personalise(
    {
      cardIdCode: c.cardIdCode,
      cardNumber: c.cardNumber,
      cardType: "standard",
      specVersion: "3.00",
      issuerId: `${c.areaCode}0001`,
      issueDate: c.issueDate ?? "2026-11-22",
      validUntil: c.validUntil ?? "2036-11-21",
      idNumber: card.idNumber,
      name: card.name,
      sex: "M",
      ethnicity: "01",
      birthDate: "1990-01-01",
      initialPin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY),
    },
    keys,
    { keyVersion: 1, purse: { balanceFen: 10_000 } },
  );
}

/** A card made the whole way: application, factory file, personalisation of the chip (a purse of 500 yuan), return, issue. */
export async function produceCard(deps: Deps, name = "张伟") {
  const idNumber = newIdNumber();
  await deps.persons.register(SYSTEM_ACTOR, {
    idNumber,
    name,
    ethnicity: "01",
    areaCode: "330100",
    photoRef: "p",
  });
  const applied = await deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" });
  const batch = await deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode: "330100" });
  const rows = (parseCsv(batch.file) as { rows: { values: Record<string, string> }[] }).rows;
  const row = rows.find((r) => r.values.card_number === applied.cardNumber)!.values;
  const image = chipFromBatch(deps, batch, applied.cardNumber, { purseFen: 50_000 });
  const certificate = await deps.personalisation.certificate(SYSTEM_ACTOR, row.card_id_code);
  await deps.cards.importReturnFile(
    SYSTEM_ACTOR,
    batch.batchId,
    returnFileFor(batch, (n) => n === applied.cardNumber),
  );
  await deps.cards.issue(SYSTEM_ACTOR, applied.cardNumber, {
    collectedBy: "holder",
    holderIdNumber: idNumber,
    activate: true,
  });
  return { idNumber, cardNumber: applied.cardNumber, cardIdCode: row.card_id_code, image, certificate };
}

/**
 * A card of a holder in Hangzhou brought to `state` through the services (a new holder unless
 * `idNumber` names a registered one); its chip is personalised in production like every card's.
 */
export async function cardInState(
  deps: Deps,
  state: CardState,
  options: { idNumber?: string; name?: string; bankCode?: string } = {},
): Promise<{ cardNumber: string; idNumber: string }> {
  const idNumber = options.idNumber ?? newIdNumber();
  if (!options.idNumber)
    await deps.persons.register(SYSTEM_ACTOR, {
      idNumber,
      name: options.name ?? "卡主",
      ethnicity: "01",
      areaCode: "330100",
      photoRef: "photos/p.jpg",
    });
  const born = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  const card = await deps.cards.apply(SYSTEM_ACTOR, {
    idNumber,
    areaCode: "330100",
    photoRef: "photos/p.jpg",
    bankCode: options.bankCode,
    // A child's card is applied for by a guardian.
    ...(needsGuardian(born, chinaDate(deps.clock.now()))
      ? {
          guardian: {
            idNumber: newIdNumber("330106", "1980-01-01"),
            name: "监护人",
            relation: "parent" as const,
          },
        }
      : {}),
  });
  if (state === "applied") return { cardNumber: card.cardNumber, idNumber };
  const batch = await deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode: "330100" });
  await deps.cards.importReturnFile(
    SYSTEM_ACTOR,
    batch.batchId,
    returnFileFor(batch, (n) => n === card.cardNumber),
  );
  if (state === "delivered") return { cardNumber: card.cardNumber, idNumber };
  await deps.cards.issue(SYSTEM_ACTOR, card.cardNumber, {
    collectedBy: "holder",
    holderIdNumber: idNumber,
    activate: state !== "archived",
  });
  if (state === "temporarily_lost") await deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, card.cardNumber);
  return { cardNumber: card.cardNumber, idNumber };
}

/**
 * A face verifier that accepts every photo: only for tests about who may call which route, where the
 * face is not the subject (the real model is tested in src/modules/ecard/face.test.ts and the e-card
 * end-to-end test).
 */
export const acceptingFaceVerifier: FaceVerifier = { verify: async () => ({ match: true, distance: 0 }) };

/** Two catalogue items, one of class A and one of class B (10% self-paid), as test data. */
export const TEST_CATALOGUE_CSV =
  "code,name,class,self_pay_percent\nXA01,阿莫西林胶囊,A,0\nXB01,头孢克肟片,B,10\n";

/**
 * A designated pharmacy (in Hangzhou unless told) with one registered terminal, its agreement running from 2000 to
 * 2099, and (unless one is already in force) a test catalogue from 2000 on.
 */
export async function designatedPharmacy(deps: Deps, code: string, terminalNo: string, areaCode = "330100") {
  const institution = await deps.medical.registerInstitution(SYSTEM_ACTOR, {
    code,
    name: `测试药房 ${code}`,
    kind: "pharmacy",
    areaCode,
    agreementFrom: "2000-01-01",
    agreementUntil: "2099-12-31",
  });
  await deps.terminals.register(SYSTEM_ACTOR, { terminalNo, areaCode, name: `${code} 终端` });
  await deps.medical.attachTerminal(SYSTEM_ACTOR, code, terminalNo);
  if ((await deps.medical.catalogue(SYSTEM_ACTOR)).inForceVersion === null)
    await deps.medical.importCatalogue(SYSTEM_ACTOR, {
      name: "测试目录（样例数据）",
      effectiveFrom: "2000-01-01",
      csv: TEST_CATALOGUE_CSV,
      sample: true,
    });
  return institution;
}

/** Sends the area's waiting applications to production and imports a return file where every card succeeded. */
export async function produceAll(deps: Deps, areaCode = "330100") {
  const batch = await deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode });
  await deps.cards.importReturnFile(SYSTEM_ACTOR, batch.batchId, returnFileFor(batch));
}

/** The resident ID card of a registered person, as its reader would read it (valid until 2040). */
export function idCardOf(person: { idNumber: string; name: string }): IdCardFacts {
  const id = person.idNumber;
  return {
    name: person.name,
    sex: Number(id[16]) % 2 === 1 ? "1" : "2",
    ethnicity: "01",
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    address: "浙江省杭州市西湖区",
    idNumber: id,
    authority: "杭州市公安局西湖分局",
    validFrom: "2020-01-01",
    validUntil: "2040-01-01",
  };
}
