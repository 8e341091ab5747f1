// One article: header, table of contents, sections with their figures,
// references, then the comments and the comment form.

import { getJSON } from "./api.js";
import { fetchComments, renderComments } from "./comments.js";
import { dateText, h, html, safeUrl, time } from "./dom.js";

function figure(image) {
  const caption = [image.caption, image.credit ? `Credit: ${image.credit}` : ""].filter(Boolean);
  return h(
    "figure",
    {},
    // The browser picks the smallest copy that fills the column, WebP where it can.
    h(
      "picture",
      {},
      image.srcset_webp ? h("source", { type: "image/webp", srcset: image.srcset_webp, sizes: image.sizes }) : null,
      h("img", {
        src: safeUrl(image.url),
        srcset: image.srcset || null,
        sizes: image.srcset ? image.sizes : null,
        alt: image.alt_text,
        width: image.width,
        height: image.height,
      }),
    ),
    caption.length ? h("figcaption", {}, caption.map((text, i) => h("span", { class: i ? "credit" : "caption" }, text))) : null,
  );
}

function dates(article) {
  const parts = [h("span", {}, "Published ", time(article.published_at))];
  if (article.updated_at && dateText(article.updated_at) !== dateText(article.published_at)) {
    parts.push(h("span", {}, "Updated ", time(article.updated_at)));
  }
  if (article.last_reviewed_on) parts.push(h("span", {}, "Last reviewed ", time(article.last_reviewed_on)));
  if (article.reviewed_by) {
    const { name, credentials } = article.reviewed_by;
    parts.push(h("span", { class: "reviewer" }, `Medically reviewed by ${name}${credentials ? `, ${credentials}` : ""}`));
  }
  return h("p", { class: "dates" }, parts);
}

// The article's schema.org description (JSON-LD) in the page's head, for
// search engines; null removes it. A data block: it never runs.
export function setStructuredData(data) {
  document.getElementById("_json_ld")?.remove();
  if (!data) return;
  const script = h("script", { type: "application/ld+json", id: "_json_ld" });
  script.textContent = JSON.stringify(data);
  document.head.append(script);
}

function tableOfContents(toc) {
  if (!toc.length) return null;
  // Sub-sections nest under the section before them, as in the article.
  const top = h("ol");
  let parent = null;
  for (const entry of toc) {
    const item = h("li", {}, h("a", { href: `#${entry.anchor}` }, entry.heading));
    if (entry.level > 2 && parent) {
      let sublist = parent.querySelector(":scope > ol");
      if (!sublist) parent.append((sublist = h("ol")));
      sublist.append(item);
    } else {
      top.append(item);
      parent = item;
    }
  }
  return h("nav", { class: "toc", "aria-labelledby": "_toc" }, h("h2", { id: "_toc" }, "Contents"), top);
}

function reference(ref, headings) {
  const links = [];
  if (ref.doi) links.push(" ", h("a", { href: safeUrl(ref.doi_url) }, `doi:${ref.doi}`));
  if (ref.url) links.push(" ", safeUrl(ref.url) ? h("a", { href: safeUrl(ref.url) }, ref.url) : ref.url);
  const accessed = ref.accessed_on ? [" Accessed ", time(ref.accessed_on), "."] : [];
  const text = [ref.authors, ref.title, [ref.source, ref.year].filter(Boolean).join(", ")]
    .filter(Boolean)
    .map((part) => (/[.?!]$/.test(part) ? part : `${part}.`))
    .join(" ");
  // Back to each section that cites it ("[^n]" in the text links here).
  const back = (ref.cited_in || []).map((anchor) =>
    h("a", { href: `#${anchor}`, class: "cited-in", "aria-label": `Back to ${headings.get(anchor) || anchor}` }, "↩"),
  );
  return h("li", { id: ref.anchor, value: ref.number }, text, links, accessed, back.length ? [" ", ...back] : null);
}

function headings(article) {
  return new Map(article.toc.map((entry) => [entry.anchor, entry.heading]));
}

function sections(article) {
  const figuresAfter = new Map();
  for (const image of article.images) {
    const key = image.after_section ?? "";
    figuresAfter.set(key, [...(figuresAfter.get(key) || []), image]);
  }
  const nodes = (figuresAfter.get("") || []).map(figure);
  for (const section of article.sections) {
    nodes.push(
      h(
        "section",
        {},
        h(`h${section.level}`, { id: section.anchor }, section.heading),
        html("div", section.body_html, { class: "body" }),
        (figuresAfter.get(section.anchor) || []).map(figure),
      ),
    );
  }
  return nodes;
}

export async function renderArticle(main, apiRoot, slug, { showMessage, isCurrent, preview = null }) {
  if (preview) return renderPreview(main, preview, { showMessage, isCurrent });
  // The article, its comments and the form description, all at once: one
  // round trip, three requests.
  const comments = fetchComments(`${apiRoot}${slug}/comments/`);
  const { status, ok, data: article } = await getJSON(`${apiRoot}${slug}/`);
  if (!isCurrent()) return;
  if (status === 404) return showMessage("Article not found", "This article does not exist or is not published.");
  if (!ok) return showMessage("Article unavailable", "The article could not be loaded. Please try again later.");
  document.title = `${article.title} · rls_cms`;
  setStructuredData(article.json_ld);

  const commentsSection = h("section", { class: "comments", "aria-labelledby": "_comments" });
  main.replaceChildren(articleElement(article), commentsSection);
  const loaded = await comments;
  if (isCurrent()) renderComments(commentsSection, article.comments, loaded);
}

// A draft as the editor will publish it, from a signed preview link
// (previewUrl: the API's address for it). No comments: nobody can see it yet.
async function renderPreview(main, previewUrl, { showMessage, isCurrent }) {
  const { status, ok, data } = await getJSON(previewUrl);
  if (!isCurrent()) return;
  if (status === 403) return showMessage("Preview link not valid", data?.detail || "Open a new preview from the admin.");
  if (status === 404) return showMessage("Article not found", "The article of this preview no longer exists.");
  if (!ok) return showMessage("Preview unavailable", "The preview could not be loaded. Please try again.");
  document.title = `Preview: ${data.title} · rls_cms`;
  main.replaceChildren(
    h("p", { class: "preview-banner", role: "status" }, "Preview: readers do not see this version until it is published."),
    articleElement(data),
  );
}

function articleElement(article) {
  const sectionHeadings = headings(article);
  return h(
    "article",
    {},
    h(
      "header",
      {},
      h("h1", {}, article.title),
      article.byline ? h("p", { class: "byline" }, `By ${article.byline}`) : null,
      dates(article),
    ),
    html("div", article.intro_html, { class: "intro" }),
    tableOfContents(article.toc),
    sections(article),
    article.references.length
      ? h(
          "section",
          { class: "references", "aria-labelledby": "_references" },
          h("h2", { id: "_references" }, "References"),
          h("ol", {}, article.references.map((ref) => reference(ref, sectionHeadings))),
        )
      : null,
    );
}
