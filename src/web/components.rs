//! Accessible form pieces: an error summary linking to each field, and labelled inputs
//! with their own message.

use std::collections::BTreeMap;

use maud::{Markup, html};

/// Messages by field name.
pub type FieldErrors = BTreeMap<String, String>;

/// Splits a validation error out for re-rendering a form; anything else propagates.
pub fn field_errors(error: crate::error::AppError) -> crate::error::AppResult<FieldErrors> {
    match error {
        crate::error::AppError::Validation { fields, .. } => Ok(fields),
        other => Err(other),
    }
}

/// The box at the top of a form listing what to fix, each linking to its field.
pub fn error_summary(errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 id="error-summary-title" { "There is a problem" }
                ul {
                    @for (field, message) in errors {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// An input with its label and, when invalid, its message.
pub struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub autocomplete: Option<&'a str>,
    pub hint: Option<&'a str>,
    pub required: bool,
}

impl<'a> Input<'a> {
    pub fn new(name: &'a str, label: &'a str) -> Self {
        Self { name, label, kind: "text", value: "", autocomplete: None, hint: None, required: false }
    }

    pub fn render(&self, errors: &FieldErrors) -> Markup {
        let error = errors.get(self.name);
        let error_id = format!("{}-error", self.name);
        let hint_id = format!("{}-hint", self.name);
        let described_by = match (self.hint.is_some(), error.is_some()) {
            (true, true) => Some(format!("{hint_id} {error_id}")),
            (true, false) => Some(hint_id.clone()),
            (false, true) => Some(error_id.clone()),
            (false, false) => None,
        };
        html! {
            div class={ "field" @if error.is_some() { " field-invalid" } } {
                label for=(self.name) { (self.label) }
                @if let Some(hint) = self.hint { p class="hint" id=(hint_id) { (hint) } }
                @if let Some(message) = error { p class="field-error" id=(error_id) { span class="visually-hidden" { "Error: " } (message) } }
                input id=(self.name) name=(self.name) type=(self.kind) value=(self.value)
                    autocomplete=[self.autocomplete] aria-describedby=[described_by]
                    aria-invalid=[error.map(|_| "true")] required[self.required];
            }
        }
    }
}

/// A labelled `<select>` with its message.
/// `errors` with the fields in `renames` (from, to) under their names on the page, where one
/// page holds several forms with a field of the same name.
pub fn renamed(errors: &FieldErrors, renames: &[(&str, &str)]) -> FieldErrors {
    errors
        .iter()
        .map(|(k, v)| {
            let name = renames.iter().find(|(from, _)| from == k).map_or(k.as_str(), |(_, to)| to);
            (name.to_owned(), v.clone())
        })
        .collect()
}

/// A labelled `<select>` of `(value, text)` options with its message.
pub fn select<K: AsRef<str>, T: AsRef<str>>(
    name: &str,
    label: &str,
    options: &[(K, T)],
    value: &str,
    errors: &FieldErrors,
) -> Markup {
    html! {
        div class={ "field" @if errors.contains_key(name) { " field-invalid" } } {
            label for=(name) { (label) }
            @if let Some(message) = errors.get(name) { p class="field-error" id={ (name) "-error" } { span class="visually-hidden" { "Error: " } (message) } }
            select id=(name) name=(name) aria-invalid=[errors.get(name).map(|_| "true")] {
                option value="" { "Choose…" }
                @for (key, text) in options { option value=(key.as_ref()) selected[value == key.as_ref()] { (text.as_ref()) } }
            }
        }
    }
}

/// A list page's labelled search box (a GET filter form's `q`, say), holding what was sent.
pub fn search_field(name: &str, label: &str, value: &str) -> Markup {
    html! {
        div class="field" {
            label for=(name) { (label) }
            input type="search" id=(name) name=(name) value=(value);
        }
    }
}

/// A labelled `<textarea>` with its message.
pub fn textarea(name: &str, label: &str, value: &str, errors: &FieldErrors) -> Markup {
    html! {
        div class={ "field" @if errors.contains_key(name) { " field-invalid" } } {
            label for=(name) { (label) }
            @if let Some(message) = errors.get(name) { p class="field-error" id={ (name) "-error" } { span class="visually-hidden" { "Error: " } (message) } }
            textarea id=(name) name=(name) rows="3" maxlength="4000" { (value) }
        }
    }
}

/// The admin's export and erase controls on a volunteer's or an application's page (nothing
/// for other roles). `kind` is `volunteers` or `applications`.
pub fn personal_data_panel(ctx: &crate::web::layout::PageContext, kind: &str, id: i64, can_erase: bool) -> Markup {
    if !ctx.user.as_ref().is_some_and(|u| u.role == entity::user::Role::Admin) {
        return html! {};
    }
    html! {
        h2 { "Personal data (UK GDPR)" }
        p { a class="button secondary" href={ "/admin/" (kind) "/" (id) "/export" } download { "Export everything held about this person (JSON)" } }
        @if can_erase {
            form method="post" action={ "/admin/" (kind) "/" (id) "/erase" } {
                (crate::web::layout::csrf_field(ctx))
                div class="field" {
                    input type="checkbox" id="confirm-erase" name="confirm" value="yes";
                    label for="confirm-erase" { "Erase this person's personal data. This cannot be undone; anonymous statistics stay." }
                }
                button type="submit" class="warning" { "Erase personal data" }
            }
        }
    }
}

/// A list page's `?page=`, read leniently (see [`page_number`]).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageAt {
    #[serde(deserialize_with = "crate::domain::lenient_string")]
    pub page: String,
}

/// The page number asked for in a page's `?page=`: anything that is not a whole number from
/// 1 reads as the first page (a list page never fails on its pager).
pub fn page_number(raw: &str) -> u64 {
    raw.trim().parse::<u64>().ok().filter(|n| *n >= 1).unwrap_or(1)
}

/// "Page 2 of 5 (230 in all)" with links to the pages before and after, keeping the list's
/// other query (`query`: already URL-encoded, without `page`).
pub fn pager(path: &str, query: &str, info: &crate::db::PageInfo) -> Markup {
    let href = |page: u64| {
        if query.is_empty() { format!("{path}?page={page}") } else { format!("{path}?{query}&page={page}") }
    };
    html! {
        @if info.pages > 1 {
            nav class="pager" aria-label="Pages" {
                @if info.page > 1 { a rel="prev" href=(href(info.page - 1)) { "Previous" span class="visually-hidden" { " page" } } }
                span { "Page " (info.page) " of " (info.pages) " (" (info.total) " in all)" }
                @if info.page < info.pages { a rel="next" href=(href(info.page + 1)) { "Next" span class="visually-hidden" { " page" } } }
            }
        }
    }
}
