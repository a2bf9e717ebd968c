/**
 * The article page of a local news site, on the Kiosque SDK alone: every
 * call below is typed from the OpenAPI document, with no cast and no
 * hand-written URL.
 */
import {
  type ArticleDetail,
  type ArticleSummary,
  type Event,
  type Job,
  Kiosque,
  KiosqueError,
  localStorageStore,
  type Poll,
  type Section,
  type Thread,
  unwrap,
  type Weather,
} from "@kiosque/sdk";

import { byId, fill, frenchDateTime, frenchDay, frenchHour, h, sanitizedHtml, time } from "./dom.js";

const kiosque = new Kiosque({
  baseUrl: import.meta.env.VITE_KIOSQUE_API ?? "http://127.0.0.1:8080",
  // the reader stays signed in across pages; the SDK refreshes the token
  store: localStorageStore("kiosque.site.session"),
  headers: { "Accept-Language": "fr" },
});

/** The message of a failed call, for a form. */
function messageOf(error: unknown): string {
  if (error instanceof KiosqueError) {
    const fields = error.problem.errors?.map((e) => e.message).join(" ; ");
    return fields ? `${error.problem.detail} (${fields})` : error.problem.detail;
  }
  return "Le service ne répond pas ; réessayez dans un instant.";
}

function formValue(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === "string" ? value.trim() : "";
}

// ---- the article -----------------------------------------------------------

async function loadArticle(): Promise<ArticleDetail> {
  const wanted = new URLSearchParams(location.search).get("article");
  if (wanted !== null && wanted !== "") {
    return unwrap(await kiosque.api.GET("/api/v1/articles/{id}", { params: { path: { id: wanted } } }));
  }
  // no article named: the newest story (of the section or tag asked for)
  const section = new URLSearchParams(location.search).get("section") ?? undefined;
  const tag = new URLSearchParams(location.search).get("tag") ?? undefined;
  const latest = unwrap(await kiosque.api.GET("/api/v1/articles", { params: { query: { limit: 1, section, tag } } }));
  const first = latest.data[0];
  if (first === undefined) {
    throw new Error("Aucun article publié pour l’instant.");
  }
  return unwrap(await kiosque.api.GET("/api/v1/articles/{id}", { params: { path: { id: first.id } } }));
}

function renderCover(article: ArticleDetail): HTMLElement | null {
  const image = article.cover_image;
  if (image !== null && image !== undefined) {
    return h(
      "figure",
      { class: "cover" },
      h("img", {
        // media addresses are relative to the API's origin
        src: kiosque.resolve(image.url),
        srcset: kiosque.resolveSrcset(image.srcset.jpeg),
        sizes: "(min-width: 60rem) 40rem, 100vw",
        alt: image.alt,
        width: String(image.width),
        height: String(image.height),
      }),
      h("figcaption", {}, image.caption, " ", h("span", { class: "credit" }, image.credit_line)),
    );
  }
  const cover = article.cover;
  if (cover === null || cover === undefined) {
    return null;
  }
  const img = h("img", { src: cover.url, alt: cover.alt, loading: "lazy" });
  const figure = h(
    "figure",
    { class: "cover" },
    img,
    h("figcaption", {}, cover.caption ?? "", " ", cover.credit ? h("span", { class: "credit" }, cover.credit) : null),
  );
  // a photo that cannot be fetched keeps its place, its text and its credit
  img.addEventListener("error", () => {
    img.replaceWith(h("div", { class: "cover-missing", role: "img", "aria-label": cover.alt }, cover.alt));
  });
  return figure;
}

function renderVideo(article: ArticleDetail): HTMLElement | null {
  // a known host's player, else an uploaded file, else a plain link
  let player: HTMLElement;
  if (article.video) {
    player = h("iframe", { src: article.video.embed_url, title: "Vidéo", allowfullscreen: true, loading: "lazy" });
  } else if (article.video_media) {
    const url = article.video_media.url;
    player = h("video", { src: url, controls: true, preload: "none" }, h("a", { href: url }, "Voir la vidéo"));
  } else if (article.video_url) {
    player = h("a", { href: article.video_url }, "Voir la vidéo");
  } else {
    return null;
  }
  return h("figure", { class: "video" }, player, h("figcaption", {}, "Vidéo"));
}

