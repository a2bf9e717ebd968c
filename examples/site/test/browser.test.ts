/**
 * The reference site in a real headless Chromium (Debian's, driven by
 * playwright-core), against a Kiosque filled by `kiosque seed-demo` and, through the
 * SDK, an editor's additions (a photo, a video, a poll, a job offer, an
 * event). Run by clients/run-e2e.sh after `vite build`.
 */
import assert from "node:assert/strict";
import { createReadStream } from "node:fs";
import { mkdir, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { type ArticleDetail, Kiosque, multipart, type Poll, unwrap } from "@kiosque/sdk";
import { type Browser, chromium, type Page } from "playwright-core";

import { landscapePng } from "./picture.js";

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set: run the test through clients/run-e2e.sh`);
  }
  return value;
}

const apiUrl = env("KIOSQUE_E2E_URL");
const sitePort = Number(env("KIOSQUE_E2E_SITE_PORT"));
const serverLog = env("KIOSQUE_E2E_SERVER_LOG");
const screenshots = env("KIOSQUE_E2E_SCREENSHOTS");
const siteUrl = `http://127.0.0.1:${sitePort}`;
const distDir = fileURLToPath(new URL("../../dist/", import.meta.url));

const editor = new Kiosque({ baseUrl: apiUrl });
const suffix = Date.now().toString(36);
const member = { email: `camille.${suffix}@example.org`, password: "Cloche-du-Marche-42", name: "Camille Roy" };

let article: ArticleDetail;
let poll: Poll;
let jobTitle = "";
let server: Server | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];

/** The built site, served as a static front end would be (its own origin: the API is cross-origin). */
function serveSite(): Promise<Server> {
  const types: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
  };
  const site = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", siteUrl).pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(distDir, path.endsWith("/") ? `${path}index.html` : path);
    stat(file)
      .then((s) => {
        if (!s.isFile()) throw new Error("not a file");
        response.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" });
        createReadStream(file).pipe(response);
      })
      .catch(() => {
        response.writeHead(404).end("not found");
      });
  });
  return new Promise((resolve) => site.listen(sitePort, "127.0.0.1", () => resolve(site)));
}

