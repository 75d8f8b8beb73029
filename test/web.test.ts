import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import jsQRModule from "jsqr";
import { type Browser, chromium, type Page } from "playwright-core";
import { sm2 } from "sm-crypto-v2";
import { type App, buildApp } from "../src/app.ts";
import { seedDemo } from "../src/demo/demo.seed.ts";
import { ensureWebBuild } from "../src/http/web.ts";
import { NATIONAL_DEFAULT_POLICY } from "../src/modules/areas/areas.rules.ts";
import { verifyQr } from "../src/modules/certificates/certificates.verify.ts";
import { createVirtualCard } from "../src/modules/chip/virtual-card.ts";
import { initialPin } from "../src/modules/credentials/pin.rules.ts";
import { PRIVACY_TEXT_VERSION } from "../src/modules/ecard/ecard.service.ts";
import { mintCode } from "../src/modules/ecard/ecard-code.ts";
import { createFaceApiVerifier } from "../src/modules/ecard/face.ts";
import { keyCheckValue } from "../src/modules/keys/derivation.ts";
import { startKioskAgent } from "../src/modules/kiosk/kiosk.agent.ts";
import { insertIntoVpcd } from "../src/modules/kiosk/vpcd.ts";
import { makeIdNumber } from "../src/modules/persons/id-number.rules.ts";
import { SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { chinaDate } from "../src/shared/clock.ts";
import { cropFace, samplePhoto } from "./faces.ts";
import {
  actorWith,
  cardInState,
  createTestDeps,
  idCardOf,
  produceAll,
  produceCard,
  seedCardKeys,
} from "./fixtures.ts";
import { CARD_SLOT, kioskDevices, startKioskDevices } from "./kiosk-devices.ts";
import { qrOfPdf, redPixelsOfPdf, textOfPdf } from "./pdf.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Where the browser tests leave a screenshot of each step (ignored by git). */
export const SCREENSHOTS = "test-output/screenshots";

const missing = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
if (missing && process.env.SSCARD_REQUIRE_BROWSER === "1")
  throw new Error(`browser tests required: ${missing}`);
if (missing) console.log(`# browser tests skipped: ${missing}`);

describe("the web front ends in Chromium", { skip: missing }, () => {
  let app: App;
  let browser: Browser;
  let base: string;
  let demo: Awaited<ReturnType<typeof seedDemo>>;
  let testDeps: Awaited<ReturnType<typeof createTestDeps>>["deps"];
  let close: () => Promise<void>;
  const pageErrors: string[] = [];

  before(async () => {
    await ensureWebBuild();
    const { deps, database } = await createTestDeps("sqlite");
    demo = await seedDemo(deps);
    testDeps = deps;
    app = await buildApp(deps);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    close = async () => {
      await browser.close();
      await app.close();
      await database.close();
    };
  });
  after(async () => close?.());

  const password = (username: string) => demo.staff.find((s) => s.username === username)!.password;
  const person = (name: string) => demo.persons.find((p) => p.name === name)!;

  /** A fresh page that records console errors and uncaught exceptions. */
  async function newPage(
    timezoneId = "Asia/Shanghai",
    screen: { width: number; height: number; deviceScaleFactor?: number } = { width: 1280, height: 860 },
  ): Promise<Page> {
    const context = await browser.newContext({
      locale: "zh-CN",
      timezoneId,
      viewport: { width: screen.width, height: screen.height },
      deviceScaleFactor: screen.deviceScaleFactor ?? 1,
    });
    // The browser runs on the server's (test) clock, never the machine's.
    await context.clock.install({ time: testDeps.clock.now() });
    const page = await context.newPage();
    page.on("console", (msg) => {
      // A 4xx answer the page shows to the user is logged by Chromium as a failed resource; the page's own errors are not allowed.
      if (msg.type() === "error" && !msg.text().includes("the server responded with a status of 4"))
        pageErrors.push(msg.text());
    });
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(base);
    return page;
  }

  /** Hangzhou's card keys in the encryption machine (the demo has none), made once for the tests that need them. */
  async function ensureCardKeys() {
    const held = await testDeps.database.db.selectFrom("hsm_keys").select("label").execute();
    if (!held.some((k) => k.label.includes("330100"))) await seedCardKeys(testDeps);
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });

  async function staffLogin(page: Page, username: string) {
    await page.getByLabel("用户名").fill(username);
    await page.getByLabel("密码", { exact: true }).fill(password(username));
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.getByRole("navigation").waitFor();
  }

  /** A holder signs in to the hall with the ID number and the card's initial password. */
  async function holderLogin(page: Page, holder: { idNumber: string; cardNumber: string }) {
    await page.getByRole("tab", { name: "持卡人登录" }).click();
    await page.getByLabel("身份证号码").fill(holder.idNumber);
    await page
      .getByLabel("社保卡服务密码（6 位数字）")
      .fill(initialPin(holder.cardNumber, NATIONAL_DEFAULT_POLICY));
    await page.getByRole("button", { name: "登录", exact: true }).click();
  }

  /** At the till: terminal, 阿莫西林 from the catalogue at ¥10 (or the price given) × quantity, priced. */
  async function tillBasket(page: Page, quantity: string, unitPrice = "10.00") {
    await page.getByLabel("终端编号").fill("330100000101");
    await page.getByLabel("药品或项目（编码或名称）").fill("阿莫西林");
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await page.getByRole("button", { name: /加入 阿莫西林胶囊/ }).click();
    await page.getByLabel("数量 阿莫西林胶囊（演示样例）").fill(quantity);
    await page.getByLabel("单价（元） 阿莫西林胶囊（演示样例）").fill(unitPrice);
    await page.getByRole("button", { name: "计算费用" }).click();
  }

  async function signOut(page: Page) {
    await page.getByRole("button", { name: "退出" }).click();
    await page.getByRole("tab", { name: "工作人员登录" }).waitFor();
  }

  /** axe-core in the page: no WCAG 2 A/AA violation (labels, contrast, names, landmarks). */
  async function accessible(page: Page, where: string) {
    const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
    await page.addScriptTag({ path: axePath });
    const violations = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as {
          axe: { run: (o: object) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
        }
      ).axe;
      const r = await axe.run({
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      });
      return r.violations.map((v) => `${v.id} (${v.nodes.length})`);
    });
    assert.deepEqual(violations, [], `accessibility violations on ${where}`);
  }

  it("a clerk finds a person and applies for a card; the administrator produces it; the clerk issues it, reports it lost and replaces it", async () => {
    const page = await newPage();
    await accessible(page, "the sign-in page");
    await shot(page, "01-login");
    await staffLogin(page, "hz.clerk");
    const menu = page.getByRole("navigation");
    assert.deepEqual(await menu.getByRole("button").allInnerTexts(), [
      "查询办理",
      "单位批量申领",
      "重复持卡处理",
      "参保在线核验",
    ]);

    const search = page.getByLabel("身份证号码或社保卡卡号");
    const child = person("欧阳晓");
    await search.fill(child.idNumber.slice(0, 10));
    await page.getByText("身份证号码应为 18 位（已输入 10 位）").waitFor();
    await search.fill(`${child.idNumber.slice(0, 17)}${child.idNumber[17] === "1" ? "2" : "1"}`);
    await page.getByText("身份证号码校验位不正确").waitFor();
    await search.fill(child.idNumber);
    await page.getByText("身份证号码格式正确").waitFor();
    await search.press("Enter");
    await page.getByTestId("person-name").getByText(child.name).waitFor();
    await page.getByText("此人还没有社保卡").waitFor();
    await accessible(page, "the person page");
    await shot(page, "02-person");
    await page.getByRole("button", { name: "申领社保卡" }).click();
    // A child: the guardian applies, with their own ID.
    await page.getByText(/申领人未满 16 周岁，须由监护人代为申领/).waitFor();
    await page.getByLabel("监护人姓名").fill("欧阳华");
    await page.getByLabel("监护人身份证号码").fill(makeIdNumber("330106", "1980-03-03", 17));
    await page.getByLabel("与申领人关系").selectOption({ label: "父母" });
    await accessible(page, "the application with a guardian");
    await page.getByRole("button", { name: "申领社保卡" }).click();
    await page.getByText(/已受理申领，卡号 [0-9A-Z]{9}/).waitFor();
    await shot(page, "03-applied");
    await signOut(page);

    await staffLogin(page, "hz.admin");
    assert.ok(
      (await menu.getByRole("button").allInnerTexts()).includes("制卡批次"),
      "an administrator's menu",
    );
    await menu.getByRole("button", { name: "制卡批次" }).click();
    await page.getByRole("button", { name: "发送本地区待制卡申请" }).click();
    await page.getByRole("button", { name: "导入回盘（模拟制卡厂：全部制成）" }).click();
    await page.getByText(/办理成功：\d+/).waitFor();
    // The batch stays listed, now returned, with its cards delivered.
    await page.getByRole("table", { name: "制卡批次" }).getByText("已回盘").first().waitFor();
    await page
      .getByRole("table", { name: "制卡批次" })
      .getByText(/待领取 \d+/)
      .first()
      .waitFor();
    await accessible(page, "the production page");
    await shot(page, "04-produced");
    await signOut(page);

    await staffLogin(page, "hz.clerk");
    await page.getByLabel("身份证号码或社保卡卡号").fill(child.idNumber);
    await page.getByLabel("身份证号码或社保卡卡号").press("Enter");
    const card = page.locator("article.card-item").first();
    await card.locator(".state", { hasText: "待领取" }).waitFor();
    await card.getByRole("button", { name: "发卡并启用" }).click();
    // The clerk types the number from the ID card shown: the search does not fill it in.
    assert.equal(await card.getByLabel("持卡人出示的身份证号码").inputValue(), "");
    await card.getByLabel("持卡人出示的身份证号码").fill(child.idNumber);
    await card.getByRole("button", { name: "确认办理" }).click();
    await card.locator(".state", { hasText: "正常" }).waitFor();
    await shot(page, "05-issued");
    await page.locator("article.card-item").first().getByRole("button", { name: "临时挂失" }).click();
    await page.locator("article.card-item").first().getByRole("button", { name: "确认办理" }).click();
    await page.locator("article.card-item").first().locator(".state", { hasText: "临时挂失" }).waitFor();
    await shot(page, "06-pre-loss");
    const lost = page.locator("article.card-item").first();
    await lost.getByRole("button", { name: "正式挂失并补卡" }).click();
    await lost.getByLabel("持卡人出示的身份证号码").fill(child.idNumber);
    // The child's parent does it as the agent, with their own ID.
    await lost.getByLabel(/由代办人办理/).check();
    await lost.getByLabel("代办人姓名").fill("欧阳华");
    await lost.getByLabel("代办人身份证号码").fill(makeIdNumber("330106", "1980-03-03", 17));
    await lost.getByRole("button", { name: "确认办理" }).click();
    // What cannot be undone is said, and confirmed a second time; "back" stands apart from it.
    await lost.getByText(/正式挂失后原卡永久停用/).waitFor();
    await shot(page, "06b-formal-loss-confirm");
    await lost.getByRole("button", { name: "确认正式挂失并补卡" }).click();
    const issued = await page.getByText(/临时就医凭证号：\S+；新卡预计 \d{4}-\d{2}-\d{2} 可领取/).innerText();
    const certificate = /临时就医凭证号：(\S+)；/.exec(issued)![1];
    // The slip stays on the person's page until the new card is collected, and prints alone.
    const slip = page.getByRole("region", { name: "社会保障卡领卡凭证（补卡期间临时就医凭证）" });
    await slip.getByText(certificate).waitFor();
    await slip.getByText("请于预计领卡日期后，持本人居民身份证和本凭证到受理网点领取新卡。").waitFor();
    await page.evaluate('document.documentElement.classList.add("print-slip")');
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.getByRole("navigation").isVisible(), false, "the menu is not printed");
    assert.equal(await slip.getByText(certificate).isVisible(), true, "the slip is");
    await page.emulateMedia({ media: "screen" });
    await page.evaluate('document.documentElement.classList.remove("print-slip")');
    await slip.getByRole("button", { name: "打印领卡凭证" }).waitFor();
    // The certificate from the register: a sealed PDF whose text names it and its number.
    const [pdf] = await Promise.all([
      page.waitForEvent("download"),
      slip.getByRole("button", { name: "下载临时就医凭证（PDF，加盖业务章）" }).click(),
    ]);
    assert.equal(pdf.suggestedFilename(), `${certificate}.pdf`);
    const pdfText = execFileSync("pdftotext", [await pdf.path(), "-"]).toString("utf8");
    assert.match(pdfText, /社会保障卡临时就医凭证/);
    assert.ok(pdfText.includes(certificate), "the PDF carries the certificate's number");
    const recorded = await testDeps.database.db
      .selectFrom("audit_log")
      .select("after")
      .where("action", "=", "card.report_formal_loss")
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    assert.match(
      String(recorded.after),
      /"agent":\{"idNumber":"330\*{11}[0-9X]{4}","name":"欧\*\*"\}/,
      "the agent, masked",
    );
    await shot(page, "07-replaced");
    await accessible(page, "the person page after the replacement");
    assert.deepEqual(pageErrors, []);
  });

  it("the temporary medical certificate printed at the counter pays at the pharmacy until the new card is collected with its slip, then the till refuses it", async () => {
    const holder = await cardInState(testDeps, "active", { name: "孙补卡" });
    await testDeps.enrolment.enrol(SYSTEM_ACTOR, {
      idNumber: holder.idNumber,
      scheme: "resident_medical",
      areaCode: "330106",
      startDate: "2026-01-01",
    });
    const pin = initialPin(holder.cardNumber, NATIONAL_DEFAULT_POLICY);
    const page = await newPage();
    /** At the pharmacy's till: a basket paid with the temporary certificate and the holder's password. */
    const payWithCertificate = async () => {
      await staffLogin(page, "hz.pharmacy");
      await page.getByRole("navigation").getByRole("button", { name: "收费结算" }).click();
      await tillBasket(page, "1");
      await page.getByLabel("临时就医凭证（补卡期间）+ 密码").check();
      await page.getByLabel("临时就医凭证号").fill(certificate);
      await page.getByLabel("社保卡服务密码（6 位数字）").fill(pin);
      await page.getByRole("button", { name: "确认结算" }).click();
    };
    // First the holder downloads an enrolment certificate in the hall (an area and a purpose).
    await holderLogin(page, holder);
    const certificates = page.getByRole("region", { name: "开具证明" });
    await certificates.getByLabel("证明种类").selectOption({ label: "社会保险参保证明" });
    await certificates.getByLabel(/参保统筹区/).fill("330100");
    await certificates.getByLabel(/开具用途/).fill("子女入学");
    const [enrolmentPdf] = await Promise.all([
      page.waitForEvent("download"),
      certificates.getByRole("button", { name: "开具并下载（PDF，加盖业务章）" }).click(),
    ]);
    const enrolmentText = execFileSync("pdftotext", [await enrolmentPdf.path(), "-"]).toString("utf8");
    assert.match(enrolmentText, /社会保险参保证明[\s\S]*子女入学/);
    await certificates.getByText(/已开具社会保险参保证明，编号 CB\d{22}/).waitFor();
    await accessible(page, "the hall's certificates");
    await shot(page, "26-hall-certificate");
    await signOut(page);

    await staffLogin(page, "hz.clerk");
    const search = page.getByLabel("身份证号码或社保卡卡号");
    await search.fill(holder.idNumber);
    await search.press("Enter");
    // The counter prints the rights record for the person in front of it.
    const counterCertificates = page.getByRole("region", { name: "开具证明" });
    const [recordPdf] = await Promise.all([
      page.waitForEvent("download"),
      counterCertificates.getByRole("button", { name: "开具并下载（PDF，加盖业务章）" }).click(),
    ]);
    assert.match(execFileSync("pdftotext", [await recordPdf.path(), "-"]).toString("utf8"), /个人权益记录/);
    const lost = page.locator("article.card-item").first();
    await lost.getByRole("button", { name: "正式挂失并补卡" }).click();
    await lost.getByLabel("持卡人出示的身份证号码").fill(holder.idNumber);
    await lost.getByRole("button", { name: "确认办理" }).click();
    await lost.getByRole("button", { name: "确认正式挂失并补卡" }).click();
    const issued = await page.getByText(/临时就医凭证号：\S+；/).innerText();
    const certificate = /临时就医凭证号：(\S+)；/.exec(issued)![1];
    const slip = page.getByRole("region", { name: "社会保障卡领卡凭证（补卡期间临时就医凭证）" });
    const slipNo = await slip.locator("dd.slip-number").nth(1).innerText();
    assert.match(slipNo, /^LK\d{22}$/);
    const [pdf] = await Promise.all([
      page.waitForEvent("download"),
      slip.getByRole("button", { name: "下载临时就医凭证（PDF，加盖业务章）" }).click(),
    ]);
    const pdfText = execFileSync("pdftotext", [await pdf.path(), "-"]).toString("utf8");
    assert.ok(pdfText.includes(certificate) && pdfText.includes("孙补卡"), "the certificate printed");
    await signOut(page);

    // At the pharmacy: the certificate and the holder's password pay while the card is being made.
    await payWithCertificate();
    await page.getByRole("heading", { name: "结算单" }).waitFor();
    await page.getByText(/合计 10\.00 元/).waitFor();
    await accessible(page, "the receipt of a settlement with a temporary certificate");
    await shot(page, "32-till-temporary-certificate");
    await signOut(page);

    // The new card is made and collected with the slip: the temporary certificate ends with it.
    await produceAll(testDeps);
    await staffLogin(page, "hz.clerk");
    await search.fill(holder.idNumber);
    await search.press("Enter");
    const replacement = page.locator("article.card-item").filter({ hasText: "待领取" });
    await replacement.getByRole("button", { name: "发卡并启用" }).click();
    await replacement.getByLabel("持卡人出示的身份证号码").fill(holder.idNumber);
    await replacement.getByRole("button", { name: "确认办理" }).click();
    await replacement.getByText(/须出示领卡凭证/).waitFor();
    await replacement.getByLabel("领卡凭证号（或扫描凭证上的二维码）").fill(slipNo);
    await shot(page, "08-collect-with-slip");
    await replacement.getByRole("button", { name: "确认办理" }).click();
    await page.locator("article.card-item .state", { hasText: "正常" }).first().waitFor();
    await signOut(page);

    await payWithCertificate();
    await page.getByText("该凭证已不再有效：新卡已领取，临时就医凭证随之作废，请使用新社会保障卡").waitFor();
    await shot(page, "33-till-certificate-refused");
    assert.deepEqual(pageErrors, []);
  });

  it("the self-service kiosk: a pre-loss without signing in; the card inserted and its password on the shuffled pad (sent as the agent's PIN block); the four pages; a rights record; a password change; the card pulled; the ID card swiped reads only; signed out when idle", async () => {
    const key = await testDeps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "西湖网点自助终端 1 号",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "kiosk",
      employerId: null,
      institutionId: null,
    });
    // The kiosk's terminal file as `sscard kiosk register` writes it: the agent enciphers PINs with it.
    const agent = await startKioskAgent({
      port: 0,
      origin: base,
      simulate: true,
      terminal: {
        terminalNo: "330100900009",
        pinKey: testDeps.machine.terminalPinKey(key.id, 4).toString("hex"),
      },
    });
    const simulate = (path: string, method: string, body?: object) =>
      fetch(`http://127.0.0.1:${agent.port}/simulator/${path}`, {
        method,
        body: body && JSON.stringify(body),
      }).then((r) => assert.equal(r.status, 200));
    try {
      const lostOne = await cardInState(testDeps, "active", { name: "挂失者" });
      const holder = await cardInState(testDeps, "active", { name: "自助者" });
      const page = await newPage();
      await page.evaluate(`localStorage.setItem("sscard.kiosk.agent", "${agent.url}")`);
      await page.goto(`${base}/kiosk`);
      await page.getByLabel("本终端的自助终端密钥").fill(key.token);
      await page.getByRole("button", { name: "保存" }).click();
      await page
        .getByRole("heading", { level: 1, name: "浙江省杭州市人力资源和社会保障自助服务终端" })
        .waitFor();
      await page.getByText(/身份证读卡器：模拟设备（演示）/).waitFor();
      await accessible(page, "the kiosk's welcome screen");
      /** Types a password on the shuffled pad, digit by digit. */
      const typePin = async (pin: string) => {
        for (const d of pin)
          await page.locator(".keypad .keys").getByRole("button", { name: d, exact: true }).click();
      };

      await page.getByRole("button", { name: "社保卡挂失（无需登录）" }).click();
      await page.getByLabel("身份证号码", { exact: true }).fill(lostOne.idNumber);
      await typePin(initialPin(lostOne.cardNumber, NATIONAL_DEFAULT_POLICY));
      await page.getByRole("button", { name: "确定" }).click();
      await page.getByText(/挂失成功：卡 \S+ 已停止使用/).waitFor();
      assert.equal((await testDeps.cards.cardByNumber(lostOne.cardNumber)).state, "temporarily_lost");
      await shot(page, "40-kiosk-pre-loss");

      // The card in the reader: only its password is asked.
      await simulate("card", "POST", { cardNumber: holder.cardNumber, ssn: holder.idNumber });
      await page.getByText(`已读取社保卡 ${holder.cardNumber}`).waitFor();
      await typePin(initialPin(holder.cardNumber, NATIONAL_DEFAULT_POLICY));
      await page.getByRole("button", { name: "确定" }).click();
      await page.getByRole("button", { name: "业务查询" }).waitFor();
      await page.getByRole("region", { name: "医保个人账户" }).waitFor();
      // The card's history, as the counter keeps it.
      await page.locator("ol.history li", { hasText: "发卡" }).first().waitFor();
      await shot(page, "41-kiosk-inquiry");
      await page.getByRole("button", { name: "业务办理" }).click();
      // No printer: the certificate on screen, as the register signed it.
      await page.getByRole("button", { name: "开具并下载（PDF，加盖业务章）" }).click();
      const shown = page.locator("iframe.kiosk-pdf");
      await shown.waitFor();
      const pdfBase64 = await page.evaluate(`(async () => {
        const bytes = new Uint8Array(await (await fetch(document.querySelector("iframe.kiosk-pdf").src)).arrayBuffer());
        let s = "";
        for (const x of bytes) s += String.fromCharCode(x);
        return btoa(s);
      })()`);
      assert.match(textOfPdf(Buffer.from(String(pdfBase64), "base64")), /个人权益记录[\s\S]*自助者/);
      // The card's password changed on the pad: the current one, the new one twice (blocks from the agent).
      const change = page.getByRole("region", { name: "修改社保卡密码" });
      for (const pin of [initialPin(holder.cardNumber, NATIONAL_DEFAULT_POLICY), "582046", "582046"]) {
        for (const d of pin)
          await change.locator(".keypad .keys").getByRole("button", { name: d, exact: true }).click();
        await change.getByRole("button", { name: "确定" }).click();
      }
      await change.getByText("密码已修改，请牢记新密码").waitFor();
      const changed = await testDeps.database.db
        .selectFrom("audit_log")
        .select(["channel", "action"])
        .where("action", "=", "password.change")
        .orderBy("seq", "desc")
        .executeTakeFirstOrThrow();
      assert.equal(changed.channel, "kiosk");
      await page.getByRole("region", { name: "电子社保卡申领指引" }).getByRole("img").waitFor();
      assert.equal(
        await page.evaluate(
          `document.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true }))`,
        ),
        false,
        "no context menu: no way out to the browser",
      );
      // Basic information on the on-screen keyboard: the phone on its digits, the address in pinyin.
      const contact = page.getByRole("region", { name: "基本信息维护（联系电话、地址）" });
      await contact.getByLabel("联系电话").click();
      for (const d of "13912345678") await contact.locator(`.hg-button[data-skbtn="${d}"]`).click();
      await contact.getByLabel("联系地址").click();
      for (const [pinyin, character] of [
        ["xi", "西"],
        ["an", "安"],
      ]) {
        for (const k of pinyin) await contact.locator(`.hg-button[data-skbtn="${k}"]`).click();
        await contact.locator("li.hg-candidate-box-list-item", { hasText: character }).first().click();
      }
      assert.equal(await contact.getByLabel("联系电话").inputValue(), "13912345678");
      assert.equal(await contact.getByLabel("联系地址").inputValue(), "西安");
      await contact.getByRole("button", { name: "保存" }).click();
      await contact.getByText("办理成功").waitFor();
      await shot(page, "44-kiosk-soft-keyboard");
      // A flexible worker's contribution: a grade, an order, the bank's signed notification, paid.
      const pay = page.getByRole("region", { name: "灵活就业人员医保自助缴费" });
      await pay.getByLabel("缴费档次（社平工资的百分比）").selectOption("100");
      await pay.getByRole("button", { name: "生成缴费订单" }).click();
      const orderText = await pay.getByText(/订单 PO\d{24}：应缴 [\d.]+ 元/).innerText();
      const orderNo = /PO\d{24}/.exec(orderText)![0];
      const order = await testDeps.database.db
        .selectFrom("payment_orders")
        .selectAll()
        .where("order_no", "=", orderNo)
        .executeTakeFirstOrThrow();
      // The holder pays on the (simulated) bank terminal: first declined, then approved.
      const onTerminal = async (result: string) => {
        await pay.getByRole("button", { name: "在银行卡终端支付" }).click();
        await pay.getByText("请在屏幕下方的银行卡终端刷卡或扫码支付……").waitFor();
        // The terminal hears of the payment a moment after the page shows it: answer once it waits.
        let status = 0;
        for (let i = 0; i < 100 && status !== 200; i++) {
          status = (
            await fetch(`http://127.0.0.1:${agent.port}/simulator/payment`, {
              method: "POST",
              body: JSON.stringify({ result }),
            })
          ).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 20));
        }
        assert.equal(status, 200, "the terminal was waiting");
      };
      await onTerminal("declined");
      await pay.getByText("支付未完成：银行拒绝，可重新支付").waitFor();
      await onTerminal("approved");
      await pay.getByText("终端已受理支付，正在等待银行到账通知").waitFor();
      const notified = await fetch(`${base}/api/v1/payments/notifications`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          testDeps.sandboxBank.paid({ orderNo, amountFen: Number(order.amount_fen) }, testDeps.clock.now()),
        ),
      });
      assert.equal(notified.status, 200);
      await page.clock.fastForward(2500);
      await pay.getByText(/缴费成功：\d{4}-\d{2} 已缴 [\d.]+ 元/).waitFor();
      await shot(page, "45-kiosk-payment");
      const saved = await testDeps.persons.findByIdNumber(SYSTEM_ACTOR, holder.idNumber);
      assert.deepEqual([saved.phone, saved.address], ["13912345678", "西安"]);
      await accessible(page, "the kiosk's business handling");
      await page.getByRole("button", { name: "政策咨询" }).click();
      await page.getByText("补卡工本费（元）").waitFor();
      const catalogue = page.getByRole("region", { name: "医保药品目录查询" });
      await catalogue.getByLabel("药品或项目（编码或名称）").fill("阿莫西林");
      await catalogue.getByRole("button", { name: "查询", exact: true }).click();
      await catalogue.getByText(/阿莫西林胶囊（演示样例） · \S+ · 甲类/).waitFor();
      await shot(page, "42-kiosk-policy");
      await page.getByRole("button", { name: "便民服务" }).click();
      await page.getByText(/人社服务热线 12333/).waitFor();
      // The hall's address as a QR code, read back from the canvas.
      assert.equal(await readQr(page, "手机扫码进入网上服务大厅"), `${base}/`);
      await accessible(page, "the kiosk's convenience service");
      // The card pulled out: signed out at once.
      await simulate("card", "DELETE");
      await page.getByText("社保卡已取出，已退出登录").waitFor();

      // The resident ID card swiped: signed in to read and print, nothing else.
      await simulate("id-card", "POST", idCardOf({ idNumber: holder.idNumber, name: "自助者" }));
      await page.getByRole("button", { name: "业务办理" }).click();
      await page.getByText("刷身份证登录仅可查询和打印；办理业务请插入社会保障卡并输入密码").waitFor();
      assert.equal(await page.getByRole("button", { name: "临时挂失" }).count(), 0, "no pre-loss offered");
      await shot(page, "43-kiosk-id-card");
      // Ninety seconds without a touch: signed out, back to the welcome screen.
      await page.clock.fastForward(95_000);
      await page.getByText("长时间无操作，已自动退出，请取走您的卡").waitFor();
      await page.getByRole("button", { name: "社保卡登录", exact: true }).waitFor();
      const logins = await testDeps.database.db
        .selectFrom("audit_log")
        .select(["channel", "after"])
        .where("action", "=", "holder.login")
        .orderBy("seq", "desc")
        .limit(2)
        .execute();
      assert.deepEqual(
        logins.map((l) => [l.channel, JSON.parse(String(l.after)).with]),
        [
          ["kiosk", "id_card"],
          ["kiosk", "card"],
        ],
      );
      assert.deepEqual(pageErrors, []);
      // The page would keep calling the agent after it stops: it goes first.
      await page.context().close();
    } finally {
      await agent.close();
    }
  });

  it("a holder signs in, reports the card lost at night, sees it, and revokes it; English is one click away", async () => {
    const page = await newPage();
    await page.getByRole("tab", { name: "持卡人登录" }).click();
    await page.getByText("官方短信和通知从不包含链接").waitFor();
    const holder = person("张伟");
    await holderLogin(page, { idNumber: holder.idNumber, cardNumber: holder.card });
    const card = page.locator("article.card-item").first();
    await card.locator(".state", { hasText: "正常" }).waitFor();
    // The demo employer's contribution of last month, credited: 3% of a ¥12,000 base.
    const medical = page.getByRole("region", { name: "医保个人账户" });
    await medical.locator("strong", { hasText: "¥360.00" }).waitFor();
    await medical.getByText("2026-10: ¥360.00").waitFor();
    await medical.getByText("暂无记录").waitFor();
    await accessible(page, "the online service hall");
    await shot(page, "11-hall");
    await card.getByRole("button", { name: "临时挂失" }).click();
    // Confirmed a second time, after the consequence is read.
    await card.getByText(/挂失后社保卡立即停止结算和身份验证/).waitFor();
    await card.getByRole("button", { name: "确认临时挂失" }).click();
    await page.getByText("已临时挂失：卡片结算功能已停止").waitFor();
    await card.locator(".state", { hasText: "临时挂失" }).waitFor();
    await shot(page, "12-hall-pre-loss");
    const ecard = page.getByRole("region", { name: "电子社保卡" });
    await ecard.getByRole("button", { name: "挂失期间授权使用 4 小时" }).click();
    await ecard.getByText(/已授权，\d{4}-\d{2}-\d{2} \d{2}:\d{2} 前可使用电子社保卡。/).waitFor();
    await ecard.getByRole("button", { name: "一键停用电子社保卡" }).click();
    await ecard.getByText(/暂停后所有应用中的电子社保卡都不能使用/).waitFor();
    await ecard.getByRole("button", { name: "确认一键停用电子社保卡" }).click();
    await ecard.getByText("已在所有应用中停用电子社保卡。").waitFor();
    await ecard.getByRole("button", { name: "恢复使用电子社保卡" }).click();
    await ecard.getByText("电子社保卡已恢复，请在应用中刷新。").waitFor();
    await shot(page, "12b-hall-ecard");
    await card.getByRole("button", { name: "解除挂失" }).click();
    await card.locator(".state", { hasText: "正常" }).waitFor();
    assert.equal(
      await card.getByRole("button", { name: "到期换卡申请" }).isDisabled(),
      true,
      "consent first",
    );
    await card.getByLabel("我同意制作新卡，并使用在册照片").check();
    await card.getByRole("button", { name: "到期换卡申请" }).click();
    const refusal = await page.getByRole("alert").innerText();
    assert.match(refusal, /\d{4}-\d{2}-\d{2}/, "the server's message says when the renewal window opens");

    await page.setViewportSize({ width: 390, height: 844 });
    await accessible(page, "the hall on a phone");
    await shot(page, "14-hall-phone");
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole("button", { name: "English", exact: true }).click();
    await page.getByText("Social Security Card Services").first().waitFor();
    await page.getByText("My cards").waitFor();
    await shot(page, "13-hall-english");
    assert.deepEqual(pageErrors, []);
  });

  it("a holder signs in to the hall by scanning the e-card's identity code; a forged code is refused beside the form", async () => {
    // The holder's e-card in an app: a channel, a counter ticket instead of a face, the device's key.
    const holder = person("王秀英");
    const ecard = testDeps.ecard;
    const channel = await ecard.registerChannel(actorWith("city_admin", "330100"), {
      code: "web-test-app",
      name: "测试应用",
      class: "government",
      level: 1,
      services: ["signup", "credential", "identity_code"],
    });
    const app = await ecard.authenticateChannel(channel.token);
    const { ticket } = await ecard.counterTicket(actorWith("outlet_clerk", "330100"), {
      idNumber: holder.idNumber,
      holderIdNumber: holder.idNumber,
    });
    const device = sm2.generateKeyPairHex();
    const signed = await ecard.signUp(app, {
      name: holder.name,
      idNumber: holder.idNumber,
      consentTextVersion: PRIVACY_TEXT_VERSION,
      realName: { name: holder.name, idNumber: holder.idNumber },
      counterTicket: ticket,
      devicePublicKey: device.publicKey,
    });
    const now = Math.floor(testDeps.clock.now().getTime() / 1000);

    const page = await newPage();
    await page.getByRole("tab", { name: "持卡人登录" }).click();
    const scan = page.getByRole("form", { name: "电子社保卡扫码登录" });
    await scan
      .getByLabel("电子社保卡身份码")
      .fill(mintCode(signed.credential, sm2.generateKeyPairHex().privateKey, "identity", now));
    await page.keyboard.press("Enter");
    await scan.getByRole("alert").waitFor();
    assert.equal(await scan.getByRole("alert").innerText(), "二维码无效（BAD_DEVICE_SIGNATURE）");
    await accessible(page, "the e-card sign-in");
    await shot(page, "15-hall-ecard-sign-in");
    // A scanner types the code and Enter, as here.
    await scan
      .getByLabel("电子社保卡身份码")
      .fill(mintCode(signed.credential, device.privateKey, "identity", now));
    await page.keyboard.press("Enter");
    await page.locator("article.card-item").first().waitFor();
    const region = page.getByRole("region", { name: "电子社保卡" });
    await region.getByText("测试应用").waitFor();
    await region.getByText("未保存您的人脸图像：核验后即删除。").waitFor();
    assert.deepEqual(pageErrors, []);
  });

  /** jsQR is CommonJS: its function is the module itself in Node, `default` in its types. */
  const jsQR = jsQRModule as unknown as typeof jsQRModule.default;
  /** The QR code the page drew (a canvas named `name`), decoded as a phone's scanner would. */
  async function readQr(page: Page, name: string): Promise<string> {
    const canvas = page.getByRole("img", { name });
    await canvas.waitFor();
    const image = await canvas.evaluate((element) => {
      // The DOM's types are not in the tests' TypeScript setup: the canvas as far as it is used here.
      const c = element as unknown as {
        width: number;
        height: number;
        getContext(kind: "2d"): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        };
      };
      const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let binary = "";
      for (let i = 0; i < pixels.length; i += 0x8000)
        binary += String.fromCharCode(...pixels.subarray(i, i + 0x8000));
      return { width: c.width, height: c.height, rgba: btoa(binary) };
    });
    const decoded = jsQR(
      Uint8ClampedArray.from(Buffer.from(image.rgba, "base64")),
      image.width,
      image.height,
    );
    assert.ok(decoded, `the QR code "${name}" can be read`);
    return decoded.data;
  }

  it("a holder sets the e-card password in the hall, shows the identity and payment codes a terminal accepts, and keeps the family", async () => {
    const holder = await cardInState(testDeps, "active", { name: "扫码人" });
    const relative = await cardInState(testDeps, "active", { name: "亲属甲" });
    const verifier = createFaceApiVerifier();
    const group = samplePhoto(1);
    const [face] = (await verifier.faces(group)).sort((a, b) => b.box.width - a.box.width);
    const relativePerson = await testDeps.persons.findByIdNumber(SYSTEM_ACTOR, relative.idNumber);
    await testDeps.ecard.setIdentityPhoto(SYSTEM_ACTOR, relativePerson.id, {
      jpeg: cropFace(group, face.box, 1.8),
      takenOn: "2024-05-01",
    });
    const terminal = actorWith("pharmacy_operator", "330100");

    const page = await newPage();
    await holderLogin(page, holder);
    const codes = page.getByRole("region", { name: "电子社保卡二维码" });
    await codes.getByText("请先设置电子社保卡密码，之后即可在本设备显示二维码。").waitFor();
    const setForm = page.getByRole("region", { name: "设置电子社保卡密码" });
    await setForm.getByLabel("新密码（6 位数字）").fill("123456");
    await setForm.getByLabel("再次输入新密码").fill("123456");
    await setForm.getByRole("button", { name: "确认办理" }).click();
    await setForm.getByRole("alert").waitFor();
    assert.match(
      await setForm.getByRole("alert").innerText(),
      /密码/,
      "a weak password is refused beside it",
    );
    await setForm.getByLabel("新密码（6 位数字）").fill("582046");
    await setForm.getByLabel("再次输入新密码").fill("582046");
    await setForm.getByRole("button", { name: "确认办理" }).click();

    // This browser is bound once with the e-card password; a wrong one says how many tries are left.
    const bind = codes.getByRole("form", { name: "在本设备显示二维码" });
    await bind.getByLabel("电子社保卡密码").fill("000000");
    await bind.getByRole("button", { name: "在本设备显示二维码" }).click();
    await codes.getByText("电子社保卡密码错误，还可尝试 5 次").waitFor();
    await bind.getByLabel("电子社保卡密码").fill("582046");
    await bind.getByRole("button", { name: "在本设备显示二维码" }).click();
    const identityCode = await readQr(page, "本人的身份码（就医、办事出示）");
    const identity = await testDeps.ecard.verifyOnline(terminal, { code: identityCode, purpose: "identity" });
    assert.equal(identity.nameMasked, "扫**");
    await codes.getByText("二维码每 60 秒自动更新，截图无效。请勿向他人展示支付码。").waitFor();
    await accessible(page, "the e-card's codes");
    await shot(page, "24-hall-ecard-codes");
    await codes.getByRole("radio", { name: "支付码（扫码支付）" }).check();
    const paymentCode = await readQr(page, "本人的支付码（扫码支付）");
    const paid = await testDeps.ecard.verifyOnline(terminal, { code: paymentCode, purpose: "payment" });
    assert.equal(paid.type, "payment");
    await assert.rejects(
      testDeps.ecard.verifyOnline(terminal, { code: paymentCode, purpose: "payment" }),
      /ECARD_CODE_REFUSED/,
      "a payment code pays once",
    );
    await codes.getByRole("button", { name: "刷新二维码" }).click();
    const renewed = await readQr(page, "本人的支付码（扫码支付）");
    assert.notEqual(renewed, paymentCode, "a new code on request");

    // The family service: an adult relative by their own face, then their code on this browser.
    const family = page.getByRole("region", { name: "亲情服务" });
    await family.getByText("尚未添加亲属。").waitFor();
    await family.getByLabel("姓名").fill("亲属甲");
    await family.getByLabel("身份证号码").fill(relative.idNumber);
    await family.getByLabel("关系").selectOption({ label: "父母" });
    await family.getByLabel("亲属正面照片").setInputFiles({
      name: "face.jpg",
      mimeType: "image/jpeg",
      buffer: cropFace(group, face.box, 2.2, 0.9),
    });
    await family.getByRole("button", { name: "添加亲属" }).click();
    await family.getByText("已添加 亲属甲。").waitFor();
    const row = family.getByRole("row", { name: /亲\*\*/ });
    await row.waitFor();
    assert.ok(!(await family.innerText()).includes(relative.idNumber), "the relative's ID number is masked");
    await codes.getByLabel("出示谁的码").selectOption({ label: "亲**（父母）" });
    await codes.getByRole("radio", { name: "身份码（就医、办事出示）" }).check();
    const theirs = await testDeps.ecard.verifyOnline(terminal, {
      code: await readQr(page, "亲**的身份码（就医、办事出示）"),
      purpose: "identity",
    });
    assert.equal(theirs.nameMasked, "亲**");
    await accessible(page, "the family service");
    await shot(page, "25-hall-family");
    await row.getByRole("button", { name: "移除亲属" }).click();
    await row
      .getByText("移除后，本设备不再显示 亲** 的电子社保卡二维码；对方自己的电子社保卡不受影响。")
      .waitFor();
    await row.getByRole("button", { name: "确认移除亲属" }).click();
    await family.getByText("已移除 亲**。").waitFor();
    await family.getByText("尚未添加亲属。").waitFor();

    // The password changed here is the one every app checks.
    const change = page.getByRole("region", { name: "修改电子社保卡密码" });
    await change.getByLabel("当前密码").fill("582046");
    await change.getByLabel("新密码（6 位数字）").fill("613902");
    await change.getByLabel("再次输入新密码").fill("613902");
    await change.getByRole("button", { name: "确认办理" }).click();
    await change.getByText("电子社保卡密码已保存，所有应用立即生效。").waitFor();
    assert.deepEqual(pageErrors, []);
  });

  it("a clerk activates an archived card and resets its password at the counter; a wrong ID is refused beside the form", async () => {
    const page = await newPage();
    await staffLogin(page, "hz.clerk");
    const holder = person("王秀英");
    await page.getByLabel("身份证号码或社保卡卡号").fill(holder.card);
    await page.getByLabel("身份证号码或社保卡卡号").press("Enter");
    const card = page.locator("article.card-item").first();
    await card.locator(".state", { hasText: "已领取未启用" }).waitFor();
    await card.getByRole("button", { name: "启用社保功能" }).click();
    await card.getByLabel("持卡人出示的身份证号码").fill(person("张伟").idNumber);
    await card.getByRole("button", { name: "确认办理" }).click();
    await card.getByRole("alert").waitFor();
    assert.equal(await card.getByRole("alert").innerText(), "出示的身份证件与持卡人不符");
    await card.getByLabel("持卡人出示的身份证号码").fill(holder.idNumber);
    await card.getByRole("button", { name: "确认办理" }).click();
    await card.locator(".state", { hasText: "正常" }).waitFor();
    await card.getByRole("button", { name: "密码重置" }).click();
    await card.getByLabel("持卡人出示的身份证号码").fill(holder.idNumber);
    await card.getByLabel("新密码（6 位数字）").fill("582046");
    await card.getByRole("button", { name: "确认办理" }).click();
    await card.getByText("办理成功：密码重置").waitFor();
    await shot(page, "08-password-reset");
    assert.deepEqual(pageErrors, []);
  });

  it("an administrator adds a policy version with an effective date and sees which is in force", async () => {
    const page = await newPage();
    await staffLogin(page, "nb.admin");
    await page.getByRole("navigation").getByRole("button", { name: "区域政策" }).click();
    await page.getByText("当前执行本区域第 1 版政策。").waitFor();
    await page.getByLabel("补卡工本费（元）").fill("30.00");
    // Every field of the policy is on the form, money in yuan and rates in percent.
    await page.getByLabel("灵活就业缴费比例（%）").fill("10.5");
    await page.getByLabel(/灵活就业缴费档次/).fill("60，100、300");
    await page.getByLabel("临时挂失未解除自动注销天数").fill("30");
    await page.getByLabel("刷卡结算须输入密码").uncheck();
    await page.getByLabel("实体卡临时挂失期间的电子社保卡").selectOption({ label: "不可使用" });
    await page.getByRole("button", { name: "保存新版本" }).click();
    await page.getByText(/已保存第 2 版，自 \d{4}-\d{2}-\d{2} 起执行。/).waitFor();
    const saved = await testDeps.database.db
      .selectFrom("area_policies")
      .select("policy")
      .where("area_code", "=", "330200")
      .where("version", "=", 2)
      .executeTakeFirstOrThrow();
    const policy = JSON.parse(saved.policy);
    assert.deepEqual(
      [
        policy.replacementFeeFen,
        policy.medical.flexibleRateBp,
        policy.medical.contributionGradesPercent,
        policy.preLossAutoCancelDays,
        policy.medical.settlementPasswordRequired,
        policy.ecardWhileTemporarilyLost,
        policy.lockout.threshold,
      ],
      [3000, 1050, [60, 100, 300], 30, false, "unavailable", 3],
    );
    await page.getByRole("cell", { name: "30.00" }).waitFor();
    await page.getByText("当前执行本区域第 1 版政策。").waitFor();
    await accessible(page, "the policy page");
    await shot(page, "31-policy");
    assert.deepEqual(pageErrors, []);
  });

  it("an employer's CSV batch shows its progress and the per-row report; an administrator creates a clerk", async () => {
    const page = await newPage();
    await staffLogin(page, "hz.clerk");
    await page.getByRole("navigation").getByRole("button", { name: "单位批量申领" }).click();
    const csv = [
      "id_number,name,ethnicity,employer_code,employer_name",
      `${makeIdNumber("330106", "1992-03-04", 17)},钱一,01,91330106MA2B0D0K1G,杭州云栖科技有限公司`,
      "12345,钱二,01,91330106MA2B0D0K1G,杭州云栖科技有限公司",
    ].join("\n");
    await page
      .getByLabel("选择 CSV 文件")
      .setInputFiles({ name: "employees.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByText("已选择 employees.csv，共 2 行。").waitFor();
    await page.getByRole("button", { name: "开始导入" }).click();
    await page.getByText("导入完成：受理 1 行，退回 1 行（原因见下表）。").waitFor();
    await page.getByRole("cell", { name: /公民身份号码无效：长度应为 18 位/ }).waitFor();
    await accessible(page, "the batch report");
    await shot(page, "09-batch");
    await signOut(page);

    await staffLogin(page, "hz.admin");
    await page.getByRole("navigation").getByRole("button", { name: "工作人员" }).click();
    await page.getByLabel("用户名").fill("hz.clerk2");
    await page.getByLabel("姓名").fill("新柜员 周");
    await page.getByLabel("初始密码（至少 12 位，含字母和数字）").fill("Counter-2026-pass");
    await page.getByRole("button", { name: "创建账号" }).click();
    await page.getByText("办理成功：hz.clerk2").waitFor();
    await page.getByRole("cell", { name: "hz.clerk2", exact: true }).waitFor();
    // Five wrong passwords lock the new account; the administrator unlocks it, sets a new password and
    // makes it a pharmacy's operator bound to the pharmacy.
    for (let i = 0; i < 5; i++)
      await page.evaluate(
        `fetch("/api/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "hz.clerk2", password: "wrong-password-${i}" }) })`,
      );
    await page.getByRole("navigation").getByRole("button", { name: "接入密钥" }).click();
    await page.getByRole("navigation").getByRole("button", { name: "工作人员" }).click();
    const clerk2 = page.getByRole("row").filter({ hasText: "hz.clerk2" });
    await clerk2.getByText("已锁定").waitFor();
    await clerk2.getByRole("button", { name: "办理 hz.clerk2" }).click();
    await clerk2.getByText(/密码错误次数过多，锁定至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}。/).waitFor();
    await accessible(page, "the staff account's care");
    await clerk2.getByRole("button", { name: "解除锁定" }).click();
    await page.getByText("已解除 hz.clerk2 的锁定。").waitFor();
    await clerk2.getByRole("button", { name: "办理 hz.clerk2" }).click();
    await clerk2.getByLabel(/新密码（当面告知本人/).fill("Reset-at-outlet-2026");
    await clerk2.getByRole("button", { name: "重置密码" }).click();
    await page.getByText("已重置 hz.clerk2 的密码，其已登录的会话全部结束。").waitFor();
    await clerk2.getByRole("button", { name: "办理 hz.clerk2" }).click();
    await clerk2.getByLabel("岗位").selectOption({ label: "定点药店操作员" });
    await clerk2.getByLabel("所属定点机构").selectOption({ label: "杭州民生大药房（演示）（HZ-PH-DEMO01）" });
    await clerk2.getByRole("button", { name: "变更权限" }).click();
    await page.getByText("已变更 hz.clerk2 的权限，重新登录后生效。").waitFor();
    await clerk2.getByRole("cell", { name: /定点药店操作员 330100/ }).waitFor();
    const bound = await testDeps.database.db
      .selectFrom("staff_roles as r")
      .innerJoin("staff as s", "s.id", "r.staff_id")
      .select(["r.role", "r.institution_id"])
      .where("s.username", "=", "hz.clerk2")
      .execute();
    assert.equal(bound.length, 1);
    assert.equal(bound[0].role, "pharmacy_operator");
    assert.ok(bound[0].institution_id, "bound to the pharmacy");
    await accessible(page, "the staff page");
    await shot(page, "32-staff");
    await page.getByRole("navigation").getByRole("button", { name: "接入密钥" }).click();
    await page.getByLabel("机构或终端名称").fill("民生大药房 POS 2");
    await page.getByLabel("所属定点机构").selectOption({ label: "杭州民生大药房（演示）（HZ-PH-DEMO01）" });
    await page.getByRole("button", { name: "生成密钥" }).click();
    await page.getByText(/密钥只显示这一次/).waitFor();
    assert.match(await page.locator("code").innerText(), /^ssk_/);
    const key = await testDeps.database.db
      .selectFrom("api_keys")
      .selectAll()
      .where("name", "=", "民生大药房 POS 2")
      .executeTakeFirstOrThrow();
    assert.ok(key.institution_id, "the key names its pharmacy");
    await page
      .getByRole("row", { name: /民生大药房 POS 2/ })
      .getByRole("button", { name: "吊销" })
      .click();
    await page
      .getByRole("row", { name: /民生大药房 POS 2/ })
      .getByText("已吊销")
      .waitFor();
    await accessible(page, "the API key page");
    const duplicates = page.getByRole("navigation").getByRole("button", { name: "重复持卡处理" });
    await duplicates.click();
    const region = page.getByRole("region", { name: "重复持卡处理" });
    // Either nobody holds two cards, or each such person is listed with advice per card.
    await region.locator("article, p").first().waitFor();
    assert.equal(await region.locator(".notice-error").count(), 0);
    assert.deepEqual(pageErrors, []);
  });

  it("a clerk enrols a resident in employee insurance and merges the two personal numbers after checking the ID", async () => {
    const page = await newPage();
    await staffLogin(page, "hz.clerk");
    const resident = person("王秀英");
    await page.getByLabel("身份证号码或社保卡卡号").fill(resident.idNumber);
    await page.getByLabel("身份证号码或社保卡卡号").press("Enter");
    const panel = page.getByRole("region", { name: "参保信息" });
    // The county by its name, not its code.
    await panel.getByText(/城乡居民基本医疗保险 · 浙江省杭州市西湖区/).waitFor();
    await panel.getByLabel("险种").selectOption("employee_medical");
    await panel.getByLabel("参保县区代码").fill("3301");
    await panel.getByRole("button", { name: "参保登记" }).click();
    await panel.locator(".field-error", { hasText: "应为 6 位行政区划代码" }).waitFor();
    assert.equal(
      await panel.getByLabel("参保县区代码").getAttribute("aria-invalid"),
      "true",
      "the server's complaint is shown on the field concerned",
    );
    await panel.getByLabel("参保县区代码").fill("330106");
    await panel.getByRole("button", { name: "参保登记" }).click();
    await panel.getByText(/参保登记成功，个人编号 \d{16}/).waitFor();
    await panel.getByRole("button", { name: "预览合并" }).click();
    await panel.getByText(/将作为其别名/).waitFor();
    // Resident and employee medical both active: the merge asks which to suspend.
    await panel.getByText(/合并后将重复参保/).waitFor();
    await panel.getByLabel(/暂停 城乡居民基本医疗保险/).check();
    await panel.getByLabel("持卡人出示的身份证号码").fill(resident.idNumber);
    await panel.getByRole("button", { name: "确认办理" }).click();
    await panel.getByText(/已合并，保留个人编号 \d{16}/).waitFor();
    await panel.getByText(/ → \d{16}/).waitFor();
    await panel.getByLabel("原因").fill("单位欠缴 2 个月");
    await panel.getByRole("button", { name: "登记欠费" }).click();
    await panel.getByText(/已登记欠费：医保功能已暂停/).waitFor();
    await panel.getByRole("button", { name: "已补缴，恢复医保功能" }).click();
    await panel.getByText(/欠费已于 \d{4}-\d{2}-\d{2} 结束/).waitFor();
    await accessible(page, "the enrolment panel");
    await shot(page, "10-merged");
    assert.deepEqual(pageErrors, []);
  });

  it("shows each role its own menu, and a wrong password next to the form", async () => {
    const page = await newPage();
    await page.getByLabel("用户名").fill("hz.pharmacy");
    await page.getByLabel("密码", { exact: true }).fill("wrong-password-1");
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.getByRole("alert").waitFor();
    await staffLogin(page, "hz.pharmacy");
    // The menu is the permission matrix's: a pharmacy operator reads cards (cards.read) and checks them.
    assert.deepEqual(await page.getByRole("navigation").getByRole("button").allInnerTexts(), [
      "查询办理",
      "收费结算",
      "参保在线核验",
    ]);
    await page.getByRole("navigation").getByRole("button", { name: "参保在线核验" }).click();
    await page.getByLabel("卡号").fill(person("张伟").card);
    await page.getByRole("button", { name: "核验", exact: true }).click();
    await page.getByText("参保正常").waitFor();
    await shot(page, "21-pharmacy-check");
    await signOut(page);
    await staffLogin(page, "hz.bank");
    assert.deepEqual(await page.getByRole("navigation").getByRole("button").allInnerTexts(), [
      "查询办理",
      "银行销户任务",
    ]);
    // A bank clerk is offered the bank's business only: no outlet action, no enrolment forms.
    await page.getByLabel("身份证号码或社保卡卡号").fill(person("张伟").card);
    await page.getByLabel("身份证号码或社保卡卡号").press("Enter");
    const bankCard = page.locator("article.card-item").first();
    await bankCard.waitFor();
    for (const outletOnly of ["注销", "正式挂失并补卡", "临时挂失", "补换卡（换卡）", "密码解锁", "密码重置"])
      assert.equal(
        await bankCard.getByRole("button", { name: outletOnly, exact: true }).count(),
        0,
        outletOnly,
      );
    assert.equal(await page.getByRole("region", { name: "参保信息" }).count(), 0, "no enrolment panel");
    await accessible(page, "the bank clerk's card page");
    await signOut(page);
    await staffLogin(page, "yunqi.hr");
    assert.deepEqual(await page.getByRole("navigation").getByRole("button").allInnerTexts(), [
      "新员工参保登记",
    ]);
    await page.getByLabel("身份证号码").fill(makeIdNumber("330106", "1998-08-08", 51));
    await page.getByLabel("姓名").fill("吴新");
    await page.getByLabel("用工日期").fill("2030-01-01");
    await page.getByRole("button", { name: "新员工参保登记" }).last().click();
    await page.locator(".field-error", { hasText: "不能晚于今天" }).waitFor();
    await page
      .getByLabel("用工日期")
      .fill(chinaDate(new Date(testDeps.clock.now().getTime() - 5 * 86_400_000)));
    await page.getByRole("button", { name: "新员工参保登记" }).last().click();
    await page
      .getByText(/登记成功：\s*职工基本医疗保险、职工基本养老保险、失业保险、工伤保险、生育保险/)
      .waitFor();
    await accessible(page, "the employer's registration page");
    await shot(page, "22-employer");
    await signOut(page);
    await staffLogin(page, "zj.auditor");
    assert.deepEqual(await page.getByRole("navigation").getByRole("button").allInnerTexts(), [
      "查询办理",
      "审计日志",
      "密钥状态",
      "密钥仪式",
    ]);
    await page.getByRole("button", { name: "审计日志" }).click();
    await page.getByRole("button", { name: "校验审计链" }).click();
    await page.getByText(/审计链完整：共 \d+ 条记录/).waitFor();
    assert.deepEqual(pageErrors, []);
  });

  it("an administrator and an auditor read the state of the encryption machine's keys, never a key", async () => {
    await ensureCardKeys();
    const page = await newPage();
    await staffLogin(page, "hz.admin");
    await page.getByRole("navigation").getByRole("button", { name: "密钥状态" }).click();
    const table = page.getByRole("table", { name: "密钥状态" });
    await table.getByRole("cell", { name: "全国" }).first().waitFor();
    await table.getByRole("cell", { name: "330100" }).first().waitFor();
    assert.ok((await table.getByRole("cell", { name: "启用" }).count()) > 0);
    // The public keys verifiers trust, one per purpose: the blacklist's is the one that signs the blacklist.
    const published = page.getByRole("table", { name: "签名公钥（供验证方使用）" });
    const blacklistRow = published.getByRole("row", { name: /黑名单/ });
    await blacklistRow.waitFor();
    const signed = (await (await fetch(`${base}/api/v1/signing-keys`)).json()) as {
      purpose: string;
      publicKey: string;
    }[];
    assert.match(
      await blacklistRow.innerText(),
      new RegExp(signed.find((k) => k.purpose === "blacklist")!.publicKey),
    );
    await accessible(page, "the key state page");
    await shot(page, "45-key-state");
    await signOut(page);
    await staffLogin(page, "zj.auditor");
    await page.getByRole("navigation").getByRole("button", { name: "密钥状态" }).click();
    await page
      .getByRole("table", { name: "密钥状态" })
      .getByRole("cell", { name: "330100" })
      .first()
      .waitFor();
    assert.deepEqual(pageErrors, []);
  });

  it("shows every time in the area's time zone, whatever zone the browser is in", async () => {
    // The demo's history was written at the server's (test) clock: its time in China is what a clerk reads.
    const shanghai = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Asia/Shanghai",
      dateStyle: "short",
      timeStyle: "short",
    }).format(testDeps.clock.now());
    for (const zone of ["Asia/Shanghai", "America/New_York"]) {
      const page = await newPage(zone);
      await staffLogin(page, "hz.clerk");
      await page.getByLabel("身份证号码或社保卡卡号").fill(person("张伟").card);
      await page.getByLabel("身份证号码或社保卡卡号").press("Enter");
      const card = page.locator("article.card-item").first();
      await card.getByText("变更记录").click();
      const first = card.locator("ol.history li").first();
      await first.waitFor();
      assert.ok(
        (await first.innerText()).startsWith(shanghai),
        `${zone}: ${await first.innerText()} should begin with ${shanghai}`,
      );
      await page.context().close();
    }
    assert.deepEqual(pageErrors, []);
  });

  it("keeps the page in the URL (F5 and Back), names the console for the role, and returns to sign-in when the session ends", async () => {
    const page = await newPage();
    const icon = await page.request.get(`${base}/favicon.ico`);
    assert.equal(icon.status(), 200, "/favicon.ico is served");
    await staffLogin(page, "hz.pharmacy");
    await page.getByText("社会保障卡服务平台 · 定点医药机构服务").waitFor();
    await signOut(page);
    await staffLogin(page, "zj.auditor");
    await page.getByRole("navigation").getByRole("button", { name: "审计日志" }).click();
    await page.getByRole("heading", { level: 1, name: "审计日志" }).waitFor();
    assert.match(page.url(), /#\/audit$/);
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "审计日志" }).waitFor();
    await page.getByRole("navigation").getByRole("button", { name: "查询办理" }).click();
    await page.getByRole("heading", { level: 1, name: "查询办理" }).waitFor();
    await page.goBack();
    await page.getByRole("heading", { level: 1, name: "审计日志" }).waitFor();
    await accessible(page, "the audit page");
    // The session ends elsewhere (signed out from another tab): the next action leads back to sign-in.
    await page.evaluate(async () => {
      const token = sessionStorage.getItem("sscard.token");
      await fetch("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${token}` } });
    });
    await page.getByRole("button", { name: "校验审计链" }).click();
    await page.getByRole("tab", { name: "工作人员登录" }).waitFor();
    await page.getByText("会话已结束，请重新登录。").waitFor();
    assert.equal(await page.getByRole("navigation").count(), 0, "no longer shown as signed in");
    await shot(page, "30-session-ended");
    assert.deepEqual(pageErrors, []);
  });

  it("a pharmacy settles a basket at its till: items from the catalogue, the split before paying, the receipt, the refund", async () => {
    const page = await newPage();
    await staffLogin(page, "hz.pharmacy");
    await page.getByRole("navigation").getByRole("button", { name: "收费结算" }).click();
    await page.getByRole("heading", { level: 1, name: "收费结算" }).waitFor();
    await tillBasket(page, "2", "12.50");
    await page
      .getByText("合计 25.00 元，其中医保目录内 25.00 元可由个人账户支付（以余额为限），自付 0.00 元。")
      .waitFor();
    await accessible(page, "the till");
    const holder = person("张伟");
    await page.getByLabel("卡号", { exact: true }).fill(holder.card);
    await page
      .getByLabel("社保卡服务密码（6 位数字）")
      .fill(initialPin(holder.card, NATIONAL_DEFAULT_POLICY));
    await page.getByRole("button", { name: "确认结算" }).click();
    await page.getByRole("heading", { name: "结算单" }).waitFor();
    await page.getByText(/合计 25\.00 元：个人账户支付 \d+\.\d{2} 元，自付 \d+\.\d{2} 元。/).waitFor();
    await page.getByRole("button", { name: "打印结算单" }).waitFor();
    await accessible(page, "the receipt");
    await shot(page, "31-till-receipt");
    await page.getByRole("button", { name: "全额退款" }).click();
    await page.getByText("已退款 25.00 元").waitFor();
    assert.equal(await page.getByRole("button", { name: "全额退款" }).count(), 0, "refunded once");
    await page.getByRole("button", { name: "下一位" }).click();
    await page.getByRole("heading", { name: "本次购药/诊疗项目" }).waitFor();
    // The day's reconciliation and its file.
    await page.getByRole("button", { name: "查看今日对账" }).click();
    await page.getByText(/结算 \d+ 笔，合计 \d+\.\d{2} 元.*退款 \d+ 笔。/).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "下载对账文件（CSV）" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^reconciliation-HZ-PH-DEMO01-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = await download.path();
    assert.match(readFileSync(file, "utf8"), /^settlement_id,idempotency_key,/);
    await accessible(page, "the till's day");
    assert.deepEqual(pageErrors, []);
  });

  it("the till pays with the card in the terminal's reader, refunds some units of a line, and refuses a card the online check flags with its cause and remedy", async () => {
    await ensureCardKeys();
    const chipCard = await produceCard(testDeps, "读卡人");
    const flagged = await cardInState(testDeps, "active", { name: "重复参保人" });
    for (const county of ["330106", "330110"])
      await testDeps.enrolment.enrol(SYSTEM_ACTOR, {
        idNumber: flagged.idNumber,
        scheme: "resident_medical",
        areaCode: county,
        startDate: "2026-01-01",
      });
    const page = await newPage();
    await staffLogin(page, "hz.pharmacy");
    await page.getByRole("navigation").getByRole("button", { name: "收费结算" }).click();
    const basket = async (quantity: string) => {
      await tillBasket(page, quantity);
      await page.getByText(/^合计 \d+\.00 元，其中医保目录内/).waitFor();
    };
    await basket("3");
    // The terminal's reader: the card goes into a slot (the device agent's call, on the operator's session).
    const slotId = await page.evaluate(async (image) => {
      const r = await fetch("/api/v1/reader/slots", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${sessionStorage.getItem("sscard.token")}`,
        },
        body: JSON.stringify({ terminalNo: "330100000101", card: image }),
      });
      return ((await r.json()) as { slotId: string }).slotId;
    }, chipCard.image);
    await page.getByLabel("读卡器中的社保卡").check();
    await page.getByLabel("读卡器卡槽号").fill(slotId);
    await page.getByRole("button", { name: "读卡" }).click();
    await page.getByText(`已读卡：读卡人，卡号 ${chipCard.cardNumber}`).waitFor();
    await page.getByLabel("持卡人在密码键盘输入的密码").fill("999999");
    await page.getByRole("button", { name: "校验密码" }).click();
    await page.getByText(/密码错误，还可尝试 \d 次/).waitFor();
    await page
      .getByLabel("持卡人在密码键盘输入的密码")
      .fill(initialPin(chipCard.cardNumber, NATIONAL_DEFAULT_POLICY));
    await page.getByRole("button", { name: "校验密码" }).click();
    await page.getByText("密码正确，可以结算").waitFor();
    await accessible(page, "the till's reader");
    await page.getByRole("button", { name: "确认结算" }).click();
    await page.getByRole("heading", { name: "结算单" }).waitFor();
    await page.getByText("合计 30.00 元", { exact: false }).waitFor();
    // One unit of three goes back.
    await page.getByLabel("阿莫西林胶囊（演示样例） 退货数量（可退 3）").fill("1");
    await page.getByRole("button", { name: "退所选项目" }).click();
    await page.getByText("已退款 10.00 元").waitFor();
    await page.getByLabel("阿莫西林胶囊（演示样例） 退货数量（可退 2）").waitFor();
    await shot(page, "32-till-refund-by-item");
    await page.getByRole("button", { name: "下一位" }).click();

    // A card the online check flags (insured in two counties of the area) is refused, with what to do.
    await basket("1");
    await page.getByLabel("社保卡卡号与密码").check();
    await page.getByLabel("卡号", { exact: true }).fill(flagged.cardNumber);
    await page
      .getByLabel("社保卡服务密码（6 位数字）")
      .fill(initialPin(flagged.cardNumber, NATIONAL_DEFAULT_POLICY));
    await page.getByRole("button", { name: "确认结算" }).click();
    await page
      .getByText(
        "参保核验未通过，不能结算：此人在本统筹区多次参保（在其他县区仍有有效参保）。请参保人到原参保县区暂停参保后再使用社保卡",
      )
      .waitFor();
    assert.equal(await page.getByRole("heading", { name: "结算单" }).count(), 0, "nothing settled");
    await shot(page, "33-till-flagged-card");
    assert.deepEqual(pageErrors, []);
  });

  it("the auditor reads the log in words, filters it by action, day and actor, pages through it, and sees the chain's head and checkpoints", async () => {
    const page = await newPage();
    await staffLogin(page, "zj.auditor");
    await page.getByRole("navigation").getByRole("button", { name: "审计日志" }).click();
    const rows = page.getByRole("table", { name: "审计日志" }).locator("tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 50, "a page of 50");
    const firstSeq = await rows.first().locator("td").first().innerText();
    await page.getByRole("button", { name: "下一页（较早）" }).click();
    await page.waitForFunction(`document.querySelector("tbody tr td")?.textContent !== "${firstSeq}"`);
    assert.ok(Number(await rows.first().locator("td").first().innerText()) < Number(firstSeq));
    await page.getByRole("button", { name: "上一页（较新）" }).click();
    await page.waitForFunction(`document.querySelector("tbody tr td")?.textContent === "${firstSeq}"`);

    await page.getByLabel("操作类型").fill("person.register");
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await page.waitForFunction(
      `[...document.querySelectorAll("tbody tr td:nth-child(4)")].every((td) => td.textContent === "人员登记")`,
    );
    assert.ok((await rows.count()) > 0);
    await page.getByLabel("操作类型").fill("card.");
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await page
      .getByRole("cell", { name: /^社保卡：/ })
      .first()
      .waitFor();
    // Days are the area's calendar days: today's records are found, none on a day long past.
    await page.getByLabel("起始日期").fill(chinaDate(testDeps.clock.now()));
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await page
      .getByRole("cell", { name: /^社保卡：/ })
      .first()
      .waitFor();
    await page.getByLabel("起始日期").fill("2020-01-01");
    await page.getByLabel("截止日期（含当日）").fill("2020-01-31");
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await page.getByText("没有符合条件的记录。").waitFor();
    await page.getByLabel("起始日期").fill("");
    await page.getByLabel("截止日期（含当日）").fill("");
    await page.getByLabel("操作类型").fill("");
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await rows.first().waitFor();
    // One actor's records only.
    const actorButton = rows.first().getByRole("button", { name: /^只看 / });
    const actorId = (await actorButton.getAttribute("title")) ?? "";
    await actorButton.click();
    await page.waitForFunction(
      `[...document.querySelectorAll("tbody tr button[title]")].every((b) => b.title === "${actorId}")`,
    );
    assert.equal(await page.getByLabel("操作人").inputValue(), actorId);

    await page.getByRole("button", { name: "校验审计链" }).click();
    await page.getByText(/审计链完整：共 \d+ 条记录/).waitFor();
    assert.match(await page.locator("code.hash").innerText(), /^[0-9a-f]{64}$/);
    await page.getByText(/^共 \d+ 个，最近一个签于 /).waitFor();
    await accessible(page, "the audit log");
    await shot(page, "40-audit-log");
    assert.deepEqual(pageErrors, []);
  });

  it("an administrator keeps the designated institutions, their agreements and terminals, and imports a catalogue version with a per-row report", async () => {
    const page = await newPage();
    await staffLogin(page, "hz.admin");
    await page.getByRole("navigation").getByRole("button", { name: "定点机构与终端" }).click();
    await page.getByRole("heading", { level: 1, name: "定点机构与终端" }).waitFor();
    await page.getByRole("cell", { name: "HZ-PH-DEMO01" }).waitFor();
    // A new pharmacy, a terminal for it, and its agreement ended.
    await page.getByLabel("机构编码", { exact: true }).fill("HZ-PH-WEB01");
    await page.getByLabel("机构名称", { exact: true }).fill("网页登记药房");
    await page.getByLabel("协议起始日").fill("2026-01-01");
    await page.getByLabel("协议截止日", { exact: true }).fill("2027-12-31");
    await page.getByRole("button", { name: "登记定点机构" }).last().click();
    await page.getByText("已登记定点机构 网页登记药房。").waitFor();
    const row = page.getByRole("row").filter({ hasText: "HZ-PH-WEB01" });
    await row.getByText("协议有效").waitFor();
    await page.getByLabel("终端编号").fill("33010000");
    await page.getByRole("button", { name: "登记终端" }).click();
    await page.locator(".field-error", { hasText: "应为 12 位数字" }).waitFor();
    await page.getByLabel("终端编号").fill("330100000888");
    await page.getByLabel("终端名称（安装位置）").fill("网页药房一号收银台");
    await page.getByRole("button", { name: "登记终端" }).click();
    await page.getByText("已登记终端 330100000888。").waitFor();
    await page.getByRole("button", { name: "登记终端" }).click();
    await page.getByText("终端 330100000888 已登记").waitFor();
    await page.getByLabel("终端 330100000888 绑定到").selectOption({ label: "网页登记药房" });
    await page
      .getByRole("row")
      .filter({ hasText: "330100000888" })
      .getByRole("button", { name: "绑定" })
      .click();
    await page.getByText("终端 330100000888 已绑定。").waitFor();
    await page.getByRole("row").filter({ hasText: "330100000888" }).getByText("网页登记药房").waitFor();
    await page.getByLabel("网页登记药房 新的协议截止日").fill("2026-06-30");
    await row.getByRole("button", { name: "保存" }).click();
    await page.getByText("已变更 网页登记药房 的协议期限。").waitFor();
    await row.getByText("协议已终止或过期，不能结算").waitFor();
    await accessible(page, "the institutions page");
    await shot(page, "41-institutions");
    await signOut(page);

    await staffLogin(page, "zj.admin");
    await page.getByRole("navigation").getByRole("button", { name: "医保目录" }).click();
    await page.getByRole("cell", { name: /执行中/ }).waitFor();
    await page.getByLabel("版本名称").fill("2027 年目录");
    await page.getByLabel("生效日期").fill("2027-01-01");
    const csv = (body: string) => ({
      name: "catalogue.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(body),
    });
    await page
      .getByLabel("目录文件（CSV）")
      .setInputFiles(csv("code,name,class,self_pay_percent\nX1,甲药,A,0\nX1,重复,A,0\nX2,乙药,C,5\n"));
    await page.getByRole("button", { name: "导入", exact: true }).click();
    await page.getByText("目录文件有错误，未导入任何条目（见逐行报告）").waitFor();
    const report = page.getByRole("table", { name: "逐行报告" });
    assert.deepEqual(await report.locator("tbody tr").allInnerTexts(), [
      "3\tcode\t在文件中重复出现",
      "4\tclass\t应为 A（甲类）、B（乙类）或 none（目录外）",
      "4\tself_pay_percent\t只有乙类有自付比例",
    ]);
    await page
      .getByLabel("目录文件（CSV）")
      .setInputFiles(csv("code,name,class,self_pay_percent\nX1,甲药,A,0\nX2,乙药,B,10\n"));
    await page.getByRole("button", { name: "导入", exact: true }).click();
    await page.getByText(/已导入第 \d+ 版，共 2 条，自 2027-01-01 起执行。/).waitFor();
    await page.getByRole("cell", { name: "2027 年目录" }).waitFor();
    await accessible(page, "the catalogue page");
    await shot(page, "42-catalogue");
    assert.deepEqual(pageErrors, []);
  });

  for (const [screen, label] of [
    [{ width: 390, height: 844, deviceScaleFactor: 3 }, "phone-390x844"],
    // 200% zoom of a 1366×768 screen: half the CSS pixels, each drawn twice as large.
    [{ width: 683, height: 384, deviceScaleFactor: 2 }, "zoom-200"],
  ] as const)
    it(`a holder reads the insurance, arrears, contributions and the account statement as tables (${label})`, async () => {
      const page = await newPage("Asia/Shanghai", screen);
      const holder = person("张伟");
      await holderLogin(page, { idNumber: holder.idNumber, cardNumber: holder.card });
      const insurance = page.getByRole("region", { name: "我的参保与缴费" });
      await insurance.getByText("没有欠费，未停保。").waitFor();
      const enrolments = insurance.getByRole("table", { name: "参保险种" });
      await enrolments
        .getByRole("row")
        .filter({ hasText: "职工基本医疗保险" })
        .getByText("浙江省杭州市西湖区")
        .waitFor();
      assert.ok((await enrolments.getByRole("row").filter({ hasText: "正常" }).count()) >= 1);
      const paid = insurance.getByRole("table", { name: "缴费记录（最近 36 个月）" });
      await paid.getByRole("row").filter({ hasText: "单位缴费" }).first().waitFor();
      const statement = page.getByRole("region", { name: "个人账户对账单" });
      await statement.getByRole("button", { name: "查询对账单" }).click();
      const table = statement.getByRole("table");
      await table.getByRole("cell", { name: "期初余额" }).waitFor();
      await table.getByRole("row").filter({ hasText: "每月划入" }).getByText("360.00").first().waitFor();
      await table.getByRole("row").filter({ hasText: "期末余额" }).getByText("360.00").waitFor();
      await statement.getByLabel("起始日期").fill("2026-12-31");
      await statement.getByLabel("截止日期").fill("2026-01-01");
      await statement.getByRole("button", { name: "查询对账单" }).click();
      await statement.getByRole("alert").first().waitFor();
      // Nothing wider than the screen: the page reflows instead of scrolling sideways.
      const overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      assert.ok(Number(overflow) <= 1, `no horizontal scrolling (${overflow}px)`);
      await accessible(page, `the hall's insurance (${label})`);
      await shot(page, `12-hall-insurance-${label}`);
      assert.deepEqual(pageErrors, []);
    });

  it("an employer sees its employees and what is overdue, and registers many from a CSV file with the per-row report", async () => {
    const page = await newPage();
    await staffLogin(page, "yunqi.hr");
    const list = page.getByRole("region", { name: "本单位职工" });
    await list.getByRole("cell", { name: "张*" }).waitFor();
    await list.getByText("没有逾期未登记的职工。").waitFor();
    const day = (n: number) => chinaDate(new Date(testDeps.clock.now().getTime() - n * 86_400_000));
    const csv = (rows: string[]) => ({
      name: "employees.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(["id_number,name,ethnicity,hired_on", ...rows].join("\n")),
    });
    const upload = page.getByRole("region", { name: "批量登记新职工（CSV）" });
    const late = makeIdNumber("330106", "1995-05-05", 61);
    const onTime = makeIdNumber("330106", "1996-06-06", 62);
    await upload
      .getByLabel("职工名单文件（CSV）")
      .setInputFiles(
        csv([
          `${late},钱多,01,${day(45)}`,
          `${onTime.slice(0, 17)}0,孙少,01,${day(3)}`,
          `${onTime},,01,2030-01-01`,
        ]),
      );
    await upload.getByRole("button", { name: "导入" }).click();
    await upload.getByText(/有 2 行错误，整份未登记/).waitFor();
    // In the clerk's language: line 3's check character, line 4's date in the future.
    assert.deepEqual(await upload.locator("tbody tr").allInnerTexts(), [
      "3\tidNumber\t公民身份号码无效：校验码不正确",
      "4\thiredOn\t不能晚于今天（2026-11-22）",
    ]);
    await upload
      .getByLabel("职工名单文件（CSV）")
      .setInputFiles(csv([`${late},钱多,01,${day(45)}`, `${onTime},孙少,01,${day(3)}`]));
    await upload.getByRole("button", { name: "导入" }).click();
    await upload.getByText("已登记 2 名新职工。").waitFor();
    await list.getByRole("row").filter({ hasText: "钱*" }).getByText("逾期登记").waitFor();
    await list.getByText(/有 1 名职工超过用工之日起 30 日未登记或逾期登记/).waitFor();
    assert.equal(await list.getByRole("row").filter({ hasText: "孙*" }).getByText("逾期").count(), 0);
    await accessible(page, "the employer's page");
    await shot(page, "43-employer-employees");
    assert.deepEqual(pageErrors, []);
  });

  it("an administrator reads the areas and keeps the area's working-day calendar: adds a holiday, sees what is inherited, removes its own", async () => {
    const page = await newPage();
    await staffLogin(page, "hz.admin");
    await page.getByRole("navigation").getByRole("button", { name: "地区与工作日历" }).click();
    await page
      .getByRole("table", { name: "发卡地区" })
      .getByRole("cell", { name: /杭州市/ })
      .first()
      .waitFor();
    await page.getByLabel("年份").fill("2031");
    await page.getByText("2031 年没有节假日或调休设置。").waitFor();
    await page.getByLabel("日期", { exact: true }).fill("2031-10-01");
    await page.getByLabel("名称", { exact: true }).fill("国庆节");
    await page.getByRole("button", { name: "设置节假日或调休工作日" }).last().click();
    await page.getByText("已设置 2031-10-01。").waitFor();
    const row = page.getByRole("row").filter({ hasText: "2031-10-01" });
    await row.getByText("法定节假日").waitFor();
    await accessible(page, "the areas and calendar page");
    await shot(page, "44-areas-calendar");
    await row.getByRole("button", { name: "删除 2031-10-01" }).click();
    await page.getByText("已删除 2031-10-01 的设置。").waitFor();
    await page.getByText("2031 年没有节假日或调休设置。").waitFor();
    assert.deepEqual(pageErrors, []);
  });

  it("an elder mode makes the text large and the contrast high, and the device remembers it", async () => {
    const page = await newPage();
    const bodyText = async () =>
      Number(await page.evaluate("Number.parseFloat(getComputedStyle(document.documentElement).fontSize)"));
    assert.ok((await bodyText()) < 18, `${await bodyText()} px before`);
    await page.getByRole("button", { name: "长辈模式（大字）" }).click();
    assert.equal(
      await page.getByRole("button", { name: "长辈模式（大字）" }).getAttribute("aria-pressed"),
      "true",
    );
    assert.ok((await bodyText()) >= 18, `${await bodyText()} px`);
    await page.reload();
    await page.getByRole("button", { name: "长辈模式（大字）", pressed: true }).waitFor();
    assert.ok((await bodyText()) >= 18, "remembered on the device");
    await accessible(page, "the sign-in page in elder mode");
    await shot(page, "32-elder-mode");
    assert.deepEqual(pageErrors, []);
  });

  it("a holder changes the password with the new one typed twice, each refusal beside its field", async () => {
    const c = await cardInState(testDeps, "active");
    const page = await newPage();
    await holderLogin(page, c);
    const form = page.getByRole("region", { name: "修改服务密码" }).first();
    await form.waitFor();
    // Signed in with the initial password: the hall asks for a new one.
    await page.getByText(/您仍在使用初始密码/).waitFor();
    const current = form.getByLabel("当前密码");
    const next = form.getByLabel("新密码（6 位数字）");
    const again = form.getByLabel("再次输入新密码");
    await current.fill(initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY));
    await next.fill("582046");
    await again.fill("582047");
    await form.getByRole("button", { name: "确认办理" }).click();
    await form.getByText("两次输入的新密码不一致").waitFor();
    assert.equal(await again.getAttribute("aria-invalid"), "true", "the mismatch is on the repeated field");
    await current.fill("000000");
    await again.fill("582046");
    await form.getByRole("button", { name: "确认办理" }).click();
    await current.and(page.locator("[aria-invalid=true]")).waitFor();
    assert.equal(
      await next.getAttribute("aria-invalid"),
      null,
      "a wrong current password is not the new one's fault",
    );
    await current.fill(initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY));
    await form.getByRole("button", { name: "确认办理" }).click();
    await form.getByText("密码已修改。").waitFor();
    await accessible(page, "the hall's password change");
    assert.deepEqual(pageErrors, []);
  });

  it("the kiosk with its real devices: a card inserted in pcscd's reader (authenticated by the kiosk's PSAM), its password as the agent's PIN block, the rights record printed through CUPS (the printed page's seal and QR checked), the card pulled", {
    skip: !kioskDevices && "pcscd, vpcd, smartcard or CUPS missing",
  }, async () => {
    await ensureCardKeys();
    const devices = await startKioskDevices(testDeps, { origin: base, terminalNo: "330100900002" });
    let kioskPage: Page | undefined;
    try {
      const c = await produceCard(testDeps, "插卡打印人");
      const page = await newPage();
      kioskPage = page;
      await page.evaluate(`localStorage.setItem("sscard.kiosk.agent", "${devices.url}")`);
      await page.goto(`${base}/kiosk`);
      await page.getByLabel("本终端的自助终端密钥").fill(devices.token);
      await page.getByRole("button", { name: "保存" }).click();
      await page.getByText(/社保卡读卡器：就绪；密码键盘：就绪；打印机：就绪/).waitFor();
      const card = await insertIntoVpcd(createVirtualCard(structuredClone(c.image)), { port: CARD_SLOT });
      let inserted = true;
      try {
        await page.getByText(`已读取社保卡 ${c.cardNumber}`).waitFor();
        for (const d of initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY))
          await page.locator(".keypad .keys").getByRole("button", { name: d, exact: true }).click();
        await page.getByRole("button", { name: "确定" }).click();
        await page.getByRole("button", { name: "业务查询" }).waitFor();
        await page.getByRole("button", { name: "业务办理" }).click();
        await page.getByRole("button", { name: "开具并下载（PDF，加盖业务章）" }).click();
        await page.getByText("打印完成，请取走证明").waitFor({ timeout: 60_000 });
        await shot(page, "46-kiosk-printed");
        // The serial the kiosk printed (its panel's title).
        const serial = /打印证明 (QY\d+)/.exec(await page.getByText(/打印证明 QY\d+/).innerText())![1];
        const printed = await devices.printed(serial);
        assert.ok(redPixelsOfPdf(printed) > 200, "the red seal is on the printed page");
        const qr = qrOfPdf(printed);
        const key = (await (await fetch(`${base}/api/v1/certificate-keys/330100`)).json()) as {
          publicKey: string;
        };
        assert.ok(verifyQr(qr, { "330100": key.publicKey }).ok, "the printed QR verifies");
        await card.remove();
        inserted = false;
        await page.getByText("社保卡已取出，已退出登录").waitFor();
      } finally {
        if (inserted) await card.remove();
      }
    } finally {
      // The page goes before its agent: a page left open would log its reconnections into later tests.
      await kioskPage?.context().close();
      await devices.stop();
    }
  });

  it("an office pays a month's pension to the card: the batch from a CSV file, the bank's payment file downloaded, its return file imported, the card not activated listed with the remedy; the holder reads it in the hall", async () => {
    const outlet = await testDeps.database.db
      .selectFrom("outlets")
      .select("id")
      .where("area_code", "=", "330100")
      .where("bank_code", "=", "ICBC")
      .executeTakeFirstOrThrow();
    const bankClerk = {
      ...SYSTEM_ACTOR,
      grants: [{ role: "bank_clerk" as const, areaCode: "330100", outletId: outlet.id }],
    };
    const paid = await cardInState(testDeps, "active", { name: "养老金甲", bankCode: "ICBC" });
    await testDeps.cards.activateFinancial(bankClerk, paid.cardNumber, { holderIdNumber: paid.idNumber });
    const inactive = await cardInState(testDeps, "active", { name: "养老金乙", bankCode: "ICBC" });
    const page = await newPage();
    await staffLogin(page, "hz.admin");
    await page.getByRole("navigation").getByRole("button", { name: "待遇发放" }).click();
    await page.getByLabel("批次编号").fill("YL-202611-WEB");
    await page.getByLabel("待遇类别").selectOption({ label: "养老金" });
    await page.getByLabel("所属月份").fill("2026-11");
    const csv = `id_number,name,amount_fen\n${paid.idNumber},养老金甲,320000\n${inactive.idNumber},养老金乙,280000\n${inactive.idNumber},养老金乙,abc\n`;
    await page
      .getByLabel("选择 CSV 文件")
      .setInputFiles({ name: "pension.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "提交批次" }).click();
    await page.getByText("导入完成：受理 2 行，退回 1 行（原因见下表）。").waitFor();
    await page.getByRole("cell", { name: /金额应为以分为单位的正整数/ }).waitFor();
    await page.getByRole("button", { name: "查看批次 YL-202611-WEB" }).click();
    await page.getByRole("button", { name: "生成银行代发文件" }).click();
    await page.getByText("已生成 1 个银行代发文件；新发现 1 笔无法发放。").waitFor();
    const failures = page.getByRole("table", { name: "未能发放到卡的待遇" });
    await failures.getByRole("cell", { name: "金融功能未激活", exact: true }).waitFor();
    await failures.getByRole("cell", { name: /到中国工商银行任一网点激活金融功能/ }).waitFor();
    assert.ok(!(await failures.innerText()).includes(inactive.idNumber), "the ID number is masked");
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "下载代发文件" }).click(),
    ]);
    const sent = readFileSync(await file.path(), "utf8")
      .trim()
      .split("\n");
    assert.equal(sent[0], "payment_id,card_number,name,amount_fen,kind,period");
    assert.equal(sent.length, 2, "only the card whose financial function is active");
    const [paymentId, cardNumber, , amount] = sent[1].split(",");
    assert.deepEqual([cardNumber, amount], [paid.cardNumber, "320000"]);
    await page.getByLabel("导入 ICBC 回盘文件").setInputFiles({
      name: "return.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`payment_id,result,bank_txn_no\n${paymentId},paid,ICBC-WEB-0001\n`),
    });
    await page.getByText("导入完成：受理 1 行，退回 0 行（原因见下表）。").waitFor();
    await page.getByRole("cell", { name: "3200.00" }).nth(1).waitFor();
    await accessible(page, "the benefits page");
    await shot(page, "60-benefits-office");
    await signOut(page);

    await holderLogin(page, inactive);
    const mine = page.getByRole("region", { name: "我的待遇发放" });
    await mine
      .getByText(/2026-11 的养老金 2800\.00 元未能发放到社会保障卡：.*到中国工商银行任一网点激活金融功能/)
      .waitFor();
    await mine.getByRole("cell", { name: "未到账" }).waitFor();
    await accessible(page, "the hall's benefits");
    await shot(page, "61-benefits-hall");
    assert.deepEqual(pageErrors, []);
  });

  it("a city applies to issue cards: the province registers it, the city uploads the six materials and the five conditions, the province returns it with a reason and then forwards it, the ministry approves it and the city sees its issuer ID", async () => {
    const page = await newPage();
    await staffLogin(page, "zj.admin");
    await page.getByRole("navigation").getByRole("button", { name: "发卡申请" }).click();
    await page.getByLabel("所属区域代码").fill("330300");
    await page.getByRole("button", { name: "登记地区（市、县区）" }).click();
    await page.getByText("已登记地区 330300。").waitFor();
    await signOut(page);

    await testDeps.staff.createAccount(SYSTEM_ACTOR, {
      username: "wz.admin",
      displayName: "温州市管理员",
      password: "Wenzhou-admin-2026",
      grants: [{ role: "city_admin", areaCode: "330300" }],
    });
    await page.getByLabel("用户名").fill("wz.admin");
    await page.getByLabel("密码", { exact: true }).fill("Wenzhou-admin-2026");
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.getByRole("navigation").getByRole("button", { name: "发卡申请" }).click();
    await page.getByLabel("所属区域代码").fill("330300");
    await page.getByRole("button", { name: "开启发卡申请" }).click();
    await page.getByText("已为 330300 开启发卡申请。").waitFor();
    const app = page.getByRole("region", { name: "330300 的发卡申请（草稿）" });
    const files: [string, string, Buffer][] = [
      ["发行登记申请表", "application/pdf", Buffer.from("%PDF-1.7\n%%EOF\n")],
      ["准备工作情况说明", "application/pdf", Buffer.from("%PDF-1.7\n%%EOF\n")],
      ["卡内应用数据项和文件结构", "application/json", Buffer.from('{"EF05":["01","02"],"EF0D":["local"]}')],
      ["卡面样式", "image/png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
      ["管理办法及实施细则", "application/pdf", Buffer.from("%PDF-1.7\n%%EOF\n")],
      ["其他材料", "application/pdf", Buffer.from("%PDF-1.7\n%%EOF\n")],
    ];
    // A PNG called a registration form is refused with the reason, beside the page.
    await app
      .getByLabel("上传：发行登记申请表")
      .setInputFiles({ name: "表.pdf", mimeType: "image/png", buffer: files[3][2] });
    await page.getByText(/材料 registration_form 不符合要求（type_not_allowed）/).waitFor();
    for (const [what, mimeType, buffer] of files) {
      await app
        .getByLabel(`上传：${what}`)
        .setInputFiles({ name: `${what}.${mimeType.split("/")[1]}`, mimeType, buffer });
      await page.getByText(`已上传 ${what}.${mimeType.split("/")[1]}。`).waitFor();
    }
    for (const condition of [
      "业务管理系统、数据库和信息网络",
      "技术力量（人员和设备）",
      "规范可行的实施方案",
      "发行管理制度、内控程序和应急预案",
      "部规定的其他条件",
    ]) {
      await app.getByRole("checkbox", { name: condition }).check();
      await app.getByLabel(`证明材料说明：${condition}`).fill(`${condition}：见附件`);
    }
    await app.getByRole("button", { name: "保存条件" }).click();
    await page.getByText("条件已保存。").waitFor();
    await app.getByRole("button", { name: "提交申请" }).click();
    await page.getByText("申请已提交。").waitFor();
    await page.getByRole("region", { name: "330300 的发卡申请（省级审核中）" }).waitFor();
    await accessible(page, "the application page (applicant)");
    await shot(page, "62-application-city");
    await signOut(page);

    await staffLogin(page, "zj.admin");
    await page.getByRole("navigation").getByRole("button", { name: "发卡申请" }).click();
    const atProvince = page.getByRole("region", { name: "330300 的发卡申请（省级审核中）" });
    await atProvince.getByLabel("退回原因").fill("应急预案缺少数据备份演练记录");
    await atProvince.getByRole("button", { name: "退回申请" }).click();
    await page.getByText("已退回。").waitFor();
    await signOut(page);

    await page.getByLabel("用户名").fill("wz.admin");
    await page.getByLabel("密码", { exact: true }).fill("Wenzhou-admin-2026");
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.getByRole("navigation").getByRole("button", { name: "发卡申请" }).click();
    const returned = page.getByRole("region", { name: "330300 的发卡申请（已退回）" });
    await returned.getByText("zj.admin 退回：应急预案缺少数据备份演练记录").waitFor();
    await returned.getByRole("button", { name: "提交申请" }).click();
    await page.getByText("申请已提交。").waitFor();
    await signOut(page);

    await staffLogin(page, "zj.admin");
    await page.getByRole("navigation").getByRole("button", { name: "发卡申请" }).click();
    await page
      .getByRole("region", { name: "330300 的发卡申请（省级审核中）" })
      .getByRole("button", { name: "审核通过，转报人力资源社会保障部" })
      .click();
    await page.getByText("已转报部级。").waitFor();
    await signOut(page);

    await staffLogin(page, "admin");
    await page.getByRole("navigation").getByRole("button", { name: "发卡申请" }).click();
    const atMinistry = page.getByRole("region", { name: "330300 的发卡申请（部级审批中）" });
    await atMinistry.getByRole("button", { name: "批准并分配发卡机构标识号" }).click();
    await page.getByText("已批准，发卡机构标识号：3303000001").waitFor();
    const steps = page.getByRole("table", { name: "办理记录" });
    assert.deepEqual(
      (await steps.locator("tbody tr td:nth-child(3)").allInnerTexts()).filter((s) => s !== "开启申请"),
      ["提交", "退回", "提交", "省级转报", "部级批准"],
    );
    await accessible(page, "the application page (ministry)");
    await shot(page, "63-application-approved");
    const area = await testDeps.database.db
      .selectFrom("areas")
      .select("issuer_id")
      .where("code", "=", "330300")
      .executeTakeFirstOrThrow();
    assert.equal(area.issuer_id, "3303000001");
    assert.deepEqual(pageErrors, []);
  });

  it("the ministry issues PSAMs and distributes one to Ningbo; Ningbo's administrator sees it in stock with its hand-overs", async () => {
    const page = await newPage();
    await staffLogin(page, "admin");
    await page.getByRole("navigation").getByRole("button", { name: "PSAM 卡" }).click();
    await page.getByLabel("发行数量").fill("2");
    await page.getByRole("button", { name: "发行 PSAM" }).click();
    await page.getByText("已发行 2 张 PSAM。").waitFor();
    const stock = page.getByRole("group", { name: "部级库存" });
    const first = stock.getByRole("checkbox").first();
    const serial = (await stock.locator("label.checkbox").first().innerText()).trim();
    assert.match(serial, /^PSAM[0-9A-F]{16}$/);
    await first.check();
    await page.getByLabel("分发至地区代码").fill("330200");
    await page.getByRole("button", { name: "分发所选 PSAM" }).click();
    await page.getByText("已将 1 张 PSAM 分发至 330200。").waitFor();
    await page.getByRole("row", { name: new RegExp(`${serial} 地区库存 330200`) }).waitFor();
    await accessible(page, "the PSAM page (ministry)");
    await signOut(page);

    await staffLogin(page, "nb.admin");
    await page.getByRole("navigation").getByRole("button", { name: "PSAM 卡" }).click();
    await page.getByRole("button", { name: `${serial} 的交接记录` }).click();
    const moves = page.getByRole("table", { name: `${serial} 的交接记录` });
    await moves.getByRole("cell", { name: "分发至地区" }).waitFor();
    assert.deepEqual(await moves.locator("tbody tr td:nth-child(3)").allInnerTexts(), [
      "部级发行",
      "分发至地区",
    ]);
    assert.equal(
      await page.getByRole("button", { name: "发行 PSAM" }).count(),
      0,
      "an area does not issue PSAMs",
    );
    await accessible(page, "the PSAM page (area)");
    await shot(page, "64-psams");
    assert.deepEqual(pageErrors, []);
  });

  it("a transport key ceremony under dual control: Ningbo's administrator opens it and enters one component, the province's the other; each sees only check values; a local key is generated", async () => {
    const [a, b] = ["0123456789ABCDEF0123456789ABCDEF", "FEDCBA9876543210FEDCBA9876543210"];
    const kcv = (hex: string) => keyCheckValue("SM4", Buffer.from(hex, "hex"));
    const page = await newPage();
    await staffLogin(page, "nb.admin");
    await page.getByRole("navigation").getByRole("button", { name: "密钥仪式" }).click();
    await page.getByLabel("仪式类型").selectOption({ label: "传输密钥" });
    await page.getByLabel("地区代码").fill("330200");
    await page.getByLabel("共享方").selectOption({ label: "制卡厂" });
    await page.getByLabel("密钥版本").fill("7");
    await page.getByRole("button", { name: "开启仪式" }).click();
    await page.getByText("已开启 tk-factory-330200-SM4-v7 的密钥仪式。").waitFor();
    const ceremony = page.getByRole("region", { name: "tk-factory-330200-SM4-v7 的密钥仪式" });
    await ceremony.getByLabel("您的分量（十六进制）").fill(a);
    await ceremony.getByRole("button", { name: "录入分量" }).click();
    await page.getByText(`已录入您的分量，校验值 ${kcv(a)}。`).waitFor();
    await ceremony.getByText("已录入 1 / 2 个分量", { exact: false }).waitFor();
    assert.equal(
      await ceremony.getByLabel("您的分量（十六进制）").inputValue(),
      "",
      "the component is not kept in the page",
    );
    // The same custodian cannot enter the second component.
    await ceremony.getByLabel("您的分量（十六进制）").fill(b);
    await ceremony.getByRole("button", { name: "录入分量" }).click();
    await page.getByText(/双人控制：您已录入过本仪式的一个分量/).waitFor();
    await accessible(page, "the key ceremony page (first custodian)");
    await signOut(page);

    await staffLogin(page, "zj.admin");
    await page.getByRole("navigation").getByRole("button", { name: "密钥仪式" }).click();
    const atProvince = page.getByRole("region", { name: "tk-factory-330200-SM4-v7 的密钥仪式" });
    await atProvince.getByText(new RegExp(`nb.admin · ${kcv(a)}`)).waitFor();
    await atProvince.getByLabel("您的分量（十六进制）").fill(b);
    await atProvince.getByRole("button", { name: "录入分量" }).click();
    const key = Buffer.from(a, "hex").map((v, i) => v ^ Buffer.from(b, "hex")[i]);
    await page
      .getByText(
        `仪式完成：tk-factory-330200-SM4-v7 已存入加密机，密钥校验值 ${keyCheckValue("SM4", Buffer.from(key))}。`,
        { exact: false },
      )
      .waitFor();
    const record = page.getByRole("table", { name: "仪式记录" });
    const row = record.getByRole("row", { name: /tk-factory-330200-SM4-v7/ });
    assert.match(await row.innerText(), new RegExp(`已完成[\\s\\S]*nb.admin ${kcv(a)}；zj.admin ${kcv(b)}`));
    assert.ok(
      !(await page.content()).includes(a) && !(await page.content()).includes(b),
      "no component on the page",
    );
    await page.getByRole("navigation").getByRole("button", { name: "密钥状态" }).click();
    await page
      .getByRole("table", { name: "密钥状态" })
      .getByRole("cell", { name: "tk-factory-330200-SM4-v7" })
      .waitFor();
    await signOut(page);

    await staffLogin(page, "nb.admin");
    await page.getByRole("navigation").getByRole("button", { name: "密钥仪式" }).click();
    await page.getByLabel("仪式类型").selectOption({ label: "本地扩展文件密钥（生成）" });
    await page.getByLabel("地区代码").fill("330200");
    await page.getByLabel("密钥版本").fill("3");
    await page.getByRole("button", { name: "开启仪式" }).click();
    await page.getByText("加密机已生成 local-330200-EXT-SM4-v3。").waitFor();
    await page
      .getByRole("table", { name: "仪式记录" })
      .getByRole("row", { name: /local-330200-EXT-SM4-v3/ })
      .getByText("已完成")
      .waitFor();
    await accessible(page, "the key ceremony page");
    await shot(page, "65-key-ceremony");
    assert.deepEqual(pageErrors, []);
  });

  it("a locked card says why: when, after how many wrong passwords, and where the last one was typed", async () => {
    const c = await cardInState(testDeps, "active");
    const kiosk = { ...actorWith("outlet_clerk", "330100"), channel: "kiosk" as const };
    for (let i = 0; i < 6; i++)
      await testDeps.credentials
        .verify(kiosk, c.cardNumber, { pin: "000000", purpose: "query" }, `198.51.100.${i}`)
        .catch(() => undefined);
    const page = await newPage();
    await staffLogin(page, "hz.clerk");
    await page.getByLabel("身份证号码或社保卡卡号").fill(c.cardNumber);
    await page.getByLabel("身份证号码或社保卡卡号").press("Enter");
    const card = page.locator("article.card-item").first();
    await card.locator(".state", { hasText: "密码锁定" }).waitFor();
    await card
      .getByText(/密码已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 锁定：连续 6 次输入错误；最后一次错误：.*自助/)
      .waitFor();
    await accessible(page, "a locked card at the counter");
    assert.deepEqual(pageErrors, []);
  });
});
