import { useState } from "react";
import { api, apiFile } from "./api.ts";
import { chinaDay, localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, useAction } from "./ui.tsx";

type Item = { code: string; name: string; class: string; selfPayBp: number };
type Line = { key: string; code: string; name: string; class: string; quantity: string; unitPrice: string };
type Quote = {
  lines: { line: number; name: string; class: string; amountFen: number; coveredFen: number }[];
  totals: { totalFen: number; coveredFen: number };
};
type Receipt = {
  settlementId: string;
  state: string;
  institution: { code: string; name: string };
  terminalNo: string;
  medium: string;
  cardNumberMasked: string;
  at: string;
  items: {
    line: number;
    name: string;
    class: string;
    quantity: number;
    amountFen: number;
    accountFen: number;
    selfFen: number;
  }[];
  totals: { totalFen: number; coveredFen: number; accountFen: number; selfFen: number };
  refunded: { accountFen: number; selfFen: number };
};

const TERMINAL = "sscard.terminal";
/** Yuan as the till shows them: 12.50. */
const yuan = (fen: number) => (fen / 100).toFixed(2);
/** A price typed in yuan (up to two decimals) as fen, or NaN. */
const toFen = (text: string) =>
  /^\d+(\.\d{1,2})?$/.test(text.trim()) ? Math.round(Number(text) * 100) : NaN;

/**
 * The pharmacy and hospital till: the basket from the catalogue in force (found by code or name),
 * its split by class before anyone pays, payment by card number and password or by an e-card
 * payment code (a scanner types it and Enter), the printable receipt and its refund.
 */
