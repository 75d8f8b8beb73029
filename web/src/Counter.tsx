import { useCallback, useEffect, useState } from "react";
import { idCheckCharacter } from "../../src/modules/persons/id-number.rules.ts";
import { ApiKeys, AuditLog, BatchApply, Duplicates, Policies, StaffAdmin } from "./Admin.tsx";
import { api } from "./api.ts";
import { EmployeeRegistration, EnrolmentPanel } from "./Enrolment.tsx";
import { type TextKey, useT } from "./i18n.tsx";
import type { Me } from "./Login.tsx";
import { CardHeading, Field, Notice, Section, Select, useAction } from "./ui.tsx";

type Person = {
  id: string;
  idNumberMasked: string;
  name: string;
  sex: "M" | "F";
  birthDate: string;
  areaCode: string;
};
type CardView = {
  cardNumber: string;
  state: string;
  areaCode: string;
  validUntil: string | null;
  readyDate: string | null;
  tempCertificateNo: string | null;
  feeFen: number | null;
  applicationKind: string;
  allowedActions: string[];
  /** What the card's state allows, as the server's state table says (cards.rules CARD_STATE_RULES). */
  services: string[];
  passwordPurposes: string[];
  holdsProvinceSlot: boolean;
  holder: { personId: string; idNumberMasked: string; nameMasked: string };
};
type HistoryEntry = {
  seq: number;
  at: string;
  action: string;
  toState: string;
  actorRole: string;
  channel: string;
};

type Grant = { role: string; areaCode: string; employerId?: string | null };
type Page =
  | "search"
  | "batch"
  | "bank"
  | "production"
  | "duplicates"
  | "policies"
  | "staff"
  | "keys"
  | "audit"
  | "check"
  | "employees";

/** Each page and the action (docs/permissions.md) it needs: the server says which the caller has. */
const PAGES: readonly { page: Page; label: TextKey; action: string }[] = [
  { page: "search", label: "search", action: "cards.read" },
  { page: "batch", label: "batchApply", action: "cards.apply" },
  { page: "bank", label: "bankTasks", action: "cards.bank" },
  { page: "production", label: "production", action: "cards.produce" },
  { page: "policies", label: "policies", action: "areas.writePolicy" },
  { page: "duplicates", label: "duplicates", action: "cards.counter" },
  { page: "staff", label: "staff", action: "staff.manage" },
  { page: "keys", label: "apiKeys", action: "staff.manage" },
  { page: "audit", label: "audit", action: "audit.read" },
  { page: "check", label: "onlineCheck", action: "enrolment.check" },
  { page: "employees", label: "registerEmployee", action: "employers.employees" },
];

/** The menu a staff member sees: the pages whose action the permission matrix gives them. */
export function menuFor(me: { actions: readonly string[]; grants: readonly Grant[] }): {
  page: Page;
  label: TextKey;
}[] {
  return PAGES.filter(
    (p) =>
      me.actions.includes(p.action) &&
      // Registering employees here is an employer's own page: it needs the employer of the grant.
      (p.page !== "employees" || me.grants.some((g) => g.employerId)),
  ).map(({ page, label }) => ({ page, label }));
}

