/*
 * Closed rows of the article's sections and references: a saved row shows its
 * heading; its form comes from the server when the editor opens it, so a long
 * article's page stays small and quick. The row is asked for by its id and
 * named as the page's form it fills now (Django renumbers the forms when an
 * added one is removed); it keeps its place in the order, which dragging may
 * change while the form is on its way, and its Markdown editor previews live
 * like the others.
 */
'use strict';
{
    function say(row, message) {
        let alert = row.querySelector('.open-row-error');
        if (!alert) {
            alert = document.createElement('p');
            alert.className = 'errornote open-row-error';
            alert.setAttribute('role', 'alert');
            row.querySelector('.row-fields').prepend(alert);
        }
        alert.textContent = message;
    }

    async function open(button) {
        const row = button.closest('.inline-related');
        const fields = row.querySelector('.row-fields');
        const index = row.id.slice(row.id.lastIndexOf('-') + 1);
        button.disabled = true;
        row.setAttribute('aria-busy', 'true');
        let html = null;
        try {
            const response = await fetch(`${button.dataset.url}?index=${index}`, {
                credentials: 'same-origin',
                redirect: 'error', // a login page is no row
            });
            if (response.ok) {
                html = await response.text();
            }
        } catch (error) {
            html = null;
        }
        row.removeAttribute('aria-busy');
        if (html === null) {
            button.disabled = false;
            say(row, button.dataset.failed);
            return;
        }
        // Read now: a drag may have moved the row while its form was on its way.
        const order = fields.querySelector('input._reorder_');
        const position = order ? order.value : null;
        fields.innerHTML = html;
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
        const heading = row.querySelector('h3');
        if (first) {
            first.focus();
        } else if (heading) {
            heading.tabIndex = -1;
            heading.focus();
        }
    }

    document.addEventListener('click', (event) => {
        const button = event.target.closest('.closed-row button.open-row');
        if (button) {
            open(button);
        }
    });
}
