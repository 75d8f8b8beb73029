import { useState } from "react";
import { api } from "./api.ts";
import { localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { CsvFileField, Field, Notice, Section, Select, useAction, useLoaded } from "./ui.tsx";

const KINDS = [
  "pension",
  "unemployment_benefit",
  "employment_subsidy",
  "work_injury_benefit",
  "other_subsidy",
];
const yuan = (fen: number) => (fen / 100).toFixed(2);

type Summary = {
  batchId: string;
  reference: string;
  kind: string;
  period: string;
  paymentCount: number;
  totalFen: number;
  paidFen: number;
  byState: Record<string, number>;
  byFailure: Record<string, number>;
};
type Rows = { line: number; status: string; reason?: string }[];
type Report = { batchId: string | null; replayed?: boolean; accepted: number; rejected: number; rows: Rows };
type Detail = Summary & {
  files: {
    fileId: string;
    bankCode: string;
    paymentCount: number;
    totalFen: number;
    returnedAt: string | null;
  }[];
  failures: {
    paymentId: string;
    name: string;
    idNumber: string;
    cardNumber: string | null;
    failure: string;
    remedy: string;
    amountFen: number;
  }[];
};

/** Rejected rows of a file, with the server's reason in the user's language. */
function RejectedRows({ rows, caption }: { rows: Rows; caption: string }) {
  const t = useT();
  const bad = rows.filter((r) => r.status === "rejected");
  if (!bad.length) return null;
  return (
    <table className="table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t("line")}</th>
          <th scope="col">{t("reason")}</th>
        </tr>
      </thead>
      <tbody>
        {bad.map((r) => (
          <tr key={r.line} className="rejected">
            <td>{r.line}</td>
            <td>{r.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Benefits paid to the card (seed 001), the issuing office's page: a month's batch from a CSV file,
 * the batches, the partner banks' payment files, their return files, and the payments that did not
 * reach the card with what the holder must do.
 */
export function BenefitsPage({ area }: { area: string }) {
  const t = useT();
  const { busy, error, fieldErrors, run } = useAction();
  const [batches, reload] = useLoaded<Summary[]>(`/benefit-batches?areaCode=${area}`, run);
  const [reference, setReference] = useState("");
  const [kind, setKind] = useState(KINDS[0]);
  const [period, setPeriod] = useState("");
  const [csv, setCsv] = useState("");
  const [report, setReport] = useState<Report | undefined>();
  const [open, setOpen] = useState<string | undefined>();
  return (
    <>
      <Section title={t("benefitNewBatch")}>
        <p className="field-hint">{t("benefitFormat")}</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const r = await api<Report>("POST", "/benefit-batches", {
                areaCode: area,
                reference,
                kind,
                period,
                csv,
              });
              setReport(r);
              await reload();
            });
          }}
        >
          <Field
            label={t("benefitReference")}
            value={reference}
            onChange={setReference}
            error={fieldErrors.reference}
          />
          <Select label={t("benefitKind")} value={kind} onChange={setKind} options={KINDS} />
          <Field
            label={t("benefitPeriod")}
            type="month"
            value={period}
            onChange={setPeriod}
            error={fieldErrors.period}
          />
          <CsvFileField label={t("csvFile")} onFile={(f) => void f?.text().then(setCsv)} />
          <button type="submit" className="primary" disabled={busy || !csv}>
            {t("benefitSubmit")}
          </button>
        </form>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {report ? (
          <>
            <Notice kind={report.rejected || !report.batchId ? "warning" : "ok"}>
              {report.replayed
                ? t("benefitReplayed")
                : t("batchResult", { ok: report.accepted, bad: report.rejected })}
            </Notice>
            <RejectedRows rows={report.rows} caption={t("rowReport")} />
          </>
        ) : null}
      </Section>
      <Section title={t("benefitBatches")}>
        {batches?.length === 0 ? <p>{t("benefitNoBatches")}</p> : null}
        {batches?.length ? (
          <table className="table">
            <caption className="visually-hidden">{t("benefitBatches")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("benefitReference")}</th>
                <th scope="col">{t("benefitKind")}</th>
                <th scope="col">{t("benefitPeriod")}</th>
                <th scope="col">{t("benefitCount")}</th>
                <th scope="col">{t("amountYuan")}</th>
                <th scope="col">{t("benefitPaidYuan")}</th>
                <th scope="col">{t("benefitFailedCount")}</th>
                <th scope="col">{t("benefitActions")}</th>
              </tr>
            </thead>
            <tbody>
              {batches.map((b) => (
                <tr key={b.batchId}>
                  <td>{b.reference}</td>
                  <td>{t.code(b.kind)}</td>
                  <td>{b.period}</td>
                  <td>{b.paymentCount}</td>
                  <td>{yuan(b.totalFen)}</td>
                  <td>{yuan(b.paidFen)}</td>
                  <td>{b.byState.failed ?? 0}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() => setOpen(b.batchId)}
                      aria-label={t("benefitOpen", { ref: b.reference })}
                    >
                      {t("benefitOpenShort")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      {open ? <BatchDetail key={open} batchId={open} onChange={reload} /> : null}
    </>
  );
}

/** One batch: make the banks' payment files, download them, import each return file, read the failures. */
function BatchDetail({ batchId, onChange }: { batchId: string; onChange: () => Promise<void> }) {
  const t = useT();
  const { busy, error, run } = useAction();
  const [detail, reload] = useLoaded<Detail>(`/benefit-batches/${batchId}`, run);
  const [made, setMade] = useState<string | undefined>();
  const [returned, setReturned] = useState<{ accepted: number; rejected: number; rows: Rows } | undefined>();
  const refresh = async () => {
    await reload();
    await onChange();
  };
  const download = (fileId: string) =>
    void run(async () => {
      const f = await api<{ csv: string; bankCode: string }>("GET", `/benefit-files/${fileId}`);
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([f.csv], { type: "text/csv" }));
      a.download = `benefit-${f.bankCode}-${fileId}.csv`;
      a.click();
    });
  if (!detail) return error ? <Notice kind="error">{error}</Notice> : null;
  return (
    <Section title={t("benefitBatchTitle", { ref: detail.reference, period: detail.period })}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() =>
          void run(async () => {
            const r = await api<{ files: unknown[]; newlyUnpayable: number }>(
              "POST",
              `/benefit-batches/${batchId}/payment-files`,
            );
            setMade(t("benefitFilesMade", { files: r.files.length, failed: r.newlyUnpayable }));
            await refresh();
          })
        }
      >
        {t("benefitMakeFiles")}
      </button>
      {made ? <Notice kind="ok">{made}</Notice> : null}
      {detail.files.length ? (
        <table className="table">
          <caption>{t("benefitFiles")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("benefitBank")}</th>
              <th scope="col">{t("benefitCount")}</th>
              <th scope="col">{t("amountYuan")}</th>
              <th scope="col">{t("benefitReturnedAt")}</th>
              <th scope="col">{t("benefitActions")}</th>
            </tr>
          </thead>
          <tbody>
            {detail.files.map((f) => (
              <tr key={f.fileId}>
                <td>{f.bankCode}</td>
                <td>{f.paymentCount}</td>
                <td>{yuan(f.totalFen)}</td>
                <td>{f.returnedAt ? localTime(f.returnedAt) : t("benefitNotReturned")}</td>
                <td>
                  <button type="button" onClick={() => download(f.fileId)}>
                    {t("benefitDownload")}
                  </button>
                  <CsvFileField
                    label={t("benefitReturnFile", { bank: f.bankCode })}
                    onFile={(file) =>
                      void file?.text().then((csv) =>
                        run(async () => {
                          setReturned(await api("POST", `/benefit-files/${f.fileId}/return`, { csv }));
                          await refresh();
                        }),
                      )
                    }
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {returned ? (
        <>
          <Notice kind={returned.rejected ? "warning" : "ok"}>
            {t("batchResult", { ok: returned.accepted, bad: returned.rejected })}
          </Notice>
          <RejectedRows rows={returned.rows} caption={t("rowReport")} />
        </>
      ) : null}
      {detail.failures.length ? (
        <table className="table">
          <caption>{t("benefitFailures")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("idNumber")}</th>
              <th scope="col">{t("cardNumber")}</th>
              <th scope="col">{t("amountYuan")}</th>
              <th scope="col">{t("reason")}</th>
              <th scope="col">{t("benefitRemedy")}</th>
            </tr>
          </thead>
          <tbody>
            {detail.failures.map((f) => (
              <tr key={f.paymentId}>
                <td>{f.name}</td>
                <td>{f.idNumber}</td>
                <td>{f.cardNumber ?? ""}</td>
                <td>{yuan(f.amountFen)}</td>
                <td>{t.code(`benefit_${f.failure}`)}</td>
                <td>{f.remedy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t("benefitNoFailures")}</p>
      )}
    </Section>
  );
}

type Mine = {
  paymentId: string;
  kindText: string;
  period: string;
  amountFen: number;
  state: string;
  cardNumber: string | null;
  paidAt: string | null;
  remedy: string | null;
};

/** The holder's benefits in the hall: each month's payment, and for one that did not arrive, what to do. */
export function HallBenefits() {
  const t = useT();
  const { error, run } = useAction();
  const [mine] = useLoaded<Mine[]>("/holder/benefits", run);
  const failed = mine?.filter((m) => m.state === "failed") ?? [];
  return (
    <Section title={t("myBenefits")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {failed.map((m) => (
        <Notice key={m.paymentId} kind="warning">
          {t("benefitNotArrived", { period: m.period, kind: m.kindText, yuan: yuan(m.amountFen) })} {m.remedy}
        </Notice>
      ))}
      {mine?.length === 0 ? <p>{t("benefitNone")}</p> : null}
      {mine?.length ? (
        <table className="table">
          <caption>{t("myBenefitsCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("benefitPeriod")}</th>
              <th scope="col">{t("benefitKind")}</th>
              <th scope="col">{t("amountYuan")}</th>
              <th scope="col">{t("status")}</th>
              <th scope="col">{t("benefitPaidAt")}</th>
            </tr>
          </thead>
          <tbody>
            {mine.map((m) => (
              <tr key={m.paymentId}>
                <td>{m.period}</td>
                <td>{m.kindText}</td>
                <td>{yuan(m.amountFen)}</td>
                <td>{t.code(`benefit_state_${m.state}`)}</td>
                <td>{m.paidAt ? localTime(m.paidAt) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
