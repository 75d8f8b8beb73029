import { useEffect, useState } from "react";
import { api, apiAs } from "../api.ts";
import { CertificateRequest } from "../CertificateRequest.tsx";
import { chinaDay, localTime } from "../clock.ts";
import { HallMedical } from "../HallMedical.tsx";
import { useT } from "../i18n.tsx";
import { POLICY_FIELDS } from "../policy-fields.ts";
import { QrCode } from "../QrCode.tsx";
import { CardHeading, ConfirmStep, Field, Notice, Section, Select, useAction } from "../ui.tsx";
import type { AskAgent } from "./agent.ts";
import { PasswordChange } from "./PasswordChange.tsx";
import { PrintPanel } from "./PrintPanel.tsx";
import { SoftKeyboard } from "./SoftKeyboard.tsx";

type HolderCard = {
  cardNumber: string;
  state: string;
  validUntil: string | null;
  readyDate: string | null;
  allowedActions: string[];
  history: { at: string; action: string; toState: string; channel: string }[];
};
type Policy = { effectiveFrom: string; policy: Record<string, unknown> };
type Outlet = { id: string; name: string; kind: string; address: string | null };

export const KIOSK_PAGES = ["kioskInquiry", "kioskHandling", "kioskPolicy", "kioskConvenience"] as const;
export type KioskPage = (typeof KIOSK_PAGES)[number];

/** The four pages of the terminal's home (seed 003): inquiry, handling, policy, convenience. */
/** What the pages use of the device agent: whether a printer is there, and the agent's requests. */
export type KioskAgentProps = { printer: boolean; paymentTerminal: boolean; ask: AskAgent };

export function KioskPageView(props: {
  page: KioskPage;
  scope: "all" | "query";
  kioskKey: string;
  area: string;
  agent: KioskAgentProps;
}) {
  if (props.page === "kioskInquiry") return <Inquiry />;
  if (props.page === "kioskHandling")
    return <Handling scope={props.scope} area={props.area} kioskKey={props.kioskKey} agent={props.agent} />;
  if (props.page === "kioskPolicy")
    return (
      <>
        <CatalogueSearch kioskKey={props.kioskKey} />
        <PolicyPage kioskKey={props.kioskKey} area={props.area} />
      </>
    );
  return <Convenience kioskKey={props.kioskKey} area={props.area} />;
}

function useCards() {
  const [cards, setCards] = useState<HolderCard[] | undefined>();
  const { error, run } = useAction();
  const reload = () => void run(async () => setCards(await api<HolderCard[]>("GET", "/holder/cards")));
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once per page
  useEffect(reload, []);
  return { cards, error, reload };
}

/** Business inquiry: the cards and their state, enrolments, contributions and arrears, the medical account. */
function Inquiry() {
  const t = useT();
  const { cards, error } = useCards();
  return (
    <>
      <Section title={t("myCards")}>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {cards?.map((c) => (
          <article key={c.cardNumber} className="card-item">
            <CardHeading card={c} />
            <h3>{t("history")}</h3>
            <ol className="history">
              {c.history.map((h) => (
                <li key={`${h.at}-${h.action}`}>
                  {localTime(h.at)} · {t.code(h.action)} → {t.code(h.toState)} ({t.code(h.channel)})
                </li>
              ))}
            </ol>
          </article>
        ))}
      </Section>
      <HallMedical />
    </>
  );
}

