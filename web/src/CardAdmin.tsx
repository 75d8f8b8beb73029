import { useId, useState } from "react";
import { api } from "./api.ts";
import { useT } from "./i18n.tsx";
import { Notice, Section, useAction, useLoaded } from "./ui.tsx";

type Report = {
  accepted: number;
  rejected: number;
  rows: { line: number; status: "accepted" | "rejected"; cardNumber?: string; reason?: string }[];
};

/** An employer's card applications from a CSV file, with progress and the per-row report. */
export function BatchApply({ area }: { area: string }) {
  const t = useT();
  const [csv, setCsv] = useState("");
  const [fileName, setFileName] = useState("");
  const [report, setReport] = useState<Report | undefined>();
  const { busy, error, run } = useAction();
  const rows = csv.trim() ? csv.trim().split("\n").length - 1 : 0;
  const fileId = useId();
  return (
    <Section title={t("batchApply")}>
      <p className="field-hint">{t("batchFormat")}</p>
      <div className="field">
        <label htmlFor={fileId}>{t("csvFile")}</label>
        <input
          id={fileId}
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (!file) return;
            setFileName(file.name);
            setReport(undefined);
            void file.text().then(setCsv);
          }}
        />
      </div>
      {fileName ? <p>{t("csvReady", { file: fileName, n: rows })}</p> : null}
      <button
        type="button"
        className="primary"
        disabled={busy || rows === 0}
        onClick={() =>
          void run(async () =>
            setReport(await api<Report>("POST", "/cards/applications/batch", { areaCode: area, csv })),
          )
        }
      >
        {t("importBatch")}
      </button>
      {busy ? (
        <p role="status">
          <progress aria-label={t("importing", { n: rows })} /> {t("importing", { n: rows })}
        </p>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {report ? (
        <>
          <Notice kind={report.rejected ? "warning" : "ok"}>
            {t("batchResult", { ok: report.accepted, bad: report.rejected })}
          </Notice>
          <table className="table">
            <caption className="visually-hidden">{t("batchApply")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("line")}</th>
                <th scope="col">{t("state")}</th>
                <th scope="col">{t("cardNumber")}</th>
                <th scope="col">{t("reason")}</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r) => (
                <tr key={r.line} className={r.status === "rejected" ? "rejected" : undefined}>
                  <td>{r.line}</td>
                  <td>{t.code(r.status)}</td>
                  <td>{r.cardNumber ?? ""}</td>
                  <td>{r.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Section>
  );
}

type Duplicate = {
  personId: string;
  holder: { idNumberMasked: string; nameMasked: string };
  province: string;
  cards: { cardNumber: string; state: string; financialFunction: string; advice: string }[];
};

/** Persons with several cards in one province (legacy data): what to do with each card, and cancelling one. */
export function Duplicates() {
  const t = useT();
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  const [rows, load] = useLoaded<Duplicate[]>("/cards/duplicates", run);
  return (
    <Section title={t("duplicates")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {rows?.length === 0 ? <p>{t("noDuplicates")}</p> : null}
      {rows?.map((d) => (
        <article key={d.personId} className="card-item" aria-label={d.holder.nameMasked}>
          <h3>
            {d.holder.nameMasked} · {d.holder.idNumberMasked}
          </h3>
          <ul className="enrolments">
            {d.cards.map((c) => (
              <li key={c.cardNumber}>
                <span>
                  {t("cardNumber")} {c.cardNumber} · {t.code(c.state)} · {c.advice}
                </span>
                {c.state !== "cancelled" ? (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() =>
                      void run(async () => {
                        await api("POST", `/cards/${c.cardNumber}/cancel`, { reason: "duplicate" });
                        setMessage(`${t("done")}：${c.cardNumber} ${t.code("cancelled")}`);
                        await load();
                      })
                    }
                  >
                    {t("cancelDuplicate")}
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </article>
      ))}
    </Section>
  );
}
