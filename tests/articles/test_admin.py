def test_probe(client, staff_user):
    client.force_login(staff_user)
    r = client.get("/admin/articles/article/add/")
    print(r.status_code)
    for f in r.context["inline_admin_formsets"]:
        print(f.formset.prefix, list(f.formset.empty_form.fields))
    print(list(r.context["adminform"].form.fields))
    assert 0