/** Business handling: print the rights record and the enrolment certificate; pre-loss (card sessions only). */
function Handling(props: { scope: "all" | "query"; area: string; kioskKey: string; agent: KioskAgentProps }) {
  const { scope, area, kioskKey, agent } = props;
  const t = useT();
  const { cards, reload } = useCards();
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | undefined>();
  /** The certificate to print: on the kiosk's printer, or on screen where there is none. */
  const [printing, setPrinting] = useState<{ pdf: Blob; serial: string } | undefined>();
  const { busy, error, run } = useAction();
  const card = cards?.find((c) => c.allowedActions.includes("report_temporary_loss"));
  const active = cards?.find((c) => c.state === "active");
  return (
    <>
      {scope === "query" ? <Notice kind="warning">{t("kioskQueryOnly")}</Notice> : null}
      <CertificateRequest
        kinds={["rights_record", "enrolment_certificate"]}
        issuePath="/holder/certificates"
        pdfPath={(serial) => `/holder/certificates/${serial}/pdf`}
        defaultArea={area}
        onPdf={(pdf, serial) => setPrinting({ pdf, serial })}
      />
      {printing ? (
        <PrintPanel
          key={printing.serial}
          pdf={printing.pdf}
          serial={printing.serial}
          printer={agent.printer}
          ask={agent.ask}
          onClose={() => setPrinting(undefined)}
        />
      ) : null}
      {scope === "all" && active ? (
        <PasswordChange cardNumber={active.cardNumber} kioskKey={kioskKey} ask={agent.ask} />
      ) : null}
      <Section title={t("kioskEcardHelp")}>
        <ol className="steps">
          <li>{t("kioskEcardStep1")}</li>
          <li>{t("kioskEcardStep2")}</li>
          <li>{t("kioskEcardStep3")}</li>
        </ol>
        <figure className="kiosk-qr">
          <QrCode text={`${location.origin}/`} label={t("kioskHallQr")} />
          <figcaption>{t("kioskHallQr")}</figcaption>
        </figure>
      </Section>
      {scope === "all" ? <ContactForm /> : null}
      {scope === "all" ? <GradePayment kioskKey={kioskKey} area={area} agent={agent} /> : null}
      {scope === "all" && card ? (
        <Section title={t.code("report_temporary_loss")}>
          {done ? <Notice kind="ok">{done}</Notice> : null}
          {error ? <Notice kind="error">{error}</Notice> : null}
          {confirming ? (
            <ConfirmStep
              consequence={t("preLossConsequence")}
              action={t.code("report_temporary_loss")}
              busy={busy}
              onConfirm={() =>
                void run(async () => {
                  await api("POST", `/holder/cards/${card.cardNumber}/temporary-loss`, {});
                  setDone(t("done"));
                  setConfirming(false);
                  reload();
                })
              }
              onBack={() => setConfirming(false)}
            />
          ) : (
            <button type="button" className="primary" onClick={() => setConfirming(true)}>
              {t.code("report_temporary_loss")}
            </button>
          )}
        </Section>
      ) : null}
    </>
  );
}

const fieldOf = (policy: Record<string, unknown>, path: string) =>
  path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], policy);

