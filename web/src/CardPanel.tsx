import { useEffect, useState } from "react";
import { api } from "./api.ts";
import { useCan } from "./can.tsx";
import { localTime } from "./clock.ts";
import type { CardView, HistoryEntry } from "./counter-types.ts";
import { type TextKey, useT } from "./i18n.tsx";
import { ReplacementSlip } from "./ReplacementSlip.tsx";
import { CardHeading, Field, Notice, Select, useAction } from "./ui.tsx";

/** Actions that need the holder's ID document. */
const NEEDS_HOLDER_ID = new Set([
  "issue",
  "issue_and_activate",
  "activate",
  "revoke_temporary_loss",
  "report_formal_loss",
  "replacement",
  "password_unlock",
  "password_reset",
  "financial_activate",
]);
/** Lifecycle actions offered at the counter (the server says which the card's state allows). */
const OFFERED = [
  "issue",
  "issue_and_activate",
  "issue_to_employer",
  "activate",
  "report_temporary_loss",
  "revoke_temporary_loss",
  "report_formal_loss",
  "cancel",
];
/** Actions that cannot be undone: what the clerk is told before confirming them a second time. */
const DESTRUCTIVE: Record<string, TextKey> = {
  cancel: "cancelConsequence",
  report_formal_loss: "formalLossConsequence",
};

/** The action of the permission matrix each offer needs (the lifecycle's other actions need cards.counter). */
const ACTION_NEEDS: Record<string, string> = {
  report_temporary_loss: "cards.reportLoss",
  password_unlock: "credentials.unlockOrReset",
  password_reset: "credentials.unlockOrReset",
  financial_activate: "cards.bank",
};
const CANCEL_REASONS = ["holder_request", "duplicate", "death", "transfer_out", "emigration"];
/** Cancellations that need the reference of the record that proves them. */
const CANCEL_WITH_RECORD = ["death", "transfer_out", "emigration"];
const REPLACEMENT_REASONS = ["expiry", "damaged", "chip_failure", "data_changed", "photo_changed"];

