// A frontend's first program against rls_cms, as the README tells one to write it:
// types generated from /api/schema/ by openapi-typescript, calls made with
// openapi-fetch, compiled with tsc --strict (no any, no casts). CI generates
// the types from a live server, compiles this and runs it there: it fails when
// the document and the answers part ways.
//
//   npx openapi-typescript http://127.0.0.1:8000/api/schema/ -o schema.d.ts
//   npx tsc -p . && API_URL=http://127.0.0.1:8000 node build/client.js

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

const baseUrl = process.env["API_URL"] ?? "http://127.0.0.1:8000";
const previewToken = process.env["PREVIEW_TOKEN"] ?? "";
const api = createClient<paths>({ baseUrl });

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

// Every field the document names, and no other, is in the answer: the record
// must list each key of the type (tsc checks it), and the answer must carry
// exactly those (this checks it).
function sameFields<T extends object>(
  what: string,
  answer: T,
  fields: Record<keyof T, true>,
): void {
  const documented = Object.keys(fields).sort();
  const sent = Object.keys(answer).sort();
  check(
    JSON.stringify(documented) === JSON.stringify(sent),
    `${what}: the document names ${documented.join(", ")}; the answer has ${sent.join(", ")}`,
  );
}

const LIST_ITEM: Record<keyof Schemas["ArticleListItem"], true> = {
  slug: true,
  title: true,
  intro: true,
  intro_html: true,
  byline: true,
  published_at: true,
  updated_at: true,
  tags: true,
  url: true,
  thumbnail: true,
  comment_count: true,
};
const DETAIL: Record<keyof Schemas["ArticleDetail"], true> = {
  slug: true,
  title: true,
  intro: true,
  intro_html: true,
  byline: true,
  author: true,
  published_at: true,
  updated_at: true,
  last_reviewed_on: true,
  reviewed_by: true,
  review: true,
  tags: true,
  toc: true,
  sections: true,
  images: true,
  references: true,
  json_ld: true,
  comments: true,
};
const REFERENCE: Record<keyof Schemas["Reference"], true> = {
  number: true,
  authors: true,
  title: true,
  source: true,
  year: true,
  date: true,
  doi: true,
  doi_url: true,
  url: true,
  accessed_on: true,
  citation: true,
  anchor: true,
  cited_in: true,
};
const COMMENT: Record<keyof Schemas["Comment"], true> = {
  id: true,
  parent: true,
  depth: true,
  name: true,
  website: true,
  body_html: true,
  submitted_at: true,
  staff: true,
};

function cursorOf(link: string): string {
  const cursor = new URL(link, baseUrl).searchParams.get("cursor");
  check(cursor !== null, `a page link without a cursor: ${link}`);
  return cursor;
}

async function listAndFollowNext(): Promise<void> {
  const first = await api.GET("/api/v1/articles/", { params: { query: { page_size: 1 } } });
  check(first.data !== undefined, `list: ${first.response.status}`);
  const item = first.data.results[0];
  check(item !== undefined, "list: no article");
  sameFields("list item", item, LIST_ITEM);
  check(first.data.previous === null, "the first page has a previous page");
  check(first.data.next !== null, "list: one article a page, and no next page");
  const published: string = item.published_at;
  check(!Number.isNaN(Date.parse(published)), `published_at is no date: ${published}`);
  console.log(`list: ${item.title} (${item.comment_count} comments)`);

  const second = await api.GET("/api/v1/articles/", {
    params: { query: { page_size: 1, cursor: cursorOf(first.data.next) } },
  });
  check(second.data !== undefined, `next page: ${second.response.status}`);
  const next = second.data.results[0];
  check(next !== undefined && next.slug !== item.slug, "next page: not another article");
  check(second.data.previous !== null, "the second page has no previous page");
  console.log(`next: ${next.title}`);
}

async function search(words: string): Promise<string> {
  const found = await api.GET("/api/v1/articles/", { params: { query: { search: words } } });
  check(found.data !== undefined, `search: ${found.response.status}`);
  const best = found.data.results[0];
  check(best !== undefined, `search: nothing for "${words}"`);
  console.log(`search "${words}": ${best.title}`);
  return best.slug;
}

