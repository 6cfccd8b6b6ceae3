// Drives the loopback emulator with fal's official JavaScript client (@fal-ai/client): where
// the two disagree, the emulator is wrong. Usage:
//   node fal_client_check.mjs EMULATOR_URL CLIP.mp4 OUT_DIR
// Exits non-zero with one line per failed check; writes OUT_DIR/edited.mp4 for the caller to probe.
import { createFalClient, ValidationError, ApiError } from "@fal-ai/client";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const [emulatorUrl, clipPath, outDir] = process.argv.slice(2);
const emulator = new URL(emulatorUrl);
const ENDPOINT = "google/gemini-omni-flash/edit";
let failures = 0;

function check(ok, what) {
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    console.log(`FAIL ${what}`);
    failures++;
  }
}

// Every request the client builds for fal's hosts (queue.fal.run, rest.fal.ai) goes to the
// emulator instead; upload URLs and file URLs are the emulator's own already.
const fal = createFalClient({
  credentials: "emulator-test-key",
  requestMiddleware: async (request) => {
    const url = new URL(request.url);
    url.protocol = emulator.protocol;
    url.host = emulator.host;
    return { ...request, url: url.toString() };
  },
});

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");

async function download(url) {
  const response = await fetch(url);
  check(response.ok, `GET ${url} answers ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

// 1. Storage: a small upload (single PUT) and one over 90 MiB (the client's multipart path).
const clip = await readFile(clipPath);
const clipUrl = await fal.storage.upload(new File([clip], "clip.mp4", { type: "video/mp4" }));
check(clipUrl.startsWith(emulator.origin + "/"), `upload returns a file URL on the emulator (${clipUrl})`);
check(sha256(await download(clipUrl)) === sha256(clip), "the uploaded clip downloads byte for byte");

const big = Buffer.alloc(95 * 1024 * 1024);
for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
const bigUrl = await fal.storage.upload(new Blob([big], { type: "application/octet-stream" }));
check(sha256(await download(bigUrl)) === sha256(big), "a 95 MiB multipart upload (10 parts) downloads byte for byte");

// 2. subscribe with logs (polling): submit, status until COMPLETED, result.
const statuses = new Set();
let sawLogs = false;
const result = await fal.subscribe(ENDPOINT, {
  input: { prompt: "make it black and white", video_url: clipUrl },
  logs: true,
  pollInterval: 200,
  onQueueUpdate: (update) => {
    statuses.add(update.status);
    if (update.status === "IN_PROGRESS" || update.status === "COMPLETED")
      sawLogs ||= Array.isArray(update.logs) && update.logs.length > 0 && typeof update.logs[0].message === "string";
  },
});
check(statuses.has("COMPLETED"), `subscribe saw statuses ${[...statuses].join(", ")}`);
check(sawLogs, "status updates carry log entries with messages");
check(typeof result.requestId === "string" && result.requestId.length > 0, `result carries requestId ${result.requestId}`);
const video = result.data?.video;
check(video && video.content_type === "video/mp4" && typeof video.url === "string", "result.data.video is a File");
check(Object.keys(result.data ?? {}).join(",") === "video", `result.data is exactly {video} (${Object.keys(result.data ?? {})})`);
const edited = await download(video.url);
check(edited.length === video.file_size, `downloaded video is file_size bytes (${edited.length})`);
check(edited.subarray(4, 8).toString("latin1") === "ftyp", "downloaded video is an MP4");
await writeFile(path.join(outDir, "edited.mp4"), edited);

// 3. subscribe in streaming mode (server-sent status events).
const streamed = await fal.subscribe(ENDPOINT, {
  input: { prompt: "mirror", video_url: clipUrl },
  mode: "streaming",
  logs: true,
});
check(typeof streamed.data?.video?.url === "string", "subscribe in streaming mode returns the video");

// 4. The queue calls one by one: submit, status, cancel of a finished request.
const { request_id: requestId } = await fal.queue.submit(ENDPOINT, {
  input: { prompt: "sepia", video_url: clipUrl },
});
const queued = await fal.queue.status(ENDPOINT, { requestId, logs: false });
check(["IN_QUEUE", "IN_PROGRESS", "COMPLETED"].includes(queued.status), `queue.status answers ${queued.status}`);
await fal.queue.subscribeToStatus(ENDPOINT, { requestId, pollInterval: 200 });
const fetched = await fal.queue.result(ENDPOINT, { requestId });
check(fetched.requestId === requestId && fetched.data?.video?.url, "queue.result by id returns the output");
try {
  await fal.queue.cancel(ENDPOINT, { requestId });
  check(false, "cancel of a completed request is refused");
} catch (e) {
  check(e instanceof ApiError && e.status === 400, `cancel of a completed request is refused (${e.status})`);
}

// 5. Validation: a missing prompt completes, then the result is a 422 ValidationError.
try {
  await fal.subscribe(ENDPOINT, { input: { video_url: clipUrl }, pollInterval: 200 });
  check(false, "a missing prompt fails");
} catch (e) {
  check(e instanceof ValidationError && e.status === 422, `a missing prompt is a ValidationError 422 (${e.status})`);
  const fields = (e.fieldErrors ?? []).map((f) => f.loc?.join("."));
  check(fields.includes("body.prompt"), `fieldErrors name body.prompt (${fields.join(", ")})`);
}

// 6. A wrong key answers 401, which the client reports as an ApiError.
const noKey = createFalClient({
  credentials: "",
  requestMiddleware: async (request) => {
    const url = new URL(request.url);
    url.protocol = emulator.protocol;
    url.host = emulator.host;
    return { ...request, url: url.toString() };
  },
});
try {
  await noKey.queue.submit(ENDPOINT, { input: { prompt: "x", video_url: clipUrl } });
  check(false, "no key is refused");
} catch (e) {
  check(e instanceof ApiError && e.status === 401, `no key is refused with 401 (${e.status})`);
}

console.log(failures ? `${failures} check(s) failed` : "all checks passed");
process.exit(failures ? 1 : 0);