/** Policy consultation: the area's policy in force, each field in words. */
function PolicyPage({ kioskKey, area }: { kioskKey: string; area: string }) {
  const t = useT();
  const [policy, setPolicy] = useState<Policy | undefined>();
  const { error, run } = useAction();
  useEffect(() => {
    void run(async () => setPolicy(await apiAs<Policy>(kioskKey, "GET", `/areas/${area}/policy`)));
  }, [run, kioskKey, area]);
  const shown = (field: (typeof POLICY_FIELDS)[number], value: unknown) => {
    if (value === undefined || value === null) return "—";
    if (field.kind === "yuan") return (Number(value) / 100).toFixed(2);
    if (field.kind === "bp") return `${Number(value) / 100}%`;
    if (field.kind === "bool") return value ? "✓" : "✗";
    if (Array.isArray(value)) return value.join("、");
    return typeof value === "string" ? t.code(value) : String(value);
  };
  return (
    <Section title={t("kioskPolicy")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {policy ? (
        <dl className="facts">
          {POLICY_FIELDS.map((f) => (
            <div key={f.path}>
              <dt>{t(f.label)}</dt>
              <dd>{shown(f, fieldOf(policy.policy, f.path))}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </Section>
  );
}

type Item = { code: string; name: string; class: string; selfPayBp: number };

/** The drug catalogue in force: is a medicine covered, in which class, how much is self-paid. */
function CatalogueSearch({ kioskKey }: { kioskKey: string }) {
  const t = useT();
  const [text, setText] = useState("");
  const [items, setItems] = useState<Item[] | undefined>();
  const { busy, error, run } = useAction();
  return (
    <Section title={t("kioskCatalogue")}>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () =>
            setItems(
              (
                await apiAs<{ items: Item[] }>(
                  kioskKey,
                  "GET",
                  `/catalogue/items?q=${encodeURIComponent(text.trim())}`,
                )
              ).items,
            ),
          );
        }}
      >
        <Field label={t("itemSearch")} value={text} onChange={setText} maxLength={40} />
        <button type="submit" disabled={busy || !text.trim()}>
          {t("find")}
        </button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {items?.length === 0 ? <p>{t("kioskNotInCatalogue")}</p> : null}
      <ul className="history">
        {items?.map((i) => (
          <li key={i.code}>
            {i.name} · {i.code} · {t("itemClass", { class: t.code(`class_${i.class}`) })}
            {i.class === "B" ? ` · ${t("kioskSelfPay", { percent: i.selfPayBp / 100 })}` : ""}
          </li>
        ))}
      </ul>
    </Section>
  );
}

/** Convenience service: the hotlines and the outlets of the area. */
function Convenience({ kioskKey, area }: { kioskKey: string; area: string }) {
  const t = useT();
  const [outlets, setOutlets] = useState<Outlet[] | undefined>();
  const { error, run } = useAction();
  useEffect(() => {
    void run(async () => setOutlets(await apiAs<Outlet[]>(kioskKey, "GET", `/areas/${area}/outlets`)));
  }, [run, kioskKey, area]);
  return (
    <Section title={t("kioskConvenience")}>
      <p className="hotlines">{t("kioskHotlines")}</p>
      <figure className="kiosk-qr">
        <QrCode text={`${location.origin}/`} label={t("kioskHallQr")} />
        <figcaption>{t("kioskHallQr")}</figcaption>
      </figure>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <h3>{t("kioskOutlets")}</h3>
      <ul className="history">
        {outlets
          ?.filter((o) => o.kind === "outlet")
          .map((o) => (
            <li key={o.id}>
              {o.name}
              {o.address ? ` · ${o.address}` : ""}
            </li>
          ))}
      </ul>
    </Section>
  );
}

type Contact = { phone: string | null; address: string | null; version: number };

/** Basic information: the holder keeps their phone and address, typed on the on-screen keyboard (audited). */
export function ContactForm() {
  const t = useT();
  const [contact, setContact] = useState<Contact | undefined>();
  const [phone, setPhone] = useState("");
  const [address, setAddress] = useState("");
  const [editing, setEditing] = useState<"phone" | "address">("address");
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  useEffect(() => {
    void run(async () => {
      const c = await api<Contact>("GET", "/holder/contact");
      setContact(c);
      setPhone(c.phone ?? "");
      setAddress(c.address ?? "");
    });
  }, [run]);
  return (
    <Section title={t("kioskContact")}>
      {saved ? <Notice kind="ok">{t("done")}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const c = await api<Contact>("PUT", "/holder/contact", {
              version: contact!.version,
              phone: phone.trim() || null,
              address: address.trim() || null,
            });
            setContact(c);
            setSaved(true);
          });
        }}
      >
        <Field
          label={t("kioskPhone")}
          value={phone}
          onChange={setPhone}
          inputMode="numeric"
          maxLength={20}
          onFocus={() => setEditing("phone")}
        />
        <Field
          label={t("kioskAddress")}
          value={address}
          onChange={setAddress}
          maxLength={200}
          onFocus={() => setEditing("address")}
        />
        <SoftKeyboard
          digits={editing === "phone"}
          value={editing === "phone" ? phone : address}
          onChange={editing === "phone" ? setPhone : setAddress}
        />
        <button type="submit" className="primary" disabled={busy || !contact}>
          {t("kioskSave")}
        </button>
      </form>
    </Section>
  );
}