function renderArticle(article: ArticleDetail): void {
  const root = byId("article");
  const published = article.published_at;
  const updated =
    published && new Date(article.updated_at).getTime() - new Date(published).getTime() > 60_000
      ? article.updated_at
      : null;
  fill(root, 
    article.section ? h("p", { class: "kicker" }, h("a", { href: `?section=${article.section.slug}` }, article.section.name)) : null,
    h("h1", {}, article.title),
    h("p", { class: "lead" }, article.lead),
    h(
      "p",
      { class: "byline" },
      article.authors.length > 0 ? `Par ${article.authors.map((a) => a.display_name).join(", ")}` : null,
    ),
    h(
      "p",
      { class: "dates" },
      published ? h("span", {}, "Publié le ", time(published, frenchDateTime(published))) : null,
      updated ? h("span", {}, " – Mis à jour le ", time(updated, frenchDateTime(updated))) : null,
    ),
    renderCover(article),
    sanitizedHtml("div", "body", article.body_html),
    renderVideo(article),
    article.tags.length > 0
      ? h("ul", { class: "tags" }, ...article.tags.map((t) => h("li", {}, h("a", { href: `?tag=${t.slug}` }, t.name))))
      : null,
  );
  root.setAttribute("aria-busy", "false");
  document.title = `${article.title} – Le Kiosque comtois`;
}

// ---- the reader's account ----------------------------------------------------

function renderAccount(onChange: () => void): void {
  const root = byId("account");
  const user = kiosque.user;
  if (user === null) {
    fill(root, h("a", { href: "#comments", class: "button ghost" }, "Se connecter"));
    return;
  }
  const out = h("button", { type: "button", class: "ghost" }, "Se déconnecter");
  out.addEventListener("click", () => {
    void kiosque.signOut().finally(onChange);
  });
  fill(root, h("span", { class: "hello" }, `Bonjour, ${user.display_name}`), out);
}

function signInForm(onSignedIn: () => void): HTMLFormElement {
  const message = h("p", { class: "form-message", role: "status" });
  const form = h(
    "form",
    { class: "stack sign-in", id: "sign-in-form" },
    h("p", {}, "Connectez-vous pour réagir et voter."),
    h("label", {}, "Adresse e-mail ", h("input", { name: "email", type: "email", required: true, autocomplete: "email" })),
    h(
      "label",
      {},
      "Mot de passe ",
      h("input", { name: "password", type: "password", required: true, autocomplete: "current-password" }),
    ),
    h("button", { type: "submit" }, "Se connecter"),
    message,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    message.textContent = "";
    kiosque
      .signIn({ email: formValue(form, "email"), password: formValue(form, "password") })
      .then(onSignedIn, (error: unknown) => {
        message.textContent = messageOf(error);
      });
  });
  return form;
}

function wireRegisterForm(): void {
  const form = byId<HTMLFormElement>("register-form");
  const message = form.querySelector(".form-message");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      try {
        unwrap(
          await kiosque.api.POST("/api/v1/auth/register", {
            body: {
              display_name: formValue(form, "display_name"),
              email: formValue(form, "email"),
              password: formValue(form, "password"),
            },
          }),
        );
        form.reset();
        if (message) message.textContent = "Merci ! Confirmez votre adresse avec le lien que nous venons d’envoyer.";
      } catch (error) {
        if (message) message.textContent = messageOf(error);
      }
    })();
  });
}

// ---- the poll ------------------------------------------------------------------

function renderResults(poll: Poll): HTMLElement {
  const results = poll.results;
  if (!results.visible || !results.options) {
    // the server's `reason` is written for developers: the reader gets French
    const when =
      poll.results_visibility === "after_close"
        ? `à la clôture du sondage, le ${frenchDateTime(results.visible_from ?? poll.closes_at)}`
        : "dès que vous avez voté (ou à la clôture du sondage)";
    return h("p", { class: "results-hidden" }, `Les résultats s’affichent ${when}.`);
  }
  const mine = new Set(results.my_choice ?? []);
  return h(
    "div",
    { class: "results" },
    ...results.options.map((option) =>
      h(
        "div",
        { class: mine.has(option.id) ? "result mine" : "result" },
        h("span", { class: "label" }, option.label, mine.has(option.id) ? " ✓" : ""),
        h("span", { class: "bar", style: `--percent: ${option.percent}%` }),
        h("span", { class: "percent" }, `${option.percent} %`),
      ),
    ),
    h("p", { class: "voters" }, `${results.total_voters ?? 0} votant${(results.total_voters ?? 0) > 1 ? "s" : ""}`),
  );
}