async function detailAndRevalidate(slug: string): Promise<void> {
  const found = await api.GET("/api/v1/articles/{slug}/", { params: { path: { slug } } });
  check(found.data !== undefined, `detail: ${found.response.status}`);
  const article = found.data;
  sameFields("detail", article, DETAIL);
  // Fields a page reads without checking for undefined first.
  const headline: string = article.json_ld.headline;
  check(headline === article.title, "json_ld.headline is not the title");
  check(article.json_ld["@type"] === "MedicalWebPage", "json_ld is not a MedicalWebPage");
  const levels = article.sections.map((section) => section.level);
  check(levels.every((level) => level === 2 || level === 3), `levels: ${levels.join(",")}`);
  const anchors = article.toc.map((entry) => `#${entry.anchor}`);
  const reference = article.references[0];
  check(reference !== undefined, "the demo article has references");
  sameFields("reference", reference, REFERENCE);
  const doi: string = reference.doi;
  const reviewed: string | null = article.last_reviewed_on;
  const closes: string | null = article.comments.closes_at;
  console.log(
    `detail: ${article.title}, ${anchors.length} sections, ${article.references.length} ` +
      `references (first DOI "${doi}"), reviewed ${reviewed ?? "never"}, ` +
      `comments ${article.comments.open ? "open" : "closed"} until ${closes ?? "no set time"}`,
  );

  const etag = found.response.headers.get("ETag");
  check(etag !== null, "detail: no ETag");
  const again = await api.GET("/api/v1/articles/{slug}/", {
    params: { path: { slug }, header: { "If-None-Match": etag } },
  });
  check(again.response.status === 304, `revalidation: ${again.response.status}, not 304`);
  // No body to wait for: this program's exit shows that the kept-alive
  // connection is free again (a 304 that named the 200's length held it).
  check(again.data === undefined, "a 304 with data");
  check(again.response.headers.get("ETag") === etag, "the 304 names another ETag");
  console.log(`revalidated: 304 for ${etag}`);
}

async function commentForm(slug: string): Promise<void> {
  const form = await api.OPTIONS("/api/v1/articles/{slug}/comments/", {
    params: { path: { slug } },
  });
  check(form.data !== undefined, `OPTIONS: ${form.response.status}`);
  const fields = form.data.actions.POST;
  for (const name of ["name", "email", "body"]) {
    check(fields[name]?.required === true, `the form's ${name} is not required`);
  }
  const honeypots = Object.entries(fields).filter(([, field]) => field.honeypot === true);
  check(honeypots.length === 1, "the form marks no honeypot");
  console.log(`form: ${Object.keys(fields).join(", ")}`);

  const sent = await api.POST("/api/v1/articles/{slug}/comments/", {
    params: { path: { slug } },
    body: {
      name: "Ada Reader",
      email: "ada.reader@example.org",
      body: `Thank you: the part on iron and ferritin answered my question (${Date.now()}).`,
    },
  });
  check(sent.data !== undefined, `POST: ${sent.response.status} ${JSON.stringify(sent.error)}`);
  const status: "pending" | "approved" = sent.data.status;
  check(sent.response.status === 201, `POST: ${sent.response.status}`);
  check(!JSON.stringify(sent.data).includes("ada.reader@"), "the email came back");
  check(sent.response.headers.get("RateLimit-Limit") !== null, "POST: no RateLimit-Limit");
  console.log(`comment: ${status}, "${sent.data.message}"`);

  const comments = await api.GET("/api/v1/articles/{slug}/comments/", {
    params: { path: { slug } },
  });
  check(comments.data !== undefined, `comments: ${comments.response.status}`);
  for (const comment of comments.data.results) {
    sameFields("comment", comment, COMMENT);
    const parent: number | null = comment.parent;
    check(parent === null || parent < comment.id, `comment ${comment.id}'s parent ${parent}`);
  }
  console.log(`comments: ${comments.data.results.length} approved`);
}

async function preview(): Promise<void> {
  check(previewToken !== "", "set PREVIEW_TOKEN to a token from the admin's Preview button");
  const draft = await api.GET("/api/v1/preview/", {
    headers: { Authorization: `Bearer ${previewToken}` },
  });
  check(draft.data !== undefined, `preview: ${draft.response.status}`);
  const when: string | null = draft.data.published_at;
  console.log(`preview: ${draft.data.title} (${draft.data.status}, ${when ?? "no date"})`);

  const refused = await api.GET("/api/v1/preview/", {
    headers: { Authorization: "Bearer not-a-token" },
  });
  check(refused.response.status === 403, `a forged token: ${refused.response.status}`);
  check(refused.error?.code === "invalid_preview", `a forged token: ${refused.error?.code}`);
}

async function unknownSlug(): Promise<void> {
  const missing = await api.GET("/api/v1/articles/{slug}/", {
    params: { path: { slug: "no-such-article" } },
  });
  check(missing.response.status === 404, `unknown slug: ${missing.response.status}`);
  const detail: string | undefined = missing.error?.detail;
  check(typeof detail === "string", "a 404 without detail");
  console.log(`unknown slug: 404, "${detail}"`);
}

await listAndFollowNext();
const slug = await search("dopamine");
await detailAndRevalidate(slug);
await commentForm(slug);
await preview();
await unknownSlug();
console.log("The client and the API agree.");
