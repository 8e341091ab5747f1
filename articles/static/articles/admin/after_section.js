/*
 * An image's "after section" choice, on the article's admin page, offers the
 * sections added on the page before they are saved. They have no id yet, so
 * each is named by its form ("sections-3"); the admin points the image at the
 * section once both are saved. The labels follow the headings as they are
 * typed, and a choice follows its section when Django renumbers the added
 * forms after one is removed. A choice is never changed behind the editor's
 * back: if its section is removed, the image goes back to its saved place.
 */
'use strict';
{
    function addedSectionForms(prefix) {
        return document.querySelectorAll(
            `#${prefix}-group .inline-related:not(.has_original):not(.empty-form)`
        );
    }

    function headingOf(form) {
        const input = form.querySelector('input[name$="-heading"]');
        return input ? input.value.trim() : '';
    }

    function isAddedSection(select, value) {
        return value.startsWith(select.dataset.sectionsPrefix + '-');
    }

    // What the editor chose: a section form (added on the page) or a plain value.
    function remember(select) {
        const value = select.value;
        select.chosenForm = isAddedSection(select, value) ? document.getElementById(value) : null;
    }

    function sync() {
        for (const select of document.querySelectorAll('select[data-sections-prefix]')) {
            if (select.savedPlace === undefined) {
                // The place as the page came: saved, or as posted before an error.
                select.savedPlace = select.value;
                remember(select);
            }
            const prefix = select.dataset.sectionsPrefix;
            for (const option of [...select.options]) {
                if (isAddedSection(select, option.value)) {
                    option.remove();
                }
            }
            const forms = [...addedSectionForms(prefix)];
            for (const form of forms) {
                const heading = headingOf(form) || select.dataset.untitledLabel;
                const option = new Option(select.dataset.newLabel.replace('%s', () => heading), form.id);
                option.selected = form === select.chosenForm;
                select.add(option);
            }
            if (select.chosenForm && !forms.includes(select.chosenForm)) {
                const saved = [...select.options].some((o) => o.value === select.savedPlace);
                select.value = saved && !isAddedSection(select, select.savedPlace) ? select.savedPlace : '';
                remember(select);
            }
        }
    }

    document.addEventListener('DOMContentLoaded', sync);
    document.addEventListener('formset:added', sync);
    // Django renumbers the remaining forms after this event: sync after it.
    document.addEventListener('formset:removed', () => setTimeout(sync));
    document.addEventListener('input', (event) => {
        if (event.target.name && event.target.name.endsWith('-heading')) {
            sync();
        }
    });
    document.addEventListener('change', (event) => {
        if (event.target.matches('select[data-sections-prefix]')) {
            remember(event.target);
        }
    });
}