/** The counter console: role-aware menu and its pages. */
export function Counter({ me }: { me: Extract<Me, { kind: "staff" }> }) {
  const t = useT();
  const menu = menuFor(me);
  const [page, setPage] = useState<Page>(menu[0]?.page ?? "search");
  return (
    <div className="console">
      <nav className="menu" aria-label={t("counter")}>
        <ul>
          {menu.map((m) => (
            <li key={m.page}>
              <button
                type="button"
                className={m.page === page ? "menu-item active" : "menu-item"}
                aria-current={m.page === page ? "page" : undefined}
                onClick={() => setPage(m.page)}
              >
                {t(m.label)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content">
        {page === "search" ? <Search area={me.grants[0]?.areaCode ?? ""} /> : null}
        {page === "bank" ? <BankTasks /> : null}
        {page === "production" ? <Production area={me.grants[0]?.areaCode ?? ""} /> : null}
        {page === "batch" ? <BatchApply area={me.grants[0]?.areaCode ?? ""} /> : null}
        {page === "policies" ? <Policies area={me.grants[0]?.areaCode ?? ""} /> : null}
        {page === "staff" ? <StaffAdmin area={me.grants[0]?.areaCode ?? ""} /> : null}
        {page === "duplicates" ? <Duplicates /> : null}
        {page === "keys" ? <ApiKeys area={me.grants[0]?.areaCode ?? ""} /> : null}
        {page === "audit" ? <AuditLog /> : null}
        {page === "check" ? <OnlineCheck /> : null}
        {page === "employees" ? (
          <EmployeeRegistration employerId={me.grants.find((g) => g.employerId)?.employerId ?? ""} />
        ) : null}
      </main>
    </div>
  );
}

/** Why an ID number being typed is not yet valid (length, then check character), or undefined. */
function idProblem(value: string, t: ReturnType<typeof useT>): string | undefined {
  const v = value.trim().toUpperCase();
  if (v.length !== 18) return t("idLength", { n: v.length });
  if (!/^\d{17}[\dX]$/.test(v) || idCheckCharacter(v.slice(0, 17)) !== v[17]) return t("idCheck");
  return undefined;
}

function Search({ area }: { area: string }) {
  const t = useT();
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<{ person: Person; idNumber?: string; cards: CardView[] } | undefined>();
  const { busy, error, run, setError } = useAction();
  const q = query.trim().toUpperCase();
  const looksLikeId = q.length > 9 || /^\d{10,}/.test(q);
  const problem = looksLikeId ? idProblem(q, t) : undefined;

  /** A new search clears the page; a reload after an action keeps it (and its messages) in place. */
  const find = useCallback(
    (value: string, reload = false) =>
      run(async () => {
        if (!reload) setFound(undefined);
        if (value.length === 9) {
          const card = await api<CardView>("GET", `/cards/${value}`);
          const person = await api<Person>("GET", `/persons/${card.holder.personId}`);
          setFound({ person, cards: [card] });
        } else {
          const person = await api<Person>("GET", `/persons?idNumber=${encodeURIComponent(value)}`);
          const cards = await api<CardView[]>("GET", `/cards?idNumber=${encodeURIComponent(value)}`);
          setFound({ person, idNumber: value, cards });
        }
      }),
    [run],
  );

  return (
    <>
      <Section title={t("search")}>
        <form
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            if (looksLikeId && problem) return setError(problem);
            void find(q);
          }}
        >
          <Field
            label={t("searchLabel")}
            value={query}
            onChange={setQuery}
            maxLength={18}
            name="query"
            hint={looksLikeId ? (problem ?? t("idOk")) : t("searchHint")}
            error={error}
          />
          <button type="submit" className="primary" disabled={busy || q.length === 0}>
            {t("find")}
          </button>
        </form>
      </Section>
      {found ? (
        <PersonPage
          key={found.person.id}
          person={found.person}
          idNumber={found.idNumber}
          cards={found.cards}
          area={area}
          reload={() => find(found.idNumber ?? found.cards[0].cardNumber, true)}
        />
      ) : null}
    </>
  );
}

function PersonPage(props: {
  person: Person;
  idNumber?: string;
  cards: CardView[];
  area: string;
  reload: () => void;
}) {
  const t = useT();
  const { person } = props;
  const [revealed, setRevealed] = useState<string | undefined>();
  const [reason, setReason] = useState("");
  const reveal = useAction();
  const [applied, setApplied] = useState<string | undefined>();
  return (
    <>
      <Section title={t("person")}>
        <dl className="facts">
          <dt>{t("name")}</dt>
          <dd data-testid="person-name">{person.name}</dd>
          <dt>{t("idNumber")}</dt>
          <dd>{revealed ?? person.idNumberMasked}</dd>
          <dt>{t("birthDate")}</dt>
          <dd>{person.birthDate}</dd>
        </dl>
        {revealed ? null : (
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              void reveal.run(async () => {
                const r = await api<{ idNumber: string }>("POST", `/persons/${person.id}/reveal-id-number`, {
                  reason,
                });
                setRevealed(r.idNumber);
              });
            }}
          >
            <Field label={t("revealReason")} value={reason} onChange={setReason} error={reveal.error} />
            <button type="submit" disabled={reveal.busy || !reason.trim()}>
              {t("reveal")}
            </button>
          </form>
        )}
      </Section>
      <Section title={t("cards")}>
        {applied ? <Notice kind="ok">{applied}</Notice> : null}
        {props.cards.length === 0 ? <p>{t("noCards")}</p> : null}
        {props.cards.map((card) => (
          <CardPanel key={card.cardNumber} card={card} idNumber={props.idNumber} reload={props.reload} />
        ))}
        {props.cards.some((c) => c.holdsProvinceSlot) ? null : (
          <Apply
            idNumber={props.idNumber}
            area={props.area}
            onApplied={(message) => {
              setApplied(message);
              props.reload();
            }}
          />
        )}
      </Section>
      {props.idNumber ? <EnrolmentPanel idNumber={props.idNumber} area={props.area} /> : null}
    </>
  );
}

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
const CANCEL_REASONS = ["holder_request", "duplicate", "death", "transfer_out", "emigration"];
/** Cancellations that need the reference of the record that proves them. */
const CANCEL_WITH_RECORD = ["death", "transfer_out", "emigration"];
const REPLACEMENT_REASONS = ["expiry", "damaged", "chip_failure", "data_changed", "photo_changed"];

