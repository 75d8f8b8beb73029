import pg from "pg";
import { readdirSync, readFileSync } from "node:fs";
import { startEmbeddedPostgres } from "../test/embedded-pg.ts";
const pgcpu = () => { let s = 0; for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) { try { const st = readFileSync(`/proc/${p}/stat`, "utf8"); if (!st.includes("(postgres)")) continue; const f = st.slice(st.lastIndexOf(") ") + 2).split(" "); s += Number(f[11]) + Number(f[12]); } catch {} } return s / 100; };
const server = await startEmbeddedPostgres({ durable: true });
const pool = new pg.Pool({ connectionString: server.url(), max: Number(process.env.POOL ?? 10) });
await pool.query("create table t (id text primary key, v text)");
for (let i = 0; i < 1000; i++) await pool.query("insert into t values ($1, $2)", [`k${i}`, "x".repeat(100)]);
for (const named of [false, true]) {
  const c0 = pgcpu(); const u0 = process.cpuUsage(); const t0 = performance.now(); let n = 0;
  await Promise.all(Array.from({ length: 20 }, async () => { while (performance.now() - t0 < 4000) { const k = `k${n % 1000}`; await pool.query(named ? { name: "q", text: "select * from t where id = $1", values: [k] } : { text: "select * from t where id = $1", values: [k] }); n++; } }));
  const dt = (performance.now() - t0) / 1000; const u = process.cpuUsage(u0);
  console.log(`named=${named} ${Math.round(n / dt)}/s pg cpu ${Math.round(((pgcpu() - c0) / n) * 1e6)} µs/q node cpu ${Math.round((u.user + u.system) / n)} µs/q`);
}
await pool.end(); await server.stop();
