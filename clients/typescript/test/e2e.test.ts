/**
 * A reader's and an editor's flow through the SDK against a real Kiosque
 * (started by clients/run-e2e.sh on a fresh SQLite file or PostgreSQL
 * database). Every call is typed by the generated client: no cast, no
 * hand-written URL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  type ArticleDetail,
  Kiosque,
  KiosqueError,
  type Poll,
  REVALIDATED_HEADER,
  outcome,
  unwrap,
} from "../src/index.js";
import { env, eventually, linkTokenFromLog, sleep, unique } from "./support.js";

const baseUrl = env("KIOSQUE_E2E_URL");
const serverLog = env("KIOSQUE_E2E_SERVER_LOG");
const editorEmail = env("KIOSQUE_E2E_EDITOR_EMAIL");
const editorPassword = env("KIOSQUE_E2E_EDITOR_PASSWORD");
/** KIOSQUE_ACCESS_TOKEN_TTL_SECS of the server under test. */
const accessTtlSecs = Number(env("KIOSQUE_E2E_ACCESS_TTL_SECS"));

const memberEmail = `lea.${unique}@example.org`;
const memberPassword = "Tr0mpette-du-Lundi";

const anonymous = new Kiosque({ baseUrl });
const member = new Kiosque({ baseUrl });
const editor = new Kiosque({ baseUrl });
/** A member session left idle until its access token expires (see the last test). */
let sleeperSessionChanges = 0;
const sleeper = new Kiosque({
  baseUrl,
  onSessionChange: () => {
    sleeperSessionChanges += 1;
  },
});
let sleeperSignedInAt = 0;

/** What the editor sets up for the reader: a section, a tag, articles. */
const site = {
  section: `vie-associative-${unique}`,
  tag: `benevolat-${unique}`,
  articles: [] as ArticleDetail[],
};

function isoIn(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

async function rejectsWith(code: string, call: () => Promise<unknown>): Promise<KiosqueError> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof KiosqueError, `expected a KiosqueError, got ${String(error)}`);
    assert.equal(error.code, code, `${error.status} ${error.problem.detail}`);
    return error;
  }
  assert.fail(`expected the call to fail with ${code}`);
}

