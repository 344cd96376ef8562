// The smoke flow of the generated TypeScript client: what a new user does first, through types
// generated from openapi/forge.yaml and openapi-fetch, against a running service whose OpenAI
// provider answers "Hello there!" (the test suite points it at a fake upstream).
//
// Settings (environment):
//   FORGE_BASE_URL        the service, e.g. http://127.0.0.1:8080
//   FORGE_MAIL_DIR        where the service writes mails without SMTP (<data_dir>/mail); when
//                         set, the account's email is verified with the mailed token
//   FORGE_PROVIDER_KEY    an OpenAI key the upstream accepts, stored in the vault
//   FORGE_MODEL           the model to chat with (default gpt-4o-mini)
//   FORGE_EXPECT_ANSWER   the text the upstream answers (default "Hello there!")
// Exits 0 after printing "smoke ok", else prints the failed step and exits 1.
import createClient, { type Middleware } from "openapi-fetch";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { components, paths } from "../build/gen/forge.js";

// answers typed as their application/json body (streams are read with parseAs: "stream")
const json = (): ReturnType<typeof createClient<paths, "application/json">> =>
  createClient<paths, "application/json">({ baseUrl });

type Schemas = components["schemas"];
/** One event's data of a streamed chat, as the operation declares its text/event-stream answer. */
type ChatStreamEvent = paths["/v1/chat/completions"]["post"]["responses"][200]["content"]["text/event-stream"];
type ChatChunk = Schemas["ChatCompletionChunk"];

const baseUrl = required("FORGE_BASE_URL");
const mailDir = process.env["FORGE_MAIL_DIR"];
const providerKey = required("FORGE_PROVIDER_KEY");
const model = process.env["FORGE_MODEL"] ?? "gpt-4o-mini";
const expected = process.env["FORGE_EXPECT_ANSWER"] ?? "Hello there!";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
}

/** The data of a call that must have succeeded; otherwise the step, status and error body. */
function ok<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${step}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  console.log(`${step}: ${result.response.status}`);
  return result.data;
}

function bearer(token: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
}

async function verificationToken(dir: string, email: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    let names: string[] = [];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith(".eml"));
    } catch {
      // the directory appears with the first mail
    }
    for (const name of names) {
      const mail = await readFile(join(dir, name), "utf8");
      if (mail.startsWith(`To: ${email}\n`)) {
        const token = /token=([A-Za-z0-9_-]{16,128})/.exec(mail)?.[1];
        if (token) {
          return token;
        }
      }
    }
    check(Date.now() < deadline, `a verification mail to ${email} in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The `data:` payloads of a server-sent event stream, up to `[DONE]`. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true }).replace(/\r\n?/g, "\n");
    let end: number;
    while ((end = buffered.indexOf("\n\n")) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data === "[DONE]") {
        return;
      }
      if (data) {
        yield data;
      }
    }
  }
  throw new Error("the stream ended without data: [DONE]");
}

async function main(): Promise<void> {
  const anonymous = json();
  const email = `ts-smoke-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.test`;
  const password = "a long enough smoke password";

  const session = ok("register", await anonymous.POST("/auth/register", { body: { email, password } }));
  check(session.email === email, "the session names the new account");

  const signedIn = json();
  signedIn.use(bearer(session.token));
  if (mailDir) {
    const token = await verificationToken(mailDir, email);
    const verified = ok("verify email", await anonymous.POST("/auth/verify", { body: { token } }));
    check(verified.email_verified, "the address is verified");
  }
  const me = ok("users/me", await signedIn.GET("/users/me"));
  check(me.id === session.id, "users/me is the new account");

  const created = ok("create API key", await signedIn.POST("/api-keys", { body: { name: "ts smoke" } }));
  check(created.key.startsWith("chs_"), "the API key is shown once, chs_…");

  // everything else with the API key, as a program would
  const client = json();
  client.use(bearer(created.key));

  const keys = ok("list API keys", await client.GET("/api-keys"));
  check((keys.data ?? []).some((k) => k.id === created.id), "the new key is listed");

  const slug = `ts-smoke-${Date.now()}`;
  const org = ok("create org", await client.POST("/orgs", { body: { name: "TS smoke", slug } }));
  check(org.slug === slug, "the org has its slug");

  const thread = ok("create thread", await client.POST("/v1/threads", { body: { title: "TS smoke thread" } }));
  check(thread.id.startsWith("T-"), "a thread id is T-<uuid>");

  const stored = ok("add provider key", await client.POST("/provider-keys", {
    body: { provider: "openai", api_key: providerKey },
  }));
  check(stored.provider === "openai" && stored.hint.endsWith(providerKey.slice(-4)), "the vault keeps the key's last 4");
  const providerKeys = ok("list provider keys", await client.GET("/provider-keys"));
  check(providerKeys.data.some((k) => k.provider === "openai"), "the openai key is listed");

  const answer = ok("thread message", await client.POST("/v1/threads/{id}/messages", {
    params: { path: { id: thread.id } },
    body: { content: "Say hello.", model },
  }));
  check(answer.thread_id === thread.id, "the answer names its thread");
  check(answer.message.content === expected, `the thread answer is "${expected}", got ${JSON.stringify(answer.message.content)}`);

  const messages: Schemas["ChatMessage"][] = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Say hello." },
  ];
  const chat = ok("chat", await client.POST("/v1/chat/completions", { body: { model, messages } }));
  check(chat.object === "chat.completion", "a chat.completion");
  check(chat.choices[0]?.message.content === expected, `the chat answer is "${expected}"`);

  const streamed = await client.POST("/v1/chat/completions", {
    body: { model, messages, stream: true, stream_options: { include_usage: true } },
    parseAs: "stream",
  });
  check(streamed.response.status === 200, `streamed chat: HTTP ${streamed.response.status}`);
  check((streamed.response.headers.get("content-type") ?? "").startsWith("text/event-stream"), "the stream is text/event-stream");
  check(streamed.data != null, "the stream has a body");
  let text = "";
  let finish: string | null | undefined;
  let usage: ChatChunk["usage"];
  for await (const data of sseData(streamed.data)) {
    const event = JSON.parse(data) as ChatStreamEvent;
    if ("error" in event) {
      throw new Error(`streamed chat: error event ${JSON.stringify(event.error)}`);
    }
    const chunk: ChatChunk = event;
    check(chunk.object === "chat.completion.chunk", `a chat.completion.chunk, got ${data}`);
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? "";
      finish = choice.finish_reason ?? finish;
    }
    usage = chunk.usage ?? usage;
  }
  console.log("streamed chat: 200");
  check(text === expected, `the streamed answer is "${expected}", got ${JSON.stringify(text)}`);
  check(finish === "stop", "the stream ends with finish_reason stop");
  check(usage != null && usage.total_tokens > 0, "the usage chunk counts tokens");

  const used = ok("usage", await client.GET("/billing/usage", { params: { query: { period: "day" } } }));
  check(used.messages >= 3, `usage counts the three chats, got ${used.messages}`);
  check(used.by_model.length > 0, "usage is split by model");

  console.log("smoke ok");
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
