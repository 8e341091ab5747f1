// The reader's pages come complete from the server. This script adds what
// needs one, on an article's page: the comment form, replies and reports.

import { enhanceComments } from "./comments.js";

const comments = document.querySelector("section.comments[data-comments-url]");
if (comments) enhanceComments(comments);
