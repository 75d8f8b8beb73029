import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import { auditActionText } from "./audit-actions.ts";
import { dayStart, localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, useAction } from "./ui.tsx";

type AuditRecord = {
  seq: number;
  at: string;
  actorId: string;
  actorRole: string;
  channel: string;
  action: string;
  subjectType: string;
  subjectId: string;
  areaCode: string | null;
};
type Verification = {
  ok: boolean;
  checked: number;
  headSeq?: number;
  headHash?: string;
  seq?: number;
  problem?: string;
  checkpoints?: number;
  sealedSeq?: number;
  unsealed?: number;
  lastCheckpointAt?: string | null;
};
type Filter = { from: string; to: string; actorId: string; action: string; subjectId: string };

const PAGE = 50;
const NO_FILTER: Filter = { from: "", to: "", actorId: "", action: "", subjectId: "" };
/** The day after a calendar day (YYYY-MM-DD). */
const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The query of a filter: days are the area's calendar days, the "to" day included. */
function queryOf(f: Filter, beforeSeq?: number): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.from)) q.set("from", dayStart(f.from));
  if (/^\d{4}-\d{2}-\d{2}$/.test(f.to)) q.set("to", dayStart(nextDay(f.to)));
  if (f.actorId.trim()) q.set("actorId", f.actorId.trim());
  if (f.action.trim()) q.set("action", f.action.trim());
  if (f.subjectId.trim()) q.set("subjectId", f.subjectId.trim());
  if (beforeSeq) q.set("beforeSeq", String(beforeSeq));
  return q.toString();
}

/** The audit log: filtered by time, actor, action and subject, a page at a time; and the check of its chain. */
export function AuditLog() {
  const t = useT();
  const [records, setRecords] = useState<AuditRecord[] | undefined>();
  const [filter, setFilter] = useState<Filter>(NO_FILTER);
  // The first record of each page shown before this one (Back returns to it).
  const [pages, setPages] = useState<number[]>([]);
  const [result, setResult] = useState<Verification | undefined>();
  const { busy, error, run } = useAction();
  const load = useCallback(
    (f: Filter, beforeSeq?: number) =>
      run(async () => setRecords(await api<AuditRecord[]>("GET", `/audit?${queryOf(f, beforeSeq)}`))),
    [run],
  );
  useEffect(() => {
    void load(NO_FILTER);
  }, [load]);
  const set = (key: keyof Filter) => (value: string) => setFilter((f) => ({ ...f, [key]: value }));
  const last = records?.at(-1);
  return (
    <>
      <Section title={t("auditChain")}>
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() =>
            void run(async () => setResult(await api<Verification>("GET", "/audit/verification")))
          }
        >
          {t("verifyChain")}
        </button>
        {result ? (
          <Notice kind={result.ok ? "ok" : "error"}>
            {result.ok
              ? `${t("chainOk", { n: result.checked })} ${t("chainSealed", { seq: result.sealedSeq ?? 0, n: result.unsealed ?? 0 })}`
              : t("chainBroken", { seq: result.seq ?? 0, problem: result.problem ?? "" })}
          </Notice>
        ) : null}
        {result?.ok ? (
          <dl className="facts">
            <dt>{t("chainHead")}</dt>
            <dd>
              #{result.headSeq ?? 0} <code className="hash">{result.headHash ?? ""}</code>
            </dd>
            <dt>{t("chainCheckpoints")}</dt>
            <dd>
              {t("chainCheckpointsText", {
                n: result.checkpoints ?? 0,
                at: result.lastCheckpointAt ? localTime(result.lastCheckpointAt, { seconds: true }) : "—",
              })}
            </dd>
          </dl>
        ) : null}
      </Section>
      <Section title={t("audit")}>
        {error ? <Notice kind="error">{error}</Notice> : null}
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setPages([]);
            void load(filter);
          }}
        >
          <Field label={t("auditFrom")} type="date" value={filter.from} onChange={set("from")} />
          <Field label={t("auditTo")} type="date" value={filter.to} onChange={set("to")} />
          <Field label={t("auditActor")} value={filter.actorId} onChange={set("actorId")} />
          <Field
            label={t("auditAction")}
            hint={t("auditActionHint")}
            value={filter.action}
            onChange={set("action")}
          />
          <Field label={t("auditSubject")} value={filter.subjectId} onChange={set("subjectId")} />
          <button type="submit" disabled={busy}>
            {t("find")}
          </button>
        </form>
        {records?.length === 0 ? <p>{t("auditNone")}</p> : null}
        <table className="table">
          <caption className="visually-hidden">{t("audit")}</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t("time")}</th>
              <th scope="col">{t("auditActor")}</th>
              <th scope="col">{t("action")}</th>
              <th scope="col">{t("auditSubject")}</th>
            </tr>
          </thead>
          <tbody>
            {records?.map((r) => (
              <tr key={r.seq}>
                <td>{r.seq}</td>
                <td>{localTime(r.at, { seconds: true })}</td>
                <td>
                  {t.code(r.actorRole)} · {t.code(r.channel)}{" "}
                  <button
                    type="button"
                    className="link"
                    title={r.actorId}
                    onClick={() => {
                      const only = { ...NO_FILTER, actorId: r.actorId };
                      setFilter(only);
                      setPages([]);
                      void load(only);
                    }}
                  >
                    {t("auditOnlyActor", { id: r.actorId.slice(0, 8) })}
                  </button>
                </td>
                <td title={r.action}>{auditActionText(r.action, t.lang, t.code)}</td>
                <td>
                  {r.subjectType} {r.subjectId}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="buttons">
          <button
            type="button"
            disabled={busy || pages.length === 0}
            onClick={() => {
              const before = pages.slice(0, -1);
              setPages(before);
              void load(filter, before.at(-1));
            }}
          >
            {t("newerPage")}
          </button>
          <button
            type="button"
            disabled={busy || !last || (records?.length ?? 0) < PAGE}
            onClick={() => {
              if (!last) return;
              setPages((p) => [...p, last.seq]);
              void load(filter, last.seq);
            }}
          >
            {t("olderPage")}
          </button>
        </div>
      </Section>
    </>
  );
}
