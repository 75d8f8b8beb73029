import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Deps } from "../deps.ts";
import { NATIONAL_DEFAULT_POLICY } from "../modules/areas/areas.rules.ts";
import { type FactoryRecord, imageFromFactoryRecord } from "../modules/chip/personalise.ts";
import type { CardImage } from "../modules/chip/virtual-card.ts";
import { makeIdNumber } from "../modules/persons/id-number.rules.ts";
import { type Role, SYSTEM_ACTOR } from "../shared/auth.ts";
import { chinaDate, previousMonth } from "../shared/clock.ts";
import { creditCodeCheck } from "../shared/credit-code.ts";
import { DomainError } from "../shared/errors.ts";
import { seedDemoKeys } from "./demo.keys.ts";

export type DemoCredential = {
  username: string;
  password: string;
  role: Role;
  areaCode: string;
  displayName: string;
};

const STAFF: readonly (Omit<DemoCredential, "password"> & { outlet?: string })[] = [
  { username: "admin", displayName: "部级管理员 Ministry admin", role: "ministry_admin", areaCode: "000000" },
  { username: "zj.admin", displayName: "浙江省管理员", role: "province_admin", areaCode: "330000" },
  { username: "hz.admin", displayName: "杭州市管理员", role: "city_admin", areaCode: "330100" },
  { username: "nb.admin", displayName: "宁波市管理员", role: "city_admin", areaCode: "330200" },
  {
    username: "hz.clerk",
    displayName: "西湖网点柜员 王芳",
    role: "outlet_clerk",
    areaCode: "330100",
    outlet: "hz-outlet",
  },
  {
    username: "nb.clerk",
    displayName: "海曙网点柜员 李强",
    role: "outlet_clerk",
    areaCode: "330200",
    outlet: "nb-outlet",
  },
  {
    username: "hz.bank",
    displayName: "合作银行柜员 陈静",
    role: "bank_clerk",
    areaCode: "330100",
    outlet: "hz-bank",
  },
  {
    username: "hz.hospital",
    displayName: "定点医院操作员 赵磊",
    role: "medical_operator",
    areaCode: "330100",
    outlet: "hz-hospital",
  },
  {
    username: "hz.pharmacy",
    displayName: "定点药店操作员 孙丽",
    role: "pharmacy_operator",
    areaCode: "330100",
    outlet: "hz-pharmacy",
  },
  { username: "zj.auditor", displayName: "浙江省审计员", role: "auditor", areaCode: "330000" },
  {
    username: "yunqi.hr",
    displayName: "杭州云栖科技有限公司 人事专员",
    role: "employer_operator",
    areaCode: "330100",
  },
];

/** The demo employer (its credit code is valid: GB 32100 check character computed). */
const DEMO_EMPLOYER = { first17: "91330106MA2B0D0K1", name: "杭州云栖科技有限公司", areaCode: "330106" };

const PERSONS = [
  { name: "张伟", region: "330106", birth: "1985-04-12", seq: 31, ethnicity: "01", area: "330100" },
  { name: "王秀英", region: "330102", birth: "1952-11-03", seq: 42, ethnicity: "01", area: "330100" },
  { name: "李娜", region: "330105", birth: "1993-07-21", seq: 88, ethnicity: "11", area: "330100" },
  { name: "刘洋", region: "330110", birth: "2001-01-30", seq: 17, ethnicity: "01", area: "330100" },
  { name: "陈明", region: "330203", birth: "1978-09-09", seq: 55, ethnicity: "01", area: "330200" },
  { name: "杨丽", region: "330212", birth: "1990-02-28", seq: 64, ethnicity: "03", area: "330200" },
  { name: "欧阳晓", region: "330106", birth: "2016-06-01", seq: 73, ethnicity: "01", area: "330100" },
] as const;

const demoPassword = () =>
  `Demo-${randomBytes(6).toString("base64url")}-${Math.floor(Math.random() * 9000 + 1000)}`;

/** True when the demo province is already there. */
export async function isDemoSeeded(deps: Deps): Promise<boolean> {
  return (await deps.areas.list()).some((a) => a.code === "330000");
}

/**
 * Creates a province (浙江省) with two cities (杭州, 宁波) and their outlets, a policy version of
 * Ningbo's own, staff of every role with generated passwords, and persons with valid ID numbers.
 */
