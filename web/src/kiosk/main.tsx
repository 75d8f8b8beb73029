import { StrictMode, useCallback, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { api, apiAs, SESSION_ENDED, session } from "../api.ts";
import { syncServerClock } from "../clock.ts";
import { LangProvider, useLang, useT } from "../i18n.tsx";
import { Field, Notice, useAction } from "../ui.tsx";
import { type AskAgent, useAgent } from "./agent.ts";
import { Keypad } from "./Keypad.tsx";
import { KIOSK_PAGES, type KioskPage, KioskPageView } from "./KioskPages.tsx";
import "../styles.css";
import "./kiosk.css";

/** The kiosk's key, set once by staff on this terminal (a real kiosk's device service holds it). */
const KEY = "sscard.kiosk.key";
/** Seconds without a touch before the session ends (the server's idle limit is two minutes). */
const IDLE_SECONDS = 90;

type Me = { grants: { areaCode: string }[] };
type Session = { token: string; scope: "all" | "query"; holder: { nameMasked: string } };

/**
 * The self-service terminal (seed 003): full screen, Chinese by default, large targets; the holder
 * signs in with the card (its number and password typed here until the device service reads the card)
 * or reports a card lost without signing in; four pages; the session ends after inactivity.
 */
function Kiosk() {
  const t = useT();
  const { lang, setLang } = useLang();
  const [key, setKey] = useState(() => localStorage.getItem(KEY) ?? "");
  const [area, setArea] = useState<{ code: string; name: string } | undefined>();
  const [holder, setHolder] = useState<Session | undefined>();
  const [page, setPage] = useState<KioskPage>("kioskInquiry");
  const [notice, setNotice] = useState<string | undefined>();

  useEffect(() => {
    if (!key) return;
    void (async () => {
      const me = await apiAs<Me>(key, "GET", "/auth/me");
      const code = me.grants[0].areaCode;
      const found = await apiAs<{ name: string }>(key, "GET", `/areas/${code}`);
      setArea({ code, name: found.name });
    })().catch(() => setArea(undefined));
  }, [key]);

  // No way out to the browser: no context menu, nothing dragged out of the page (the browser itself
  // runs with --kiosk under a kiosk compositor, see docs/kiosk.md).
  useEffect(() => {
    const stop = (e: Event) => e.preventDefault();
    addEventListener("contextmenu", stop);
    addEventListener("dragstart", stop);
    return () => {
      removeEventListener("contextmenu", stop);
      removeEventListener("dragstart", stop);
    };
  }, []);

  const end = useCallback(async (message?: string) => {
    try {
      await api("POST", "/holder/logout");
    } catch {
      // Already ended on the server.
    }
    session.clear();
    setHolder(undefined);
    setPage("kioskInquiry");
    setNotice(message);
  }, []);

  // No touch for a while, or the server ended the session: back to the welcome screen.
  useEffect(() => {
    if (!holder) return;
    let last = Date.now();
    const touched = () => {
      last = Date.now();
    };
    const timer = setInterval(() => {
      if (Date.now() - last > IDLE_SECONDS * 1000) void end(t("kioskIdle"));
    }, 1000);
    const ended = () => void end(t("kioskIdle"));
    addEventListener("pointerdown", touched);
    addEventListener("keydown", touched);
    addEventListener(SESSION_ENDED, ended);
    return () => {
      clearInterval(timer);
      removeEventListener("pointerdown", touched);
      removeEventListener("keydown", touched);
      removeEventListener(SESSION_ENDED, ended);
    };
  }, [holder, end, t]);

  const [inserted, setInserted] = useState<string | undefined>();
  const [agentError, setAgentError] = useState<string | undefined>();
  const { devices, ask } = useAgent((event) => {
    if (event.type === "card_inserted") {
      setAgentError(undefined);
      setInserted(event.cardNumber);
    }
    if (event.type === "card_refused")
      setAgentError(t("kioskCardRefused", { reason: t.code(event.refusal) }));
    if (event.type === "card_removed") {
      setInserted(undefined);
      if (holder) void end(t("kioskCardPulled"));
    }
    if (event.type === "id_card" && !holder && key)
      apiAs<Session>(key, "POST", "/kiosk/sessions", { idCardRecord: event.record }).then(
        (s) => {
          session.set(s.token);
          setNotice(undefined);
          setAgentError(undefined);
          setHolder(s);
        },
        (err: Error) => setAgentError(err.message),
      );
  });

  if (!key) return <Setup onKey={setKey} />;
  return (
    <div className="kiosk">
      <header className="kiosk-top">
        <h1>{t("kioskTitle", { area: area?.name ?? "" })}</h1>
        <button
          type="button"
          onClick={() => setLang(lang === "zh" ? "en" : "zh")}
          lang={lang === "zh" ? "en" : "zh"}
        >
          {t("language")}
        </button>
      </header>
      <main id="main">
        {notice ? <Notice kind="warning">{notice}</Notice> : null}
        {agentError ? <Notice kind="error">{agentError}</Notice> : null}
        {!holder ? (
          <Welcome
            kioskKey={key}
            devices={devices}
            ask={ask}
            inserted={inserted}
            onSession={(s) => {
              session.set(s.token);
              setNotice(undefined);
              setHolder(s);
            }}
          />
        ) : (
          <>
            <p className="who">{holder.holder.nameMasked}</p>
            <nav className="kiosk-pages" aria-label={t("kioskTitle", { area: area?.name ?? "" })}>
              {KIOSK_PAGES.map((p) => (
                <button key={p} type="button" aria-pressed={page === p} onClick={() => setPage(p)}>
                  {t(p)}
                </button>
              ))}
              <button type="button" className="exit" onClick={() => void end()}>
                {t("kioskExit")}
              </button>
            </nav>
            <KioskPageView
              page={page}
              scope={holder.scope}
              kioskKey={key}
              area={area?.code ?? ""}
              agent={{
                printer: devices?.printer === "ready",
                paymentTerminal:
                  devices?.paymentTerminal === "ready" || devices?.paymentTerminal === "simulator",
                ask,
              }}
            />
          </>
        )}
      </main>
    </div>
  );
}

/** Staff set the terminal's key once. */
function Setup({ onKey }: { onKey: (key: string) => void }) {
  const t = useT();
  const [value, setValue] = useState("");
  return (
    <main id="main" className="kiosk">
      <h1>{t("kioskSetup")}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          localStorage.setItem(KEY, value.trim());
          onKey(value.trim());
        }}
      >
        <Field label={t("kioskKey")} value={value} onChange={setValue} type="password" />
        <button type="submit" className="primary">
          {t("kioskSave")}
        </button>
      </form>
    </main>
  );
}

