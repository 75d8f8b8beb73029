import { useCallback, useEffect, useRef, useState } from "react";

/** Where the kiosk's device agent listens (set per terminal; `npm run sscard -- kiosk agent`). */
const AGENT = "sscard.kiosk.agent";

export type PrintStatus = {
  state: "printing" | "completed" | "stopped" | "failed";
  reasons: string[];
  message: string;
};

export type AgentEvent =
  | { type: "hello"; devices: Record<string, "simulator" | "missing" | "ready"> }
  | { type: "id_card"; record: string }
  | { type: "card_inserted"; cardNumber: string }
  | { type: "card_refused"; refusal: string }
  | { type: "card_removed" }
  | { type: "pin_block"; id: string; pinBlock: { format: 4; block: string } }
  | ({ type: "print_status"; id: string } & PrintStatus)
  | { type: "payment"; id: string; result: "approved" | "declined" | "cancelled"; reference?: string }
  | { type: "error"; id: string; code: string };

type Answer = Extract<AgentEvent, { id: string }>;
export type AgentRequest =
  | { type: "pin_block"; pin: string; account?: string }
  | { type: "print"; pdf: string; title: string }
  | { type: "pay"; orderNo: string; amountFen: number };

/**
 * The device agent's events (the ID card swiped, the card inserted or pulled), whether it is there, and
 * `ask`: a request (a PIN block for the digits typed, a print) answered by its final event; `progress`
 * hears the ones before it. Reconnects every few seconds while the agent is not there.
 */
export function useAgent(onEvent: (event: AgentEvent) => void) {
  const [devices, setDevices] = useState<Record<string, string> | undefined>();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const socket = useRef<WebSocket | undefined>(undefined);
  const counter = useRef(0);
  const waiting = useRef(new Map<string, { done: (a: Answer) => void; progress?: (a: Answer) => void }>());
  useEffect(() => {
    const url = localStorage.getItem(AGENT) ?? "ws://127.0.0.1:17300";
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      const s = new WebSocket(url);
      socket.current = s;
      s.onmessage = (m) => {
        const event = JSON.parse(String(m.data)) as AgentEvent;
        if (event.type === "hello") setDevices(event.devices);
        if ("id" in event) {
          const w = waiting.current.get(event.id);
          if (event.type === "print_status" && event.state === "printing") w?.progress?.(event);
          else if (w) {
            waiting.current.delete(event.id);
            w.done(event);
          }
          return;
        }
        handler.current(event);
      };
      s.onclose = () => {
        setDevices(undefined);
        for (const w of waiting.current.values()) w.done({ type: "error", id: "", code: "AGENT_GONE" });
        waiting.current.clear();
        if (!stopped) retry = setTimeout(connect, 5000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket.current?.close();
    };
  }, []);
  const ask = useCallback(
    (request: AgentRequest, progress?: (a: Answer) => void) =>
      new Promise<Answer>((done) => {
        const s = socket.current;
        if (!s || s.readyState !== WebSocket.OPEN) return done({ type: "error", id: "", code: "AGENT_GONE" });
        const id = String(++counter.current);
        waiting.current.set(id, { done, progress });
        s.send(JSON.stringify({ ...request, id }));
      }),
    [],
  );
  return { devices, ask };
}

export type AskAgent = ReturnType<typeof useAgent>["ask"];
