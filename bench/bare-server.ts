import Fastify from "fastify";

// The baseline: Fastify with one route and nothing else, on the same machine in the same run.
const app = Fastify({ logger: false });
app.get("/bare", async () => ({ status: "ok" }));
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
console.log(`listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
