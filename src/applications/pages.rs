//! Pages: the public "Volunteer with us" page, the application form and the private status
//! page; and the coordinators' intakes, review queue and application page.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::Code;
use entity::application::{self, ApplicationStatus};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

use super::csv;
use super::input::ApplicationInput;
use super::intakes::{self, IntakeInput};
use super::pipeline::{self, Decision};
use super::service::{self, DecisionInput, QueueFilter};
use crate::auth::RequireCoordinator;
use crate::db::Paging;
use crate::domain::time::{london_display, long_date};
use crate::error::{AppError, AppResult};
use crate::settings;
use crate::state::AppState;
use crate::web::components::field_errors;
use crate::web::components::{FieldErrors, Input, PageAt, error_summary, page_number, pager, search_field};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::ClientIp;
use crate::web::layout::{PageContext, csrf_field, page};

// ---- public -------------------------------------------------------------------------

pub async fn volunteer_with_us(State(state): State<AppState>, ctx: PageContext) -> AppResult<Markup> {
    let texts = settings::service::role_texts(&state.db).await?;
    let open = intakes::open_with_dates(&state.db, crate::clock::today()).await?;
    Ok(page(
        &ctx,
        "Volunteer with us",
        html! {
            h1 { "Volunteer with us" }
            @for (_, heading, text) in &texts {
                h2 { (heading) }
                @for paragraph in text.split("\n\n") { p { (paragraph) } }
            }
            h2 { "Intakes open for applications" }
            @if open.is_empty() {
                p { "There is no intake open just now. Please check back soon." }
            }
            @for (intake, dates) in &open {
                section class="intake" {
                    h3 { (intake.name) }
                    p { "Applications close on " (long_date(intake.closes_on)) "." }
                    @if !dates.is_empty() {
                        p { "Core training dates — you need to attend all of them:" }
                        ul {
                            @for s in dates {
                                li { (long_date(s.date)) ", " (s.starts_at.format("%H:%M")) "–" (s.ends_at.format("%H:%M")) ", " (s.venue) }
                            }
                        }
                    }
                    p { a class="button" href={ "/apply?intake_id=" (intake.id) } { "Apply for " (intake.name) } }
                }
            }
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct ApplyQuery {
    #[serde(default, deserialize_with = "crate::domain::lenient_string")]
    intake_id: String,
}

fn radio_yes_no(name: &str, legend: &str, value: &str, errors: &FieldErrors) -> Markup {
    html! {
        fieldset class={ "field" @if errors.contains_key(name) { " field-invalid" } } id=(name) {
            legend { (legend) }
            @if let Some(message) = errors.get(name) { p class="field-error" { span class="visually-hidden" { "Error: " } (message) } }
            div class="choice" { input type="radio" id={ (name) "-yes" } name=(name) value="yes" checked[value == "yes"]; label for={ (name) "-yes" } { "Yes" } }
            div class="choice" { input type="radio" id={ (name) "-no" } name=(name) value="no" checked[value == "no"]; label for={ (name) "-no" } { "No" } }
        }
    }
}

fn checkbox(name: &str, label: &str, value: &str) -> Markup {
    html! {
        div class="choice" { input type="checkbox" id=(name) name=(name) value="yes" checked[value == "yes"]; label for=(name) { (label) } }
    }
}

fn textarea(name: &str, label: &str, hint: &str, value: &str, errors: &FieldErrors) -> Markup {
    html! {
        div class={ "field" @if errors.contains_key(name) { " field-invalid" } } {
            label for=(name) { (label) }
            @if !hint.is_empty() { p class="hint" id={ (name) "-hint" } { (hint) } }
            @if let Some(message) = errors.get(name) { p class="field-error" id={ (name) "-error" } { span class="visually-hidden" { "Error: " } (message) } }
            textarea id=(name) name=(name) rows="6" maxlength="5000" aria-invalid=[errors.get(name).map(|_| "true")] { (value) }
        }
    }
}

fn select(name: &str, label: &str, options: &[&str], value: &str) -> Markup {
    html! {
        div class="field" {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { "Prefer not to say" }
                @for option in options { option value=(option) selected[value == *option] { (option) } }
            }
        }
    }
}

async fn form_page(
    state: &AppState,
    ctx: &PageContext,
    input: &ApplicationInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let open = intakes::open_with_dates(&state.db, crate::clock::today()).await?;
    Ok(page(
        ctx,
        "Apply to volunteer",
        html! {
            h1 { "Apply to volunteer" }
            @if open.is_empty() {
                p { "There is no intake open for applications just now." }
            } @else {
                (error_summary(errors))
                form method="post" action="/apply" novalidate {
                    (csrf_field(ctx))
                    div class={ "field" @if errors.contains_key("intake_id") { " field-invalid" } } {
                        label for="intake_id" { "Intake" }
                        @if let Some(message) = errors.get("intake_id") { p class="field-error" id="intake_id-error" { (message) } }
                        select id="intake_id" name="intake_id" {
                            @for (intake, _) in &open {
                                option value=(intake.id) selected[input.intake_id == intake.id.to_string()] { (intake.name) " (closes " (long_date(intake.closes_on)) ")" }
                            }
                        }
                    }
                    h2 { "About you" }
                    (Input { value: &input.name, autocomplete: Some("name"), required: true, ..Input::new("name", "Full name") }.render(errors))
                    (Input { kind: "email", value: &input.email, autocomplete: Some("email"), required: true, ..Input::new("email", "Email address") }.render(errors))
                    (Input { kind: "tel", value: &input.phone, autocomplete: Some("tel"), required: true, ..Input::new("phone", "Phone number") }.render(errors))
                    (Input { value: &input.postcode, autocomplete: Some("postal-code"), required: true, ..Input::new("postcode", "Postcode") }.render(errors))
                    (Input { kind: "date", value: &input.date_of_birth, autocomplete: Some("bday"), required: true, hint: Some("You must be 18 or over. For example 1990-03-27."), ..Input::new("date_of_birth", "Date of birth") }.render(errors))
                    h2 { "Why you" }
                    (textarea("motivation", "Why do you want to volunteer as a facilitator?", "A few sentences is fine.", &input.motivation, errors))
                    (textarea("experience", "Relevant experience (optional)", "Paid or unpaid: listening, mediation, working with people in crisis…", &input.experience, errors))
                    fieldset class={ "field" @if errors.contains_key("available_weekdays") { " field-invalid" } } id="available_weekdays-group" {
                        legend { "When are you generally available?" }
                        @if let Some(message) = errors.get("available_weekdays") { p class="field-error" { (message) } }
                        (checkbox("available_weekdays", "Weekdays", &input.available_weekdays))
                        (checkbox("available_evenings", "Evenings", &input.available_evenings))
                        (checkbox("available_weekends", "Weekends", &input.available_weekends))
                    }
                    h2 { "What we ask of volunteers" }
                    (radio_yes_no("can_attend_all_dates", "Can you attend every core training date of this intake?", &input.can_attend_all_dates, errors))
                    (radio_yes_no("can_commit_year", "Can you commit to volunteering for one year after training?", &input.can_commit_year, errors))
                    (radio_yes_no("agrees_to_checks", "Do you agree to an enhanced DBS check and prison security vetting?", &input.agrees_to_checks, errors))
                    (radio_yes_no("willing_to_use_it", "Are you willing to use IT (email and an online calendar)?", &input.willing_to_use_it, errors))
                    details {
                        summary { "Equality monitoring (optional)" }
                        p class="hint" { "These answers are kept apart from your application and are never shown to the people reviewing it. We use them only to check that we reach everyone." }
                        (select("equality_age_band", "Age", &["18–24", "25–34", "35–44", "45–54", "55–64", "65 or over"], &input.equality_age_band))
                        (Input { value: &input.equality_gender, ..Input::new("equality_gender", "Gender (optional)") }.render(errors))
                        (select("equality_ethnicity", "Ethnic group", &["Asian or Asian British", "Black, Black British, Caribbean or African", "Mixed or multiple ethnic groups", "White", "Other ethnic group"], &input.equality_ethnicity))
                        (select("equality_disability", "Do you consider yourself disabled?", &["Yes", "No"], &input.equality_disability))
                    }
                    div class="hp" aria-hidden="true" {
                        label for="website" { "Leave this field empty" }
                        input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value=(input.website);
                    }
                    div class={ "field" @if errors.contains_key("privacy_consent") { " field-invalid" } } id="privacy_consent-group" {
                        @if let Some(message) = errors.get("privacy_consent") { p class="field-error" { (message) } }
                        (checkbox("privacy_consent", "I have read the privacy notice and agree that my application is kept to assess it", &input.privacy_consent))
                    }
                    button type="submit" { "Send application" }
                }
            }
        },
    ))
}

pub async fn apply_form(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<ApplyQuery>,
) -> AppResult<Markup> {
    let input = ApplicationInput { intake_id: query.intake_id, ..Default::default() };
    form_page(&state, &ctx, &input, &FieldErrors::new()).await
}

fn confirmation(ctx: &PageContext, status_path: Option<&str>) -> Markup {
    page(
        ctx,
        "Application sent",
        html! {
            div class="panel" {
                h1 { "Application sent" }
                p { "Thank you. We have received your application and sent you an email to confirm it." }
            }
            @if let Some(path) = status_path {
                p { "You can see where your application stands, or withdraw it, from your private link: " a href=(path) { "your application" } "." }
                p class="hint" { "Keep this link to yourself; it is also in the email we sent you." }
            }
        },
    )
}

pub async fn apply(
    State(state): State<AppState>,
    ctx: PageContext,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Form(input): Form<ApplicationInput>,
) -> AppResult<Response> {
    if input.is_bot() {
        // Look the same as success, so the trap is not learnt.
        return Ok(confirmation(&ctx, None).into_response());
    }
    let errors = match input.parse(crate::clock::today()) {
        Ok(new) => {
            match service::submit(&state.db, &state.settings.base_url, new, ip.0.as_deref()).await {
                Ok((_, token)) => {
                    return Ok(confirmation(&ctx, Some(&format!("/applications/status/{token}"))).into_response());
                }
                Err(AppError::RateLimited { .. }) => {
                    let mut errors = FieldErrors::new();
                    errors.insert("name".into(), "We have had several applications from your connection in the last hour. Please try again later.".into());
                    let markup = form_page(&state, &ctx, &input, &errors).await?;
                    return Ok((StatusCode::TOO_MANY_REQUESTS, markup).into_response());
                }
                Err(error) => field_errors(error)?,
            }
        }
        Err(errors) => errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&state, &ctx, &input, &errors).await?).into_response())
}

pub async fn status(State(state): State<AppState>, ctx: PageContext, Path(token): Path<String>) -> AppResult<Markup> {
    let found = service::find_by_token(&state.db, &token).await?.ok_or(AppError::NotFound)?;
    let intake = intakes::find(&state.db, found.intake_id).await?;
    let position = service::waitlist_position(&state.db, &found).await?;
    let can_withdraw = Decision::Withdraw.allowed(found.status);
    Ok(page(
        &ctx,
        "Your application",
        html! {
            h1 { "Your application" }
            p { "Applied to " strong { (intake.map(|i| i.name).unwrap_or_default()) } " on " (london_display(found.created_at)) "." }
            p class="lead" { (pipeline::describe(found.status)) }
            @if let (ApplicationStatus::Interview, Some(at)) = (found.status, found.interview_at) {
                p { "Interview: " (london_display(at)) ", " (found.interview_place.clone().unwrap_or_default()) "." }
            }
            @if let Some(position) = position { p { "You are number " (position) " on the waiting list." } }
            @if can_withdraw {
                h2 { "Withdraw your application" }
                p { "If you no longer want to go ahead, you can withdraw. This cannot be undone." }
                form method="post" action={ "/applications/status/" (token) "/withdraw" } {
                    (csrf_field(&ctx))
                    button type="submit" class="warning" { "Withdraw my application" }
                }
            }
        },
    ))
}

pub async fn withdraw(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    service::withdraw_by_token(&state.db, &state.settings.base_url, &token).await?;
    Ok(flash::redirect(
        &format!("/applications/status/{token}"),
        FlashKind::Success,
        "Your application has been withdrawn.",
    ))
}

// ---- coordinators -------------------------------------------------------------------

async fn intakes_page(
    state: &AppState,
    ctx: &PageContext,
    input: &IntakeInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let all = intakes::all(&state.db).await?;
    let courses = crate::training::service::courses_with_sessions(&state.db).await?;
    let today = crate::clock::today();
    Ok(page(
        ctx,
        "Intakes",
        html! {
            h1 { "Intakes" }
            @if all.is_empty() { p { "No intakes yet." } } @else {
                div class="table-wrap" role="region" aria-label="Intakes" tabindex="0" { table {
                    thead { tr { th { "Intake" } th { "Places" } th { "Offered or accepted" } th { "Open" } th { "Applications" } } }
                    tbody {
                        @for i in &all {
                            tr {
                                td { (i.name) }
                                td { (i.places) }
                                td { (i.places_taken) }
                                td { (long_date(i.opens_on)) " to " (long_date(i.closes_on)) @if intakes::is_open(i, today) { " " span class="tag" { "open" } } }
                                td { a href={ "/applications?intake_id=" (i.id) } { "Review" } }
                            }
                        }
                    }
                } }
            }
            h2 { "Add an intake" }
            @if courses.iter().all(|(c, _)| c.kind != entity::course::CourseKind::Core) {
                p { "First " a href="/courses" { "add the core training course" } " the intake leads to." }
            }
            (error_summary(errors))
            form method="post" action="/intakes" {
                (csrf_field(ctx))
                (Input { value: &input.name, required: true, ..Input::new("name", "Name, for example “Spring 2027”") }.render(errors))
                (Input { kind: "number", value: &input.places, required: true, ..Input::new("places", "Number of places") }.render(errors))
                div class={ "field" @if errors.contains_key("course_id") { " field-invalid" } } {
                    label for="course_id" { "Core training course" }
                    @if let Some(message) = errors.get("course_id") { p class="field-error" { (message) } }
                    select id="course_id" name="course_id" {
                        @for (course, sessions) in courses.iter().filter(|(c, _)| c.kind == entity::course::CourseKind::Core) {
                            option value=(course.id) selected[input.course_id == course.id.to_string()] { (course.name) " (" (sessions.len()) " sessions)" }
                        }
                    }
                }
                (Input { kind: "date", value: &input.opens_on, required: true, ..Input::new("opens_on", "Applications open on") }.render(errors))
                (Input { kind: "date", value: &input.closes_on, required: true, ..Input::new("closes_on", "Applications close on") }.render(errors))
                button type="submit" { "Add intake" }
            }
        },
    ))
}

pub async fn intakes_list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
) -> AppResult<Markup> {
    intakes_page(&state, &ctx, &IntakeInput::default(), &FieldErrors::new()).await
}

