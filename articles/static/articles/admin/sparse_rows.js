/*
 * The article's change form posts only the saved rows the editor changed.
 *
 * A long article (a systematic review: 200 sections, 300 references) has
 * thousands of inline fields, more than Django accepts in one POST
 * (DATA_UPLOAD_MAX_NUMBER_FIELDS, 1,000 by default). When the form's data
 * is gathered, each saved row whose fields all still hold what the page was
 * sent with leaves the POST; its place in the order (dragging changes it)
 * travels in one field per list, "<prefix>-UNCHANGED": [[index, id, position],
 * ...]. The server fills those rows in from the database (articles.admin.sparse),
 * so Django's form sets see the whole article. On a page sent back with
 * errors the fields' defaults are the editor's own input: the server lists
 * the rows that differ from the database, and those are posted whole.
 * Without JavaScript the whole form is posted, as Django does.
 */
'use strict';
{
    const ORDER_FIELD = 'position';

    function changed(control) {
        if (control.type === 'checkbox' || control.type === 'radio') {
            return control.checked !== control.defaultChecked;
        }
        if (control.type === 'file') {
            return control.files.length > 0;
        }
        if (control.tagName === 'SELECT') {
            return Array.from(control.options).some((o) => o.selected !== o.defaultSelected);
        }
        return control.value !== control.defaultValue;
    }

    // The rows whose input, sent back with errors, differs from the database.
    function changedOnServer() {
        const listed = document.getElementById('article-changed-rows');
        return new Set(listed ? JSON.parse(listed.textContent) : []);
    }

    function unchangedRows(group, prefix, posted) {
        const rows = [];
        group.querySelectorAll(`.inline-related.has_original[id^="${prefix}-"]`).forEach((row) => {
            const index = Number(row.id.slice(prefix.length + 1));
            const id = row.querySelector(`[name="${row.id}-id"]`);
            const order = row.querySelector(`[name="${row.id}-${ORDER_FIELD}"]`);
            const controls = Array.from(row.querySelectorAll('input, textarea, select'))
                .filter((control) => control.name && control !== order);
            if (Number.isInteger(index) && id && !posted.has(row.id) && !controls.some(changed)) {
                rows.push({row, index, id: id.value, position: order ? order.value : null});
            }
        });
        return rows;
    }

    function leave(formData, rowPrefix) {
        for (const name of Array.from(formData.keys())) {
            if (name.startsWith(rowPrefix + '-')) {
                formData.delete(name);
            }
        }
    }

    document.addEventListener('formdata', (event) => {
        const form = event.target;
        if (form.id !== 'article_form') {
            return;
        }
        const formData = event.formData;
        // The inlines' empty templates are never read by Django.
        for (const name of Array.from(formData.keys())) {
            if (name.includes('__prefix__')) {
                formData.delete(name);
            }
        }
        const posted = changedOnServer();
        form.querySelectorAll('.inline-group[data-inline-formset]').forEach((group) => {
            const prefix = JSON.parse(group.dataset.inlineFormset).options.prefix;
            const rows = unchangedRows(group, prefix, posted);
            rows.forEach(({row}) => leave(formData, row.id));
            formData.set(
                `${prefix}-UNCHANGED`,
                JSON.stringify(rows.map(({index, id, position}) => [index, id, position]))
            );
        });
    });
}