async function showPoll(pollId: string): Promise<void> {
  const root = byId("poll");
  const poll = unwrap(await kiosque.api.GET("/api/v1/polls/{id}", { params: { path: { id: pollId } } }));
  const voted = (poll.results.my_choice ?? []).length > 0;
  const mayVote = poll.status === "open" && !voted && (poll.who_may_vote === "anyone" || kiosque.user !== null);
  const message = h("p", { class: "form-message", role: "status" });
  const form = h(
    "form",
    { class: "choices" },
    ...poll.options.map((option) =>
      h(
        "label",
        { class: "choice" },
        h("input", { type: poll.multiple ? "checkbox" : "radio", name: "option", value: option.id }),
        " ",
        option.label,
      ),
    ),
    h("button", { type: "submit" }, "Voter"),
    message,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const options = new FormData(form).getAll("option").filter((v): v is string => typeof v === "string");
    if (options.length === 0) {
      message.textContent = "Choisissez une réponse.";
      return;
    }
    void (async () => {
      try {
        unwrap(await kiosque.api.POST("/api/v1/polls/{id}/votes", { params: { path: { id: poll.id } }, body: { options } }));
        await showPoll(poll.id);
      } catch (error) {
        message.textContent = messageOf(error);
      }
    })();
  });
  root.hidden = false;
  fill(root, 
    h("h2", {}, "Sondage"),
    h("p", { class: "question" }, poll.question),
    mayVote ? form : null,
    voted ? h("p", { class: "voted" }, "Merci, votre vote est compté.") : null,
    !mayVote && !voted && poll.status === "open" ? h("p", {}, "Connectez-vous pour voter.") : null,
    renderResults(poll),
    h("p", { class: "closes" }, `Clôture le ${frenchDateTime(poll.closes_at)}`),
  );
}

// ---- comments ------------------------------------------------------------------

function renderComment(comment: Thread | Thread["replies"][number]): HTMLElement {
  return h(
    "div",
    { class: `comment depth-${comment.depth}`, id: `comment-${comment.id}` },
    h(
      "p",
      { class: "comment-meta" },
      h("strong", {}, comment.deleted ? "Message retiré" : (comment.author?.display_name ?? "Anonyme")),
      " · ",
      time(comment.created_at, frenchDateTime(comment.created_at)),
    ),
    comment.body_html ? sanitizedHtml("div", "comment-body", comment.body_html) : null,
  );
}

async function showComments(article: ArticleDetail, refresh: () => void): Promise<void> {
  const root = byId("comments");
  const threads: Thread[] = [];
  for await (const thread of kiosque.iterate("/api/v1/articles/{id}/comments", {
    params: { path: { id: article.id }, query: { limit: 50 } },
  })) {
    threads.push(thread);
  }
  const count = threads.reduce((n, t) => n + 1 + t.replies.length, 0);

  let form: HTMLElement | null = null;
  if (!article.allow_comments) {
    form = h("p", {}, "Les commentaires sont fermés pour cet article.");
  } else if (kiosque.user === null) {
    form = signInForm(refresh);
  } else {
    const message = h("p", { class: "form-message", role: "status" });
    const commentForm = h(
      "form",
      { class: "stack comment-form" },
      h("label", {}, "Votre réaction ", h("textarea", { name: "body", required: true, rows: "4", maxlength: "5000" })),
      h("button", { type: "submit" }, "Publier"),
      message,
    );
    commentForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void (async () => {
        try {
          const posted = unwrap(
            await kiosque.api.POST("/api/v1/articles/{id}/comments", {
              params: { path: { id: article.id } },
              body: { body: formValue(commentForm, "body") },
            }),
          );
          if (posted.status === "approved") {
            await showComments(article, refresh);
          } else {
            commentForm.reset();
            message.textContent = "Merci ! Votre commentaire sera publié après relecture.";
          }
        } catch (error) {
          message.textContent = messageOf(error);
        }
      })();
    });
    form = commentForm;
  }

  fill(root, 
    h("h2", { id: "comments-title" }, count === 0 ? "Réactions" : `Réactions (${count})`),
    threads.length === 0
      ? h("p", { class: "empty" }, "Soyez le premier à réagir.")
      : h(
          "div",
          { class: "threads" },
          ...threads.map((t) => h("div", { class: "thread" }, renderComment(t), ...t.replies.map(renderComment))),
        ),
    form,
  );
}

// ---- around the article ------------------------------------------------------

async function showRelated(article: ArticleDetail): Promise<void> {
  const related = unwrap(
    await kiosque.api.GET("/api/v1/articles/{id}/related", { params: { path: { id: article.id }, query: { limit: 4 } } }),
  );
  const card = (a: ArticleSummary): HTMLElement =>
    h(
      "li",
      {},
      h("a", { href: `?article=${a.slug}` }, a.title),
      a.published_at ? h("span", { class: "when" }, frenchDateTime(a.published_at)) : null,
    );
  fill(byId("related"), 
    h("h2", { id: "related-title" }, `À lire aussi${article.section ? ` en ${article.section.name}` : ""}`),
    h("ul", { class: "cards" }, ...related.data.map(card)),
  );
}

