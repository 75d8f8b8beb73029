import { useEffect, useRef, useState } from "react";

/** Where the kiosk's device agent listens (set per terminal; `npm run sscard -- kiosk agent`). */
const AGENT = "sscard.kiosk.agent";

export type AgentEvent =
  | { type: "hello"; devices: Record<string, "simulator" | "missing"> }
  | { type: "id_card"; record: string }
  | { type: "card_inserted"; cardNumber: string }
  | { type: "card_removed" };

/**
 * The device agent's events (the ID card swiped, the card inserted or pulled), and whether it is there.
 * Reconnects every few seconds while it is not; the page works without it (the card number typed).
 */
export function useAgent(onEvent: (event: AgentEvent) => void) {
  const [devices, setDevices] = useState<Record<string, string> | undefined>();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const url = localStorage.getItem(AGENT) ?? "ws://127.0.0.1:17300";
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      socket = new WebSocket(url);
      socket.onmessage = (m) => {
        const event = JSON.parse(String(m.data)) as AgentEvent;
        if (event.type === "hello") setDevices(event.devices);
        handler.current(event);
      };
      socket.onclose = () => {
        setDevices(undefined);
        if (!stopped) retry = setTimeout(connect, 5000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket?.close();
    };
  }, []);
  return devices;
}
