// Runs the tour's requests from the browser and shows each status as it came back.
const tries = {
  "ok": () => fetch("/hello"),
  "created": () => fetch("/api/items", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "teapot", price: 12.5 }) }),
  "media-type": () => fetch("/api/items", { method: "POST", body: new URLSearchParams({ name: "teapot" }) }),
  "no-content": () => fetch("/hello", { method: "OPTIONS" }),
  "partial": () => fetch("/style.css", { headers: { Range: "bytes=0-99" }, cache: "no-store" }),
  "not-modified": async () => {
    const first = await fetch("/style.css", { cache: "no-store" });
    return fetch("/style.css", { headers: { "If-None-Match": first.headers.get("ETag") }, cache: "no-store" });
  },
  "bad-request": () => fetch("/slow?ms=soon"),
  "unauthorized": () => fetch("/private/", { credentials: "omit" }),
  "forbidden": () => fetch("/private/admin", { headers: { Authorization: "Basic " + btoa("demo:demo") } }),
  "not-found": () => fetch("/nowhere"),
  "method": () => fetch("/hello", { method: "DELETE" }),
  "crash": () => fetch("/crash"),
  "too-large": () => fetch("/echo", { method: "POST", body: new Uint8Array(31_000_001) }),
  "too-many": async () => {
    // More than the burst of 5 at once: the ones past it find the bucket empty.
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch("/limited", { cache: "no-store" })));
    return answers.find(answer => answer.status === 429) ?? answers.at(-1);
  },
  "unavailable": () => fetch("/unavailable", { cache: "no-store" }),
  "bad-gateway": () => fetch("/gateway/down/"),
  "gateway-timeout": () => fetch("/gateway/slow"),
};

for (const button of document.querySelectorAll("button[data-try]")) {
  button.addEventListener("click", async () => {
    const output = button.closest("tr").querySelector("output");
    output.textContent = "…";
    try {
      const response = await tries[button.dataset.try]();
      output.textContent = `${response.status} ${response.statusText}`;
      output.className = response.status < 400 ? "good" : "bad";
    } catch (error) {
      output.textContent = `failed: ${error}`;
      output.className = "bad";
    }
  });
}

document.getElementById("upload-form").addEventListener("submit", async event => {
  event.preventDefault();
  const output = document.getElementById("upload-result");
  output.textContent = "…";
  try {
    const response = await fetch("/upload", { method: "POST", body: new FormData(event.target) });
    // Refusals from the connection itself (413, 408) are plain text; the handler's are JSON.
    const json = (response.headers.get("Content-Type") ?? "").includes("json");
    const answer = json ? await response.json() : { detail: (await response.text()).trim() };
    output.textContent = response.status === 201
      ? `${response.status} ${response.statusText}: ${answer.size} bytes, sha256 ${answer.sha256}`
      : `${response.status} ${response.statusText}: ${answer.detail ?? ""}`;
    output.className = response.ok ? "good" : "bad";
  } catch (error) {
    output.textContent = `failed: ${error}`;
    output.className = "bad";
  }
});

fetch("/json")
  .then(response => response.json())
  .then(body => { document.getElementById("json-message").textContent = body.message; })
  .catch(error => { document.getElementById("json-message").textContent = `failed: ${error}`; });
