import { useState } from "react";
import { api } from "./api.ts";
import { useT } from "./i18n.tsx";
import { type Grant, GrantFields, type Institution, OPERATOR_ROLES, StaffCare } from "./StaffCare.tsx";
import { Field, Notice, Section, Select, useAction, useLoaded } from "./ui.tsx";

type Staff = {
  id: string;
  username: string;
  displayName: string;
  status: string;
  lockedUntil: string | null;
  grants: Grant[];
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
  });
  const [grant, setGrant] = useState<Grant>({ role: "outlet_clerk", areaCode: area });
  const [caring, setCaring] = useState<string | undefined>();
  const institutionsRead = useAction();
  const [institutions] = useLoaded<Institution[]>("/institutions", institutionsRead.run);
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
                <td>
                  {t.code(s.status)}
                  {s.lockedUntil ? ` · ${t("staffLockedShort")}` : ""}
                </td>
                <td>
                  {s.status === "active" ? (
                    <button
                      type="button"
                      aria-expanded={caring === s.id}
                      onClick={() => setCaring(caring === s.id ? undefined : s.id)}
                    >
                      {t("staffManage", { user: s.username })}
                    </button>
                  ) : null}
                  {caring === s.id ? (
                    <StaffCare
                      staff={s}
                      roles={GRANTABLE_ROLES}
                      institutions={institutions}
                      onDone={async (m) => {
                        setMessage(m);
                        setCaring(undefined);
                        await load();
                      }}
                    />
                  ) : null}
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
                grants: [
                  {
                    role: grant.role,
                    areaCode: grant.areaCode,
                    ...(OPERATOR_ROLES.includes(grant.role) && grant.institutionId
                      ? { institutionId: grant.institutionId }
                      : {}),
                  },
                ],
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
          <GrantFields
            grant={grant}
            onChange={setGrant}
            roles={GRANTABLE_ROLES}
            institutions={institutions}
          />
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
  const [form, setForm] = useState({ name: "", channel: "terminal" });
  // The role and area the key holds; a hospital's or pharmacy's system names its institution.
  const [keyGrant, setKeyGrant] = useState<Grant>({ role: "pharmacy_operator", areaCode: area });
  const institutionsRead = useAction();
  const [institutions] = useLoaded<Institution[]>("/institutions", institutionsRead.run);
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
                role: keyGrant.role,
                areaCode: keyGrant.areaCode,
                channel: form.channel,
                ...(OPERATOR_ROLES.includes(keyGrant.role) && keyGrant.institutionId
                  ? { institutionId: keyGrant.institutionId }
                  : {}),
              });
              setToken(r.token);
              setForm((f) => ({ ...f, name: "" }));
              await load();
            });
          }}
        >
          <Field label={t("keyName")} value={form.name} onChange={set("name")} error={fieldErrors.name} />
          <GrantFields
            grant={keyGrant}
            onChange={setKeyGrant}
            roles={KEY_ROLES}
            institutions={institutions}
            errors={fieldErrors}
          />
          <Select
            label={t("keyChannel")}
            value={form.channel}
            onChange={set("channel")}
            options={KEY_CHANNELS}
          />
          {error && !fieldErrors.name && !fieldErrors.areaCode ? <Notice kind="error">{error}</Notice> : null}
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