function CardPanel({ card, idNumber, reload }: { card: CardView; idNumber?: string; reload: () => void }) {
  const t = useT();
  const [action, setAction] = useState<string | undefined>();
  const [holderId, setHolderId] = useState(idNumber ?? "");
  const [result, setResult] = useState<string | undefined>();
  const [history, setHistory] = useState<HistoryEntry[] | undefined>();
  const [letterRef, setLetterRef] = useState("");
  const [employerCode, setEmployerCode] = useState("");
  const [recordRef, setRecordRef] = useState("");
  const [reason, setReason] = useState("");
  const cancelReason = reason || "holder_request";
  const [newPin, setNewPin] = useState("");
  const { busy, error, run } = useAction();
  const actions = [
    ...card.allowedActions.filter((a) => OFFERED.includes(a)),
    ...(card.allowedActions.includes("issue") ? ["issue_to_employer"] : []),
    ...card.services,
  ];

  const submit = () =>
    run(async () => {
      const n = card.cardNumber;
      if (action === "issue" || action === "issue_and_activate")
        await api("POST", `/cards/${n}/issue`, {
          collectedBy: "holder",
          holderIdNumber: holderId,
          activate: action === "issue_and_activate",
        });
      else if (action === "issue_to_employer")
        await api("POST", `/cards/${n}/issue`, {
          collectedBy: "employer",
          employerCreditCode: employerCode,
          employerLetterRef: letterRef,
          activate: false,
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
          ...(cancelReason === "holder_request" ? { holderIdNumber: holderId } : {}),
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
            void submit();
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
          <div className="buttons">
            <button type="submit" className="primary" disabled={busy}>
              {t("confirm")}
            </button>
            <button type="button" onClick={() => setAction(undefined)}>
              {t("cancel")}
            </button>
          </div>
        </form>
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
              {h.at.replace("T", " ").slice(0, 16)} · {t.code(h.action)} → {t.code(h.toState)} ·{" "}
              {t.code(h.actorRole)}
            </li>
          ))}
        </ol>
      </details>
    </article>
  );
}

type Check = { at: string; checkedBy: string; role: string; result: string };

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
            {c.at.replace("T", " ").slice(0, 16)} · {c.checkedBy} ({t.code(c.role)}) · {t.code(c.result)}
          </li>
        ))}
      </ul>
    </details>
  );
}