pub async fn intakes_create(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Form(input): Form<IntakeInput>,
) -> AppResult<Response> {
    match intakes::create(&state.db, &input).await {
        Ok(_) => Ok(flash::redirect("/intakes", FlashKind::Success, "Intake added.")),
        Err(error) => {
            let errors = field_errors(error)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, intakes_page(&state, &ctx, &input, &errors).await?).into_response())
        }
    }
}

fn status_words(status: ApplicationStatus) -> String {
    status.code()
}

pub async fn queue(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Query(filter): Query<QueueFilter>,
    Query(at): Query<PageAt>,
) -> AppResult<Markup> {
    let paging = Paging { page: page_number(&at.page), per_page: service::PAGE_ROWS };
    let (listed, counts) = service::queue(&state.db, &filter, paging).await?;
    let rows = listed.items;
    let all_intakes = intakes::all(&state.db).await?;
    let intake_name = |id: i64| all_intakes.iter().find(|i| i.id == id).map_or("", |i| i.name.as_str());
    let flagged: Vec<&application::Model> = rows
        .iter()
        .filter(|a| a.place_free_flagged_at.is_some() && a.status == ApplicationStatus::Waitlisted)
        .collect();
    let query = serde_urlencoded::to_string([
        ("status", filter.status.clone().unwrap_or_default()),
        ("intake_id", filter.intake_id.clone()),
        ("q", filter.q.clone().unwrap_or_default()),
        ("sort", filter.sort.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    Ok(page(
        &ctx,
        "Applications",
        html! {
            h1 { "Applications" }
            @for a in &flagged {
                p class="flash info" role="status" { "A place is free on " (intake_name(a.intake_id)) ": " a href={ "/applications/" (a.id) } { (a.name) } " is first on the waiting list." }
            }
            nav aria-label="Applications by status" {
                ul class="counts" {
                    @for (status, n) in &counts {
                        li { a href={ "/applications?status=" (status.code()) "&intake_id=" (filter.intake_id) } { (status_words(*status)) " " span class="tag" { (n) } } }
                    }
                }
            }
            form method="get" action="/applications" class="filters" {
                (search_field("q", "Search by name or email", filter.q.as_deref().unwrap_or_default()))
                div class="field" {
                    label for="status" { "Status" }
                    select id="status" name="status" {
                        option value="" { "Any" }
                        @for s in ApplicationStatus::ALL { option value=(s.code()) selected[filter.status.as_deref() == Some(s.code().as_str())] { (s.code()) } }
                    }
                }
                div class="field" {
                    label for="intake_id" { "Intake" }
                    select id="intake_id" name="intake_id" {
                        option value="" { "Any" }
                        @for i in &all_intakes { option value=(i.id) selected[filter.intake_id == i.id.to_string()] { (i.name) } }
                    }
                }
                div class="field" {
                    label for="sort" { "Order" }
                    select id="sort" name="sort" {
                        option value="" { "Oldest first" }
                        option value="newest" selected[filter.sort.as_deref() == Some("newest")] { "Newest first" }
                    }
                }
                button type="submit" class="secondary" { "Filter" }
            }
            p { a href={ "/applications.csv?" (PreEscaped(&query)) } { "Download these as CSV" } }
            @if rows.is_empty() { p { "No applications match." } } @else {
                div class="table-wrap" role="region" aria-label="Applications" tabindex="0" { table {
                    thead { tr { th { "Applicant" } th { "Intake" } th { "Received" } th { "Status" } } }
                    tbody {
                        @for a in &rows {
                            tr {
                                td { a href={ "/applications/" (a.id) } { (a.name) } br; span class="hint" { (a.email) } }
                                td { (intake_name(a.intake_id)) }
                                td { (london_display(a.created_at)) }
                                td { span class="tag" { (a.status.code()) } }
                            }
                        }
                    }
                } }
                (pager("/applications", &query, &listed.info))
            }
        },
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Query(filter): Query<QueueFilter>,
) -> AppResult<Response> {
    let rows = service::queue_all(&state.db, &filter).await?;
    let all_intakes = intakes::all(&state.db).await?;
    let body = csv::applications(&rows, &all_intakes)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"applications.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

fn yes(value: bool) -> &'static str {
    if value { "Yes" } else { "No" }
}

async fn application_page(
    state: &AppState,
    ctx: &PageContext,
    id: i64,
    decision_input: &DecisionInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let a = service::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let intake = intakes::find(&state.db, a.intake_id).await?;
    let notes = service::notes(&state.db, id).await?;
    let position = service::waitlist_position(&state.db, &a).await?;
    let decisions = pipeline::open_decisions(a.status);
    Ok(page(
        ctx,
        &a.name,
        html! {
            p { a href="/applications" { "Back to applications" } }
            h1 { (a.name) }
            p { span class="tag" { (a.status.code()) } " · " (intake.as_ref().map(|i| i.name.as_str()).unwrap_or_default()) " · received " (london_display(a.created_at)) }
            @if let Some(position) = position { p { "Number " (position) " on the waiting list." @if a.place_free_flagged_at.is_some() { " A place is free." } } }
            @if let (Some(at), Some(place)) = (a.interview_at, &a.interview_place) { p { "Interview: " (london_display(at)) ", " (place) } }
            @if let Some(reason) = &a.decision_reason { p { "Reason given: " (reason) } }
            dl class="details" {
                dt { "Email" } dd { (a.email) }
                dt { "Phone" } dd { (a.phone) }
                dt { "Postcode" } dd { (a.postcode) }
                dt { "Date of birth" } dd { (long_date(a.date_of_birth)) }
                dt { "Available" } dd { (yes(a.available_weekdays)) " weekdays, " (yes(a.available_evenings)) " evenings, " (yes(a.available_weekends)) " weekends" }
                dt { "Can attend every core date" } dd { (yes(a.can_attend_all_dates)) }
                dt { "Can commit for a year" } dd { (yes(a.can_commit_year)) }
                dt { "Agrees to DBS and vetting" } dd { (yes(a.agrees_to_checks)) }
                dt { "Willing to use IT" } dd { (yes(a.willing_to_use_it)) }
            }
            h2 { "Motivation" }
            @for paragraph in a.motivation.split("\n\n") { p { (paragraph) } }
            @if !a.experience.is_empty() { h2 { "Experience" } @for paragraph in a.experience.split("\n\n") { p { (paragraph) } } }
            @if !decisions.is_empty() {
                h2 { "Decision" }
                (error_summary(errors))
                @for decision in &decisions {
                    form method="post" action={ "/applications/" (a.id) "/decision" } class="decision" {
                        (csrf_field(ctx))
                        input type="hidden" name="decision" value=(decision.as_str());
                        @if *decision == Decision::Interview {
                            (Input { kind: "date", value: &decision_input.interview_date, required: true, ..Input::new("interview_date", "Interview date") }.render(errors))
                            (Input { kind: "time", value: &decision_input.interview_time, required: true, ..Input::new("interview_time", "Interview time (UK)") }.render(errors))
                            (Input { value: &decision_input.interview_place, required: true, ..Input::new("interview_place", "Interview place") }.render(errors))
                        }
                        @if *decision == Decision::Reject {
                            (Input { value: &decision_input.reason, required: true, hint: Some("The applicant will see this in a kind email."), ..Input::new("reason", "Reason") }.render(errors))
                        }
                        button type="submit" class=(if matches!(decision, Decision::Reject | Decision::Withdraw) { "warning" } else { "" }) { (decision.label()) }
                    }
                }
            }
            h2 { "Notes" }
            @if notes.is_empty() { p { "No notes yet." } }
            @for (note, author) in &notes {
                div class="note" { p class="hint" { (author) ", " (london_display(note.created_at)) } @for paragraph in note.body.split("\n\n") { p { (paragraph) } } }
            }
            form method="post" action={ "/applications/" (a.id) "/notes" } {
                (csrf_field(ctx))
                div class={ "field" @if errors.contains_key("body") { " field-invalid" } } {
                    label for="body" { "Add a note" }
                    @if let Some(message) = errors.get("body") { p class="field-error" { (message) } }
                    textarea id="body" name="body" rows="3" {}
                }
                button type="submit" class="secondary" { "Add note" }
            }
            (crate::web::components::personal_data_panel(ctx, "applications", a.id, a.volunteer_id.is_none()))
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    application_page(&state, &ctx, id, &DecisionInput::default(), &FieldErrors::new()).await
}

pub async fn decide(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<DecisionInput>,
) -> AppResult<Response> {
    match service::decide(&state.db, &state.settings.base_url, &actor, id, &input).await {
        Ok(updated) => Ok(flash::redirect(
            &format!("/applications/{id}"),
            FlashKind::Success,
            format!("Decision recorded: the application is now {}.", updated.status.code()),
        )),
        Err(AppError::Conflict(message)) => {
            Ok(flash::redirect(&format!("/applications/{id}"), FlashKind::Error, message))
        }
        Err(error) => {
            let errors = field_errors(error)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, application_page(&state, &ctx, id, &input, &errors).await?)
                .into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    body: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    RequireCoordinator(author): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<NoteForm>,
) -> AppResult<Response> {
    match service::add_note(&state.db, &author, id, &input.body).await {
        Ok(()) => Ok(flash::redirect(&format!("/applications/{id}"), FlashKind::Success, "Note added.")),
        Err(error) => {
            let errors = field_errors(error)?;
            let markup = application_page(&state, &ctx, id, &DecisionInput::default(), &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
        }
    }
}