type Order = {
  orderNo: string;
  month: string;
  amountFen: number;
  state: "created" | "paid" | "refund_due" | "refunded";
};

/**
 * Self-service payment for a flexible worker: a month and a grade of the area's policy, an order with
 * its amount, paid at the bank's terminal; the page waits for the bank's notification.
 */
export function GradePayment(props: { kioskKey: string; area: string; agent: KioskAgentProps }) {
  const { kioskKey, area, agent } = props;
  const t = useT();
  /** What the payment terminal said (approval is not payment: the bank's notification is). */
  const [terminal, setTerminal] = useState<string | undefined>();
  const [grades, setGrades] = useState<number[]>([]);
  const months = [chinaDay().slice(0, 7), previousMonthOf(chinaDay().slice(0, 7))];
  const [month, setMonth] = useState(months[1]);
  const [grade, setGrade] = useState("");
  const [order, setOrder] = useState<Order | undefined>();
  const { busy, error, run } = useAction();
  useEffect(() => {
    void run(async () => {
      const p = await apiAs<Policy>(kioskKey, "GET", `/areas/${area}/policy`);
      const list = ((p.policy.medical as { contributionGradesPercent?: number[] } | undefined)
        ?.contributionGradesPercent ?? []) as number[];
      setGrades(list);
      setGrade(String(list[0] ?? ""));
    });
  }, [run, kioskKey, area]);
  // Until the bank's notification arrives: the order's state every two seconds.
  useEffect(() => {
    if (order?.state !== "created") return;
    const timer = setInterval(() => {
      void api<Order>("GET", `/holder/payments/${order.orderNo}`).then(setOrder, () => {});
    }, 2000);
    return () => clearInterval(timer);
  }, [order]);
  return (
    <Section title={t("kioskPayTitle")}>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {order ? (
        <Notice kind={order.state === "paid" ? "ok" : "warning"}>
          {order.state === "paid"
            ? t("kioskPaid", { month: order.month, amount: (order.amountFen / 100).toFixed(2) })
            : order.state === "created"
              ? t("kioskPayAtTerminal", { order: order.orderNo, amount: (order.amountFen / 100).toFixed(2) })
              : t("kioskPayRefunded", { month: order.month })}
        </Notice>
      ) : null}
      {order?.state === "created" && terminal ? <p>{terminal}</p> : null}
      {order?.state === "created" && agent.paymentTerminal && terminal !== t("kioskTerminalApproved") ? (
        <button
          type="button"
          className="primary"
          onClick={() => {
            setTerminal(t("kioskTerminalWaiting"));
            void agent
              .ask({ type: "pay", orderNo: order.orderNo, amountFen: order.amountFen })
              .then((a) =>
                setTerminal(
                  a.type !== "payment"
                    ? t.code(a.type === "error" ? a.code : "")
                    : a.result === "approved"
                      ? t("kioskTerminalApproved")
                      : t("kioskTerminalNotPaid", { result: t.code(`payment_${a.result}`) }),
                ),
              );
          }}
        >
          {t("kioskPayOnTerminal")}
        </button>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () =>
            setOrder(await api<Order>("POST", "/holder/payments", { month, gradePercent: Number(grade) })),
          );
        }}
      >
        <Select label={t("kioskPayMonth")} value={month} onChange={setMonth} options={months} />
        <Select label={t("kioskPayGrade")} value={grade} onChange={setGrade} options={grades.map(String)} />
        <button type="submit" className="primary" disabled={busy || !grade}>
          {t("kioskPayOrder")}
        </button>
      </form>
    </Section>
  );
}

const previousMonthOf = (month: string) => {
  const [y, m] = month.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
};
