import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import { localTime } from "./clock.ts";
import { useT } from "./i18n.tsx";
import { Notice, Section, useAction } from "./ui.tsx";

type EcardView = {
  ecardId: string;
  suspended: boolean;
  biometricConsent: boolean;
  keptFacePhotos: number;
  scope: string;
  reason: string;
  channels: { code: string; name: string; state: string; since: string }[];
  recentPayments: { at: string }[];
};

/** The holder's e-card in the hall: usable or not, the apps it is in, payments; suspend everywhere; authorise while lost. */
export function HallEcard({ cardLost }: { cardLost: boolean }) {
  const t = useT();
  const [view, setView] = useState<EcardView | null | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [confirmSuspend, setConfirmSuspend] = useState(false);
  const { busy, error, run } = useAction();
  const load = useCallback(async () => {
    try {
      setView(await api<EcardView>("GET", "/holder/ecard"));
    } catch {
      setView(null);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  if (view === null) return null;
  return (
    <Section title={t("ecard")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {message ? <Notice kind="ok">{message}</Notice> : null}
      {view ? (
        <>
          <p>
            {t("ecardScope")}: <strong>{t.code(`scope_${view.scope}`)}</strong>
          </p>
          <p>
            {t("ecardChannels")}:{" "}
            {view.channels.length ? view.channels.map((c) => c.name).join("、") : t("ecardNoChannels")}
          </p>
          <p>
            {t("ecardPayments")}: {view.recentPayments.length}
          </p>
          <p>
            {t("ecardBiometric")}:{" "}
            {view.biometricConsent || view.keptFacePhotos
              ? t("ecardBiometricKept", { n: view.keptFacePhotos })
              : t("ecardBiometricNone")}
          </p>
          <div className="buttons">
            {confirmSuspend ? (
              <fieldset className="confirm">
                <legend className="visually-hidden">{t("ecardSuspend")}</legend>
                <Notice kind="warning">{t("ecardSuspendConsequence")}</Notice>
                <button
                  type="button"
                  className="danger"
                  disabled={busy}
                  onClick={() =>
                    void run(async () => {
                      setConfirmSuspend(false);
                      await api("POST", "/holder/ecard/suspension", { suspended: true });
                      setMessage(t("ecardSuspended"));
                      await load();
                    })
                  }
                >
                  {t("confirmAgain", { action: t("ecardSuspend") })}
                </button>
                <button type="button" className="spaced" onClick={() => setConfirmSuspend(false)}>
                  {t("back")}
                </button>
              </fieldset>
            ) : (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  view.suspended
                    ? void run(async () => {
                        await api("POST", "/holder/ecard/suspension", { suspended: false });
                        setMessage(t("ecardResumed"));
                        await load();
                      })
                    : setConfirmSuspend(true)
                }
              >
                {view.suspended ? t("ecardResume") : t("ecardSuspend")}
              </button>
            )}
            {view.biometricConsent || view.keptFacePhotos ? (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    const r = await api<{ deletedPhotos: number }>(
                      "POST",
                      "/holder/ecard/biometric-consent/withdrawal",
                    );
                    setMessage(t("ecardBiometricWithdrawn", { n: r.deletedPhotos }));
                    await load();
                  })
                }
              >
                {t("ecardBiometricWithdraw")}
              </button>
            ) : null}
            {cardLost ? (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    const r = await api<{ expiresAt: string }>("POST", "/holder/ecard/authorisations", {
                      hours: 4,
                    });
                    setMessage(t("ecardAuthorised", { until: localTime(r.expiresAt) }));
                    await load();
                  })
                }
              >
                {t("ecardAuthorise")}
              </button>
            ) : null}
          </div>
        </>
      ) : (
        <p>{t("loading")}</p>
      )}
    </Section>
  );
}
