/*
 * Closed rows of the article's sections and references: a saved row shows its
 * heading; its form comes from the server when the editor opens it, so a long
 * article's page stays small and quick. A row keeps its place in the order
 * (dragging rewrites it) when it is opened, and its Markdown editor previews
 * live like the others.
 */
'use strict';
{
    async function open(button) {
        const row = button.closest('.inline-related');
        const fields = row.querySelector('.row-fields');
        const order = fields.querySelector('input._reorder_');
        const position = order ? order.value : null;
        button.disabled = true;
        const response = await fetch(button.dataset.url, {credentials: 'same-origin'});
        if (!response.ok) {
            button.disabled = false;
            return;
        }
        fields.innerHTML = await response.text();
        const reorder = fields.querySelector('input._reorder_');
        if (reorder && position !== null) {
            reorder.value = position;
        }
        row.classList.remove('closed-row');
        if (window.DateTimeShortcuts) {
            fields.querySelectorAll('input.vDateField').forEach((input) => {
                window.DateTimeShortcuts.addCalendar(input);
            });
        }
        row.dispatchEvent(new CustomEvent('articles:row-opened', {bubbles: true}));
        const first = fields.querySelector('input:not([type=hidden]), textarea, select');
        if (first) {
            first.focus();
        }
    }

    document.addEventListener('click', (event) => {
        const button = event.target.closest('.closed-row button.open-row');
        if (button) {
            open(button);
        }
    });
}