/** A card at the counter: its state, the actions and services it allows, its checks and history. */
export function CardPanel({ card, reload }: { card: CardView; reload: () => void }) {
  const t = useT();
  const [action, setAction] = useState<string | undefined>();
  // Typed by the clerk from the document the holder shows, never taken from the search.
  const [holderId, setHolderId] = useState("");
  // A destructive action is confirmed a second time, with its consequence in front of the clerk.
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<string | undefined>();
  const [history, setHistory] = useState<HistoryEntry[] | undefined>();
  const [letterRef, setLetterRef] = useState("");
  const [employerCode, setEmployerCode] = useState("");
  const [recordRef, setRecordRef] = useState("");
  const [reason, setReason] = useState("");
  const cancelReason = reason || "holder_request";
  const [newPin, setNewPin] = useState("");
  // A replacement after a formal loss is collected with its slip (typed or scanned), or the slip reported lost.
  const [slip, setSlip] = useState("");
  const [slipLost, setSlipLost] = useState(false);
  const slipInput = card.collectionSlipNo
    ? slipLost
      ? { collectionSlipLost: true }
      : { collectionSlip: slip.trim() || undefined }
    : {};
  // A formal loss or a cancellation on the holder's request may be done by an agent, with their own ID.
  const [byAgent, setByAgent] = useState(false);
  const [agentName, setAgentName] = useState("");
  const [agentId, setAgentId] = useState("");
  const agent = byAgent ? { agent: { name: agentName.trim(), idNumber: agentId.trim().toUpperCase() } } : {};
  const agentAllowed =
    action === "report_formal_loss" || (action === "cancel" && cancelReason === "holder_request");
  const { busy, error, run } = useAction();
  const can = useCan();
  const actions = [
    ...card.allowedActions.filter((a) => OFFERED.includes(a)),
    ...(card.allowedActions.includes("issue") ? ["issue_to_employer"] : []),
    ...card.services,
  ].filter((a) => can(ACTION_NEEDS[a] ?? "cards.counter"));

  const submit = () =>
    run(async () => {
      const n = card.cardNumber;
      if (action === "issue" || action === "issue_and_activate")
        await api("POST", `/cards/${n}/issue`, {
          collectedBy: "holder",
          holderIdNumber: holderId,
          activate: action === "issue_and_activate",
          ...slipInput,
        });
      else if (action === "issue_to_employer")
        await api("POST", `/cards/${n}/issue`, {
          collectedBy: "employer",
          employerCreditCode: employerCode,
          employerLetterRef: letterRef,
          activate: false,
          ...slipInput,
        });
      else if (action === "activate") await api("POST", `/cards/${n}/activate`, { holderIdNumber: holderId });
      else if (action === "replacement") {
        const r = await api<CardView>("POST", `/cards/${n}/replacements`, {
          reason: reason || "damaged",
          consent: true,
          holderIdNumber: holderId,
        });
        setResult(`${t("done")}：${r.cardNumber} · ${t("readyDate")} ${r.readyDate ?? "—"}`);
        setAction(undefined);
        reload();
        return;
      } else if (action === "password_unlock")
        await api("POST", `/cards/${n}/password/unlock`, { holderIdNumber: holderId });
      else if (action === "password_reset")
        await api("POST", `/cards/${n}/password/reset`, { holderIdNumber: holderId, next: { pin: newPin } });
      else if (action === "financial_activate")
        await api("POST", `/cards/${n}/financial/activate`, { holderIdNumber: holderId });
      else if (action === "report_temporary_loss") await api("POST", `/cards/${n}/temporary-loss`, {});
      else if (action === "revoke_temporary_loss")
        await api("POST", `/cards/${n}/temporary-loss/revoke`, { holderIdNumber: holderId });
      else if (action === "report_formal_loss") {
        const r = await api<{ replacement: CardView }>("POST", `/cards/${n}/formal-loss`, {
          holderIdNumber: holderId,
          ...agent,
        });
        setResult(
          t("tempCert", {
            cert: r.replacement.tempCertificateNo ?? "",
            date: r.replacement.readyDate ?? "",
            fee: ((r.replacement.feeFen ?? 0) / 100).toFixed(2),
          }),
        );
        setAction(undefined);
        reload();
        return;
      } else if (action === "cancel")
        await api("POST", `/cards/${n}/cancel`, {
          reason: cancelReason,
          ...(cancelReason === "holder_request" ? { holderIdNumber: holderId, ...agent } : {}),
          ...(CANCEL_WITH_RECORD.includes(cancelReason) ? { recordRef } : {}),
        });
      setResult(`${t("done")}：${t.code(action ?? "")}`);
      setAction(undefined);
      reload();
    });

  return (
    <article className="card-item" aria-label={`${t("cardNumber")} ${card.cardNumber}`}>
      <CardHeading card={card} />
      {result ? <Notice kind="ok">{result}</Notice> : null}
      <ReplacementSlip card={card} />
      {actions.length ? (
        <fieldset className="buttons">
          <legend className="visually-hidden">{t("actions")}</legend>
          {actions.map((a) => (
            <button key={a} type="button" onClick={() => setAction(a)} aria-pressed={action === a}>
              {t.code(a)}
            </button>
          ))}
        </fieldset>
      ) : null}
      {action ? (
        <form
          className="action-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (DESTRUCTIVE[action] && !confirming) setConfirming(true);
            else void submit().then(() => setConfirming(false));
          }}
        >
          <h4>{t.code(action)}</h4>
          {NEEDS_HOLDER_ID.has(action) ? (
            <Field label={t("holderIdNumber")} value={holderId} onChange={setHolderId} maxLength={18} />
          ) : null}
          {action === "issue_to_employer" ? (
            <>
              <Field
                label={t("employerCreditCode")}
                value={employerCode}
                onChange={setEmployerCode}
                maxLength={18}
              />
              <Field label={t("letterRef")} value={letterRef} onChange={setLetterRef} maxLength={100} />
            </>
          ) : null}
          {card.collectionSlipNo && action.startsWith("issue") ? (
            <fieldset className="agent">
              <legend>{t("slipNumber")}</legend>
              {slipLost ? null : (
                <Field label={t("slipPresented")} value={slip} onChange={setSlip} maxLength={2000} />
              )}
              <label>
                <input type="checkbox" checked={slipLost} onChange={(e) => setSlipLost(e.target.checked)} />{" "}
                {t("slipLost")}
              </label>
            </fieldset>
          ) : null}
          {action === "cancel" || action === "replacement" ? (
            <Select
              label={t("reason")}
              value={reason || (action === "cancel" ? "holder_request" : "damaged")}
              onChange={setReason}
              options={action === "cancel" ? CANCEL_REASONS : REPLACEMENT_REASONS}
            />
          ) : null}
          {action === "cancel" && cancelReason === "holder_request" ? (
            <Field label={t("holderIdNumber")} value={holderId} onChange={setHolderId} maxLength={18} />
          ) : null}
          {action === "cancel" && CANCEL_WITH_RECORD.includes(cancelReason) ? (
            <Field label={t("recordRef")} value={recordRef} onChange={setRecordRef} maxLength={100} />
          ) : null}
          {agentAllowed ? (
            <fieldset className="agent">
              <legend>{t("agentLegend")}</legend>
              <label>
                <input type="checkbox" checked={byAgent} onChange={(e) => setByAgent(e.target.checked)} />{" "}
                {t("byAgent")}
              </label>
              {byAgent ? (
                <>
                  <Field label={t("agentName")} value={agentName} onChange={setAgentName} maxLength={60} />
                  <Field label={t("agentIdNumber")} value={agentId} onChange={setAgentId} maxLength={18} />
                </>
              ) : null}
            </fieldset>
          ) : null}
          {action === "password_reset" ? (
            <Field
              label={t("newPassword")}
              value={newPin}
              onChange={setNewPin}
              type="password"
              inputMode="numeric"
              maxLength={6}
            />
          ) : null}
          {error ? <Notice kind="error">{error}</Notice> : null}
          {confirming && DESTRUCTIVE[action] ? (
            <Notice kind="warning">{t(DESTRUCTIVE[action])}</Notice>
          ) : null}
          <div className="buttons">
            <button type="submit" className={confirming ? "danger" : "primary"} disabled={busy}>
              {confirming ? t("confirmAgain", { action: t.code(action) }) : t("confirm")}
            </button>
            <button
              type="button"
              className="spaced"
              onClick={() => {
                setAction(undefined);
                setConfirming(false);
              }}
            >
              {t("back")}
            </button>
          </div>
        </form>
      ) : null}
      {card.state === "locked" && can("credentials.read") ? (
        <PasswordLock cardNumber={card.cardNumber} />
      ) : null}
      {card.passwordPurposes.length > 0 ? <CardChecks cardNumber={card.cardNumber} /> : null}
      <details
        onToggle={(e) => {
          if ((e.target as HTMLDetailsElement).open && !history)
            void api<HistoryEntry[]>("GET", `/cards/${card.cardNumber}/history`).then(setHistory);
        }}
      >
        <summary>{t("history")}</summary>
        <ol className="history">
          {history?.map((h) => (
            <li key={h.seq}>
              {localTime(h.at)} · {t.code(h.action)} → {t.code(h.toState)} · {t.code(h.actorRole)}
            </li>
          ))}
        </ol>
      </details>
    </article>
  );
}

