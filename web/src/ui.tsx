import { type ReactNode, useCallback, useEffect, useId, useState } from "react";
import { ApiError, api } from "./api.ts";
import { useT } from "./i18n.tsx";

/** A labelled input; the server's error for this field, or a hint, is read out with it. */
export function Field(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: string;
  hint?: string;
  error?: string;
  autoComplete?: string;
  inputMode?: "numeric" | "text";
  maxLength?: number;
  name?: string;
  /** The field got the focus (the kiosk's on-screen keyboard then types into it). */
  onFocus?: () => void;
}) {
  const id = useId();
  const describedBy = props.error ? `${id}-error` : props.hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        autoComplete={props.autoComplete ?? "off"}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        onFocus={props.onFocus}
      />
      {props.error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </p>
      ) : props.hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function Notice({
  kind,
  children,
}: {
  kind: "ok" | "error" | "info" | "warning";
  children: ReactNode;
}) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** The message of an error for the person in front of the screen. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The server's complaints about single fields, by field name: schema issues (`details.issues[].path`)
 * and per-field checks (`details.errors[].field`).
 */
export function fieldErrorsOf(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || !err.details) return {};
  const out: Record<string, string> = {};
  for (const i of (err.details.issues as { path?: string; message: string }[] | undefined) ?? [])
    if (i.path) out[i.path.split(".")[0]] = i.message;
  for (const e of (err.details.errors as { field: string; problem: string; text?: string }[] | undefined) ??
    [])
    out[e.field] = e.text ?? e.problem;
  return out;
}

/** Runs an action, remembering whether it is busy and what went wrong (overall, and per field). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      return await action();
    } catch (err) {
      setError(messageOf(err));
      setFieldErrors(fieldErrorsOf(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, fieldErrors, setError, run };
}

/**
 * A list read from the API with GET when the panel opens, through the panel's own `run` (so a
 * failure shows in its error line). Returns the rows (undefined until loaded) and `load` to re-read
 * after a change.
 */
export function useLoaded<T>(path: string, run: ReturnType<typeof useAction>["run"]) {
  const [rows, setRows] = useState<T | undefined>();
  const load = useCallback(async () => setRows(await api<T>("GET", path)), [path]);
  useEffect(() => {
    void run(load);
  }, [run, load]);
  return [rows, load] as const;
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A card's number, state, validity and (for an application) the day it is ready. */
export function CardHeading({
  card,
}: {
  card: { cardNumber: string; state: string; validUntil: string | null; readyDate: string | null };
}) {
  const t = useT();
  return (
    <>
      <h3>
        {t("cardNumber")} {card.cardNumber} ·{" "}
        <span className={`state state-${card.state}`}>{t.code(card.state)}</span>
      </h3>
      <dl className="facts">
        {card.validUntil ? (
          <>
            <dt>{t("validUntil")}</dt>
            <dd>{card.validUntil}</dd>
          </>
        ) : null}
        {card.readyDate && ["applied", "in_production", "delivered"].includes(card.state) ? (
          <>
            <dt>{t("readyDate")}</dt>
            <dd>{card.readyDate}</dd>
          </>
        ) : null}
      </dl>
    </>
  );
}

/** A labelled choice among codes, shown in the chosen language. */
export function Select(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly string[];
}) {
  const t = useT();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {t.code(o)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A CSV file chosen from the computer, with its label. */
export function CsvFileField({ label, onFile }: { label: string; onFile: (file: File | undefined) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="file" accept=".csv,text/csv" onChange={(e) => onFile(e.target.files?.[0])} />
    </div>
  );
}

/** A file's problems, line by line and field by field, in the user's language when the server worded them. */
export function ProblemsTable({
  problems,
}: {
  problems: readonly { line: number; field: string; problem: string; text?: string }[];
}) {
  const t = useT();
  return (
    <table className="table">
      <caption>{t("rowReport")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("line")}</th>
          <th scope="col">{t("field")}</th>
          <th scope="col">{t("problem")}</th>
        </tr>
      </thead>
      <tbody>
        {problems.map((p) => (
          <tr key={`${p.line}-${p.field}`}>
            <td>{p.line}</td>
            <td>{p.field}</td>
            <td>{p.text ?? p.problem}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The second step of a destructive action: what follows from it, the action again in words
 * ("确认…"), and a way back that is not next to it.
 */
export function ConfirmStep({
  action,
  consequence,
  busy,
  onConfirm,
  onBack,
}: {
  action: string;
  consequence: string;
  busy: boolean;
  onConfirm: () => void;
  onBack: () => void;
}) {
  const t = useT();
  return (
    <fieldset className="confirm">
      <legend className="visually-hidden">{action}</legend>
      <Notice kind="warning">{consequence}</Notice>
      <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
        {t("confirmAgain", { action })}
      </button>
      <button type="button" className="spaced" onClick={onBack}>
        {t("back")}
      </button>
    </fieldset>
  );
}

/** A JPEG file as base64 (without the data URL's prefix). */
export async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A photo taken now (the phone's camera) or chosen from a file: a JPEG. */
export function PhotoField({
  label,
  hint,
  onFile,
}: {
  label: string;
  hint: string;
  onFile: (f?: File) => void;
}) {
  return (
    <div className="field">
      <label>
        {label}
        <input type="file" accept="image/jpeg" capture="user" onChange={(e) => onFile(e.target.files?.[0])} />
      </label>
      <p className="field-hint">{hint}</p>
    </div>
  );
}