export function Till({ institutionId }: { institutionId: string }) {
  const t = useT();
  const [terminalNo, setTerminalNo] = useState(() => localStorage.getItem(TERMINAL) ?? "");
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<Item[]>([]);
  const [lines, setLines] = useState<Line[]>([]);
  const [quote, setQuote] = useState<Quote | undefined>();
  const [medium, setMedium] = useState<"card" | "ecard">("card");
  const [cardNumber, setCardNumber] = useState("");
  const [pin, setPin] = useState("");
  const [code, setCode] = useState("");
  const [receipt, setReceipt] = useState<Receipt | undefined>();
  const { busy, error, run } = useAction();

  const basket = () =>
    lines.map((l) => ({ code: l.code, quantity: Number(l.quantity), unitPriceFen: toFen(l.unitPrice) }));
  const change = (i: number, key: "quantity" | "unitPrice", value: string) => {
    setQuote(undefined);
    setLines((ls) => ls.map((l, k) => (k === i ? { ...l, [key]: value } : l)));
  };
  const rememberTerminal = (value: string) => {
    setTerminalNo(value);
    localStorage.setItem(TERMINAL, value);
  };
  const pay = () =>
    run(async () => {
      const r = await api<Receipt>("POST", "/settlements", {
        terminalNo,
        idempotencyKey: `till-${crypto.randomUUID()}`,
        items: basket(),
        ...(medium === "card" ? { card: { cardNumber: cardNumber.trim().toUpperCase(), pin } } : {}),
        ...(medium === "ecard" ? { ecardCode: code.trim() } : {}),
      });
      setReceipt(r);
      setPin("");
      setCode("");
    });

  if (receipt)
    return (
      <TillReceipt
        receipt={receipt}
        terminalNo={terminalNo}
        onRefunded={setReceipt}
        onNext={() => {
          setReceipt(undefined);
          setLines([]);
          setQuote(undefined);
        }}
      />
    );
  return (
    <>
      <TillDay institutionId={institutionId} />
      <Section title={t("tillBasket")}>
        {error ? <Notice kind="error">{error}</Notice> : null}
        <Field
          label={t("terminalNo")}
          value={terminalNo}
          onChange={rememberTerminal}
          inputMode="numeric"
          maxLength={12}
        />
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () =>
              setFound(
                (await api<{ items: Item[] }>("GET", `/catalogue/items?q=${encodeURIComponent(search)}`))
                  .items,
              ),
            );
          }}
        >
          <Field label={t("itemSearch")} value={search} onChange={setSearch} />
          <button type="submit" disabled={busy}>
            {t("find")}
          </button>
        </form>
        <ul className="found">
          {found.map((item) => (
            <li key={item.code}>
              {item.name} · {item.code} · {t("itemClass", { class: t.code(`class_${item.class}`) })}{" "}
              <button
                type="button"
                onClick={() => {
                  setQuote(undefined);
                  setLines((ls) => [
                    ...ls,
                    { ...item, key: crypto.randomUUID(), quantity: "1", unitPrice: "" },
                  ]);
                }}
              >
                {t("addItem", { name: item.name })}
              </button>
            </li>
          ))}
        </ul>
        {lines.length ? (
          <table className="table">
            <caption>{t("tillBasket")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("item")}</th>
                <th scope="col">{t("quantity")}</th>
                <th scope="col">{t("unitPriceYuan")}</th>
                <th scope="col">{t("coveredYuan")}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l, i) => (
                <tr key={l.key}>
                  <td>
                    {l.name} ({t.code(`class_${l.class}`)})
                  </td>
                  <td>
                    <input
                      aria-label={`${t("quantity")} ${l.name}`}
                      inputMode="numeric"
                      value={l.quantity}
                      onChange={(e) => change(i, "quantity", e.target.value)}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={`${t("unitPriceYuan")} ${l.name}`}
                      inputMode="decimal"
                      value={l.unitPrice}
                      onChange={(e) => change(i, "unitPrice", e.target.value)}
                    />
                  </td>
                  <td>{quote ? yuan(quote.lines[i]?.coveredFen ?? 0) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {lines.length ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () =>
                setQuote(await api<Quote>("POST", "/settlements/quote", { terminalNo, items: basket() })),
              )
            }
          >
            {t("priceBasket")}
          </button>
        ) : null}
        {quote ? (
          <p className="quote" role="status">
            {t("quoteTotals", {
              total: yuan(quote.totals.totalFen),
              covered: yuan(quote.totals.coveredFen),
              self: yuan(quote.totals.totalFen - quote.totals.coveredFen),
            })}
          </p>
        ) : null}
      </Section>
      {quote ? (
        <Section title={t("tillPay")}>
          <fieldset className="choice">
            <legend>{t("payBy")}</legend>
            {(["card", "ecard"] as const).map((m) => (
              <label key={m}>
                <input type="radio" name="medium" checked={medium === m} onChange={() => setMedium(m)} />
                {t(m === "card" ? "payByCard" : "payByEcard")}
              </label>
            ))}
          </fieldset>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void pay();
            }}
          >
            {medium === "card" ? (
              <>
                <Field label={t("cardNumber")} value={cardNumber} onChange={setCardNumber} maxLength={9} />
                <Field
                  label={t("cardPassword")}
                  type="password"
                  value={pin}
                  onChange={setPin}
                  inputMode="numeric"
                  maxLength={6}
                />
              </>
            ) : (
              <Field label={t("paymentCode")} hint={t("paymentCodeHint")} value={code} onChange={setCode} />
            )}
            <button type="submit" className="primary" disabled={busy}>
              {t("settleNow")}
            </button>
          </form>
        </Section>
      ) : null}
    </>
  );
}