export async function seedDemo(deps: Deps): Promise<{
  staff: DemoCredential[];
  persons: { name: string; idNumber: string; area: string; card: string }[];
  /** A self-service kiosk's key in a Hangzhou outlet (typed once on /kiosk's set-up screen). */
  kioskKey: string;
  /** Its terminal file for the device agent (terminal number and PIN key), as `sscard kiosk register` writes it. */
  kioskTerminal: { terminalNo: string; pinKey: string; regions: string[] };
  /** The chips the demo's simulated card factory made for the produced cards (virtual card files). */
  chips: { cardNumber: string; image: CardImage }[];
}> {
  const actor = SYSTEM_ACTOR;
  if (!deps.hsm) throw new DomainError("HSM_UNAVAILABLE");
  const factories = await seedDemoKeys(deps.hsm, [
    ["330000", "330100"],
    ["330000", "330200"],
  ]);
  await deps.areas.create(actor, { code: "330000", name: "浙江省", issuerId: "3300000001" });
  await deps.areas.create(actor, { code: "330100", name: "浙江省杭州市", issuerId: "3301000001" });
  await deps.areas.create(actor, { code: "330200", name: "浙江省宁波市", issuerId: "3302000001" });
  await deps.areas.addPolicyVersion(actor, "330200", {
    effectiveFrom: chinaDate(deps.clock.now()),
    note: "宁波：初始密码 123456，每日 3 次错误锁定，补卡工本费 20 元，挂失 15 日未解除自动注销（示例）",
    policy: {
      ...NATIONAL_DEFAULT_POLICY,
      initialPassword: { rule: "fixed", value: "123456" },
      lockout: { mode: "daily", threshold: 3 },
      queryOnlyUntilPasswordChanged: true,
      preLossAutoCancelDays: 15,
      replacementFeeFen: 2000,
    },
  });
  const outlets: Record<string, string> = {};
  const outletDefs = [
    ["hz-outlet", "330100", "西湖区社会保障卡服务网点", "service_outlet", "杭州市西湖区文三路 100 号"],
    ["hz-bank", "330100", "合作银行杭州文三路支行", "bank_branch", "杭州市西湖区文三路 200 号"],
    ["hz-hospital", "330100", "杭州市第一人民医院（定点医疗机构）", "hospital", "杭州市上城区浣纱路 261 号"],
    ["hz-pharmacy", "330100", "民生大药房（定点零售药店）", "pharmacy", "杭州市拱墅区延安路 500 号"],
    ["nb-outlet", "330200", "海曙区社会保障卡服务网点", "service_outlet", "宁波市海曙区解放南路 1 号"],
  ] as const;
  for (const [key, area, name, kind, address] of outletDefs) {
    const bankCode = kind === "bank_branch" ? "ICBC" : undefined;
    outlets[key] = (await deps.areas.createOutlet(actor, area, { name, kind, address, bankCode })).id;
  }
  const employer = await deps.employers.register(actor, {
    creditCode: DEMO_EMPLOYER.first17 + creditCodeCheck(DEMO_EMPLOYER.first17),
    name: DEMO_EMPLOYER.name,
    areaCode: DEMO_EMPLOYER.areaCode,
    contactName: "周敏",
    contactPhone: "0571-88886666",
  });
  const institutions = await seedInstitutions(deps);
  const staff: DemoCredential[] = [];
  for (const s of STAFF) {
    const password = demoPassword();
    await deps.staff.createAccount(actor, {
      username: s.username,
      displayName: s.displayName,
      password,
      grants: [
        {
          role: s.role,
          areaCode: s.areaCode,
          outletId: s.outlet ? outlets[s.outlet] : null,
          employerId: s.role === "employer_operator" ? employer.id : null,
          institutionId:
            s.role === "pharmacy_operator"
              ? institutions.pharmacy
              : s.role === "medical_operator"
                ? institutions.hospital
                : null,
        },
      ],
    });
    staff.push({
      username: s.username,
      password,
      role: s.role,
      areaCode: s.areaCode,
      displayName: s.displayName,
    });
  }
  const persons = [];
  for (const p of PERSONS) {
    const idNumber = makeIdNumber(p.region, p.birth, p.seq);
    await deps.persons.register(actor, {
      idNumber,
      name: p.name,
      ethnicity: p.ethnicity,
      areaCode: p.area,
      phone: `1380000${String(p.seq).padStart(4, "0")}`,
      address: deps.regions.fullName(p.region) ?? null,
      photoRef: `demo/photos/${p.seq}.jpg`,
    });
    persons.push({ name: p.name, idNumber, area: p.area, card: "" });
  }
  const chips = await seedCards(deps, persons, factories);
  // The active card's holder works for the demo employer (employee insurance); the archived card's
  // holder is insured as a resident.
  const [employee, resident] = persons.filter((p) => p.area === "330100");
  await deps.employers.registerEmployee(actor, employer.id, {
    idNumber: employee.idNumber,
    // Hired on last month's last day: last month's contribution is the employer's to pay.
    hiredOn: chinaDate(
      new Date(Date.parse(`${chinaDate(deps.clock.now()).slice(0, 7)}-01T00:00:00+08:00`) - 1),
    ),
  });
  await deps.enrolment.enrol(actor, {
    idNumber: resident.idNumber,
    scheme: "resident_medical",
    areaCode: "330106",
    startDate: "2026-01-01",
  });
  await seedMedical(deps, persons, employer.id);
  const kiosk = await deps.staff.createApiKey(actor, {
    name: "杭州西湖网点自助终端（演示）",
    role: "outlet_clerk",
    areaCode: "330100",
    channel: "kiosk",
    employerId: null,
    institutionId: null,
  });
  // As `sscard kiosk register` does: the terminal, and the terminal file with the kiosk's PIN key.
  await deps.terminals.register(actor, {
    terminalNo: "330100900001",
    areaCode: "330100",
    name: "杭州西湖网点自助终端（演示）",
  });
  const kioskTerminal = {
    terminalNo: "330100900001",
    pinKey: deps.machine.terminalPinKey(kiosk.id, 4).toString("hex"),
    regions: ["33"],
  };
  return { staff, persons, kioskKey: kiosk.token, kioskTerminal, chips };
}

