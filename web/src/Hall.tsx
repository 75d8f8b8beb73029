import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import { CertificateRequest } from "./CertificateRequest.tsx";
import { localTime } from "./clock.ts";
import { HallEcard } from "./HallEcard.tsx";
import { HallMedical } from "./HallMedical.tsx";
import { useT } from "./i18n.tsx";
import { PasswordForm } from "./PasswordForm.tsx";
import { CardHeading, ConfirmStep, Notice, Section, useAction } from "./ui.tsx";

type HolderCard = {
  cardNumber: string;
  state: string;
  areaCode: string;
  validUntil: string | null;
  applicationKind: string;
  readyDate: string | null;
  tempCertificateNo: string | null;
  /** What the holder may do online with the card in its state (the server's state table). */
  allowedActions: string[];
  services: string[];
  history: { at: string; action: string; fromState: string | null; toState: string; channel: string }[];
};
type Check = {
  at: string;
  checkedBy: string;
  place: string | null;
  role: string;
  channel: string;
  result: string;
};

const when = (iso: string) => localTime(iso);

/** The online service hall: my cards, pre-loss at any hour and its revocation, password, who checked my card. */
export function Hall({ initialPassword = false }: { initialPassword?: boolean }) {
  const t = useT();
  const [cards, setCards] = useState<HolderCard[] | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [consent, setConsent] = useState(false);
  /** The card whose pre-loss waits for the holder's second confirmation. */
  const [confirmLoss, setConfirmLoss] = useState<string | undefined>();
  const { busy, error, run } = useAction();

  const load = useCallback(async () => {
    setCards(await api<HolderCard[]>("GET", "/holder/cards"));
  }, []);
  useEffect(() => {
    void run(load);
  }, [run, load]);

  const act = (card: HolderCard, path: string, done: string) =>
    run(async () => {
      setMessage(undefined);
      await api("POST", `/holder/cards/${card.cardNumber}/${path}`);
      setMessage(done);
      await load();
    });

  return (
    <main id="main" className="content">
      <h1 className="page-title">{t("hall")}</h1>
      {initialPassword ? <Notice kind="warning">{t("initialPasswordNudge")}</Notice> : null}
      <Notice kind="warning">{t("noLinks")}</Notice>
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      <Section title={t("myCards")}>
        {!cards ? <p>{t("loading")}</p> : null}
        {cards?.map((card) => (
          <article
            key={card.cardNumber}
            className="card-item"
            aria-label={`${t("cardNumber")} ${card.cardNumber}`}
          >
            <CardHeading card={card} />
            <div className="buttons">
              {card.allowedActions.includes("report_temporary_loss") && confirmLoss !== card.cardNumber ? (
                <button type="button" disabled={busy} onClick={() => setConfirmLoss(card.cardNumber)}>
                  {t("preLoss")}
                </button>
              ) : null}
              {confirmLoss === card.cardNumber ? (
                <ConfirmStep
                  action={t("preLoss")}
                  consequence={t("preLossConsequence")}
                  busy={busy}
                  onConfirm={() => {
                    setConfirmLoss(undefined);
                    void act(card, "temporary-loss", t("preLossDone"));
                  }}
                  onBack={() => setConfirmLoss(undefined)}
                />
              ) : null}
              {card.services.includes("replacement") ? (
                <label className="consent">
                  <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />{" "}
                  {t("renewConsent")}
                </label>
              ) : null}
              {card.services.includes("replacement") ? (
                <button
                  type="button"
                  disabled={busy || !consent}
                  onClick={() =>
                    void run(async () => {
                      setMessage(undefined);
                      const r = await api<{ cardNumber: string; readyDate: string | null }>(
                        "POST",
                        `/holder/cards/${card.cardNumber}/renewal`,
                        { consent: true },
                      );
                      setMessage(t("renewalApplied", { card: r.cardNumber, date: r.readyDate ?? "—" }));
                      await load();
                    })
                  }
                >
                  {t("renew")}
                </button>
              ) : null}
              {card.allowedActions.includes("revoke_temporary_loss") ? (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => void act(card, "temporary-loss/revoke", t("done"))}
                >
                  {t("revokeLoss")}
                </button>
              ) : null}
            </div>
            <details>
              <summary>{t("history")}</summary>
              <ol className="history">
                {card.history.map((h) => (
                  <li key={`${h.at}-${h.action}`}>
                    {when(h.at)} · {t.code(h.action)} → {t.code(h.toState)} ({t.code(h.channel)})
                  </li>
                ))}
              </ol>
            </details>
            {["active", "archived", "locked", "temporarily_lost"].includes(card.state) ? (
              <Checks cardNumber={card.cardNumber} />
            ) : null}
          </article>
        ))}
      </Section>
      {cards?.length ? <HallEcard cardLost={cards[0].state === "temporarily_lost"} /> : null}
      {cards?.length ? <HallMedical /> : null}
      {cards?.length ? (
        <CertificateRequest
          kinds={["rights_record", "enrolment_certificate"]}
          issuePath="/holder/certificates"
          pdfPath={(serial) => `/holder/certificates/${serial}/pdf`}
          defaultArea={cards[0].areaCode}
        />
      ) : null}
      {cards?.find((c) => ["active", "archived"].includes(c.state)) ? (
        <PasswordChange
          cardNumber={cards.find((c) => ["active", "archived"].includes(c.state))!.cardNumber}
        />
      ) : null}
    </main>
  );
}

function Checks({ cardNumber }: { cardNumber: string }) {
  const t = useT();
  const [checks, setChecks] = useState<Check[] | undefined>();
  useEffect(() => {
    void api<Check[]>("GET", `/holder/cards/${cardNumber}/online-checks`).then(setChecks, () =>
      setChecks([]),
    );
  }, [cardNumber]);
  return (
    <div className="checks">
      <h4>{t("checks")}</h4>
      {checks?.length === 0 ? <p>{t("noChecks")}</p> : null}
      <ul>
        {checks?.map((c) => (
          <li key={`${c.at}-${c.checkedBy}-${c.result}`}>
            {when(c.at)} · {c.place ?? t.code(c.channel)} ({t.code(c.role)}) · {t.code(c.result)}
          </li>
        ))}
      </ul>
    </div>
  );
}

function PasswordChange({ cardNumber }: { cardNumber: string }) {
  const t = useT();
  return (
    <PasswordForm
      title={t("changePassword")}
      askCurrent
      submit={(input) => api("POST", `/holder/cards/${cardNumber}/password/change`, input)}
      done={t("passwordChanged")}
    />
  );
}
