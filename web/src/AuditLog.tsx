import { useEffect, useState } from "react";
import { api } from "./api.ts";
import { localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Notice, Section, useAction } from "./ui.tsx";

type AuditRecord = {
  seq: number;
  at: string;
  actorId: string;
  actorRole: string;
  channel: string;
  action: string;
  subjectType: string;
};

/** The audit log, newest first, and the check of its hash chain. */
export function AuditLog() {
  const t = useT();
  const [records, setRecords] = useState<AuditRecord[] | undefined>();
  const [result, setResult] = useState<
    | {
        ok: boolean;
        checked: number;
        seq?: number;
        problem?: string;
        sealedSeq?: number;
        unsealed?: number;
      }
    | undefined
  >();
  const { busy, error, run } = useAction();
  useEffect(() => {
    void run(async () => setRecords(await api<AuditRecord[]>("GET", "/audit?limit=50")));
  }, [run]);
  return (
    <Section title={t("audit")}>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => void run(async () => setResult(await api("GET", "/audit/verification")))}
      >
        {t("verifyChain")}
      </button>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {result ? (
        <Notice kind={result.ok ? "ok" : "error"}>
          {result.ok
            ? `${t("chainOk", { n: result.checked })} ${t("chainSealed", { seq: result.sealedSeq ?? 0, n: result.unsealed ?? 0 })}`
            : t("chainBroken", { seq: result.seq ?? 0, problem: result.problem ?? "" })}
        </Notice>
      ) : null}
      <table className="table">
        <caption className="visually-hidden">{t("audit")}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t("time")}</th>
            <th scope="col">{t("role")}</th>
            <th scope="col">{t("action")}</th>
          </tr>
        </thead>
        <tbody>
          {records?.map((r) => (
            <tr key={r.seq}>
              <td>{r.seq}</td>
              <td>{localTime(r.at, { seconds: true })}</td>
              <td>{t.code(r.actorRole)}</td>
              <td>{r.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