/** The sample drug catalogue shipped for demonstrations (clearly marked: not a real catalogue). */
export const SAMPLE_CATALOGUE_CSV = readFileSync(
  fileURLToPath(new URL("../modules/medical/sample-catalogue.csv", import.meta.url)),
  "utf8",
);

/**
 * The sample catalogue, and last month's contribution of the active card's holder (paid by the demo
 * employer) credited to their medical account.
 */
async function seedMedical(
  deps: Deps,
  persons: { idNumber: string; area: string; card: string }[],
  employerId: string,
) {
  const actor = SYSTEM_ACTOR;
  const today = chinaDate(deps.clock.now());
  await deps.medical.importCatalogue(actor, {
    name: "医保药品目录（演示样例数据，非正式目录）",
    effectiveFrom: `${today.slice(0, 4)}-01-01`,
    csv: SAMPLE_CATALOGUE_CSV,
    sample: true,
  });
  const holder = persons.find((p) => p.area === "330100")!;
  const lastMonth = previousMonth(today.slice(0, 7));
  await deps.medical.payContribution(actor, {
    idNumber: holder.idNumber,
    month: lastMonth,
    payer: "employer",
    employerId,
    declaredBaseFen: 1_200_000,
  });
  await deps.medical.transferMonth(actor, lastMonth);
}

/** The demo's designated pharmacy (with a terminal) and hospital, which the demo operators act for. */
async function seedInstitutions(deps: Deps) {
  const actor = SYSTEM_ACTOR;
  const year = Number(chinaDate(deps.clock.now()).slice(0, 4));
  const agreement = {
    areaCode: "330100",
    agreementFrom: `${year}-01-01`,
    agreementUntil: `${year + 1}-12-31`,
  };
  const pharmacy = await deps.medical.registerInstitution(actor, {
    code: "HZ-PH-DEMO01",
    name: "杭州民生大药房（演示）",
    kind: "pharmacy",
    ...agreement,
  });
  const hospital = await deps.medical.registerInstitution(actor, {
    code: "HZ-HO-DEMO01",
    name: "杭州市第一人民医院（演示）",
    kind: "hospital",
    ...agreement,
  });
  await deps.terminals.register(actor, {
    terminalNo: "330100000101",
    areaCode: "330100",
    name: "演示药房收银台",
  });
  await deps.medical.attachTerminal(actor, "HZ-PH-DEMO01", "330100000101");
  return { pharmacy: pharmacy.id, hospital: hospital.id };
}

