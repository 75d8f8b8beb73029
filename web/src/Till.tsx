import { useState } from "react";
import { api } from "./api.ts";
import { type TextKey, useT } from "./i18n.tsx";
import { type Receipt, TillDay, TillReceipt, yuan } from "./TillReceipt.tsx";
import { Field, Notice, Section, useAction } from "./ui.tsx";

type Item = { code: string; name: string; class: string; selfPayBp: number };
type Line = { key: string; code: string; name: string; class: string; quantity: string; unitPrice: string };
type Quote = {
  lines: { line: number; name: string; class: string; amountFen: number; coveredFen: number }[];
  totals: { totalFen: number; coveredFen: number };
};
const TERMINAL = "sscard.terminal";
type Medium = "reader" | "card" | "ecard" | "tempcert";
/** How the holder pays: the card in the terminal's reader, the card's number and password, the e-card. */
const MEDIA: readonly { medium: Medium; label: TextKey }[] = [
  { medium: "card", label: "payByCard" },
  { medium: "reader", label: "payByReader" },
  { medium: "ecard", label: "payByEcard" },
  { medium: "tempcert", label: "payByTempCert" },
];
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
  const [medium, setMedium] = useState<Medium>("card");
  const [cardNumber, setCardNumber] = useState("");
  const [pin, setPin] = useState("");
  const [code, setCode] = useState("");
  const [slot, setSlot] = useState("");
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
        ...(medium === "reader" ? { readerSlotId: slot.trim() } : {}),
        ...(medium === "tempcert"
          ? { temporaryCertificate: { number: cardNumber.trim().toUpperCase(), pin } }
          : {}),
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
            {MEDIA.map((m) => (
              <label key={m.medium}>
                <input
                  type="radio"
                  name="medium"
                  checked={medium === m.medium}
                  onChange={() => setMedium(m.medium)}
                />
                {t(m.label)}
              </label>
            ))}
          </fieldset>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void pay();
            }}
          >
            {medium === "reader" ? <ReaderCard slot={slot} onSlot={setSlot} /> : null}
            {medium === "card" || medium === "tempcert" ? (
              <>
                {medium === "card" ? (
                  <Field label={t("cardNumber")} value={cardNumber} onChange={setCardNumber} maxLength={9} />
                ) : (
                  <Field
                    label={t("tempCertNo")}
                    hint={t("tempCertHint")}
                    value={cardNumber}
                    onChange={setCardNumber}
                    maxLength={24}
                  />
                )}
                <Field
                  label={t("cardPassword")}
                  type="password"
                  value={pin}
                  onChange={setPin}
                  inputMode="numeric"
                  maxLength={6}
                />
              </>
            ) : null}
            {medium === "ecard" ? (
              <Field label={t("paymentCode")} hint={t("paymentCodeHint")} value={code} onChange={setCode} />
            ) : null}
            <button type="submit" className="primary" disabled={busy}>
              {t("settleNow")}
            </button>
          </form>
        </Section>
      ) : null}
    </>
  );
}

type CardBasics = { name: string; cardNumber: string; validUntil: string };

/**
 * The card in the terminal's reader: the reader's slot, the card read (the PSAM authenticates it both
 * ways and checks it), then the holder's password on the PIN pad verified by the chip.
 */
function ReaderCard({ slot, onSlot }: { slot: string; onSlot: (slot: string) => void }) {
  const t = useT();
  const [card, setCard] = useState<CardBasics | undefined>();
  const [pin, setPin] = useState("");
  const [pinResult, setPinResult] = useState<{ ok: boolean; triesLeft?: number } | undefined>();
  const { busy, error, run } = useAction();
  const path = (step: string) => `/reader/slots/${encodeURIComponent(slot.trim())}/${step}`;
  return (
    <div className="reader">
      {error ? <Notice kind="error">{error}</Notice> : null}
      <Field label={t("readerSlot")} hint={t("readerSlotHint")} value={slot} onChange={onSlot} />
      <button
        type="button"
        disabled={busy || !slot.trim()}
        onClick={() =>
          void run(async () => {
            setPinResult(undefined);
            setCard(await api<CardBasics>("POST", path("read-card-basic")));
          })
        }
      >
        {t("readCard")}
      </button>
      {card ? <p role="status">{t("cardRead", { ...card })}</p> : null}
      {card ? (
        <>
          <Field
            label={t("chipPin")}
            type="password"
            value={pin}
            onChange={setPin}
            inputMode="numeric"
            maxLength={6}
          />
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                setPinResult(
                  await api<{ ok: boolean; triesLeft?: number }>("POST", path("verify-pin"), { pin }),
                );
                setPin("");
              })
            }
          >
            {t("verifyChipPin")}
          </button>
        </>
      ) : null}
      {pinResult ? (
        <Notice kind={pinResult.ok ? "ok" : "error"}>
          {pinResult.ok ? t("chipPinOk") : t("chipPinWrong", { left: pinResult.triesLeft ?? 0 })}
        </Notice>
      ) : null}
    </div>
  );
}
