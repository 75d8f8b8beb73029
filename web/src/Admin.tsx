import { useCallback, useEffect, useId, useState } from "react";
import { api } from "./api.ts";
import { chinaDay } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, Select, useAction, useLoaded } from "./ui.tsx";

type Policy = {
  initialPassword: { rule: "card_number_last6" } | { rule: "fixed"; value: string };
  lockout: { mode: "consecutive" | "daily"; threshold: number };
  cardValidityYears: number;
  renewalLeadDays: number;
  replacementReadyWorkingDays: number;
  replacementFeeFen: number;
  preLossAutoCancelDays: number | null;
  [other: string]: unknown;
};
type Version = { areaCode: string; version: number; effectiveFrom: string; policy: Policy };

const tomorrow = () => chinaDay(1);

/** An area's policy versions (which is in force) and a new version with its effective date. */
export function Policies({ area }: { area: string }) {
  const t = useT();
  const [data, setData] = useState<
    { versions: Version[]; inForceVersion: number | null; today: string } | undefined
  >();
  const [current, setCurrent] = useState<(Version & { inherited: boolean }) | undefined>();
  const [form, setForm] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, run } = useAction();

  const load = useCallback(async () => {
    const [versions, inForce] = await Promise.all([
      api<{ versions: Version[]; inForceVersion: number | null; today: string }>(
        "GET",
        `/areas/${area}/policies`,
      ),
      api<Version & { inherited: boolean }>("GET", `/areas/${area}/policy`),
    ]);
    setData(versions);
    setCurrent(inForce);
    const p = inForce.policy;
    setForm({
      effectiveFrom: tomorrow(),
      initialRule: p.initialPassword.rule,
      initialValue: p.initialPassword.rule === "fixed" ? p.initialPassword.value : "",
      lockoutMode: p.lockout.mode,
      lockoutThreshold: String(p.lockout.threshold),
      renewalLeadDays: String(p.renewalLeadDays),
      replacementReadyWorkingDays: String(p.replacementReadyWorkingDays),
      replacementFeeYuan: (p.replacementFeeFen / 100).toFixed(2),
      cardValidityYears: String(p.cardValidityYears),
    });
  }, [area]);
  useEffect(() => {
    void run(load);
  }, [run, load]);

  const set = (key: string) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const save = () =>
    run(async () => {
      if (!current) return;
      const policy: Policy = {
        ...current.policy,
        initialPassword:
          form.initialRule === "fixed"
            ? { rule: "fixed", value: form.initialValue }
            : { rule: "card_number_last6" },
        lockout: {
          mode: form.lockoutMode === "daily" ? "daily" : "consecutive",
          threshold: Number(form.lockoutThreshold),
        },
        renewalLeadDays: Number(form.renewalLeadDays),
        replacementReadyWorkingDays: Number(form.replacementReadyWorkingDays),
        replacementFeeFen: Math.round(Number(form.replacementFeeYuan) * 100),
        cardValidityYears: Number(form.cardValidityYears),
      };
      const v = await api<Version>("POST", `/areas/${area}/policies`, {
        effectiveFrom: form.effectiveFrom,
        policy,
      });
      setMessage(t("policySaved", { v: v.version, date: v.effectiveFrom }));
      await load();
    });

  return (
    <>
      <Section title={`${t("policies")} · ${area}`}>
        {current ? (
          <p>
            {current.inherited
              ? t("policyInherited", { area: current.areaCode })
              : t("policyInForce", { v: current.version })}
          </p>
        ) : null}
        <table className="table">
          <caption className="visually-hidden">{t("policies")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("version")}</th>
              <th scope="col">{t("effectiveFrom")}</th>
              <th scope="col">{t("lockout")}</th>
              <th scope="col">{t("renewalLeadDays")}</th>
              <th scope="col">{t("replacementFeeYuan")}</th>
            </tr>
          </thead>
          <tbody>
            {data?.versions.map((v) => (
              <tr key={v.version} className={v.version === data.inForceVersion ? "in-force" : undefined}>
                <td>
                  v{v.version}
                  {v.version === data.inForceVersion ? ` · ${t("inForce")}` : ""}
                </td>
                <td>{v.effectiveFrom}</td>
                <td>
                  {v.policy.lockout.threshold} ({t.code(v.policy.lockout.mode)})
                </td>
                <td>{v.policy.renewalLeadDays}</td>
                <td>{(v.policy.replacementFeeFen / 100).toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.versions.length === 0 ? <p>{t("noOwnPolicy")}</p> : null}
      </Section>
      <Section title={t("newPolicyVersion")}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Field
            label={t("effectiveFrom")}
            value={form.effectiveFrom ?? ""}
            onChange={set("effectiveFrom")}
            type="date"
          />
          <Select
            label={t("initialPasswordRule")}
            value={form.initialRule ?? "card_number_last6"}
            onChange={set("initialRule")}
            options={["card_number_last6", "fixed"]}
          />
          {form.initialRule === "fixed" ? (
            <Field
              label={t("initialPasswordValue")}
              value={form.initialValue ?? ""}
              onChange={set("initialValue")}
              maxLength={6}
            />
          ) : null}
          <Select
            label={t("lockoutMode")}
            value={form.lockoutMode ?? "consecutive"}
            onChange={set("lockoutMode")}
            options={["consecutive", "daily"]}
          />
          <Field
            label={t("lockout")}
            value={form.lockoutThreshold ?? ""}
            onChange={set("lockoutThreshold")}
            inputMode="numeric"
          />
          <Field
            label={t("renewalLeadDays")}
            value={form.renewalLeadDays ?? ""}
            onChange={set("renewalLeadDays")}
            inputMode="numeric"
          />
          <Field
            label={t("replacementReadyWorkingDays")}
            value={form.replacementReadyWorkingDays ?? ""}
            onChange={set("replacementReadyWorkingDays")}
            inputMode="numeric"
          />
          <Field
            label={t("replacementFeeYuan")}
            value={form.replacementFeeYuan ?? ""}
            onChange={set("replacementFeeYuan")}
          />
          <Field
            label={t("cardValidityYears")}
            value={form.cardValidityYears ?? ""}
            onChange={set("cardValidityYears")}
            inputMode="numeric"
          />
          {error ? <Notice kind="error">{error}</Notice> : null}
          {message ? <Notice kind="ok">{message}</Notice> : null}
          <button type="submit" className="primary" disabled={busy}>
            {t("savePolicy")}
          </button>
        </form>
      </Section>
    </>
  );
}

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
              <td>{r.at.replace("T", " ").slice(0, 19)}</td>
              <td>{t.code(r.actorRole)}</td>
              <td>{r.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

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

type Staff = {
  id: string;
  username: string;
  displayName: string;
  status: string;
  grants: { role: string; areaCode: string }[];
};
const GRANTABLE_ROLES = [
  "outlet_clerk",
  "bank_clerk",
  "medical_operator",
  "pharmacy_operator",
  "auditor",
  "city_admin",
];

/** Staff of the administrator's areas, a new account with its role, and disabling an account. */
export function StaffAdmin({ area }: { area: string }) {
  const t = useT();
  const [form, setForm] = useState({
    username: "",
    displayName: "",
    password: "",
    role: "outlet_clerk",
    areaCode: area,
  });
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  const [staff, load] = useLoaded<Staff[]>("/staff", run);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <>
      <Section title={t("staff")}>
        <table className="table">
          <caption className="visually-hidden">{t("staff")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("username")}</th>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("role")}</th>
              <th scope="col">{t("state")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {staff?.map((s) => (
              <tr key={s.id}>
                <td>{s.username}</td>
                <td>{s.displayName}</td>
                <td>{s.grants.map((g) => `${t.code(g.role)} ${g.areaCode}`).join("；")}</td>
                <td>{t.code(s.status)}</td>
                <td>
                  {s.status === "active" ? (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        void run(async () => {
                          await api("POST", `/staff/${s.id}/disable`);
                          setMessage(`${t("done")}：${s.username}`);
                          await load();
                        })
                      }
                    >
                      {t("disable")}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t("newStaff")}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await api("POST", "/staff", {
                username: form.username,
                displayName: form.displayName,
                password: form.password,
                grants: [{ role: form.role, areaCode: form.areaCode }],
              });
              setMessage(`${t("done")}：${form.username}`);
              setForm((f) => ({ ...f, username: "", displayName: "", password: "" }));
              await load();
            });
          }}
        >
          <Field label={t("username")} value={form.username} onChange={set("username")} />
          <Field label={t("name")} value={form.displayName} onChange={set("displayName")} />
          <Field
            label={t("initialStaffPassword")}
            value={form.password}
            onChange={set("password")}
            type="password"
            autoComplete="new-password"
          />
          <Select label={t("role")} value={form.role} onChange={set("role")} options={GRANTABLE_ROLES} />
          <Field label={t("areaCode")} value={form.areaCode} onChange={set("areaCode")} maxLength={6} />
          {error ? <Notice kind="error">{error}</Notice> : null}
          {message ? <Notice kind="ok">{message}</Notice> : null}
          <button type="submit" className="primary" disabled={busy}>
            {t("createStaff")}
          </button>
        </form>
      </Section>
    </>
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

type ApiKey = {
  id: string;
  name: string;
  role: string;
  areaCode: string;
  channel: string;
  revokedAt: string | null;
};
const KEY_ROLES = ["medical_operator", "pharmacy_operator", "bank_clerk", "outlet_clerk"];
/** The channels a key may serve (docs/permissions.md): the counter is for staff sessions only. */
const KEY_CHANNELS = ["terminal", "kiosk", "phone", "web"];

/** Institutions' and terminals' API keys: the list, a new key (its token shown once), revocation. */
export function ApiKeys({ area }: { area: string }) {
  const t = useT();
  const [form, setForm] = useState({
    name: "",
    role: "pharmacy_operator",
    areaCode: area,
    channel: "terminal",
  });
  const [token, setToken] = useState<string | undefined>();
  const { busy, error, fieldErrors, run } = useAction();
  const [keys, load] = useLoaded<ApiKey[]>("/api-keys", run);
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  return (
    <>
      <Section title={t("apiKeys")}>
        <table className="table">
          <caption className="visually-hidden">{t("apiKeys")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("role")}</th>
              <th scope="col">{t("keyChannel")}</th>
              <th scope="col">{t("areaCode")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys?.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{t.code(k.role)}</td>
                <td>{t.code(k.channel)}</td>
                <td>{k.areaCode}</td>
                <td>
                  {k.revokedAt ? (
                    t("revoked")
                  ) : (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        void run(async () => {
                          await api("POST", `/api-keys/${k.id}/revoke`);
                          await load();
                        })
                      }
                    >
                      {t("revoke")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t("newApiKey")}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const r = await api<{ token: string }>("POST", "/api-keys", {
                name: form.name,
                role: form.role,
                areaCode: form.areaCode,
                channel: form.channel,
              });
              setToken(r.token);
              setForm((f) => ({ ...f, name: "" }));
              await load();
            });
          }}
        >
          <Field label={t("keyName")} value={form.name} onChange={set("name")} error={fieldErrors.name} />
          <Select label={t("role")} value={form.role} onChange={set("role")} options={KEY_ROLES} />
          <Select
            label={t("keyChannel")}
            value={form.channel}
            onChange={set("channel")}
            options={KEY_CHANNELS}
          />
          <Field
            label={t("areaCode")}
            value={form.areaCode}
            onChange={set("areaCode")}
            maxLength={6}
            error={fieldErrors.areaCode}
          />
          {error && !Object.keys(fieldErrors).length ? <Notice kind="error">{error}</Notice> : null}
          {token ? (
            <Notice kind="warning">
              {t("tokenOnce")} <code>{token}</code>
            </Notice>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {t("createKey")}
          </button>
        </form>
      </Section>
    </>
  );
}