/**
 * Cards in several states for the Hangzhou demo persons: active, archived (not activated), temporarily
 * lost, delivered and waiting at the outlet; Ningbo's first person has an application waiting.
 */
async function seedCards(
  deps: Deps,
  persons: { name: string; idNumber: string; area: string; card: string }[],
  factories: Map<string, Buffer>,
) {
  const actor = SYSTEM_ACTOR;
  const hz = persons.filter((p) => p.area === "330100").slice(0, 4);
  for (const p of hz)
    p.card = (
      await deps.cards.apply(actor, { idNumber: p.idNumber, areaCode: "330100", bankCode: "ICBC" })
    ).cardNumber;
  const batch = await deps.cards.sendToProduction(actor, { areaCode: "330100" });
  const rows = batch.file
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(",")[1]);
  // The demo's card factory: each chip made from the personalisation file with its transport key.
  const factoryKey = factories.get("330100");
  const chips = factoryKey
    ? batch.personalisationFile
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as FactoryRecord)
        .map((record) => ({
          cardNumber: record.cardNumber,
          image: imageFromFactoryRecord(record, factoryKey, { purseFen: 20_000 }),
        }))
    : [];
  await deps.cards.importReturnFile(
    actor,
    batch.batchId,
    ["card_id_code,result,chip_serial", ...rows.map((code) => `${code},ok,${demoChipSerial(code)}`)].join(
      "\n",
    ),
  );
  const [active, archived, lost] = hz;
  await deps.cards.issue(actor, active.card, {
    collectedBy: "holder",
    holderIdNumber: active.idNumber,
    activate: true,
  });
  await deps.cards.issue(actor, archived.card, {
    collectedBy: "holder",
    holderIdNumber: archived.idNumber,
    activate: false,
  });
  await deps.cards.issue(actor, lost.card, {
    collectedBy: "holder",
    holderIdNumber: lost.idNumber,
    activate: true,
  });
  await deps.cards.reportTemporaryLoss(actor, lost.card);
  const nb = persons.find((p) => p.area === "330200")!;
  nb.card = (await deps.cards.apply(actor, { idNumber: nb.idNumber, areaCode: "330200" })).cardNumber;
  await deps.cards.setCalendarDay(actor, "000000", {
    date: "2027-01-01",
    kind: "holiday",
    name: "元旦（示例数据）",
  });
  return chips;
}

/** The demo factory's chip serial of a card: the identification code's last 16 characters (unique per card). */
const demoChipSerial = (cardIdCode: string) => cardIdCode.slice(-16);

/** The demo's credentials as a table for the terminal. */
export function formatDemoCredentials(result: Awaited<ReturnType<typeof seedDemo>>): string {
  const lines = ["Demo staff (passwords are shown once; change them before any real use):"];
  for (const s of result.staff)
    lines.push(
      `  ${s.username.padEnd(12)} ${s.password.padEnd(24)} ${s.role.padEnd(18)} ${s.areaCode}  ${s.displayName}`,
    );
  lines.push("Demo persons (valid ID numbers, demo data only):");
  for (const p of result.persons)
    lines.push(`  ${p.idNumber}  ${p.name}  area ${p.area}${p.card ? `  card ${p.card}` : ""}`);
  lines.push(
    `Demo kiosk: open /kiosk and type the key ${result.kioskKey} once; for simulated readers save its terminal file, echo '${JSON.stringify(result.kioskTerminal)}' > demo-kiosk.json, and run \`npm run sscard -- kiosk agent --simulate --terminal demo-kiosk.json\` (docs/kiosk.md).`,
  );
  if (result.chips.length)
    lines.push(
      `Demo chips (virtual card files for reader slots, POST /api/v1/reader/slots): ${result.chips.map((c) => c.cardNumber).join(", ")}, in demo-chips/ beside the database (or ./data/demo-chips).`,
    );
  lines.push(
    "Demo pharmacy HZ-PH-DEMO01 (terminal 330100000101, operator hz.pharmacy) and hospital HZ-HO-DEMO01 (operator hz.hospital); sample catalogue (not a real one); the first person's medical account holds last month's credit.",
  );
  return lines.join("\n");
}