/** The verification link's token, from the server's log (mail transport `log`: the text, then `to=…`). */
async function verifyLink(email: string): Promise<string> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const log = await readFile(serverLog, "utf8");
    const to = log.lastIndexOf(email);
    const start = to < 0 ? -1 : log.lastIndexOf("mail (transport", to);
    const token = start < 0 ? undefined : /\/verifier-email\?token=([A-Za-z0-9_-]+)/.exec(log.slice(start, to))?.[1];
    if (token !== undefined) return token;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no verification message to ${email} in ${serverLog}`);
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

describe("the reference site in Chromium", () => {
  before(async () => {
    await editor.signIn({ email: env("KIOSQUE_E2E_EDITOR_EMAIL"), password: env("KIOSQUE_E2E_EDITOR_PASSWORD") });

    // the front page's story: the newest article of the demo site
    const newest = unwrap(await editor.api.GET("/api/v1/articles", { params: { query: { limit: 1 } } }));
    const id = newest.data[0]?.id;
    assert.ok(id !== undefined, "seed-demo published articles");

    const photo = unwrap(
      await editor.api.POST("/api/v1/media", {
        body: {
          file: new Blob([landscapePng()], { type: "image/png" }),
          alt: "Les collines au-dessus de la ville au lever du jour",
          caption: "Le jour se lève sur les collines.",
          credit: "Claire Vuillemin",
          public: true,
        },
        bodySerializer: multipart,
      }),
    );
    article = unwrap(
      await editor.api.PATCH("/api/v1/articles/{id}", {
        params: { path: { id } },
        body: { cover_media_id: photo.id, video_url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ" },
      }),
    );
    poll = unwrap(
      await editor.api.POST("/api/v1/polls", {
        body: {
          question: "Irez-vous au marché de Noël cette année ?",
          options: [{ label: "Oui" }, { label: "Non" }, { label: "Peut-être" }],
          closes_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
          who_may_vote: "members",
          results_visibility: "after_vote",
          article_id: article.id,
        },
      }),
    );
    jobTitle = `Journaliste localier (H/F) ${suffix}`;
    unwrap(
      await editor.api.POST("/api/v1/jobs", {
        body: {
          title: jobTitle,
          company: { name: "Le Kiosque comtois" },
          location: { city: "Besançon", postal_code: "25000", remote: false },
          contract_type: "cdd",
          working_time: "full_time",
          description: "Couvrir l’actualité du Grand Besançon.",
          apply: { email: "redaction@example.org" },
          status: "published",
        },
      }),
    );
    unwrap(
      await editor.api.POST("/api/v1/events", {
        body: {
          title: "Marché de Noël",
          description: "Chalets, vin chaud et artisans.",
          starts_at: new Date(Date.now() + 3 * 86_400_000).toISOString(),
          ends_at: new Date(Date.now() + 3 * 86_400_000 + 8 * 3_600_000).toISOString(),
          venue: { name: "Place Granvelle", address: "Place Granvelle", city: "Besançon", postal_code: "25000" },
          price: { free: true },
          organizer: "Ville de Besançon",
          category: "marche",
          status: "published",
        },
      }),
    );
    unwrap(
      await editor.api.POST("/api/v1/articles/{id}/comments", {
        params: { path: { id: article.id } },
        body: { body: "Merci à la rédaction pour ce suivi." },
      }),
    );

    // the member joins as a reader would: register, then the link of the message
    unwrap(
      await editor.api.POST("/api/v1/auth/register", {
        body: { email: member.email, password: member.password, display_name: member.name },
      }),
    );
    const token = await verifyLink(member.email);
    unwrap(await editor.api.POST("/api/v1/auth/verify-email", { body: { token } }));

    await mkdir(screenshots, { recursive: true });
    server = await serveSite();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // root in a container has no user namespaces for Chromium's sandbox
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
  });

  after(async () => {
    await browser?.close();
    const site = server;
    if (site !== undefined) {
      await new Promise((resolve) => site.close(resolve));
    }
  });

  async function open(): Promise<Page> {
    assert.ok(browser !== undefined, "the browser started");
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${siteUrl}/?article=${article.slug}`);
    await page.locator("body[data-ready=true]").waitFor({ timeout: 20_000 });
    return page;
  }

  it("renders the article page from the API", async () => {
    const page = await open();
    assert.equal(await page.locator("h1").textContent(), article.title);
    assert.equal(await page.locator(".lead").textContent(), article.lead);
    assert.equal(await page.locator(".kicker").textContent(), article.section?.name);
    const dates = (await page.locator(".dates").textContent()) ?? "";
    assert.match(dates, /^Publié le \d{1,2} \S+ \d{4} à \d{2}:\d{2} – Mis à jour le \d{1,2} \S+ \d{4} à \d{2}:\d{2}$/);

    // the photo is Kiosque's own, loaded, with its credit
    const photo = page.locator(".cover img");
    await photo.waitFor();
    // the variant is made on its first request: wait for it to arrive
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>(".cover img");
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    assert.match((await photo.getAttribute("src")) ?? "", new RegExp(`^${apiUrl}/api/v1/media/`));
    assert.match((await page.locator(".cover figcaption").textContent()) ?? "", /© Claire Vuillemin/);
    assert.equal(await page.locator(".video iframe").getAttribute("src"), article.video?.embed_url);
    assert.ok((await page.locator(".body p").count()) > 0, "the body is rendered");

    assert.ok((await page.locator("#related .cards li").count()) > 0, "related articles of the section");
    assert.match((await page.locator("#related h2").textContent()) ?? "", new RegExp(article.section?.name ?? "?"));
    assert.match((await page.locator("#weather h2").textContent()) ?? "", /Météo à Besançon/);
    assert.match((await page.locator("#weather .temperature").textContent()) ?? "", /°C/);
    assert.match((await page.locator("#jobs").textContent()) ?? "", new RegExp(jobTitle.replace(/[()]/g, "\\$&")));
    assert.match((await page.locator("#jobs").textContent()) ?? "", /CDD/);
    assert.match((await page.locator("#agenda").textContent()) ?? "", /Marché de Noël/);
    assert.equal(await page.locator("#join h2").textContent(), "Devenez membre");
    assert.equal(await page.locator("#publish h2").textContent(), "Publiez gratuitement vos actualités et événements");
    assert.equal(await page.locator(".poll .question").textContent(), poll.question);
    assert.match((await page.locator(".poll").textContent()) ?? "", /Connectez-vous pour voter/);
    assert.match((await page.locator("#comments").textContent()) ?? "", /Merci à la rédaction pour ce suivi/);
    assert.ok((await page.locator("#sections a").count()) >= 8, "the sections of the demo site");

    await shoot(page, "1-article-anonymous");
    await page.close();
    assert.deepEqual(pageErrors, []);
  });

  it("lets a member sign in, comment and vote, and shows the results", async () => {
    const page = await open();
    const form = page.locator("#sign-in-form");
    await form.locator("input[name=email]").fill(member.email);
    await form.locator("input[name=password]").fill(member.password);
    await form.locator("button[type=submit]").click();
    await page.locator(".hello").waitFor();
    assert.equal(await page.locator(".hello").textContent(), `Bonjour, ${member.name}`);

    await page.locator(".comment-form textarea").fill("J’y serai avec les enfants, *comme chaque année*.");
    await page.locator(".comment-form button[type=submit]").click();
    const mine = page.locator(".comment", { hasText: member.name });
    await mine.waitFor();
    assert.equal(await mine.locator(".comment-body em").textContent(), "comme chaque année");
    assert.match((await page.locator("#comments-title").textContent()) ?? "", /Réactions \(2\)/);

    await page.locator(".poll .choice", { hasText: "Oui" }).locator("input").check();
    await page.locator(".poll button[type=submit]").click();
    await page.locator(".poll .results").waitFor();
    assert.equal(await page.locator(".poll .voted").textContent(), "Merci, votre vote est compté.");
    assert.match((await page.locator(".poll .result.mine").textContent()) ?? "", /Oui ✓\s*100 %/);
    assert.equal(await page.locator(".poll .voters").textContent(), "1 votant");
    await shoot(page, "2-article-member-after-vote");

    // the next visit: still signed in, the vote remembered
    await page.reload();
    await page.locator("body[data-ready=true]").waitFor();
    assert.equal(await page.locator(".hello").textContent(), `Bonjour, ${member.name}`);
    assert.equal(await page.locator(".poll .voted").textContent(), "Merci, votre vote est compté.");
    assert.equal(await page.locator(".poll form").count(), 0);
    await page.close();
    assert.deepEqual(pageErrors, []);
  });
});
