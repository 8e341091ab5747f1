/*
 * Live preview in the Markdown editors of inline rows added on the page.
 *
 * Django adds a row by cloning the form set's empty template, whose editor
 * markdownx set up at page load: the clone carries markdownx's "already set
 * up" mark but none of its listeners, so its preview stayed empty until the
 * article was saved. markdownx keeps its constructor inside its bundle; its
 * start-up code sets up every editor without the mark. So the mark is taken
 * off the new row's editors and markdownx's script runs again (the browser
 * has it cached): the rows already set up are left alone. A closed row
 * opened (closed_rows.js) is set up the same way.
 */
'use strict';
{
    function markdownxScript() {
        return document.querySelector('script[src*="markdownx/js/markdownx"]');
    }

    function setUp(event) {
        const editors = event.target.querySelectorAll('.markdownx-editor');
        const script = markdownxScript();
        if (!editors.length || !script) {
            return;
        }
        editors.forEach((editor) => editor.removeAttribute('data-markdownx-init'));
        const again = document.createElement('script');
        again.src = script.src;
        again.addEventListener('load', () => again.remove());
        document.body.appendChild(again);
    }

    document.addEventListener('formset:added', setUp);
    // A closed row opened (closed_rows.js): its form is new to markdownx.
    document.addEventListener('articles:row-opened', setUp);
}
