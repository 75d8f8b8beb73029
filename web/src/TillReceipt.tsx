import { useState } from "react";
import { api, apiFile } from "./api.ts";
import { chinaDay, localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Notice, Section, useAction } from "./ui.tsx";

export type Receipt = {
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
    refundedQuantity: number;
    amountFen: number;
    accountFen: number;
    selfFen: number;
  }[];
  totals: { totalFen: number; coveredFen: number; accountFen: number; selfFen: number };
  refunded: { accountFen: number; selfFen: number };
};

/** Yuan as the till shows them: 12.50. */
export const yuan = (fen: number) => (fen / 100).toFixed(2);

/** The receipt as printed for the holder, with its refund: whole, or some units of some lines. */
export function TillReceipt(props: {
  receipt: Receipt;
  terminalNo: string;
  onRefunded: (r: Receipt) => void;
  onNext: () => void;
}) {
  const t = useT();
  const r = props.receipt;
  const { busy, error, run } = useAction();
  const refunded = r.refunded.accountFen + r.refunded.selfFen;
  const [back, setBack] = useState<Record<number, string>>({});
  const refundable = r.state !== "reversed";
  const refund = (lines?: { line: number; quantity: number }[]) =>
    run(async () => {
      await api("POST", `/settlements/${r.settlementId}/refunds`, {
        terminalNo: props.terminalNo,
        idempotencyKey: `till-refund-${crypto.randomUUID()}`,
        ...(lines ? { lines } : {}),
      });
      setBack({});
      props.onRefunded(await api<Receipt>("GET", `/settlements/${r.settlementId}`));
    });
  const chosen = Object.entries(back)
    .map(([line, q]) => ({ line: Number(line), quantity: Number(q) }))
    .filter((l) => l.quantity > 0);
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
              {refundable ? (
                <th scope="col" className="no-print">
                  {t("refundQuantity")}
                </th>
              ) : null}
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
                {refundable ? (
                  <td className="no-print">
                    {i.quantity > i.refundedQuantity ? (
                      <input
                        aria-label={t("refundQuantityOf", {
                          name: i.name,
                          left: i.quantity - i.refundedQuantity,
                        })}
                        inputMode="numeric"
                        value={back[i.line] ?? ""}
                        onChange={(e) => setBack((b) => ({ ...b, [i.line]: e.target.value }))}
                      />
                    ) : (
                      t("refundedAll")
                    )}
                  </td>
                ) : null}
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
        {refundable && chosen.length ? (
          <button type="button" disabled={busy} onClick={() => void refund(chosen)}>
            {t("refundChosen")}
          </button>
        ) : null}
        {r.state === "settled" && !refunded ? (
          <button type="button" disabled={busy} onClick={() => void refund()}>
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
export function TillDay({ institutionId }: { institutionId: string }) {
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
