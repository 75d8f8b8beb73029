import assert from "node:assert/strict";
import { randomInt, randomUUID } from "node:crypto";
import { before, it } from "node:test";
import jpeg from "jpeg-js";
import { sm2 } from "sm-crypto-v2";
import type { Deps } from "../src/deps.ts";
import type { Access } from "../src/http/access.ts";
import type { CardState } from "../src/modules/cards/cards.rules.ts";
import { authCryptogram } from "../src/modules/chip/virtual-card.ts";
import { initialPin } from "../src/modules/credentials/pin.rules.ts";
import { PRIVACY_TEXT_VERSION } from "../src/modules/ecard/ecard.service.ts";
import { mintCode } from "../src/modules/ecard/ecard-code.ts";
import { ALL_PERMISSIONS } from "../src/permissions.ts";
import { type Actor, KEY_CHANNELS, ROLES, type Role, SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { creditCodeCheck } from "../src/shared/credit-code.ts";
import { parseCsv } from "../src/shared/csv.ts";
import { MATRIX_CHANNELS } from "../src/shared/permissions.ts";
import { forEachDialect } from "./db.ts";
import {
  acceptingFaceVerifier,
  actorWith,
  cardInState,
  chipImageFor,
  designatedPharmacy,
  newIdNumber,
  seedAreas,
  seedCardKeys,
  TEST_PASSWORD,
  useTestApp,
} from "./fixtures.ts";

/**
 * Actions no route declares (the CLI and the production line call them): each cell calls the
 * service as a principal of that channel and role.
 */
const SERVICE_ONLY: Record<string, (deps: Deps, actor: Actor) => Promise<unknown>> = {
  "chip.personalise": (deps, actor) =>
    deps.personalisation.personalise(actor, {
      cardIdCode: "330100D156000005000000000000000",
      cardNumber: "A00000000",
    } as never),
  "chip.terminals": (deps, actor) =>
    deps.terminals.register(actor, { terminalNo: "not-a-terminal", areaCode: "330100", name: "t" }),
};

const initialPinOf = (cardNumber: string) =>
  initialPin(cardNumber, { initialPassword: { rule: "card_number_last6" } });

/** How a route treats a caller of the right role from another area. */
type OtherArea = "forbidden" | "filtered" | "own" | "notFound";

/** A request to make: prepared afresh for the caller who should succeed, since that call changes things. */
type Request = {
  url: string;
  body?: unknown;
  /** For holder routes: the signed-in holder who may call it. */
  holderToken?: string;
};

type Sample = {
  prepare: () => Promise<Request>;
  otherArea: OtherArea;
  /** For filtered lists: the response must not contain this text for an outsider. */
  hidden?: string;
};

/**
 * Walks every route the app registers: each must be declared here with a sample request, so a new
 * route cannot ship without its permission check being exercised.
 */
let creditSeq = 0;
/** A valid unified social credit code registered in `region`. */
function newCreditCode(region: string): string {
  creditSeq += 1;
  const first17 = `91${region}MA2C0${String(creditSeq).padStart(4, "0")}`;
  return first17 + creditCodeCheck(first17);
}

forEachDialect("every route checks who calls it", (dialect) => {
  const ctx = useTestApp(dialect, { face: acceptingFaceVerifier });
  const ids = {} as { person: string; apiKey: string; idNumber: string };
  /** Hangzhou's designated pharmacy and employer, for the operators' keys. */
  const home = {} as { institution: string; employer: string };
  let samples: Record<string, Sample>;
  let uniq = 0;

  const scopeOf = (role: Role, home: "330100" | "320100") =>
    role === "ministry_admin"
      ? "000000"
      : role === "province_admin" || role === "auditor"
        ? `${home.slice(0, 2)}0000`
        : home;

  const fixed =
    (url: string, body?: unknown): Sample["prepare"] =>
    async () => ({ url, body });

  const cardIn = (state: CardState, options: { personalise?: boolean } = {}) =>
    cardInState(ctx.deps, state, { ...options, bankCode: "ICBC" });

  before(async () => {
    const { deps } = ctx;
    await seedAreas(deps);
    await seedCardKeys(deps);
    channels.active = (
      await deps.ecard.registerChannel(SYSTEM_ACTOR, {
        code: "hz-app",
        name: "杭州办事",
        class: "government",
        level: 1,
        services: ["signup", "credential", "identity_code", "payment_code"],
      })
    ).token;
    const paused = await deps.ecard.registerChannel(SYSTEM_ACTOR, {
      code: "paused-app",
      name: "暂停渠道",
      class: "social",
      level: 1,
      services: ["signup", "credential"],
    });
    await deps.ecard.setChannelState(SYSTEM_ACTOR, paused.id, "suspended");
    channels.suspended = paused.token;
    const banks = {
      "330100": await deps.areas.createOutlet(SYSTEM_ACTOR, "330100", {
        name: "ICBC HZ",
        kind: "bank_branch",
        bankCode: "ICBC",
      }),
      "320100": await deps.areas.createOutlet(SYSTEM_ACTOR, "320100", {
        name: "ICBC NJ",
        kind: "bank_branch",
        bankCode: "ICBC",
      }),
    };
    const employers = {
      "330100": await deps.employers.register(SYSTEM_ACTOR, {
        creditCode: newCreditCode("330106"),
        name: "杭州单位",
        areaCode: "330106",
        contactName: "王",
        contactPhone: "12345",
      }),
      "320100": await deps.employers.register(SYSTEM_ACTOR, {
        creditCode: newCreditCode("320102"),
        name: "南京单位",
        areaCode: "320102",
        contactName: "李",
        contactPhone: "12345",
      }),
    };
    // Designated pharmacies (a terminal each, the catalogue): hospital and pharmacy operators act for their own.
    const pharmacies = {
      "330100": await designatedPharmacy(deps, "HZ-PH-0001", "330100000901"),
      "320100": await designatedPharmacy(deps, "NJ-PH-0001", "320100000901", "320100"),
    };
    home.institution = pharmacies["330100"].id;
    home.employer = employers["330100"].id;
    for (const role of ROLES) {
      for (const home of ["330100", "320100"] as const) {
        if (role === "ministry_admin" && home === "320100") continue;
        await deps.staff.createAccount(SYSTEM_ACTOR, {
          username: `${role}.${home}`,
          displayName: role,
          password: TEST_PASSWORD,
          grants: [
            {
              role,
              areaCode: scopeOf(role, home),
              outletId: role === "bank_clerk" ? banks[home].id : null,
              employerId: role === "employer_operator" ? employers[home].id : null,
              institutionId:
                role === "medical_operator" || role === "pharmacy_operator" ? pharmacies[home].id : null,
            },
          ],
        });
      }
    }
    ids.idNumber = newIdNumber();
    ids.person = (
      await deps.persons.register(SYSTEM_ACTOR, {
        idNumber: ids.idNumber,
        name: "测试人",
        ethnicity: "01",
        areaCode: "330100",
      })
    ).id;
    ids.apiKey = (
      await deps.staff.createApiKey(SYSTEM_ACTOR, {
        name: "his",
        role: "medical_operator",
        areaCode: "330100",
      })
    ).id;
    const listedCard = await cardIn("active");
    const listedCardIdCode = (await deps.cards.getByNumber(SYSTEM_ACTOR, listedCard.cardNumber)).cardIdCode;
    const listedChip = await chipImageFor(deps, { ...listedCard, name: "卡主" });
    /** A new person of Hangzhou, registered through the service. */
    const newPerson = async () => {
      const idNumber = newIdNumber();
      await deps.persons.register(SYSTEM_ACTOR, {
        idNumber,
        name: "参保人",
        ethnicity: "01",
        areaCode: "330100",
      });
      return idNumber;
    };
    const enrolled = async (
      scheme: "employee_medical" | "resident_medical" = "employee_medical",
      idNumber?: string,
    ) => {
      const id = idNumber ?? (await newPerson());
      const r = await deps.enrolment.enrol(SYSTEM_ACTOR, {
        idNumber: id,
        scheme,
        areaCode: "330106",
        startDate: "2026-01-01",
      });
      return { idNumber: id, ...r.enrolment };
    };
    /** A person with two personal numbers in Hangzhou (resident, then employee insurance). */
    const twoNumbers = async () => {
      const first = await enrolled("resident_medical");
      const second = await enrolled("employee_medical", first.idNumber);
      return { idNumber: first.idNumber, survivor: second.personalNumber };
    };
    const listedNumber = (await enrolled()).personalNumber;
    const hzEmployer = employers["330100"].id;
    const certified = await cardIn("active", { personalise: true });
    const certifiedIdCode = (await deps.cards.getByNumber(SYSTEM_ACTOR, certified.cardNumber)).cardIdCode;
    await deps.terminals.register(SYSTEM_ACTOR, {
      terminalNo: "330100000009",
      areaCode: "330100",
      name: "柜面读卡器",
    });
    /** A reader slot holding the listed card, put in by `role` of Hangzhou, read and its PIN verified as asked. */
    const slotOf = async (role: Role, steps: readonly ("read" | "pin")[] = []) => {
      const token = await login(`${role}.330100`);
      const post = (url: string, payload?: object) =>
        ctx.app.inject({ method: "POST", url, headers: { authorization: `Bearer ${token}` }, payload });
      const inserted = await post("/api/v1/reader/slots", { terminalNo: "330100000009", card: listedChip });
      const { slotId } = inserted.json();
      if (steps.includes("read")) await post(`/api/v1/reader/slots/${slotId}/read-card-basic`);
      if (steps.includes("pin"))
        await post(`/api/v1/reader/slots/${slotId}/verify-pin`, { pin: listedChip.pin });
      return `/api/v1/reader/slots/${slotId}`;
    };

    /** A cancelled card whose financial function was active: its bank's task is open. */
    async function openBankTask() {
      const c = await cardIn("active");
      const bankClerk = {
        ...SYSTEM_ACTOR,
        grants: [{ role: "bank_clerk" as const, areaCode: "330100", outletId: banks["330100"].id }],
      };
      await deps.cards.activateFinancial(bankClerk, c.cardNumber, { holderIdNumber: c.idNumber });
      await deps.cards.cancel(SYSTEM_ACTOR, c.cardNumber, { reason: "death", recordRef: "死亡证明 1" });
      const task = (await deps.cards.bankTasks(bankClerk)).find((t) => t.cardNumber === c.cardNumber)!;
      return { taskId: task.id, cardNumber: c.cardNumber };
    }
    const listedTask = await openBankTask();
    await deps.cards.importLegacy(
      SYSTEM_ACTOR,
      `id_number,name,ethnicity,area_code,card_number,card_id_code,spec_version,issue_date,valid_until,state\n${listedCard.idNumber},卡主,01,330100,LEGACY001,330100D156000005AAAAAAAAAAAAAAAA,2.00,2015-01-01,2025-12-31,active\n`,
    );
    const policy = (await deps.areas.policyAt(null, "330100")).policy;
    // A designated pharmacy with a terminal, and a catalogue in force, for the settlement routes.
    let medicalSeq = 0;
    /** A settlement at the Hangzhou pharmacy by a fresh active card holder (all self-paid: no balance). */
    const settled = async () => {
      const c = await cardIn("active");
      return deps.medical.settle(
        actorWith("pharmacy_operator", "330100", { institutionId: pharmacies["330100"].id }),
        {
          terminalNo: "330100000901",
          idempotencyKey: `perm-${++medicalSeq}-${randomUUID()}`,
          card: { cardNumber: c.cardNumber, pin: initialPinOf(c.cardNumber) },
          items: [{ code: "XA01", quantity: 1, unitPriceFen: 1000 }],
        },
      );
    };
    const holderWithId = async () => {
      const c = await cardIn("active");
      return { idNumber: c.idNumber, holderToken: await hallToken(c) };
    };

    samples = {
      "POST /api/v1/auth/logout": { prepare: fixed("/api/v1/auth/logout"), otherArea: "own" },
      "GET /api/v1/auth/me": { prepare: fixed("/api/v1/auth/me"), otherArea: "own" },
      "POST /api/v1/auth/password": {
        prepare: fixed("/api/v1/auth/password", {
          currentPassword: TEST_PASSWORD,
          newPassword: TEST_PASSWORD,
        }),
        otherArea: "own",
      },
      "GET /api/v1/staff": {
        prepare: fixed("/api/v1/staff"),
        otherArea: "filtered",
        hidden: "outlet_clerk.330100",
      },
      "POST /api/v1/staff": {
        prepare: async () => ({
          url: "/api/v1/staff",
          body: {
            username: `new.${++uniq}`,
            displayName: "新员工",
            password: TEST_PASSWORD,
            grants: [{ role: "outlet_clerk", areaCode: "330100" }],
          },
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/staff/:id/disable": {
        prepare: async () => {
          const victim = await deps.staff.createAccount(SYSTEM_ACTOR, {
            username: `victim.${++uniq}`,
            displayName: "v",
            password: TEST_PASSWORD,
            grants: [{ role: "outlet_clerk", areaCode: "330100" }],
          });
          return { url: `/api/v1/staff/${victim.id}/disable` };
        },
        otherArea: "forbidden",
      },
      "GET /api/v1/api-keys": {
        prepare: fixed("/api/v1/api-keys"),
        otherArea: "filtered",
        hidden: ids.apiKey,
      },
      "POST /api/v1/api-keys": {
        prepare: fixed("/api/v1/api-keys", {
          name: "pharmacy pos",
          role: "pharmacy_operator",
          areaCode: "330100",
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/api-keys/:id/revoke": {
        prepare: fixed(`/api/v1/api-keys/${ids.apiKey}/revoke`),
        otherArea: "forbidden",
      },
      "GET /api/v1/areas": { prepare: fixed("/api/v1/areas"), otherArea: "own" },
      "POST /api/v1/areas": {
        prepare: async () => ({
          url: "/api/v1/areas",
          body: {
            code: ["330300", "330400", "330500"][uniq++ % 3],
            issuerId: `33${randomInt(1e9, 1e10)}${uniq}`,
          },
        }),
        otherArea: "forbidden",
      },
      "GET /api/v1/areas/:code": { prepare: fixed("/api/v1/areas/330100"), otherArea: "forbidden" },
      "GET /api/v1/areas/:code/policy": {
        prepare: fixed("/api/v1/areas/330100/policy?date=2026-12-01"),
        otherArea: "forbidden",
      },
      "GET /api/v1/areas/:code/policies": {
        prepare: fixed("/api/v1/areas/330100/policies"),
        otherArea: "forbidden",
      },
      "POST /api/v1/areas/:code/policies": {
        prepare: fixed("/api/v1/areas/330100/policies", { effectiveFrom: "2027-01-01", policy }),
        otherArea: "forbidden",
      },
      "GET /api/v1/areas/:code/outlets": {
        prepare: fixed("/api/v1/areas/330100/outlets"),
        otherArea: "forbidden",
      },
      "POST /api/v1/areas/:code/outlets": {
        prepare: fixed("/api/v1/areas/330100/outlets", { name: "网点", kind: "service_outlet" }),
        otherArea: "forbidden",
      },
      "PUT /api/v1/areas/:code/calendar/:date": {
        prepare: fixed("/api/v1/areas/330100/calendar/2027-01-01", { kind: "holiday", name: "元旦" }),
        otherArea: "forbidden",
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
      "GET /api/v1/audit": {
        prepare: fixed("/api/v1/audit?subjectType=person"),
        otherArea: "filtered",
        hidden: ids.person,
      },
      "GET /api/v1/audit/verification": { prepare: fixed("/api/v1/audit/verification"), otherArea: "own" },
      "GET /api/v1/jobs": { prepare: fixed("/api/v1/jobs"), otherArea: "own" },
      "POST /api/v1/jobs/:name/runs": {
        prepare: fixed("/api/v1/jobs/audit.checkpoint/runs"),
        otherArea: "own",
      },
      "GET /api/v1/cards/lifecycle": { prepare: fixed("/api/v1/cards/lifecycle"), otherArea: "own" },
      "POST /api/v1/cards/applications": {
        prepare: async () => {
          const idNumber = newIdNumber();
          await deps.persons.register(SYSTEM_ACTOR, {
            idNumber,
            name: "申请人",
            ethnicity: "01",
            areaCode: "330100",
            photoRef: "photos/a.jpg",
          });
          return { url: "/api/v1/cards/applications", body: { idNumber, areaCode: "330100" } };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/applications/batch": {
        prepare: async () => ({
          url: "/api/v1/cards/applications/batch",
          body: {
            areaCode: "330100",
            csv: `id_number,name,ethnicity,employer_code,employer_name\n${newIdNumber()},员工,01,91330100MA27XL0E2G,某公司\n`,
          },
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/production-batches": {
        prepare: async () => {
          await cardIn("applied");
          return { url: "/api/v1/cards/production-batches", body: { areaCode: "330100" } };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/production-batches/:batchId/return": {
        prepare: async () => {
          await cardIn("applied");
          const batch = await deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode: "330100" });
          const rows = (parseCsv(batch.file) as { rows: { values: Record<string, string> }[] }).rows;
          const csv = ["card_id_code,result", ...rows.map((r) => `${r.values.card_id_code},failed`)].join(
            "\n",
          );
          return { url: `/api/v1/cards/production-batches/${batch.batchId}/return`, body: { csv } };
        },
        otherArea: "forbidden",
      },
      "GET /api/v1/cards/duplicates": {
        prepare: fixed("/api/v1/cards/duplicates"),
        otherArea: "filtered",
        hidden: "LEGACY001",
      },
      "GET /api/v1/cards": {
        prepare: fixed(`/api/v1/cards?idNumber=${listedCard.idNumber}`),
        otherArea: "forbidden",
      },
      "GET /api/v1/cards/:cardNumber": {
        prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}`),
        otherArea: "forbidden",
      },
      "GET /api/v1/cards/:cardNumber/history": {
        prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}/history`),
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/issue": {
        prepare: async () => {
          const c = await cardIn("delivered");
          return {
            url: `/api/v1/cards/${c.cardNumber}/issue`,
            body: { collectedBy: "holder", holderIdNumber: c.idNumber, activate: true },
          };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/activate": {
        prepare: async () => {
          const c = await cardIn("archived");
          return { url: `/api/v1/cards/${c.cardNumber}/activate`, body: { holderIdNumber: c.idNumber } };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/temporary-loss": {
        prepare: async () => ({
          url: `/api/v1/cards/${(await cardIn("active")).cardNumber}/temporary-loss`,
          body: {},
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/temporary-loss/revoke": {
        prepare: async () => {
          const c = await cardIn("temporarily_lost");
          return {
            url: `/api/v1/cards/${c.cardNumber}/temporary-loss/revoke`,
            body: { holderIdNumber: c.idNumber },
          };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/cancel": {
        prepare: async () => ({
          url: `/api/v1/cards/${(await cardIn("active")).cardNumber}/cancel`,
          body: { reason: "death", recordRef: "死亡证明 1" },
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/financial/activate": {
        prepare: async () => {
          const c = await cardIn("active");
          return {
            url: `/api/v1/cards/${c.cardNumber}/financial/activate`,
            body: { holderIdNumber: c.idNumber },
          };
        },
        // Any branch of the partner bank nationwide may activate the financial function.
        otherArea: "own",
      },
      "POST /api/v1/cards/:cardNumber/replacements": {
        prepare: async () => {
          const c = await cardIn("active");
          return {
            url: `/api/v1/cards/${c.cardNumber}/replacements`,
            body: { reason: "damaged", consent: true, holderIdNumber: c.idNumber },
          };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/formal-loss": {
        prepare: async () => {
          const c = await cardIn("active");
          return { url: `/api/v1/cards/${c.cardNumber}/formal-loss`, body: { holderIdNumber: c.idNumber } };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/password/verify": {
        prepare: async () => {
          const c = await cardIn("active");
          return {
            url: `/api/v1/cards/${c.cardNumber}/password/verify`,
            body: { pin: initialPinOf(c.cardNumber), purpose: "query" },
          };
        },
        // A card is valid nationwide: any designated institution or outlet may verify its password.
        otherArea: "own",
      },
      "POST /api/v1/cards/:cardNumber/password/change": {
        prepare: async () => {
          const c = await cardIn("active");
          return {
            url: `/api/v1/cards/${c.cardNumber}/password/change`,
            body: { current: { pin: initialPinOf(c.cardNumber) }, next: { pin: "582046" } },
          };
        },
        otherArea: "own",
      },
      "POST /api/v1/cards/:cardNumber/password/unlock": {
        prepare: async () => {
          const c = await cardIn("active");
          for (let i = 0; i < 6; i++) {
            await deps.credentials
              .verify(
                SYSTEM_ACTOR,
                c.cardNumber,
                { pin: "000000", purpose: "query" },
                `192.0.2.${++uniq % 250}`,
              )
              .catch(() => {});
          }
          return {
            url: `/api/v1/cards/${c.cardNumber}/password/unlock`,
            body: { holderIdNumber: c.idNumber },
          };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/cards/:cardNumber/password/reset": {
        prepare: async () => {
          const c = await cardIn("active");
          return {
            url: `/api/v1/cards/${c.cardNumber}/password/reset`,
            body: { holderIdNumber: c.idNumber, next: { pin: "582046" } },
          };
        },
        otherArea: "forbidden",
      },
      "GET /api/v1/cards/:cardNumber/password": {
        prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}/password`),
        otherArea: "forbidden",
      },
      // Terminals accept cards from everywhere, so every terminal gets the whole list.
      "GET /api/v1/blacklist": { prepare: fixed("/api/v1/blacklist?since=0"), otherArea: "own" },
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
      "POST /api/v1/employers": {
        prepare: async () => ({
          url: "/api/v1/employers",
          body: {
            creditCode: newCreditCode("330106"),
            name: "新单位",
            areaCode: "330106",
            contactName: "张",
            contactPhone: "12345",
          },
        }),
        otherArea: "forbidden",
      },
      "GET /api/v1/employers/:id": {
        prepare: fixed(`/api/v1/employers/${hzEmployer}`),
        otherArea: "forbidden",
      },
      "POST /api/v1/employers/:id/employees": {
        prepare: async () => ({
          url: `/api/v1/employers/${hzEmployer}/employees`,
          body: { idNumber: newIdNumber(), name: "新员工", ethnicity: "01", hiredOn: "2026-11-01" },
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/employers/:id/employees/batch": {
        prepare: async () => ({
          url: `/api/v1/employers/${hzEmployer}/employees/batch`,
          body: { csv: `id_number,name,ethnicity,hired_on\n${newIdNumber()},新员工,01,2026-11-01` },
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/employers/:id/hires": {
        prepare: async () => ({
          url: `/api/v1/employers/${hzEmployer}/hires`,
          body: { idNumber: await newPerson(), hiredOn: "2026-11-01" },
        }),
        otherArea: "forbidden",
      },
      "GET /api/v1/areas/:code/overdue-registrations": {
        prepare: fixed("/api/v1/areas/330100/overdue-registrations"),
        otherArea: "forbidden",
      },
      "POST /api/v1/enrolments": {
        prepare: async () => ({
          url: "/api/v1/enrolments",
          body: {
            idNumber: await newPerson(),
            scheme: "resident_pension",
            areaCode: "330106",
            startDate: "2026-01-01",
          },
        }),
        otherArea: "forbidden",
      },
      "GET /api/v1/enrolments": {
        prepare: fixed(`/api/v1/enrolments?idNumber=${listedCard.idNumber}`),
        otherArea: "forbidden",
      },
      "POST /api/v1/enrolments/:id/status": {
        prepare: async () => ({
          url: `/api/v1/enrolments/${(await enrolled()).id}/status`,
          body: { to: "suspended", reason: "核查", version: 1 },
        }),
        otherArea: "forbidden",
      },
      "GET /api/v1/personal-numbers/:number": {
        prepare: fixed(`/api/v1/personal-numbers/${listedNumber}`),
        otherArea: "forbidden",
      },
      "POST /api/v1/personal-numbers/merge-preview": {
        prepare: async () => ({
          url: "/api/v1/personal-numbers/merge-preview",
          body: { idNumber: (await twoNumbers()).idNumber, coordinationArea: "330100" },
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/personal-numbers/merge": {
        prepare: async () => {
          const p = await twoNumbers();
          const review = await deps.enrolment.previewMerge(SYSTEM_ACTOR, {
            idNumber: p.idNumber,
            coordinationArea: "330100",
            survivor: p.survivor,
          });
          return {
            url: "/api/v1/personal-numbers/merge",
            body: {
              idNumber: p.idNumber,
              coordinationArea: "330100",
              survivor: p.survivor,
              holderIdNumber: p.idNumber,
              reviewToken: review.reviewToken,
              // All but one active enrolment per family suspended with the merge (MERGE_CONFLICT otherwise).
              suspend: review.conflicts.flatMap((c) => c.enrolmentIds.slice(1)),
            },
          };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/arrears": {
        prepare: async () => ({
          url: "/api/v1/arrears",
          body: {
            idNumber: await newPerson(),
            coordinationArea: "330100",
            fromDate: "2026-11-01",
            reason: "欠缴",
          },
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/arrears/:id/end": {
        prepare: async () => {
          const a = await deps.enrolment.recordArrears(SYSTEM_ACTOR, {
            idNumber: await newPerson(),
            coordinationArea: "330100",
            fromDate: "2026-11-01",
            reason: "欠缴",
          });
          return { url: `/api/v1/arrears/${a.id}/end`, body: { toDate: "2026-11-20" } };
        },
        otherArea: "forbidden",
      },
      // Hospitals and pharmacies check cards from everywhere.
      "POST /api/v1/online-checks": {
        prepare: fixed("/api/v1/online-checks", { cardNumber: listedCard.cardNumber }),
        otherArea: "own",
      },
      "GET /api/v1/cards/:cardNumber/online-checks": {
        prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}/online-checks`),
        otherArea: "forbidden",
      },
      // The holder proves it with the card's password, at any outlet or terminal.
      "POST /api/v1/cards/:cardNumber/online-checks/holder-view": {
        prepare: fixed(`/api/v1/cards/${listedCard.cardNumber}/online-checks/holder-view`, {
          pin: initialPinOf(listedCard.cardNumber),
        }),
        otherArea: "own",
      },
      "POST /api/v1/holder/logout": {
        prepare: asHolder(() => ({ url: "/api/v1/holder/logout" })),
        otherArea: "own",
      },
      "GET /api/v1/holder/cards": {
        prepare: asHolder(() => ({ url: "/api/v1/holder/cards" })),
        otherArea: "own",
      },
      "POST /api/v1/holder/cards/:cardNumber/temporary-loss": {
        prepare: asHolder((n) => ({ url: `/api/v1/holder/cards/${n}/temporary-loss` })),
        otherArea: "notFound",
      },
      "POST /api/v1/holder/cards/:cardNumber/temporary-loss/revoke": {
        prepare: async () => {
          const holderToken = await holderLogin();
          const n = holderCards.get(holderToken)!;
          await deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, n);
          return { url: `/api/v1/holder/cards/${n}/temporary-loss/revoke`, holderToken };
        },
        otherArea: "notFound",
      },
      "POST /api/v1/holder/cards/:cardNumber/password/change": {
        prepare: asHolder((n) => ({
          url: `/api/v1/holder/cards/${n}/password/change`,
          body: { current: initialPinOf(n), next: "582046" },
        })),
        otherArea: "notFound",
      },
      "POST /api/v1/holder/cards/:cardNumber/renewal": {
        prepare: async () => {
          const holderToken = await holderLogin();
          const n = holderCards.get(holderToken)!;
          // In the renewal window: the card expires within the policy's lead days.
          await deps.database.db
            .updateTable("cards")
            .set({ valid_until: "2026-12-31" })
            .where("card_number", "=", n)
            .execute();
          return { url: `/api/v1/holder/cards/${n}/renewal`, body: { consent: true }, holderToken };
        },
        otherArea: "notFound",
      },
      "GET /api/v1/holder/cards/:cardNumber/online-checks": {
        prepare: asHolder((n) => ({ url: `/api/v1/holder/cards/${n}/online-checks` })),
        otherArea: "notFound",
      },
      "POST /api/v1/ecard/channels": {
        prepare: async () => ({
          url: "/api/v1/ecard/channels",
          body: { code: `app-${++uniq}`, name: "新渠道", class: "bank", level: 1, services: ["signup"] },
        }),
        otherArea: "own",
      },
      "POST /api/v1/ecard/channels/:id/state": {
        prepare: async () => {
          const made = await deps.ecard.registerChannel(SYSTEM_ACTOR, {
            code: `app-${++uniq}`,
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
          const e = await ecardHolder();
          await deps.ecard.password(await deps.ecard.authenticateChannel(channels.active), {
            op: "set",
            ecardId: e.ecardId,
            pin: "582046",
          });
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
          const e = await ecardHolder();
          await deps.ecard.password(await deps.ecard.authenticateChannel(channels.active), {
            op: "set",
            ecardId: e.ecardId,
            pin: "582046",
          });
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
        prepare: async () => {
          const e = await ecardHolder();
          const token = await hallToken(e);
          return { url: "/api/v1/holder/ecard", holderToken: token };
        },
        otherArea: "own",
      },
      "POST /api/v1/institutions": {
        prepare: async () => ({
          url: "/api/v1/institutions",
          body: {
            code: `HZ-H-${++uniq}`,
            name: "杭州医院",
            kind: "hospital",
            areaCode: "330100",
            agreementFrom: "2026-01-01",
            agreementUntil: "2027-12-31",
          },
        }),
        otherArea: "forbidden",
      },
      "GET /api/v1/institutions": {
        prepare: fixed("/api/v1/institutions"),
        otherArea: "filtered",
        hidden: "HZ-PH-0001",
      },
      "POST /api/v1/institutions/:code/agreement": {
        prepare: fixed("/api/v1/institutions/HZ-PH-0001/agreement", {
          agreementFrom: "2026-01-01",
          agreementUntil: "2027-12-31",
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/institutions/:code/terminals": {
        prepare: fixed("/api/v1/institutions/HZ-PH-0001/terminals", { terminalNo: "330100000901" }),
        otherArea: "forbidden",
      },
      "GET /api/v1/institutions/:code/reconciliation": {
        prepare: fixed("/api/v1/institutions/HZ-PH-0001/reconciliation?day=2026-11-22"),
        otherArea: "forbidden",
      },
      "GET /api/v1/institutions/:code/reconciliation.csv": {
        prepare: fixed("/api/v1/institutions/HZ-PH-0001/reconciliation.csv?day=2026-11-22"),
        otherArea: "forbidden",
      },
      "POST /api/v1/catalogue/versions": {
        prepare: fixed("/api/v1/catalogue/versions", {
          name: "样例目录",
          effectiveFrom: "2030-01-01",
          csv: "code,name,class,self_pay_percent\nB1,头孢克肟片,B,10\n",
          sample: true,
        }),
        otherArea: "own",
      },
      "GET /api/v1/catalogue": { prepare: fixed("/api/v1/catalogue"), otherArea: "own" },
      "POST /api/v1/contributions": {
        prepare: async () => {
          const c = await cardIn("active");
          return {
            url: "/api/v1/contributions",
            body: { payer: "self", idNumber: c.idNumber, month: "2026-10", gradePercent: 100 },
          };
        },
        otherArea: "forbidden",
      },
      "POST /api/v1/medical/transfers": {
        prepare: fixed("/api/v1/medical/transfers", { month: "2026-10" }),
        otherArea: "own",
      },
      "POST /api/v1/medical/arrears-runs": {
        prepare: fixed("/api/v1/medical/arrears-runs"),
        otherArea: "own",
      },
      "POST /api/v1/settlements": {
        prepare: async () => {
          const c = await cardIn("active");
          return {
            url: "/api/v1/settlements",
            body: {
              terminalNo: "330100000901",
              idempotencyKey: `perm-http-${++uniq}`,
              card: { cardNumber: c.cardNumber, pin: initialPinOf(c.cardNumber) },
              items: [{ code: "XA01", quantity: 1, unitPriceFen: 500 }],
            },
          };
        },
        otherArea: "forbidden",
      },
      "GET /api/v1/settlements/:id": {
        prepare: async () => ({ url: `/api/v1/settlements/${(await settled()).settlementId}` }),
        otherArea: "forbidden",
      },
      "POST /api/v1/settlements/:id/refunds": {
        prepare: async () => ({
          url: `/api/v1/settlements/${(await settled()).settlementId}/refunds`,
          body: { terminalNo: "330100000901", idempotencyKey: `refund-${++uniq}` },
        }),
        otherArea: "forbidden",
      },
      "POST /api/v1/holder/contributions": {
        prepare: async () => {
          const h = await holderWithId();
          return {
            url: "/api/v1/holder/contributions",
            body: { idNumber: h.idNumber, month: "2026-10", gradePercent: 60 },
            holderToken: h.holderToken,
          };
        },
        otherArea: "forbidden",
      },
      "GET /api/v1/holder/medical": {
        prepare: asHolder(() => ({ url: "/api/v1/holder/medical" })),
        otherArea: "own",
      },
      "GET /api/v1/holder/medical/statement": {
        prepare: asHolder(() => ({ url: "/api/v1/holder/medical/statement?from=2026-01-01&to=2026-12-31" })),
        otherArea: "own",
      },
      "POST /api/v1/holder/ecard/biometric-consent/withdrawal": {
        prepare: async () => {
          const e = await ecardHolder();
          const token = await hallToken(e);
          return { url: "/api/v1/holder/ecard/biometric-consent/withdrawal", holderToken: token };
        },
        otherArea: "own",
      },
      "POST /api/v1/holder/ecard/suspension": {
        prepare: async () => {
          const e = await ecardHolder();
          const token = await hallToken(e);
          return {
            url: "/api/v1/holder/ecard/suspension",
            body: { suspended: true },
            holderToken: token,
          };
        },
        otherArea: "own",
      },
      "POST /api/v1/holder/ecard/authorisations": {
        prepare: async () => {
          const e = await ecardHolder();
          // Signed in before the loss report (a lost card's password is not checked for a new sign-in).
          const token = await hallToken(e);
          await deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, e.cardNumber);
          return {
            url: "/api/v1/holder/ecard/authorisations",
            body: { hours: 4 },
            holderToken: token,
          };
        },
        otherArea: "forbidden",
      },
      "GET /api/v1/bank-tasks": {
        prepare: fixed("/api/v1/bank-tasks"),
        otherArea: "filtered",
        hidden: listedTask.cardNumber,
      },
      "POST /api/v1/bank-tasks/:id/confirm": {
        prepare: async () => ({ url: `/api/v1/bank-tasks/${(await openBankTask()).taskId}/confirm` }),
        otherArea: "forbidden",
      },
    };
  });

  async function login(username: string): Promise<string> {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username, password: TEST_PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().token;
  }

  const channels = {} as { active: string; suspended: string };
  const device = sm2.generateKeyPairHex();
  /** A tiny JPEG: the face is not the subject here (see acceptingFaceVerifier). */
  const photo = jpeg
    .encode({ data: Buffer.alloc(16 * 16 * 4, 128), width: 16, height: 16 }, 80)
    .data.toString("base64");
  /** A new person with an active card, an identity photo, and an e-card through the active channel. */
  async function ecardHolder() {
    const c = await cardInState(ctx.deps, "active");
    const person = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, c.idNumber);
    await ctx.deps.ecard.setIdentityPhoto(SYSTEM_ACTOR, person.id, {
      jpeg: Buffer.from(photo, "base64"),
      takenOn: "2026-01-01",
    });
    const channel = await ctx.deps.ecard.authenticateChannel(channels.active);
    const signed = await ctx.deps.ecard.signUp(channel, {
      name: "卡主",
      idNumber: c.idNumber,
      consentTextVersion: PRIVACY_TEXT_VERSION,
      realName: { name: "卡主", idNumber: c.idNumber },
      livePhoto: Buffer.from(photo, "base64"),
      devicePublicKey: device.publicKey,
    });
    return { ...c, ...signed };
  }

  /** The card's holder signed in to the online service hall with the initial password. */
  async function hallToken(c: { idNumber: string; cardNumber: string }): Promise<string> {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: c.idNumber, pin: initialPinOf(c.cardNumber) },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().token;
  }

  /** A new holder with an active card, signed in to the online service hall. */
  async function holderLogin(): Promise<string> {
    const c = await cardInState(ctx.deps, "active");
    const token = await hallToken(c);
    holderCards.set(token, c.cardNumber);
    return token;
  }
  /** The card each holder token signed in with. */
  const holderCards = new Map<string, string>();
  /** A holder sample: a fresh holder, and the request about their own card. */
  const asHolder =
    (request: (cardNumber: string) => Omit<Request, "holderToken">): Sample["prepare"] =>
    async () => {
      const holderToken = await holderLogin();
      return { ...request(holderCards.get(holderToken)!), holderToken };
    };

  function call(method: string, request: Request, token?: string) {
    return ctx.app.inject({
      method: method as "GET",
      url: request.url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(request.body === undefined ? {} : { payload: request.body as object }),
    });
  }

  it("every /api route is in the sample table", () => {
    const routes = ctx.app.routeTable.filter((r) => r.access !== "public").map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(
      routes.filter((r) => !(r in samples)),
      [],
    );
    assert.deepEqual(
      Object.keys(samples).filter((k) => !routes.includes(k)),
      [],
    );
  });

  it("public routes are only the logins and the server's time", () => {
    assert.deepEqual(
      ctx.app.routeTable.filter((r) => r.access === "public").map((r) => `${r.method} ${r.url}`),
      [
        "GET /api/v1/time",
        "POST /api/v1/auth/login",
        "POST /api/v1/holder/login",
        "POST /api/v1/holder/login/ecard",
      ],
    );
  });

  // One case per route (a subtest each: a route that fails does not hide the others).
  it("rejects unauthenticated callers, wrong roles and other areas; lets the right caller through", async (t) => {
    for (const route of ctx.app.routeTable) {
      if (route.access === "public") continue;
      const key = `${route.method} ${route.url}`;
      await t.test(key, async () => {
        const sample = samples[key];
        const request = await sample.prepare();

        const anon = await call(route.method, request);
        assert.equal(anon.statusCode, 401, `${key} unauthenticated: ${anon.body}`);
        assert.equal(anon.json().code, "UNAUTHENTICATED");
        const forged = await call(route.method, request, "sss_not-a-real-session");
        assert.equal(forged.statusCode, 401, `${key} forged token`);

        if (route.access === "holder") {
          // The holder's own routes: no staff role may call them, another holder finds nothing of theirs.
          for (const role of ROLES) {
            const res = await call(route.method, request, await login(`${role}.330100`));
            assert.equal(res.statusCode, 403, `${key} as ${role}: ${res.body}`);
          }
          const other = await call(route.method, request, await holderLogin());
          if (sample.otherArea === "notFound")
            assert.equal(other.statusCode, 404, `${key} as another holder: ${other.body}`);
          else if (sample.otherArea === "forbidden")
            // Another holder acts on their own e-card, whose state does not allow it.
            assert.ok(
              other.statusCode >= 400 && other.statusCode < 500,
              `${key} as another holder: ${other.body}`,
            );
          else assert.ok(other.statusCode < 300, `${key} as another holder, own data: ${other.body}`);
          const own = await sample.prepare();
          const res = await call(route.method, own, own.holderToken);
          assert.ok(
            res.statusCode >= 200 && res.statusCode < 300,
            `${key} as the holder: ${res.statusCode} ${res.body}`,
          );
          return;
        }
        if (route.access === "channel") {
          // A channel's routes: no staff role nor holder may call them; a suspended channel is refused.
          for (const role of ROLES) {
            const res = await call(route.method, request, await login(`${role}.330100`));
            assert.equal(res.statusCode, 403, `${key} as ${role}: ${res.body}`);
          }
          const asHolderToo = await call(route.method, request, await holderLogin());
          assert.equal(asHolderToo.statusCode, 403, `${key} as a holder`);
          const suspended = await call(route.method, request, channels.suspended);
          assert.equal(suspended.statusCode, 403, `${key} as a suspended channel: ${suspended.body}`);
          assert.equal(suspended.json().code, "CHANNEL_SUSPENDED");
          const own = await sample.prepare();
          const res = await call(route.method, own, channels.active);
          assert.ok(
            res.statusCode >= 200 && res.statusCode < 300,
            `${key} as the channel: ${res.statusCode} ${res.body}`,
          );
          return;
        }
        const access = route.access as Exclude<Access, "public" | "holder" | "channel">;

        // Staff sessions are on the counter; the other channels are walked cell by cell below.
        const counterRoles = access.permission.channels.counter ?? [];
        for (const role of ROLES.filter((r) => !counterRoles.includes(r))) {
          const res = await call(route.method, request, await login(`${role}.330100`));
          assert.equal(res.statusCode, 403, `${key} as ${role}: ${res.body}`);
          assert.equal(res.json().code, "FORBIDDEN", `${key} as ${role}`);
        }

        const role = counterRoles.find((r) => r !== "ministry_admin");
        if (role) {
          const outsider = await call(route.method, request, await login(`${role}.320100`));
          if (sample.otherArea === "forbidden") {
            assert.equal(outsider.statusCode, 403, `${key} as ${role} of another area: ${outsider.body}`);
            assert.ok(
              ["AREA_FORBIDDEN", "NOT_PARTNER_BANK"].includes(outsider.json().code),
              `${key}: ${outsider.body}`,
            );
          } else if (sample.otherArea === "notFound") {
            assert.equal(outsider.statusCode, 404, `${key} belongs to another caller: ${outsider.body}`);
          } else if (sample.otherArea === "filtered") {
            assert.equal(outsider.statusCode, 200, `${key} filtered: ${outsider.body}`);
            assert.ok(!outsider.body.includes(sample.hidden!), `${key} shows another area's data`);
          } else {
            assert.ok(outsider.statusCode < 300, `${key} own data: ${outsider.body}`);
          }
        }

        const insider = await call(
          route.method,
          await sample.prepare(),
          await login(`${role ?? "ministry_admin"}.330100`),
        );
        assert.ok(
          insider.statusCode >= 200 && insider.statusCode < 300,
          `${key} as ${role} of the area: ${insider.statusCode} ${insider.body}`,
        );
        if (sample.hidden) assert.ok(insider.body.includes(sample.hidden), `${key} insider sees the data`);
      });
    }
  });

  /** API keys of every role in Hangzhou on every channel a key may serve. */
  const keyTokens = new Map<string, string>();
  before(async () => {
    const { deps } = ctx;
    const { institution, employer } = home;
    for (const channel of KEY_CHANNELS)
      for (const role of ROLES) {
        const key = await deps.staff.createApiKey(SYSTEM_ACTOR, {
          name: `${channel} ${role}`,
          role,
          areaCode: scopeOf(role, "330100"),
          channel,
          employerId: role === "employer_operator" ? employer : null,
          institutionId: role === "medical_operator" || role === "pharmacy_operator" ? institution : null,
        });
        keyTokens.set(`${channel} ${role}`, key.token);
      }
  });

  /** Each route's sample request, prepared once for the cells. */
  const cellRequests = new Map<string, Request>();
  async function cellRequest(key: string): Promise<Request> {
    let request = cellRequests.get(key);
    if (!request) {
      request = await samples[key].prepare();
      cellRequests.set(key, request);
    }
    return request;
  }
  const counterTokens = new Map<Role, string>();

  // The matrix of action × channel × role, one case per cell: a principal on that channel holding
  // that role gets past the check on every route of the action exactly when the matrix says so.
  for (const permission of ALL_PERMISSIONS)
    for (const channel of MATRIX_CHANNELS)
      for (const role of ROLES) {
        const allowed = (permission.channels[channel] ?? []).includes(role);
        it(`${permission.action} · ${channel} · ${role}: ${allowed ? "allowed" : "refused"}`, async () => {
          const routes = ctx.app.routeTable.filter(
            (r) => typeof r.access === "object" && r.access.permission.action === permission.action,
          );
          const direct = SERVICE_ONLY[permission.action];
          assert.ok(routes.length > 0 || direct, "a route declares it, or it is listed as service-only");
          if (direct) {
            const actor: Actor = {
              type: channel === "counter" ? "staff" : "api_key",
              id: `${channel} ${role}`,
              name: role,
              channel,
              grants: [{ role, areaCode: scopeOf(role, "330100"), outletId: null }],
            };
            const outcome = await direct(ctx.deps, actor).then(
              () => "done",
              (err: { code?: string }) => err.code,
            );
            if (allowed) assert.notEqual(outcome, "FORBIDDEN");
            else assert.equal(outcome, "FORBIDDEN");
          }
          for (const route of routes) {
            const key = `${route.method} ${route.url}`;
            let token: string;
            if (channel !== "counter") token = keyTokens.get(`${channel} ${role}`)!;
            else {
              // Signing out ends the session: the staff's own routes get a fresh one.
              if (!counterTokens.has(role) || permission.action.startsWith("staff."))
                counterTokens.set(role, await login(`${role}.330100`));
              token = counterTokens.get(role)!;
            }
            const res = await call(route.method, await cellRequest(key), token);
            const code = res.statusCode === 403 ? res.json().code : undefined;
            if (allowed) {
              assert.notEqual(res.statusCode, 401, `${key}: ${res.body}`);
              assert.notEqual(code, "FORBIDDEN", `${key}: ${res.body}`);
            } else {
              assert.equal(res.statusCode, 403, `${key}: ${res.statusCode} ${res.body}`);
              assert.equal(code, "FORBIDDEN", key);
            }
          }
        });
      }
});
