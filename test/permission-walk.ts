import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import jpeg from "jpeg-js";
import { sm2 } from "sm-crypto-v2";
import type { CardState } from "../src/modules/cards/cards.rules.ts";
import { initialPin } from "../src/modules/credentials/pin.rules.ts";
import { PRIVACY_TEXT_VERSION } from "../src/modules/ecard/ecard.service.ts";
import { ROLES, type Role, SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { creditCodeCheck } from "../src/shared/credit-code.ts";
import {
  actorWith,
  cardInState,
  chipImageFor,
  designatedPharmacy,
  newIdNumber,
  seedAreas,
  seedCardKeys,
  TEST_PASSWORD,
  type useTestApp,
} from "./fixtures.ts";

export const initialPinOf = (cardNumber: string) =>
  initialPin(cardNumber, { initialPassword: { rule: "card_number_last6" } });

/** How a route treats a caller of the right role from another area. */
export type OtherArea = "forbidden" | "filtered" | "own" | "notFound";

/** A request to make: prepared afresh for the caller who should succeed, since that call changes things. */
export type Request = {
  url: string;
  body?: unknown;
  /** For holder routes: the signed-in holder who may call it. */
  holderToken?: string;
};

export type Sample = {
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

/**
 * The permission walk's world: a Hangzhou and a Nanjing of every role (staff and keys), a pharmacy,
 * an employer, cards in each state, an e-card channel, holders signed in, and the helpers the
 * modules' sample requests are made with (each module declares its samples beside it, in
 * `<module>.permission-samples.ts`; test/permissions.test.ts walks them).
 */
type TestApp = ReturnType<typeof useTestApp>;

export async function setUpWalk(ctx: TestApp) {
  let uniq = 0;
  /** A number not used before in this walk (for names and codes that must be unique). */
  const next = () => ++uniq;
  const ids = {} as { person: string; apiKey: string; idNumber: string };
  /** Hangzhou's designated pharmacy and employer, for the operators' keys. */
  const home = {} as { institution: string; employer: string };

  const scopeOf = (role: Role, home: "330100" | "320100") =>
    role === "ministry_admin"
      ? "000000"
      : role === "province_admin" || role === "auditor"
        ? `${home.slice(0, 2)}0000`
        : home;

  const fixed =
    (url: string, body?: unknown): Sample["prepare"] =>
    async () => ({ url, body });

  const cardIn = (state: CardState, options: { name?: string } = {}) =>
    cardInState(ctx.deps, state, { ...options, bankCode: "ICBC" });

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
  const certified = await cardIn("active");
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

  return {
    deps,
    asHolder,
    banks,
    call,
    cardIn,
    certified,
    certifiedIdCode,
    channels,
    ctx,
    device,
    ecardHolder,
    employers,
    enrolled,
    fixed,
    hallToken,
    holderCards,
    holderLogin,
    holderWithId,
    home,
    hzEmployer,
    ids,
    initialPinOf,
    listedCard,
    listedCardIdCode,
    listedChip,
    listedNumber,
    listedTask,
    login,
    medicalSeq,
    newCreditCode,
    newPerson,
    next,
    openBankTask,
    paused,
    pharmacies,
    photo,
    policy,
    scopeOf,
    settled,
    slotOf,
    twoNumbers,
  };
}

export type Walk = Awaited<ReturnType<typeof setUpWalk>>;