/** Signing in (the card's number and password) and a pre-loss without signing in (ID number and password). */
function Welcome(props: {
  kioskKey: string;
  devices: Record<string, string> | undefined;
  /** The card in the reader (the device agent read its number): only its password is asked. */
  inserted: string | undefined;
  ask: AskAgent;
  onSession: (s: Session) => void;
}) {
  const { kioskKey, onSession, inserted, ask } = props;
  const t = useT();
  const [chosen, setMode] = useState<"card" | "preLoss" | undefined>();
  const mode = inserted ? "card" : chosen;
  const [typed, setText] = useState("");
  const text = inserted ?? typed;
  const [pin, setPin] = useState("");
  const [done, setDone] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  const choose = (m: "card" | "preLoss") => {
    setMode(m);
    setText("");
    setPin("");
    setDone(undefined);
  };
  return (
    <section className="welcome" aria-label={t("kioskWelcome")}>
      <p className="lead">{t("kioskWelcome")}</p>
      <p>
        {t("kioskHardware", {
          state: props.devices
            ? Object.entries(props.devices)
                .map(([device, state]) => `${t(device as "idCardReader")}：${t.code(`device_${state}`)}`)
                .join("；")
            : t("kioskNoAgent"),
        })}
      </p>
      <div className="kiosk-pages">
        <button type="button" aria-pressed={mode === "card"} onClick={() => choose("card")}>
          {t("kioskByNumber")}
        </button>
        <button type="button" aria-pressed={mode === "preLoss"} onClick={() => choose("preLoss")}>
          {t("kioskPreLossNoLogin")}
        </button>
      </div>
      {done ? <Notice kind="ok">{done}</Notice> : null}
      {mode ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              // The digits go to the device agent, which enciphers them under the kiosk's PIN key
              // (bound to the card's number in the chip, or to the ID number typed): sscard never
              // receives a kiosk's PIN in clear.
              const answer = await ask({
                type: "pin_block",
                pin,
                account: mode === "card" ? undefined : text.trim().toUpperCase(),
              });
              setPin("");
              if (answer.type !== "pin_block")
                throw new Error(t.code(answer.type === "error" ? answer.code : ""));
              const pinBlock = answer.pinBlock;
              if (mode === "card")
                onSession(
                  await apiAs<Session>(kioskKey, "POST", "/kiosk/sessions", {
                    card: { cardNumber: text.trim().toUpperCase(), pinBlock },
                  }),
                );
              else {
                const r = await apiAs<{ cardNumberMasked: string; nameMasked: string }>(
                  kioskKey,
                  "POST",
                  "/kiosk/pre-loss",
                  { idNumber: text.trim().toUpperCase(), pinBlock },
                );
                setDone(t("kioskPreLossDone", { card: r.cardNumberMasked, name: r.nameMasked }));
                setMode(undefined);
              }
            });
          }}
        >
          {inserted ? (
            <p>{t("kioskCardIn", { card: inserted })}</p>
          ) : mode === "card" ? (
            <Notice kind="warning">{t("kioskInsertCard")}</Notice>
          ) : (
            <Field label={t("idNumber")} value={text} onChange={setText} maxLength={18} />
          )}
          <Keypad value={pin} onChange={setPin} label={t("kioskPinPad")} />
          {error ? <Notice kind="error">{error}</Notice> : null}
          <button
            type="submit"
            className="primary"
            disabled={busy || pin.length !== 6 || (mode === "card" && !inserted)}
          >
            {t("kioskOk")}
          </button>
        </form>
      ) : null}
    </section>
  );
}

void syncServerClock().then(() =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <LangProvider>
        <Kiosk />
      </LangProvider>
    </StrictMode>,
  ),
);
