import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { api, SESSION_ENDED, session } from "./api.ts";
import { Counter, consoleName } from "./Counter.tsx";
import { syncServerClock } from "./clock.ts";
import { Hall } from "./Hall.tsx";
import { LangProvider, useLang, useT } from "./i18n.tsx";
import { Login, type Me } from "./Login.tsx";
import "./styles.css";

const ME_KEY = "sscard.me";
const ELDER_KEY = "sscard.elder";
// Applied before the first render, so the page never flashes at the small size.
document.documentElement.classList.toggle("elder", localStorage.getItem(ELDER_KEY) === "1");

/** Elder mode (适老化): large text, large targets, high contrast; remembered on this device. */
function useElderMode(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => localStorage.getItem(ELDER_KEY) === "1");
  useEffect(() => {
    document.documentElement.classList.toggle("elder", on);
    localStorage.setItem(ELDER_KEY, on ? "1" : "0");
  }, [on]);
  return [on, setOn];
}

function App() {
  const t = useT();
  const { lang, setLang } = useLang();
  const [me, setMe] = useState<Me | undefined>(() => {
    const saved = sessionStorage.getItem(ME_KEY);
    const me = saved && session.get() ? (JSON.parse(saved) as Me) : undefined;
    // A sign-in saved by an earlier version has no actions: sign in again.
    return me?.kind === "staff" && !Array.isArray(me.actions) ? undefined : me;
  });
  const [notice, setNotice] = useState<string | undefined>();
  const [elder, setElder] = useElderMode();
  useEffect(() => {
    const ended = () => {
      sessionStorage.removeItem(ME_KEY);
      setMe(undefined);
      setNotice(t("sessionEnded"));
    };
    addEventListener(SESSION_ENDED, ended);
    return () => removeEventListener(SESSION_ENDED, ended);
  });
  const signedIn = (who: Me) => {
    setNotice(undefined);
    sessionStorage.setItem(ME_KEY, JSON.stringify(who));
    setMe(who);
  };
  const signOut = async () => {
    try {
      await api("POST", me?.kind === "holder" ? "/holder/logout" : "/auth/logout");
    } catch {
      // The session may have ended already; signing out locally is what matters.
    }
    session.clear();
    sessionStorage.removeItem(ME_KEY);
    setMe(undefined);
  };
  return (
    <>
      <a className="skip" href="#main">
        {t.lang === "en" ? "Skip to content" : "跳到主要内容"}
      </a>
      <header className="top">
        <div className="brand">
          <span className="emblem" aria-hidden="true">
            社
          </span>
          <span>
            {t("appName")}
            {me ? ` · ${me.kind === "staff" ? t(consoleName(me.grants)) : t("hall")}` : ""}
          </span>
        </div>
        <div className="top-actions">
          {me ? (
            <span className="who">
              {me.name}
              {me.kind === "staff" ? ` · ${me.grants.map((g) => t.code(g.role)).join("、")}` : ""}
            </span>
          ) : null}
          <button type="button" className="link" aria-pressed={elder} onClick={() => setElder(!elder)}>
            {t("elderMode")}
          </button>
          <button
            type="button"
            className="link"
            onClick={() => setLang(lang === "zh" ? "en" : "zh")}
            lang={lang === "zh" ? "en" : "zh"}
            title={t("languageLabel")}
          >
            {t("language")}
          </button>
          {me ? (
            <button type="button" className="link" onClick={() => void signOut()}>
              {t("signOut")}
            </button>
          ) : null}
        </div>
      </header>
      {!me ? (
        <Login onSignedIn={signedIn} notice={notice} />
      ) : me.kind === "staff" ? (
        <Counter me={me} />
      ) : (
        <Hall initialPassword={me.initialPassword === true} />
      )}
    </>
  );
}

// The pages use the server's clock (see clock.ts): it is read before the first render.
void syncServerClock().then(() =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <LangProvider>
        <App />
      </LangProvider>
    </StrictMode>,
  ),
);
