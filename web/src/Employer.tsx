import { useState } from "react";
import { api } from "./api.ts";
import { EmployeeRegistration } from "./Enrolment.tsx";
import { useT } from "./i18n.tsx";
import { CsvFileField, Notice, ProblemsTable, Section, useAction, useLoaded } from "./ui.tsx";

type Employee = {
  employmentId: string;
  idNumberMasked: string;
  nameMasked: string;
  hiredOn: string;
  registeredOn: string | null;
  registerBy: string;
  overdue: "registered_late" | "not_registered" | null;
};
type BatchReport = {
  imported: number;
  rejected: number;
  rows: {
    line: number;
    status: string;
    errors: { field: string; problem: string; text?: string }[];
    late?: boolean;
  }[];
};

/**
 * The employer's own page: register a new employee, register many from a CSV file (all or nothing,
 * with the per-row report), and its employees with the registration each is due and what is overdue.
 */
export function EmployerPage({ employerId }: { employerId: string }) {
  const t = useT();
  const list = useAction();
  const [employees, reload] = useLoaded<Employee[]>(`/employers/${employerId}/employees`, list.run);
  const overdue = employees?.filter((e) => e.overdue) ?? [];
  return (
    <>
      <EmployeeRegistration employerId={employerId} />
      <EmployeeCsv employerId={employerId} onImported={() => void list.run(reload)} />
      <Section title={t("myEmployees")}>
        {list.error ? <Notice kind="error">{list.error}</Notice> : null}
        {overdue.length ? (
          <Notice kind="warning">{t("overdueWarning", { n: overdue.length })}</Notice>
        ) : employees ? (
          <Notice kind="ok">{t("noOverdue")}</Notice>
        ) : null}
        <button type="button" onClick={() => void list.run(reload)} disabled={list.busy}>
          {t("refresh")}
        </button>
        {employees?.length ? (
          <table className="table">
            <caption className="visually-hidden">{t("myEmployees")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("name")}</th>
                <th scope="col">{t("idNumber")}</th>
                <th scope="col">{t("hiredOn")}</th>
                <th scope="col">{t("registerBy")}</th>
                <th scope="col">{t("registeredOn")}</th>
              </tr>
            </thead>
            <tbody>
              {employees.map((e) => (
                <tr key={e.employmentId}>
                  <td>{e.nameMasked}</td>
                  <td>{e.idNumberMasked}</td>
                  <td>{e.hiredOn}</td>
                  <td>{e.registerBy}</td>
                  <td>
                    {e.registeredOn ?? t("notRegistered")}
                    {e.overdue ? (
                      <>
                        {" "}
                        <span className="state state-cancelled">
                          {t(e.overdue === "not_registered" ? "overdueNotRegistered" : "overdueLate")}
                        </span>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : employees ? (
          <p>{t("noEmployees")}</p>
        ) : null}
      </Section>
    </>
  );
}

/** Many new employees from a CSV file: all or nothing, every bad field named by its line. */
function EmployeeCsv({ employerId, onImported }: { employerId: string; onImported: () => void }) {
  const t = useT();
  const [file, setFile] = useState<File | undefined>();
  const [report, setReport] = useState<BatchReport | undefined>();
  const { busy, error, run } = useAction();
  return (
    <Section title={t("employeesCsv")}>
      <p className="field-hint">{t("employeesCsvFormat")}</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            if (!file) return;
            const r = await api<BatchReport>("POST", `/employers/${employerId}/employees/batch`, {
              csv: await file.text(),
            });
            setReport(r);
            if (r.imported) onImported();
          });
        }}
      >
        <CsvFileField label={t("employeesFile")} onFile={setFile} />
        <button type="submit" className="primary" disabled={busy || !file}>
          {t("catalogueImport")}
        </button>
      </form>
      {report ? (
        <>
          <Notice kind={report.rejected ? "error" : "ok"}>
            {report.rejected
              ? t("employeesRejected", { n: report.rejected })
              : t("employeesImported", { n: report.imported })}
          </Notice>
          {report.rejected ? (
            <ProblemsTable
              problems={report.rows
                .filter((r) => r.status === "rejected")
                .flatMap((r) => r.errors.map((e) => ({ line: r.line, ...e })))}
            />
          ) : null}
        </>
      ) : null}
    </Section>
  );
}
