import { useCallback, useState } from "react";
import { idCheckCharacter } from "../../src/modules/persons/id-number.rules.ts";
import { api } from "./api.ts";
import { CardPanel } from "./CardPanel.tsx";
import { CertificateRequest } from "./CertificateRequest.tsx";
import { Apply } from "./CounterTasks.tsx";
import { useCan } from "./can.tsx";
import type { CardView, Person } from "./counter-types.ts";
import { EnrolmentPanel } from "./Enrolment.tsx";
import { useT } from "./i18n.tsx";
import { Field, Notice, Section, useAction } from "./ui.tsx";

/** Why an ID number being typed is not yet valid (length, then check character), or undefined. */
function idProblem(value: string, t: ReturnType<typeof useT>): string | undefined {
  const v = value.trim().toUpperCase();
  if (v.length !== 18) return t("idLength", { n: v.length });
  if (!/^\d{17}[\dX]$/.test(v) || idCheckCharacter(v.slice(0, 17)) !== v[17]) return t("idCheck");
  return undefined;
}

/** Finds a person by ID number: their data, cards and enrolments. */
export function Search({ area }: { area: string }) {
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
  const can = useCan();
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
        {revealed || !can("persons.revealIdNumber") ? null : (
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
          <CardPanel key={card.cardNumber} card={card} reload={props.reload} />
        ))}
        {props.cards.some((c) => c.holdsProvinceSlot) || !can("cards.apply") ? null : (
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
      {props.idNumber && can("enrolment.read") ? (
        <EnrolmentPanel idNumber={props.idNumber} area={props.area} />
      ) : null}
      {can("certificates.print") ? (
        <CertificateRequest
          kinds={["rights_record", "enrolment_certificate", "application_form"]}
          issuePath={`/persons/${person.id}/certificates`}
          pdfPath={(serial) => `/certificates/${serial}/pdf`}
          defaultArea={props.area}
        />
      ) : null}
    </>
  );
}