/** The receipt as printed for the holder, with the whole refund. */
function TillReceipt(props: {
  receipt: Receipt;
  terminalNo: string;
  onRefunded: (r: Receipt) => void;
  onNext: () => void;
}) {
  const t = useT();
  const r = props.receipt;
  const { busy, error, run } = useAction();
  const refunded = r.refunded.accountFen + r.refunded.selfFen;
  return (
    <Section title={t("receipt")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="receipt">
        <p>
          {r.institution.name} · {t("terminalNo")} {r.terminalNo} · {localTime(r.at, { seconds: true })}
        </p>
        <p>
          {t("cardNumber")} {r.cardNumberMasked} · {t.code(r.medium)}
        </p>
        <table className="table">
          <caption>{t("receipt")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("item")}</th>
              <th scope="col">{t("quantity")}</th>
              <th scope="col">{t("amountYuan")}</th>
              <th scope="col">{t("accountYuan")}</th>
              <th scope="col">{t("selfYuan")}</th>
            </tr>
          </thead>
          <tbody>
            {r.items.map((i) => (
              <tr key={i.line}>
                <td>
                  {i.name} ({t.code(`class_${i.class}`)})
                </td>
                <td>{i.quantity}</td>
                <td>{yuan(i.amountFen)}</td>
                <td>{yuan(i.accountFen)}</td>
                <td>{yuan(i.selfFen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="totals">
          {t("receiptTotals", {
            total: yuan(r.totals.totalFen),
            account: yuan(r.totals.accountFen),
            self: yuan(r.totals.selfFen),
          })}
        </p>
        {refunded ? <p className="refunded">{t("refundedYuan", { amount: yuan(refunded) })}</p> : null}
      </div>
      <div className="actions no-print">
        <button type="button" onClick={() => print()}>
          {t("printReceipt")}
        </button>
        {r.state === "settled" && !refunded ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await api("POST", `/settlements/${r.settlementId}/refunds`, {
                  terminalNo: props.terminalNo,
                  idempotencyKey: `till-refund-${crypto.randomUUID()}`,
                });
                props.onRefunded(await api<Receipt>("GET", `/settlements/${r.settlementId}`));
              })
            }
          >
            {t("refundAll")}
          </button>
        ) : null}
        <button type="button" className="primary" onClick={props.onNext}>
          {t("nextCustomer")}
        </button>
      </div>
      <p className="field-hint no-print">{t("tillToday", { day: chinaDay() })}</p>
    </Section>
  );
}

type Reconciliation = {
  institution: { code: string; name: string };
  day: string;
  count: number;
  byAccount: { personalAccountFen: number; selfPaidFen: number; totalFen: number };
  refunds: { count: number; accountFen: number; selfFen: number };
};

/** The day's reconciliation of the operator's institution, and its file (CSV) to download. */
function TillDay({ institutionId }: { institutionId: string }) {
  const t = useT();
  const [day, setDay] = useState<Reconciliation | undefined>();
  const { busy, error, run } = useAction();
  const codeOf = async () => {
    const all = await api<{ id: string; code: string }[]>("GET", "/institutions");
    const mine = all.find((i) => i.id === institutionId);
    if (!mine) throw new Error(t("noInstitution"));
    return mine.code;
  };
  return (
    <Section title={t("tillDay")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="buttons">
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(async () =>
              setDay(
                await api<Reconciliation>(
                  "GET",
                  `/institutions/${encodeURIComponent(await codeOf())}/reconciliation?day=${chinaDay()}`,
                ),
              ),
            )
          }
        >
          {t("reconcileToday")}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const code = await codeOf();
              const csv = await apiFile(
                `/institutions/${encodeURIComponent(code)}/reconciliation.csv?day=${chinaDay()}`,
              );
              const link = document.createElement("a");
              link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
              link.download = `reconciliation-${code}-${chinaDay()}.csv`;
              link.click();
              URL.revokeObjectURL(link.href);
            })
          }
        >
          {t("reconciliationFile")}
        </button>
      </div>
      {day ? (
        <p role="status">
          {t("reconciliationTotals", {
            day: day.day,
            count: day.count,
            total: yuan(day.byAccount.totalFen),
            account: yuan(day.byAccount.personalAccountFen),
            self: yuan(day.byAccount.selfPaidFen),
            refunds: day.refunds.count,
          })}
        </p>
      ) : null}
    </Section>
  );
}