async function showSections(current: ArticleDetail): Promise<void> {
  const sections: Section[] = [];
  for await (const section of kiosque.iterate("/api/v1/sections")) {
    sections.push(section);
  }
  fill(byId("sections"), 
    ...sections.map((s) =>
      h("a", { href: `?section=${s.slug}`, class: s.slug === current.section?.slug ? "current" : undefined }, s.name),
    ),
  );
}

async function showWeather(): Promise<void> {
  const root = byId("weather");
  const read = await kiosque.api.GET("/api/v1/weather/{id}", { params: { path: { id: "besancon" } } });
  const weather: Weather | undefined = read.data;
  if (weather === undefined) {
    root.hidden = true;
    return;
  }
  const now = weather.observation;
  fill(root, 
    h("h2", {}, `Météo à ${weather.name}`),
    h(
      "p",
      { class: "now" },
      h("span", { class: "temperature" }, `${Math.round(now.temperature_c)} °C`),
      h("span", { class: "sky" }, now.description),
    ),
    h(
      "p",
      { class: "details" },
      `Vent ${Math.round(now.wind_speed_ms * 3.6)} km/h · Humidité ${now.humidity_pct} % · ${now.pressure_hpa} hPa`,
    ),
    h(
      "ol",
      { class: "forecast" },
      ...weather.forecast
        .slice(0, 4)
        .map((step) =>
          h(
            "li",
            {},
            h("span", {}, frenchHour(step.at)),
            h("strong", {}, `${Math.round(step.temperature_c)} °C`),
            h("span", {}, step.description),
          ),
        ),
    ),
    weather.stale ? h("p", { class: "stale" }, "Relevé ancien") : null,
  );
}

const CONTRACTS: Record<Job["contract_type"], string> = {
  cdi: "CDI",
  cdd: "CDD",
  interim: "Intérim",
  stage: "Stage",
  alternance: "Alternance",
  freelance: "Indépendant",
};

async function showJobs(): Promise<void> {
  const jobs = unwrap(await kiosque.api.GET("/api/v1/jobs", { params: { query: { limit: 3 } } }));
  const item = (job: Job): HTMLElement =>
    h(
      "li",
      {},
      h("strong", {}, job.title),
      h("span", {}, `${job.company.name} · ${job.location.city} · ${CONTRACTS[job.contract_type]}`),
    );
  fill(byId("jobs"), 
    h("h2", { id: "jobs-title" }, "Offres d’emploi"),
    jobs.data.length === 0 ? h("p", { class: "empty" }, "Aucune offre en ce moment.") : h("ul", {}, ...jobs.data.map(item)),
  );
}

async function showAgenda(): Promise<void> {
  const events = unwrap(await kiosque.api.GET("/api/v1/events", { params: { query: { limit: 3 } } }));
  const item = (event: Event): HTMLElement =>
    h(
      "li",
      {},
      h("span", { class: "when" }, frenchDay(event.starts_at)),
      h("strong", {}, event.title),
      h("span", {}, `${event.venue.city}${event.price.free ? " · gratuit" : ""}`),
    );
  fill(byId("agenda"), 
    h("h2", { id: "agenda-title" }, "Agenda"),
    events.data.length === 0 ? h("p", { class: "empty" }, "Rien de prévu.") : h("ul", {}, ...events.data.map(item)),
  );
}

// ---- the page --------------------------------------------------------------------

async function main(): Promise<void> {
  wireRegisterForm();
  let article: ArticleDetail;
  try {
    article = await loadArticle();
  } catch (error) {
    fill(byId("article"), h("p", { class: "error" }, messageOf(error)));
    return;
  }
  renderArticle(article);

  const memberParts = async (): Promise<void> => {
    renderAccount(() => void memberParts());
    await Promise.all([
      showComments(article, () => void memberParts()),
      article.poll_id ? showPoll(article.poll_id) : Promise.resolve(),
    ]);
  };

  const parts = await Promise.allSettled([
    memberParts(),
    showSections(article),
    showRelated(article),
    showWeather(),
    showJobs(),
    showAgenda(),
  ]);
  for (const part of parts) {
    if (part.status === "rejected") {
      console.error(part.reason);
    }
  }
  document.body.dataset.ready = "true";
}

void main();
