import { useEffect, useState } from "react";
import { api } from "./api.ts";
import { chinaDay, localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, useAction } from "./ui.tsx";

type Insurance = {
  enrolments: { id: string; scheme: string; areaName: string; status: string; startDate: string }[];
  arrears: { id: string; coordinationArea: string; fromDate: string }[];
};
type Contribution = {
  month: string;
  payer: string;
  employerFen: number;
  personalFen: number;
  paidAt: string;
};
type Statement = {
  openingFen: number;
  closingFen: number;
  entries: { day: string; at: string; kind: string; amountFen: number; balanceFen: number }[];
};

const yuan = (fen: number) => (fen / 100).toFixed(2);

/**
 * The holder's insurance in the hall: the enrolments with their status, whether there are arrears or a
 * payment suspension (the seed asks the holder to check), and the contributions paid by month.
 */
export function HallInsurance({ contributions }: { contributions: readonly Contribution[] | undefined }) {
  const t = useT();
  const [insurance, setInsurance] = useState<Insurance | undefined>();
  const { error, run } = useAction();
  useEffect(() => {
    void run(async () => setInsurance(await api<Insurance>("GET", "/holder/enrolments")));
  }, [run]);
  return (
    <Section title={t("myInsurance")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {insurance?.arrears.length ? (
        <Notice kind="warning">
          {insurance.arrears.map((a) => t("arrearsInForce", { from: a.fromDate })).join(" ")}
        </Notice>
      ) : insurance ? (
        <Notice kind="ok">{t("noArrears")}</Notice>
      ) : null}
      {insurance?.enrolments.length ? (
        <table className="table">
          <caption>{t("myEnrolments")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("scheme")}</th>
              <th scope="col">{t("insuredIn")}</th>
              <th scope="col">{t("since")}</th>
              <th scope="col">{t("status")}</th>
            </tr>
          </thead>
          <tbody>
            {insurance.enrolments.map((e) => (
              <tr key={e.id}>
                <td>{t.code(e.scheme)}</td>
                <td>{e.areaName}</td>
                <td>{e.startDate}</td>
                <td>{t.code(e.status)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : insurance ? (
        <p>{t("noEnrolments")}</p>
      ) : null}
      {contributions?.length ? (
        <table className="table">
          <caption>{t("myContributions")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("month")}</th>
              <th scope="col">{t("paidBy")}</th>
              <th scope="col">{t("employerPartYuan")}</th>
              <th scope="col">{t("personalPartYuan")}</th>
              <th scope="col">{t("paidAt")}</th>
            </tr>
          </thead>
          <tbody>
            {contributions.map((c) => (
              <tr key={c.month}>
                <td>{c.month}</td>
                <td>{t(c.payer === "self" ? "paidBySelf" : "paidByEmployer")}</td>
                <td>{yuan(c.employerFen)}</td>
                <td>{yuan(c.personalFen)}</td>
                <td>{localTime(c.paidAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

/** The account statement for a period as a table: opening balance, each entry with the running balance, closing. */
export function HallStatement() {
  const t = useT();
  const [from, setFrom] = useState(`${chinaDay().slice(0, 4)}-01-01`);
  const [to, setTo] = useState(chinaDay());
  const [statement, setStatement] = useState<Statement | undefined>();
  const { busy, error, fieldErrors, run } = useAction();
  return (
    <Section title={t("statement")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () =>
            setStatement(await api<Statement>("GET", `/holder/medical/statement?from=${from}&to=${to}`)),
          );
        }}
      >
        <Field
          label={t("statementFrom")}
          type="date"
          value={from}
          onChange={setFrom}
          error={fieldErrors.from}
        />
        <Field label={t("statementTo")} type="date" value={to} onChange={setTo} error={fieldErrors.to} />
        <button type="submit" disabled={busy}>
          {t("showStatement")}
        </button>
      </form>
      {statement ? (
        <table className="table">
          <caption>{t("statementCaption", { from, to })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("medicalDay")}</th>
              <th scope="col">{t("entryKind")}</th>
              <th scope="col">{t("amountYuan")}</th>
              <th scope="col">{t("balanceYuan")}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{from}</td>
              <td>{t("openingBalance")}</td>
              <td />
              <td>{yuan(statement.openingFen)}</td>
            </tr>
            {statement.entries.map((e) => (
              <tr key={`${e.at}-${e.kind}-${e.amountFen}-${e.balanceFen}`}>
                <td>{e.day}</td>
                <td>{t.code(`entry_${e.kind}`)}</td>
                <td>{yuan(e.amountFen)}</td>
                <td>{yuan(e.balanceFen)}</td>
              </tr>
            ))}
            <tr>
              <td>{to}</td>
              <td>{t("closingBalance")}</td>
              <td />
              <td>{yuan(statement.closingFen)}</td>
            </tr>
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