type Check = { at: string; checkedBy: string; place: string | null; role: string; result: string };

/** The online checks made on the card (who read it, when, with what result). */
function CardChecks({ cardNumber }: { cardNumber: string }) {
  const t = useT();
  const [checks, setChecks] = useState<Check[] | undefined>();
  return (
    <details
      onToggle={(e) => {
        if ((e.target as HTMLDetailsElement).open && !checks)
          void api<Check[]>("GET", `/cards/${cardNumber}/online-checks`).then(setChecks, () => setChecks([]));
      }}
    >
      <summary>{t("checksStaff")}</summary>
      {checks?.length === 0 ? <p>{t("noChecks")}</p> : null}
      <ul className="history">
        {checks?.map((c) => (
          <li key={`${c.at}-${c.checkedBy}-${c.result}`}>
            {localTime(c.at)} · {c.place ? `${c.place} · ` : ""}
            {c.checkedBy} ({t.code(c.role)}) · {t.code(c.result)}
          </li>
        ))}
      </ul>
    </details>
  );
}

type PasswordStatus = {
  locked: boolean;
  lockedAt: string | null;
  lockout: { mode: string; threshold: number };
  recentAttempts: { at: string; channel: string; result: string }[];
};

/** Why a card is locked: when, after how many wrong passwords, and where the last wrong one was typed. */
function PasswordLock({ cardNumber }: { cardNumber: string }) {
  const t = useT();
  const [status, setStatus] = useState<PasswordStatus | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api<PasswordStatus>("GET", `/cards/${cardNumber}/password`).then(setStatus, (e: Error) =>
      setError(e.message),
    );
  }, [cardNumber]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!status?.locked) return null;
  const lastWrong = status.recentAttempts.find((a) => a.result !== "ok");
  return (
    <Notice kind="warning">
      {t("lockedWhy", {
        at: status.lockedAt ? localTime(status.lockedAt) : "—",
        n: status.lockout.threshold,
        last: lastWrong ? `${localTime(lastWrong.at)} · ${t.code(lastWrong.channel)}` : "—",
      })}
    </Notice>
  );
}