describe(`Kiosque through the SDK (${process.env.KIOSQUE_E2E_DATABASE ?? "?"})`, () => {
  before(async () => {
    await editor.signIn({ email: editorEmail, password: editorPassword });
    assert.equal(editor.user?.role, "editor");
  });

  after(async () => {
    await editor.signOut();
  });

  describe("a reader joins", () => {
    it("refuses a weak password with a problem document naming the field", async () => {
      const problem = await rejectsWith("validation_failed", async () =>
        unwrap(
          await anonymous.api.POST("/api/v1/auth/register", {
            body: { email: memberEmail, password: "court", display_name: "Léa Martin" },
          }),
        ),
      );
      assert.equal(problem.status, 422);
      assert.ok(problem.problem.errors?.some((e) => e.field === "password"));
    });

    it("registers (202, the same answer for any address)", async () => {
      const { data, response } = await anonymous.api.POST("/api/v1/auth/register", {
        body: { email: memberEmail, password: memberPassword, display_name: "Léa Martin" },
      });
      assert.equal(response.status, 202);
      assert.equal(data?.status, "accepted");
    });

    it("signs in at once, but may not comment before confirming the address", async () => {
      const session = await member.signIn({ email: memberEmail, password: memberPassword });
      assert.equal(session.token_type, "Bearer");
      assert.equal(session.user.email_verified, false);
      assert.equal(member.user?.display_name, "Léa Martin");

      sleeperSignedInAt = Date.now();
      await sleeper.signIn({ email: memberEmail, password: memberPassword });
    });

    it("confirms the address with the link of the message", async () => {
      const token = await linkTokenFromLog(serverLog, memberEmail, "verifier-email");
      const { response } = await anonymous.api.POST("/api/v1/auth/verify-email", { body: { token } });
      assert.equal(response.status, 204);
      const me = unwrap(await member.api.GET("/api/v1/me"));
      assert.equal(me.email_verified, true);

      // a link is spent once
      await rejectsWith("link_used", async () =>
        unwrap(await anonymous.api.POST("/api/v1/auth/verify-email", { body: { token } })),
      );
    });

    it("refreshes the session: a new pair, and the old refresh token is spent", async () => {
      const before = member.session;
      assert.ok(before !== null);
      const after = await member.refresh();
      assert.notEqual(after.refresh_token, before.refresh_token);
      assert.equal(unwrap(await member.api.GET("/api/v1/me")).email, memberEmail);

      // a second client replays a refresh token it already used: refused,
      // and that whole session ends (the SDK forgets it)
      const other = new Kiosque({ baseUrl });
      await other.signIn({ email: memberEmail, password: memberPassword });
      const spent = other.session?.refresh_token ?? "";
      await other.refresh();
      await rejectsWith("invalid_token", async () =>
        unwrap(await anonymous.api.POST("/api/v1/auth/refresh", { body: { refresh_token: spent } })),
      );
      await assert.rejects(other.refresh());
      assert.equal(other.session, null);
    });
  });

  describe("an editor writes", () => {
    it("creates a section, a tag and five published articles", async () => {
      const section = unwrap(
        await editor.api.POST("/api/v1/sections", {
          body: { name: `Vie associative ${unique}`, slug: site.section, description: "Les associations" },
        }),
      );
      assert.equal(section.slug, site.section);
      const tag = unwrap(await editor.api.POST("/api/v1/tags", { body: { name: `Bénévolat ${unique}`, slug: site.tag } }));
      assert.equal(tag.slug, site.tag);
      for (let n = 1; n <= 5; n++) {
        const article = unwrap(
          await editor.api.POST("/api/v1/articles", {
            body: {
              title: `Les bénévoles du quartier, épisode ${n}`,
              lead: "Ils donnent leur temps sans compter.",
              body: `Un **dimanche** au marché, épisode ${n}.`,
              section: site.section,
              tags: [site.tag],
              status: "published",
              allow_comments: true,
            },
          }),
        );
        assert.equal(article.status, "published");
        assert.equal(article.section?.slug, site.section);
        assert.match(article.body_html, /<strong>dimanche<\/strong>/);
        site.articles.push(article);
      }
    });

    it("creates a draft, schedules it, and the scheduler publishes it on time", async () => {
      const draft = unwrap(
        await editor.api.POST("/api/v1/articles", {
          body: { title: `Programmé ${unique}`, lead: "Bientôt.", body: "Texte.", section: site.section },
        }),
      );
      assert.equal(draft.status, "draft");
      const hidden = await anonymous.api.GET("/api/v1/articles/{id}", { params: { path: { id: draft.id } } });
      assert.equal(hidden.response.status, 404);

      const scheduled = unwrap(
        await editor.api.PATCH("/api/v1/articles/{id}", {
          params: { path: { id: draft.id } },
          body: { status: "scheduled", published_at: isoIn(2_000) },
        }),
      );
      assert.equal(scheduled.status, "scheduled");

      const published = await eventually("the scheduled article to go public", async () => {
        const read = await anonymous.api.GET("/api/v1/articles/{id}", { params: { path: { id: draft.id } } });
        return read.data ?? null;
      });
      assert.equal(published.status, "published");
    });

    it("publishes a draft by hand", async () => {
      const draft = unwrap(
        await editor.api.POST("/api/v1/articles", {
          body: { title: `À la main ${unique}`, lead: "Maintenant.", body: "Texte.", section: site.section },
        }),
      );
      const published = unwrap(
        await editor.api.PATCH("/api/v1/articles/{id}", {
          params: { path: { id: draft.id } },
          body: { status: "published" },
        }),
      );
      assert.equal(published.status, "published");
      assert.ok(published.published_at !== null && published.published_at !== undefined);
      const read = unwrap(await anonymous.api.GET("/api/v1/articles/{id}", { params: { path: { id: draft.slug } } }));
      assert.equal(read.id, draft.id);
    });
  });

  describe("a reader reads", () => {
    it("lists with filters and follows the cursors to the last page", async () => {
      const query = { section: site.section, tag: site.tag, limit: 2 };
      const pages: number[] = [];
      for await (const page of anonymous.pages("/api/v1/articles", { params: { query } })) {
        pages.push(page.data.length);
        assert.equal(page.meta.total, 5);
      }
      assert.deepEqual(pages, [2, 2, 1]);

      const titles: string[] = [];
      for await (const article of anonymous.iterate("/api/v1/articles", { params: { query } })) {
        assert.ok(article.tags.some((t) => t.slug === site.tag));
        titles.push(article.title);
      }
      assert.equal(new Set(titles).size, 5);
      // newest first
      assert.equal(titles[0], site.articles[4]?.title);

      const searched = unwrap(
        await anonymous.api.GET("/api/v1/articles", {
          params: { query: { section: site.section, published_after: isoIn(-3_600_000), q: "épisode" } },
        }),
      );
      assert.equal(searched.meta.total, 5);
    });

    it("reads again with If-None-Match: 304, answered from the ETag cache", async () => {
      const id = site.articles[0]?.id ?? "";
      const first = await anonymous.api.GET("/api/v1/articles/{id}", { params: { path: { id } } });
      assert.equal(first.response.status, 200);
      const etag = first.response.headers.get("ETag");
      assert.ok(etag !== null, "an article carries an ETag");

      const revalidatedBefore = anonymous.cache?.revalidated ?? 0;
      const second = await anonymous.api.GET("/api/v1/articles/{id}", { params: { path: { id } } });
      assert.equal(second.response.headers.get(REVALIDATED_HEADER), "revalidated");
      assert.equal(anonymous.cache?.revalidated, revalidatedBefore + 1);
      assert.equal(second.data?.title, first.data?.title);

      // the same question asked by hand: a typed 304
      const raw = new Kiosque({ baseUrl, etagCache: false });
      const conditional = outcome(
        await raw.api.GET("/api/v1/articles/{id}", { params: { path: { id } }, headers: { "If-None-Match": etag } }),
      );
      assert.equal(conditional.kind, "not_modified");

      // a change gives a new ETag and the new content
      unwrap(
        await editor.api.PATCH("/api/v1/articles/{id}", {
          params: { path: { id } },
          body: { lead: "Ils donnent leur temps, et le disent." },
        }),
      );
      const third = await anonymous.api.GET("/api/v1/articles/{id}", { params: { path: { id } } });
      assert.equal(third.response.headers.get(REVALIDATED_HEADER), null);
      assert.equal(third.data?.lead, "Ils donnent leur temps, et le disent.");
      assert.notEqual(third.response.headers.get("ETag"), etag);
    });

    it("reads the related articles of the section", async () => {
      const id = site.articles[0]?.id ?? "";
      const related = unwrap(await anonymous.api.GET("/api/v1/articles/{id}/related", { params: { path: { id } } }));
      assert.ok(related.data.length > 0);
      assert.ok(related.data.every((a) => a.section?.slug === site.section && a.id !== id));
    });
  });

  describe("a member takes part", () => {
    it("comments; the comment waits for moderation, then shows once approved", async () => {
      const article = site.articles[0];
      assert.ok(article);
      const comment = unwrap(
        await member.api.POST("/api/v1/articles/{id}/comments", {
          params: { path: { id: article.id } },
          body: { body: "Merci pour cet article très *clair*." },
        }),
      );
      assert.equal(comment.status, "pending");

      const publicBefore = unwrap(
        await anonymous.api.GET("/api/v1/articles/{id}/comments", { params: { path: { id: article.id } } }),
      );
      assert.equal(publicBefore.data.length, 0);

      const queue = unwrap(
        await editor.api.GET("/api/v1/comments", { params: { query: { status: "pending", article: article.id } } }),
      );
      assert.deepEqual(
        queue.data.map((c) => c.id),
        [comment.id],
      );
      const decided = unwrap(
        await editor.api.POST("/api/v1/comments/moderation", { body: { ids: [comment.id], status: "approved" } }),
      );
      assert.ok(decided);

      const threads = unwrap(
        await anonymous.api.GET("/api/v1/articles/{id}/comments", { params: { path: { id: article.id } } }),
      );
      assert.equal(threads.data.length, 1);
      assert.equal(threads.data[0]?.author?.display_name, "Léa Martin");
      assert.match(threads.data[0]?.body_html ?? "", /<em>clair<\/em>/);
      const counted = unwrap(await anonymous.api.GET("/api/v1/articles/{id}", { params: { path: { id: article.id } } }));
      assert.equal(counted.comment_count, 1);
    });

    it("votes once in the article's poll and sees the results", async () => {
      const article = site.articles[0];
      assert.ok(article);
      const poll: Poll = unwrap(
        await editor.api.POST("/api/v1/polls", {
          body: {
            question: "Faut-il un deuxième marché le mercredi ?",
            options: [{ label: "Oui" }, { label: "Non" }],
            closes_at: isoIn(86_400_000),
            who_may_vote: "members",
            results_visibility: "after_vote",
            article_id: article.id,
          },
        }),
      );
      const attached = unwrap(await anonymous.api.GET("/api/v1/articles/{id}", { params: { path: { id: article.id } } }));
      assert.equal(attached.poll_id, poll.id);

      const hidden = unwrap(await anonymous.api.GET("/api/v1/polls/{id}", { params: { path: { id: poll.id } } }));
      assert.equal(hidden.results.visible, false);

      const yes = poll.options[0]?.id ?? "";
      const receipt = unwrap(
        await member.api.POST("/api/v1/polls/{id}/votes", {
          params: { path: { id: poll.id } },
          body: { options: [yes] },
        }),
      );
      assert.deepEqual(receipt.my_choice, [yes]);
      assert.equal(receipt.results.visible, true);
      assert.equal(receipt.results.total_voters, 1);
      assert.deepEqual(
        receipt.results.options?.map((o) => [o.label, o.count, o.percent]),
        [
          ["Oui", 1, 100],
          ["Non", 0, 0],
        ],
      );

      const again = await rejectsWith("already_voted", async () =>
        unwrap(
          await member.api.POST("/api/v1/polls/{id}/votes", {
            params: { path: { id: poll.id } },
            body: { options: [yes] },
          }),
        ),
      );
      assert.equal(again.status, 409);

      const mine = unwrap(await member.api.GET("/api/v1/polls/{id}/results", { params: { path: { id: poll.id } } }));
      assert.deepEqual(mine.my_choice, [yes]);
    });
  });

  describe("job offers and the agenda", () => {
    it("lists the published job offers with a filter", async () => {
      const job = unwrap(
        await editor.api.POST("/api/v1/jobs", {
          body: {
            title: `Animateur ou animatrice ${unique}`,
            company: { name: "Maison de quartier" },
            location: { city: "Besançon", postal_code: "25000", remote: false },
            contract_type: "cdi",
            working_time: "full_time",
            salary: { min_cents: 180_000, max_cents: 210_000, currency: "EUR", period: "month" },
            description: "Animer les ateliers du mercredi.",
            apply: { email: "recrutement@example.org" },
            status: "published",
          },
        }),
      );
      assert.equal(job.contract_type, "cdi");
      const listed = unwrap(
        await anonymous.api.GET("/api/v1/jobs", { params: { query: { contract_type: "cdi", city: "Besançon" } } }),
      );
      const found = listed.data.find((j) => j.id === job.id);
      assert.ok(found, "the published offer is listed");
      assert.equal(found.working_time, "full_time");
      assert.equal(found.salary?.period, "month");
    });

    it("lists the upcoming events and exports one to iCalendar", async () => {
      const event = unwrap(
        await editor.api.POST("/api/v1/events", {
          body: {
            title: `Vide-grenier ${unique}`,
            description: "Le vide-grenier du printemps.",
            starts_at: isoIn(7 * 86_400_000),
            ends_at: isoIn(7 * 86_400_000 + 6 * 3_600_000),
            venue: { name: "Place du marché", address: "Place du marché", city: "Dole", postal_code: "39100" },
            price: { free: true },
            organizer: "Comité des fêtes",
            category: "brocante",
            status: "published",
          },
        }),
      );
      const upcoming: string[] = [];
      for await (const e of anonymous.iterate("/api/v1/events", { params: { query: { city: "Dole", limit: 10 } } })) {
        upcoming.push(e.id);
      }
      assert.ok(upcoming.includes(event.id));

      const ics = await anonymous.api.GET("/api/v1/events/{id}.ics", {
        params: { path: { id: event.id } },
        parseAs: "text",
      });
      assert.equal(ics.response.status, 200);
      assert.match(ics.response.headers.get("Content-Type") ?? "", /^text\/calendar/);
      const calendar = ics.data ?? "";
      assert.match(calendar, /^BEGIN:VCALENDAR/);
      assert.match(calendar, /BEGIN:VEVENT/);
      assert.match(calendar.replace(/\r\n[ \t]/g, ""), new RegExp(`SUMMARY:Vide-grenier ${unique}`));
    });
  });

  describe("a long visit", () => {
    it("renews an expired access token by itself, once for calls made together", async () => {
      assert.ok(sleeperSignedInAt > 0);
      const initial = sleeper.session;
      assert.ok(initial !== null);
      // the server refuses a token past its lifetime (plus 5 s of leeway)
      const expiredAt = sleeperSignedInAt + (accessTtlSecs + 6) * 1000;
      await sleep(Math.max(0, expiredAt - Date.now()));
      const stale = await new Kiosque({ baseUrl, etagCache: false }).api.GET("/api/v1/me", {
        headers: { Authorization: `Bearer ${initial.access_token}` },
      });
      assert.equal(stale.response.status, 401, "the first access token has expired by now");

      // three calls fail together; one refresh serves them all (two would
      // replay the refresh token, and the server would end the session)
      const changesBefore = sleeperSessionChanges;
      const [me, mine, exported] = await Promise.all([
        sleeper.api.GET("/api/v1/me"),
        sleeper.api.GET("/api/v1/articles", { params: { query: { mine: true } } }),
        sleeper.api.GET("/api/v1/me/export"),
      ]);
      assert.equal(unwrap(me).email, memberEmail);
      assert.equal(unwrap(mine).meta.total, 0);
      assert.equal(unwrap(exported).profile.email, memberEmail);
      assert.equal(sleeperSessionChanges, changesBefore + 1, "one refresh");
      assert.notEqual(sleeper.session?.access_token, initial.access_token);
      assert.notEqual(sleeper.session?.refresh_token, initial.refresh_token);
    });
  });
});