function Apply(props: { idNumber?: string; area: string; onApplied: (message: string) => void }) {
  const { area } = props;
  const t = useT();
  const [holderId, setHolderId] = useState(props.idNumber ?? "");
  const { busy, error, run } = useAction();
  return (
    <form
      className="action-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const r = await api<CardView>("POST", "/cards/applications", {
            idNumber: holderId.trim().toUpperCase(),
            areaCode: area,
          });
          props.onApplied(t("applied", { card: r.cardNumber }));
        });
      }}
    >
      <h3>{t("apply")}</h3>
      <Field
        label={t("holderIdNumber")}
        value={holderId}
        onChange={setHolderId}
        maxLength={18}
        error={error}
      />
      <button type="submit" className="primary" disabled={busy}>
        {t("apply")}
      </button>
    </form>
  );
}

function BankTasks() {
  const t = useT();
  const [tasks, setTasks] = useState<{ id: string; cardNumber: string; reason: string }[] | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  const load = useCallback(
    async () =>
      setTasks(await api<{ id: string; cardNumber: string; reason: string }[]>("GET", "/bank-tasks")),
    [],
  );
  useEffect(() => {
    void run(load);
  }, [run, load]);
  return (
    <Section title={t("bankTasks")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {tasks?.length === 0 ? <p>{t("noTasks")}</p> : null}
      <ul>
        {tasks?.map((task) => (
          <li key={task.id}>
            {t("cardNumber")} {task.cardNumber} · {t.code(task.reason)}{" "}
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  await api("POST", `/bank-tasks/${task.id}/confirm`);
                  setMessage(`${t("done")}：${task.cardNumber}`);
                  await load();
                })
              }
            >
              {t("confirmAccountClosed")}
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Production({ area }: { area: string }) {
  const t = useT();
  const [batch, setBatch] = useState<{ batchId: string; cardCount: number; file: string } | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  return (
    <Section title={t("production")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const b = await api<{ batchId: string; cardCount: number; file: string }>(
                "POST",
                "/cards/production-batches",
                {
                  areaCode: area,
                },
              );
              setBatch(b);
              setMessage(`${t("done")}：${b.cardCount}`);
            })
          }
        >
          {t("sendToProduction")}
        </button>
        {batch ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                const lines = batch.file.trim().split("\n");
                const header = lines[0].split(",");
                const col = header.indexOf("card_id_code");
                const csv = [
                  "card_id_code,result",
                  ...lines.slice(1).map((l) => `${l.split(",")[col]},ok`),
                ].join("\n");
                const r = await api<{ accepted: number }>(
                  "POST",
                  `/cards/production-batches/${batch.batchId}/return`,
                  { csv },
                );
                setMessage(`${t("done")}：${r.accepted}`);
                setBatch(undefined);
              })
            }
          >
            {t("allProduced")}
          </button>
        ) : null}
      </div>
    </Section>
  );
}

function OnlineCheck() {
  const t = useT();
  const [cardNumber, setCardNumber] = useState("");
  const [result, setResult] = useState<
    | {
        result: string;
        insured: boolean;
        diagnostic?: { zh: { cause: string; remedy: string }; en: { cause: string; remedy: string } };
      }
    | undefined
  >();
  const { busy, error, run } = useAction();
  return (
    <Section title={t("onlineCheck")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () =>
            setResult(await api("POST", "/online-checks", { cardNumber: cardNumber.trim().toUpperCase() })),
          );
        }}
      >
        <Field
          label={t("cardNumber")}
          value={cardNumber}
          onChange={setCardNumber}
          maxLength={9}
          error={error}
        />
        <button type="submit" className="primary" disabled={busy}>
          {t("checkCard")}
        </button>
      </form>
      {result ? (
        <Notice kind={result.insured ? "ok" : "warning"}>
          <strong>{t.code(result.result)}</strong>
          {result.diagnostic ? (
            <>
              <br />
              {result.diagnostic[t.lang].cause}
              <br />
              {result.diagnostic[t.lang].remedy}
            </>
          ) : null}
        </Notice>
      ) : null}
    </Section>
  );
}
