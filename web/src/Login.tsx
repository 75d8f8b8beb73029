import { useState } from "react";
import { api, session } from "./api.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, useAction } from "./ui.tsx";

export type Me =
  | {
      kind: "staff";
      name: string;
      grants: { role: string; areaCode: string; employerId?: string | null; institutionId?: string | null }[];
      /** What the server's permission matrix lets this principal do (GET /auth/me). */
      actions: string[];
    }
  | { kind: "holder"; name: string; idNumberMasked: string; initialPassword?: boolean };

/** Sign-in for staff (counter console) and for card holders (online service hall). */
export function Login({ onSignedIn, notice }: { onSignedIn: (me: Me) => void; notice?: string }) {
  const t = useT();
  const [tab, setTab] = useState<"staff" | "holder">(location.hash.includes("hall") ? "holder" : "staff");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [idNumber, setIdNumber] = useState("");
  const [pin, setPin] = useState("");
  const [code, setCode] = useState("");
  const { busy, error, run } = useAction();
  const byEcard = useAction();

  const staffSignIn = () =>
    run(async () => {
      const r = await api<{
        token: string;
        staff: {
          displayName: string;
          grants: {
            role: string;
            areaCode: string;
            employerId?: string | null;
            institutionId?: string | null;
          }[];
        };
      }>("POST", "/auth/login", { username, password, channel: "counter" });
      session.set(r.token);
      const me = await api<{ actions: string[] }>("GET", "/auth/me");
      onSignedIn({ kind: "staff", name: r.staff.displayName, grants: r.staff.grants, actions: me.actions });
    });
  const holderSignIn = () =>
    run(async () => {
      const r = await api<{
        token: string;
        holder: { nameMasked: string; idNumberMasked: string };
        initialPassword?: boolean;
      }>("POST", "/holder/login", { idNumber: idNumber.trim().toUpperCase(), pin });
      session.set(r.token);
      onSignedIn({
        kind: "holder",
        name: r.holder.nameMasked,
        idNumberMasked: r.holder.idNumberMasked,
        initialPassword: r.initialPassword,
      });
    });

  const ecardSignIn = () =>
    byEcard.run(async () => {
      const r = await api<{ token: string; holder: { nameMasked: string; idNumberMasked: string } }>(
        "POST",
        "/holder/login/ecard",
        { code: code.trim() },
      );
      session.set(r.token);
      onSignedIn({ kind: "holder", name: r.holder.nameMasked, idNumberMasked: r.holder.idNumberMasked });
    });

  return (
    <main className="login" id="main">
      <h1>{t("appName")}</h1>
      {notice ? <Notice kind="warning">{notice}</Notice> : null}
      <div className="tabs" role="tablist" aria-label={t("appName")}>
        <button
          type="button"
          role="tab"
          aria-selected={tab === "staff"}
          className={tab === "staff" ? "tab active" : "tab"}
          onClick={() => setTab("staff")}
        >
          {t("staffLogin")}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === "holder"}
          className={tab === "holder" ? "tab active" : "tab"}
          onClick={() => setTab("holder")}
        >
          {t("holderLogin")}
        </button>
      </div>
      {tab === "staff" ? (
        <form
          className="panel"
          aria-label={t("staffLogin")}
          onSubmit={(e) => {
            e.preventDefault();
            void staffSignIn();
          }}
        >
          <h2>{t("counter")}</h2>
          <Field
            label={t("username")}
            value={username}
            onChange={setUsername}
            autoComplete="username"
            name="username"
          />
          <Field
            label={t("password")}
            value={password}
            onChange={setPassword}
            type="password"
            autoComplete="current-password"
            name="password"
          />
          {error ? <Notice kind="error">{error}</Notice> : null}
          <button type="submit" className="primary" disabled={busy}>
            {t("signIn")}
          </button>
        </form>
      ) : (
        <form
          className="panel"
          aria-label={t("holderLogin")}
          onSubmit={(e) => {
            e.preventDefault();
            void holderSignIn();
          }}
        >
          <h2>{t("hall")}</h2>
          <Notice kind="warning">{t("noLinks")}</Notice>
          <Field
            label={t("idNumber")}
            value={idNumber}
            onChange={setIdNumber}
            maxLength={18}
            name="idNumber"
          />
          <Field
            label={t("cardPassword")}
            value={pin}
            onChange={setPin}
            type="password"
            inputMode="numeric"
            maxLength={6}
            name="pin"
          />
          {error ? <Notice kind="error">{error}</Notice> : null}
          <button type="submit" className="primary" disabled={busy}>
            {t("signIn")}
          </button>
        </form>
      )}
      {tab === "holder" ? (
        <form
          className="panel"
          aria-label={t("ecardSignIn")}
          onSubmit={(e) => {
            e.preventDefault();
            void ecardSignIn();
          }}
        >
          <h2>{t("ecardSignIn")}</h2>
          <Field
            label={t("ecardCode")}
            hint={t("ecardCodeHint")}
            value={code}
            onChange={setCode}
            maxLength={2000}
            name="ecardCode"
          />
          {byEcard.error ? <Notice kind="error">{byEcard.error}</Notice> : null}
          <button type="submit" className="primary" disabled={byEcard.busy || code.trim().length < 10}>
            {t("scanSignIn")}
          </button>
        </form>
      ) : null}
    </main>
  );
}
