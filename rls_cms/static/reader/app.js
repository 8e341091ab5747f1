// The reader: a list of articles at /, an article at /articles/<slug>/.
// Everything shown comes from the public API; links are real URLs, so they
// can be shared, and back/forward work through the History API.

import { getJSON } from "./api.js";
import { renderArticle, setStructuredData } from "./article.js";
import { apiPath, h, scrollToHash, time } from "./dom.js";

const main = document.getElementById("_main");
const API_ROOT = main.dataset.apiRoot; // /api/v1/articles/
const PREVIEW_ROOT = main.dataset.previewRoot; // /api/v1/preview/
const ARTICLE_PATH = /^\/articles\/([\w-]+)\/?$/;

// Each route() call gets a number; a slow answer for an older one is dropped,
// so pressing Back during a load never paints the page we left.
let latestRoute = 0;
let shownPath = location.pathname;

function showMessage(title, text) {
  document.title = `${title} · rls_cms`;
  main.replaceChildren(
    h("h1", {}, title),
    h("p", {}, text),
    h("p", {}, h("a", { href: "/", "data-route": true }, "All articles")),
  );
}

function articleItem(article) {
  const count = article.comment_count;
  return h(
    "li",
    { class: "article-item" },
    h("h2", {}, h("a", { href: `/articles/${article.slug}/`, "data-route": true }, article.title)),
    h(
      "p",
      { class: "meta" },
      article.byline ? `${article.byline} · ` : "",
      time(article.published_at),
      ` · ${count} ${count === 1 ? "comment" : "comments"}`,
    ),
  );
}

async function renderList(isCurrent) {
  const { ok, data } = await getJSON(API_ROOT);
  if (!isCurrent()) return;
  document.title = "Articles · rls_cms";
  if (!ok) return showMessage("Articles are unavailable", "The list could not be loaded. Please try again later.");
  const list = h("ul", { class: "article-list" }, data.results.map(articleItem));
  let next = data.next;
  const more = h("button", { type: "button", class: "more", hidden: !next }, "More articles");
  more.addEventListener("click", async () => {
    more.disabled = true;
    const page = await getJSON(apiPath(next));
    if (page.ok) {
      list.append(...page.data.results.map(articleItem));
      next = page.data.next;
    }
    more.disabled = false;
    more.hidden = !next;
  });
  main.replaceChildren(
    h("h1", {}, "Articles"),
    list,
    data.results.length ? null : h("p", {}, "No articles have been published yet."),
    more,
  );
}

async function route({ focus = false } = {}) {
  const number = ++latestRoute;
  const isCurrent = () => number === latestRoute;
  shownPath = location.pathname;
  const match = location.pathname.match(ARTICLE_PATH);
  setStructuredData(null); // an article's description leaves with the article
  if (match) {
    const token = new URLSearchParams(location.search).get("preview");
    const preview = token ? `${PREVIEW_ROOT}${encodeURIComponent(token)}/` : null;
    await renderArticle(main, API_ROOT, match[1], { showMessage, isCurrent, preview });
  } else if (location.pathname === "/") {
    await renderList(isCurrent);
  } else {
    showMessage("Page not found", "There is nothing at this address.");
  }
  if (!isCurrent()) return;
  if (location.hash) {
    scrollToHash();
  } else if (focus) {
    // A new page for screen readers: move focus to its heading.
    window.scrollTo(0, 0);
    const heading = main.querySelector("h1");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus();
  }
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-route]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (link.pathname !== location.pathname) history.pushState({}, "", link.href);
  route({ focus: true });
});

window.addEventListener("popstate", () => {
  // Back from a table-of-contents jump stays on the same page: just scroll.
  if (location.pathname === shownPath) {
    if (location.hash) scrollToHash();
    else window.scrollTo(0, 0);
    return;
  }
  route({ focus: true });
});

route();
