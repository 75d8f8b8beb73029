import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";
import { localTime } from "./clock.ts";
import { type FamilyMember, HallEcardCodes } from "./HallEcardCodes.tsx";
import { HallEcardPassword } from "./HallEcardPassword.tsx";
import { HallFamily } from "./HallFamily.tsx";
import { useT } from "./i18n.tsx";
import { ConfirmStep, Notice, Section, useAction } from "./ui.tsx";

type EcardView = {
  ecardId: string;
  suspended: boolean;
  biometricConsent: boolean;
  keptFacePhotos: number;
  scope: string;
  reason: string;
  channels: { code: string; name: string; state: string; since: string }[];
  recentPayments: { at: string }[];
  passwordSet: boolean;
  passwordLocked: boolean;
};

/** The holder's e-card in the hall: usable or not, the apps it is in, payments; suspend everywhere; authorise while lost. */
export function HallEcard({ cardLost }: { cardLost: boolean }) {
  const t = useT();
  const [view, setView] = useState<EcardView | null | undefined>();
  const [family, setFamily] = useState<FamilyMember[]>([]);
  const [message, setMessage] = useState<string | undefined>();
  const [confirmSuspend, setConfirmSuspend] = useState(false);
  const { busy, error, run } = useAction();
  const load = useCallback(async () => {
    try {
      setView(await api<EcardView>("GET", "/holder/ecard"));
    } catch {
      setView(null);
      return;
    }
    setFamily(await api<FamilyMember[]>("GET", "/holder/ecard/family"));
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  if (view === null) return null;
  const summary = (
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
              <ConfirmStep
                action={t("ecardSuspend")}
                consequence={t("ecardSuspendConsequence")}
                busy={busy}
                onConfirm={() =>
                  void run(async () => {
                    setConfirmSuspend(false);
                    await api("POST", "/holder/ecard/suspension", { suspended: true });
                    setMessage(t("ecardSuspended"));
                    await load();
                  })
                }
                onBack={() => setConfirmSuspend(false)}
              />
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
  if (!view) return summary;
  return (
    <>
      {summary}
      <HallEcardCodes
        key={`${view.passwordSet}-${family.length}`}
        ecardId={view.ecardId}
        passwordSet={view.passwordSet}
        family={family}
      />
      <HallEcardPassword
        ecardId={view.ecardId}
        passwordSet={view.passwordSet}
        passwordLocked={view.passwordLocked}
        reload={load}
      />
      <HallFamily ecardId={view.ecardId} family={family} reload={load} />
    </>
  );
}
