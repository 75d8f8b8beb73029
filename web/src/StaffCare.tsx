import { useState } from "react";
import { api } from "./api.ts";
import { localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Field, Notice, Select, useAction } from "./ui.tsx";

export type Grant = { role: string; areaCode: string; institutionId?: string | null };
export type Institution = { id: string; name: string; code: string };
/** The roles that settle at a designated institution: their grant names it. */
export const OPERATOR_ROLES = ["medical_operator", "pharmacy_operator"];

/** A role, its area and (for a hospital's or pharmacy's operator) the institution it acts for. */
export function GrantFields(props: {
  grant: Grant;
  onChange: (g: Grant) => void;
  roles: readonly string[];
  institutions: readonly Institution[] | undefined;
  /** The server's complaints by field (areaCode, institutionId). */
  errors?: Record<string, string>;
}) {
  const t = useT();
  const { grant } = props;
  return (
    <>
      <Select
        label={t("role")}
        value={grant.role}
        onChange={(role) => props.onChange({ ...grant, role })}
        options={props.roles}
      />
      <Field
        label={t("areaCode")}
        value={grant.areaCode}
        onChange={(areaCode) => props.onChange({ ...grant, areaCode })}
        maxLength={6}
        error={props.errors?.areaCode}
      />
      {OPERATOR_ROLES.includes(grant.role) ? (
        <div className="field">
          <label htmlFor={`institution-${grant.role}`}>{t("staffInstitution")}</label>
          <select
            id={`institution-${grant.role}`}
            value={grant.institutionId ?? ""}
            onChange={(e) => props.onChange({ ...grant, institutionId: e.target.value || null })}
          >
            <option value="">—</option>
            {props.institutions?.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}（{i.code}）
              </option>
            ))}
          </select>
        </div>
      ) : null}
    </>
  );
}

/**
 * What an administrator does for one account: lift a lockout, set a new password for someone who
 * forgot theirs, and change the role grant (their sessions end; the new grant applies at sign-in).
 */
export function StaffCare(props: {
  staff: { id: string; username: string; lockedUntil: string | null; grants: Grant[] };
  roles: readonly string[];
  institutions: readonly Institution[] | undefined;
  onDone: (message: string) => Promise<void>;
}) {
  const t = useT();
  const s = props.staff;
  const [password, setPassword] = useState("");
  const [grant, setGrant] = useState<Grant>(s.grants[0] ?? { role: "outlet_clerk", areaCode: "" });
  const { busy, error, run } = useAction();
  const act = (what: () => Promise<unknown>, message: string) =>
    run(async () => {
      await what();
      await props.onDone(message);
    });
  return (
    <fieldset className="action-form">
      <legend>{t("staffCare", { user: s.username })}</legend>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {s.lockedUntil ? (
        <p>
          {t("staffLocked", { until: localTime(s.lockedUntil) })}{" "}
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(() => api("POST", `/staff/${s.id}/unlock`), t("staffUnlocked", { user: s.username }))
            }
          >
            {t("staffUnlock")}
          </button>
        </p>
      ) : null}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void act(
            () => api("POST", `/staff/${s.id}/password-reset`, { password }),
            t("staffPasswordReset", { user: s.username }),
          );
        }}
      >
        <Field
          label={t("staffNewPassword")}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
        />
        <button type="submit" disabled={busy || !password}>
          {t("staffResetPassword")}
        </button>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(
            () =>
              api("PUT", `/staff/${s.id}/grants`, {
                grants: [
                  {
                    role: grant.role,
                    areaCode: grant.areaCode,
                    ...(OPERATOR_ROLES.includes(grant.role) && grant.institutionId
                      ? { institutionId: grant.institutionId }
                      : {}),
                  },
                ],
              }),
            t("staffGrantsChanged", { user: s.username }),
          );
        }}
      >
        <GrantFields
          grant={grant}
          onChange={setGrant}
          roles={props.roles}
          institutions={props.institutions}
        />
        <button type="submit" disabled={busy}>
          {t("staffChangeGrant")}
        </button>
      </form>
    </fieldset>
  );
}
