//! Case pages: the list and the case as each person may see it (audited, 404 for others), the
//! referral form and the coordinator's forms on a case, and the facilitator's contacts log
//! whose mileage goes on their expense claim once.

use chrono::Duration;
use entity::user::Role;
use entity::volunteer::FacilitationLevel;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, error_code};
use crate::scenario::{a_tuesday, book, facilitator, prison, ready_case};

/// The account of a volunteer record, to sign in as.
pub(crate) async fn account_of(app: &TestApp, volunteer_id: i64) -> TestUser {
    let record = entity::volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    let account = entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.unwrap().unwrap();
    TestUser { id: account.id, email: account.email }
}

/// A booked case: its id, the lead's and the co-facilitator's volunteer ids.
pub(crate) async fn booked_case(app: &TestApp, token: &str) -> (i64, i64, i64) {
    let prison = prison(app, token).await;
    let lead = facilitator(app, prison, FacilitationLevel::Lead).await;
    let co = facilitator(app, prison, FacilitationLevel::CoFacilitator).await;
    let case = ready_case(app, token, prison).await;
    let response = book(app, token, case, &format!("{}T10:00", a_tuesday()), lead, co).await;
    assert_eq!(response.status(), 201);
    (case, lead, co)
}

async fn reference(app: &TestApp, case: i64) -> String {
    entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap().reference
}

#[tokio::test]
async fn cases_are_listed_and_shown_to_coordinators_and_their_facilitators_only() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (case, lead, _) = booked_case(&app, &token).await;
    let reference = reference(&app, case).await;
    let path = format!("/cases/{case}");

    // Someone not on the case: nothing listed, the case is not found, the attempt audited.
    let outsider = app.create_user(Role::Volunteer).await;
    let mut browser = app.signed_in(&outsider).await;
    let (status, body) = browser.open("/cases").await;
    assert_eq!(status, 200);
    assert!(!body.contains(&reference) && body.contains("not facilitating"));
    assert!(body.contains(r#"href="/me/availability""#), "volunteers' nav links");
    let refused = app.audit_count("case.view_refused").await;
    let (status, body) = browser.open(&path).await;
    assert_eq!(status, 404);
    assert!(!body.contains(&reference) && !body.contains("Harry Harmer"));
    assert_eq!(app.audit_count("case.view_refused").await, refused + 1);

    // The lead: the case is theirs, with what they need to prepare and nothing more.
    let mut browser = app.signed_in(&account_of(&app, lead).await).await;
    let (_, body) = browser.open("/cases").await;
    assert!(body.contains(&format!(r#"href="{path}""#)) && body.contains(&reference));
    let viewed = app.audit_count("case.viewed").await;
    let (status, body) = browser.open(&path).await;
    assert_eq!(status, 200);
    assert_eq!(app.audit_count("case.viewed").await, viewed + 1, "the view is audited");
    assert!(body.contains("Harry Harmer") && body.contains("Hannah Harmed") && body.contains("given"));
    assert!(body.contains("HMP Gloucester") && body.contains("burglary"));
    assert!(body.contains("proposed") && body.contains("asked"), "the conference and the answers");
    assert!(!body.contains("Referred by") && !body.contains("Add a party") && !body.contains("/candidates"));
    assert!(!body.contains("Move case"), "only a coordinator moves the case");
    assert!(
        body.contains("Record assessment") && body.contains("Details and availability"),
        "the allocated pair works it"
    );

    // Coordinators: every case, filtered by status, and everything about one.
    let mut browser = app.signed_in(&coordinator).await;
    let (_, body) = browser.open("/cases?status=booked").await;
    assert!(body.contains(&reference));
    assert!(body.contains(r#"href="/establishments""#) && body.contains(r#"href="/cases""#), "coordinators' nav links");
    let (_, body) = browser.open("/cases?status=referred").await;
    assert!(!body.contains(&reference));
    let (status, body) = browser.open(&path).await;
    assert_eq!(status, 200);
    assert!(body.contains("Referred by") && body.contains("Probation"));
    assert!(body.contains(&format!(r#"href="/cases/{case}/candidates""#)));
    assert!(body.contains("risk") && body.contains("appropriateness") && body.contains("suitable"));
    let (status, _) = browser.open("/cases/999999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_referral_is_taken_and_worked_through_the_forms_on_the_case_page() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = prison(&app, &token).await;

    let volunteer = app.create_user(Role::Volunteer).await;
    let mut outsider = app.signed_in(&volunteer).await;
    assert_eq!(outsider.open("/cases/new").await.0, 404);
    let refused = outsider.post_form("/cases/new", &[("source", "police"), ("offence_category", "theft")]).await;
    assert_eq!(refused.status(), 404);

    let mut browser = app.signed_in(&coordinator).await;
    let (status, body) = browser.open("/cases/new").await;
    assert_eq!(status, 200);
    let default_deadline = crate::helpers::today() + Duration::days(90);
    assert!(body.contains(&default_deadline.to_string()), "the default deadline is explained");

    let bad = browser
        .post_form(
            "/cases/new",
            &[
                ("source", "pigeon"),
                ("offence_category", "criminal damage"),
                ("establishment_id", "999999"),
                ("deadline", "soon"),
                ("notes", "kept note"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("Choose police, probation"), "per-field message for source");
    assert!(body.contains("Choose the establishment"));
    assert!(body.contains("Enter the agreed deadline"));
    assert!(body.contains(r#"value="criminal damage""#) && body.contains("kept note"), "values kept");
    assert!(entity::case::Entity::find().all(&app.db).await.unwrap().is_empty());

    let prison_id = prison.to_string();
    let created = browser
        .post_form(
            "/cases/new",
            &[("source", "police"), ("offence_category", "criminal damage"), ("establishment_id", &prison_id)],
        )
        .await;
    assert_eq!(created.status(), 303);
    let made = entity::case::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(created.headers()["location"], format!("/cases/{}", made.id).as_str());
    let year = chrono::Datelike::year(&crate::helpers::today());
    assert_eq!(made.reference, format!("RJ-{year}-0001"));
    assert_eq!(made.deadline, default_deadline);
    let path = format!("/cases/{}", made.id);
    let (_, body) = browser.open(&path).await;
    assert!(body.contains(&format!("Case RJ-{year}-0001 created")));

    // An invalid status move is refused in words, before and after the case is ready.
    let wrong = browser.post_form(&format!("{path}/status"), &[("status", "ready")]).await;
    assert_eq!(wrong.status(), 409);
    assert!(wrong.text().await.unwrap().contains("A case that is referred cannot become ready."));
    assert_eq!(browser.post_form(&format!("{path}/status"), &[("status", "assessing")]).await.status(), 303);
    let not_yet = browser.post_form(&format!("{path}/status"), &[("status", "ready")]).await;
    assert_eq!(not_yet.status(), 409);
    assert!(not_yet.text().await.unwrap().contains("No risk assessment has been recorded."));

    let bad_party = browser
        .post_form(&format!("{path}/parties"), &[("role", "harmer"), ("name", ""), ("email", "not-an-email")])
        .await;
    assert_eq!(bad_party.status(), 422);
    let body = bad_party.text().await.unwrap();
    assert!(body.contains("Enter the name") && body.contains(r#"value="not-an-email""#));
    for (role, name, consent) in [("harmer", "Harry Harmer", "given"), ("harmed", "Hannah Harmed", "pending")] {
        let added = browser
            .post_form(&format!("{path}/parties"), &[("role", role), ("name", name), ("consent", consent)])
            .await;
        assert_eq!(added.status(), 303);
    }
    // A pending consent is recorded as given from the case page.
    let harmed = entity::party::Entity::find()
        .filter(entity::party::Column::Name.eq("Hannah Harmed"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let given = browser.post_form(&format!("{path}/parties/{}/consent", harmed.id), &[("consent", "given")]).await;
    assert_eq!(given.status(), 303);
    let harmed = entity::party::Entity::find_by_id(harmed.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(harmed.consent_given_on, Some(crate::helpers::today()));
    let bad_assessment =
        browser.post_form(&format!("{path}/assessments"), &[("kind", "risk"), ("outcome", "maybe")]).await;
    assert_eq!(bad_assessment.status(), 422);
    let text = bad_assessment.text().await.unwrap();
    assert!(text.contains("Choose suitable, not suitable or review needed."));
    assert!(text.contains("Choose low, medium or high."), "the risk form asks for each risk");
    for kind in ["risk", "appropriateness"] {
        let fields = crate::helpers::assessment_fields(kind, "suitable");
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let recorded = browser.post_form(&format!("{path}/assessments"), &fields).await;
        assert_eq!(recorded.status(), 303);
    }
    assert_eq!(browser.post_form(&format!("{path}/status"), &[("status", "ready")]).await.status(), 303);
    let (_, body) = browser.open(&path).await;
    assert!(body.contains("is now ready"));

    // The harmer's appointments, in UK time, which conferences keep clear of.
    let harmer_id = entity::party::Entity::find()
        .filter(entity::party::Column::Name.eq("Harry Harmer"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let backwards = browser
        .post_form(
            &format!("{path}/appointments"),
            &[
                ("appointment_party", &harmer_id),
                ("appointment_kind", "probation"),
                ("appointment_starts_at", "2027-07-01T10:00"),
                ("appointment_ends_at", "2027-07-01T09:00"),
            ],
        )
        .await;
    assert_eq!(backwards.status(), 422);
    let body = backwards.text().await.unwrap();
    assert!(body.contains("The end must be after the start.") && body.contains(r##"href="#appointment_ends_at""##));
    assert!(body.contains(r#"value="2027-07-01T09:00""#), "values kept");
    let added = browser
        .post_form(
            &format!("{path}/appointments"),
            &[
                ("appointment_party", &harmer_id),
                ("appointment_kind", "probation"),
                ("appointment_starts_at", "2027-07-01T10:00"),
                ("appointment_ends_at", "2027-07-01T11:00"),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    let appointment = entity::appointment::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(appointment.starts_at.to_rfc3339(), "2027-07-01T09:00:00+00:00", "UK summer time stored as UTC");
    let (_, body) = browser.open(&path).await;
    assert!(body.contains("1 July 2027, 10:00"));

    // Consent withdrawn: recorded with its date, once; the case can no longer become ready.
    let harmer = entity::party::Entity::find()
        .filter(entity::party::Column::Name.eq("Harry Harmer"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let consent = format!("{path}/parties/{}/consent", harmer.id);
    let withdraw = [("consent", "withdrawn")];
    assert_eq!(outsider.post_form(&consent, &withdraw).await.status(), 404);
    assert_eq!(browser.post_form(&consent, &withdraw).await.status(), 303);
    let harmer = entity::party::Entity::find_by_id(harmer.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(harmer.consent, entity::party::Consent::Withdrawn);
    assert_eq!(harmer.consent_withdrawn_on, Some(crate::helpers::today()));
    assert_eq!(app.audit_count("case.consent_withdrawn").await, 1);
    let again = browser.post_form(&consent, &withdraw).await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("already withdrawn consent"));
    let (_, body) = browser.open(&path).await;
    assert!(body.contains("withdrawn on"));
    let unsure = browser.post_form(&consent, &[("consent", "pending")]).await;
    assert_eq!(unsure.status(), 409);
    assert!(unsure.text().await.unwrap().contains("Record consent given or withdrawn."));

    let no_reason = browser.post_form(&format!("{path}/status"), &[("status", "not_proceeding")]).await;
    assert_eq!(no_reason.status(), 422);
    assert!(no_reason.text().await.unwrap().contains("Choose the reason."));
    let other = browser
        .post_form(&format!("{path}/status"), &[("status", "not_proceeding"), ("not_proceeding_code", "other")])
        .await;
    assert_eq!(other.status(), 422);
    assert!(other.text().await.unwrap().contains("Say what the reason is."), "“other” needs words");
    let stopped = browser
        .post_form(
            &format!("{path}/status"),
            &[("status", "not_proceeding"), ("not_proceeding_code", "harmed_declined")],
        )
        .await;
    assert_eq!(stopped.status(), 303);
    let row = entity::case::Entity::find_by_id(made.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.not_proceeding_code.as_deref(), Some("harmed_declined"));
    let (_, body) = browser.open(&path).await;
    assert!(body.contains("The harmed person declined"), "the reason in words on the case page");
    // Another party's id under this case is not found.
    assert_eq!(browser.post_form(&format!("/cases/{}/parties/999999/consent", made.id), &withdraw).await.status(), 404);
}

#[tokio::test]
async fn an_assigned_facilitator_logs_contacts_and_claims_each_contacts_mileage_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (case, lead, _) = booked_case(&app, &token).await;
    let path = format!("/cases/{case}");
    let lead_user = account_of(&app, lead).await;
    let mut browser = app.signed_in(&lead_user).await;
    let (_, body) = browser.open(&path).await;
    assert!(body.contains("Log a meeting or call"));

    let bad = browser
        .post_form(&format!("{path}/contacts"), &[("kind", "meeting"), ("minutes", "x"), ("miles", "12.55")])
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("Enter how long it took") && body.contains("at most one decimal place"));
    assert!(body.contains(r#"value="12.55""#), "values kept");

    let logged = browser
        .post_form(
            &format!("{path}/contacts"),
            &[("kind", "meeting"), ("minutes", "45"), ("miles", "12.5"), ("notes", "met the harmer's mother")],
        )
        .await;
    assert_eq!(logged.status(), 303);
    let contact = entity::case_contact::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!((contact.volunteer_id, contact.minutes, contact.mileage_tenths), (lead, 45, 125));
    assert_eq!(contact.contact_on, crate::helpers::today());

    // Someone not on the case can neither log nor claim.
    let outsider = app.create_user(Role::Volunteer).await;
    let other = app.signed_in(&outsider).await;
    let claim_path = format!("{path}/contacts/{}/claim", contact.id);
    assert_eq!(other.post_form(&format!("{path}/contacts"), &[("kind", "call"), ("minutes", "5")]).await.status(), 404);
    assert_eq!(other.post_form(&claim_path, &[]).await.status(), 404);

    let claimed = browser.post_form(&claim_path, &[]).await;
    assert_eq!(claimed.status(), 303);
    let items = entity::expense_item::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!((items[0].miles_tenths, items[0].case_contact_id), (Some(125), Some(contact.id)));
    let claim = entity::expense_claim::Entity::find_by_id(items[0].claim_id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(claim.status, entity::expense_claim::ExpenseStatus::Draft);
    assert_eq!(claim.volunteer_id, lead);
    let view = convene::expenses::service::view(&app.db, claim).await.unwrap();
    assert_eq!(view.total.get(), 563, "12.5 miles at the HMRC 45p, halves up");

    let twice = browser.post_form(&claim_path, &[]).await;
    assert_eq!(twice.status(), 303);
    let (_, body) = browser.open(&path).await;
    assert!(body.contains("already on an expense claim") && body.contains("on an expense claim"));
    assert_eq!(entity::expense_item::Entity::find().all(&app.db).await.unwrap().len(), 1);

    // The database itself refuses a second item for the same contact.
    let duplicate = entity::expense_item::ActiveModel {
        claim_id: Set(items[0].claim_id),
        kind: Set(entity::expense_item::ExpenseKind::Mileage),
        incurred_on: Set(items[0].incurred_on),
        description: Set("again".into()),
        miles_tenths: Set(Some(125)),
        vehicle: Set(Some(entity::expense_item::Vehicle::CarVan)),
        passengers: Set(Some(0)),
        case_contact_id: Set(Some(contact.id)),
        created_at: Set(crate::helpers::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await;
    assert!(duplicate.is_err(), "expense_items.case_contact_id is unique");

    // The API: coordinators and the case's facilitators read; only a facilitator logs.
    let listed: Value = app.api(&token).get(&format!("/api/v1/cases/{case}/contacts")).await.json().await.unwrap();
    assert_eq!(listed["contacts"][0]["mileage_tenths"], 125);
    assert_eq!(listed["contacts"][0]["claimed"], true);
    let by_coordinator =
        app.api(&token).post(&format!("/api/v1/cases/{case}/contacts"), &json!({"kind": "call", "minutes": 10})).await;
    assert_eq!(by_coordinator.status(), 403);
    assert_eq!(error_code(by_coordinator).await, "forbidden");
    let outsider_token = app.token_for(&outsider).await;
    let hidden = app.api(&outsider_token).get(&format!("/api/v1/cases/{case}/contacts")).await;
    assert_eq!(hidden.status(), 404);
    assert_eq!(error_code(hidden).await, "not_found");
    let lead_token = app.token_for(&lead_user).await;
    let invalid = app
        .api(&lead_token)
        .post(&format!("/api/v1/cases/{case}/contacts"), &json!({"kind": "visit", "minutes": 0}))
        .await;
    assert_eq!(invalid.status(), 422);
    let body: Value = invalid.json().await.unwrap();
    assert!(body["error"]["fields"]["kind"].is_string() && body["error"]["fields"]["minutes"].is_string());
    let call = app
        .api(&lead_token)
        .post(&format!("/api/v1/cases/{case}/contacts"), &json!({"kind": "call", "minutes": 15}))
        .await;
    assert_eq!(call.status(), 201);
    let call: Value = call.json().await.unwrap();
    assert_eq!((call["mileage_tenths"].as_i64(), call["claimed"].as_bool()), (Some(0), Some(false)));
}

#[tokio::test]
async fn a_coordinator_edits_an_establishments_regime_and_closures() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let prison = prison(&app, &token).await;
    let path = format!("/establishments/{prison}");

    let volunteer = app.create_user(Role::Volunteer).await;
    let mut outsider = app.signed_in(&volunteer).await;
    assert_ne!(outsider.open(&path).await.0, 200);
    assert_ne!(outsider.post_form(&format!("{path}/regime"), &[("mon_1_start", "09:00")]).await.status(), 303);

    let mut browser = app.signed_in(&coordinator).await;
    let (_, body) = browser.open("/establishments").await;
    assert!(body.contains(&format!(r#"href="{path}""#)));
    let (status, body) = browser.open(&path).await;
    assert_eq!(status, 200);
    assert!(body.contains("HMP Gloucester"));
    assert!(body.contains(r#"name="fri_1_start" value="09:00""#) && body.contains(r#"name="fri_1_end" value="17:00""#));

    let overlap = browser
        .post_form(
            &format!("{path}/regime"),
            &[("mon_1_start", "09:00"), ("mon_1_end", "11:30"), ("mon_2_start", "11:00"), ("mon_2_end", "12:00")],
        )
        .await;
    assert_eq!(overlap.status(), 422);
    let body = overlap.text().await.unwrap();
    assert!(body.contains("Two windows overlap on mon"));
    assert!(body.contains(r#"name="mon_2_start" value="11:00""#), "values kept");
    let backwards =
        browser.post_form(&format!("{path}/regime"), &[("tue_1_start", "12:00"), ("tue_1_end", "10:00")]).await;
    assert_eq!(backwards.status(), 422);
    let body = backwards.text().await.unwrap();
    assert!(body.contains("The end must be after the start.") && body.contains(r##"href="#tue_1_start""##));
    let half = browser.post_form(&format!("{path}/regime"), &[("wed_1_start", "09:00")]).await;
    assert_eq!(half.status(), 422);
    assert!(half.text().await.unwrap().contains("Give both a start and an end"));

    let saved = browser
        .post_form(
            &format!("{path}/regime"),
            &[
                ("mon_1_start", "09:00"),
                ("mon_1_end", "11:30"),
                ("mon_2_start", "14:00"),
                ("mon_2_end", "16:30"),
                ("fri_1_start", "09:00"),
                ("fri_1_end", "11:30"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let regime: Value =
        app.api(&token).get(&format!("/api/v1/establishments/{prison}/regime")).await.json().await.unwrap();
    assert_eq!(
        regime["windows"],
        json!([{"days": ["mon", "fri"], "start": "09:00", "end": "11:30"}, {"days": ["mon"], "start": "14:00", "end": "16:30"}])
    );

    let bad = browser
        .post_form(&format!("{path}/closures"), &[("from", "2027-03-11"), ("to", "2027-03-10"), ("reason", "lockdown")])
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("cannot be before the first") && body.contains(r#"value="lockdown""#));
    let added = browser
        .post_form(
            &format!("{path}/closures"),
            &[("from", "2027-03-10"), ("to", "2027-03-11"), ("reason", "staff training")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let (_, body) = browser.open(&path).await;
    assert!(body.contains("Closure added") && body.contains("10 Mar 2027") && body.contains("staff training"));
    assert_eq!(browser.open("/establishments/999999").await.0, 404);

    let closure = entity::closure::Entity::find().one(&app.db).await.unwrap().expect("the closure");
    let remove = format!("{path}/closures/{}/remove", closure.id);
    assert_eq!(
        browser.post_form(&format!("/establishments/999999/closures/{}/remove", closure.id), &[]).await.status(),
        404
    );
    let removed = browser.post_form(&remove, &[]).await;
    assert_eq!(removed.status(), 303);
    assert!(entity::closure::Entity::find().all(&app.db).await.unwrap().is_empty(), "the closure is removed");
    assert_eq!(browser.post_form(&remove, &[]).await.status(), 404, "and is not there to remove twice");

    let details = format!("{path}/details");
    let (status, form) = browser.open(&details).await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"name="rooms""#));
    let fields = |rooms: &'static str| {
        [
            ("name", "HMP Renamed"),
            ("kind", "prison"),
            ("address", "1 Gaol Lane"),
            ("rooms", rooms),
            ("requires_vetting", "yes"),
        ]
    };
    let refused = browser.post_form(&details, &fields("0")).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains(r#"value="HMP Renamed""#), "the values are kept");
    assert_eq!(browser.post_form(&details, &fields("2")).await.status(), 303);
    let place: Value = app.api(&token).get(&format!("/api/v1/establishments/{prison}")).await.json().await.unwrap();
    assert_eq!((place["name"].as_str(), place["rooms"].as_i64()), (Some("HMP Renamed"), Some(2)));
}

#[tokio::test]
async fn volunteers_keep_their_availability_and_coordinators_can_for_them() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().ready_case().build().await;
    let [volunteer] = world.facilitators();
    let (case, coordinator, token) = (world.case(), world.coordinator, world.token);
    let reference = reference(&app, case).await;
    let mut browser = app.signed_in(&account_of(&app, volunteer).await).await;

    let (status, body) = browser.open("/me/availability").await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"name="mon_1_start" value="08:00""#));

    let too_many = browser
        .post_form(
            "/me/availability",
            &[("mon_1_start", "09:00"), ("mon_1_end", "12:00"), ("max_conferences_per_month", "99")],
        )
        .await;
    assert_eq!(too_many.status(), 422);
    let body = too_many.text().await.unwrap();
    assert!(body.contains("Give a number from 0 to 31.") && body.contains(r#"value="99""#));
    assert!(body.contains(r#"name="mon_1_end" value="12:00""#), "the windows are kept too");
    let saved = browser
        .post_form(
            "/me/availability",
            &[
                ("mon_1_start", "09:00"),
                ("mon_1_end", "12:00"),
                ("thu_1_start", "13:00"),
                ("thu_1_end", "17:00"),
                ("max_conferences_per_month", "4"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let stored: Value =
        app.api(&token).get(&format!("/api/v1/volunteers/{volunteer}/availability")).await.json().await.unwrap();
    assert_eq!(stored["max_conferences_per_month"], 4);
    assert_eq!(
        stored["windows"],
        json!([{"days": ["mon"], "start": "09:00", "end": "12:00"}, {"days": ["thu"], "start": "13:00", "end": "17:00"}])
    );

    let backwards = browser
        .post_form("/me/availability/unavailable", &[("from", "2027-07-02T09:00"), ("to", "2027-07-01T09:00")])
        .await;
    assert_eq!(backwards.status(), 422);
    assert!(backwards.text().await.unwrap().contains("The end must be after the start."));
    let away = browser
        .post_form(
            "/me/availability/unavailable",
            &[("from", "2027-07-01T09:00"), ("to", "2027-07-08T09:00"), ("reason", "holiday")],
        )
        .await;
    assert_eq!(away.status(), 303);
    let span = entity::unavailability::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert_eq!(span.starts_at.to_rfc3339(), "2027-07-01T08:00:00+00:00", "UK summer time stored as UTC");
    let outsider = app.create_user(Role::Volunteer).await;
    let stranger = app.signed_in(&outsider).await;
    let theirs = stranger.post_form(&format!("/me/availability/unavailable/{}/remove", span.id), &[]).await;
    assert_eq!(theirs.status(), 404, "another volunteer's span is not theirs to remove");
    assert!(entity::unavailability::Entity::find_by_id(span.id).one(&app.db).await.unwrap().is_some());

    let unknown = browser
        .post_form("/me/availability/conflicts", &[("reference", "RJ-1999-0001"), ("note", "my neighbour")])
        .await;
    assert_eq!(unknown.status(), 422);
    let body = unknown.text().await.unwrap();
    assert!(body.contains("There is no case with that reference") && body.contains("my neighbour"));
    let declared = browser
        .post_form("/me/availability/conflicts", &[("reference", &reference.to_lowercase()), ("note", "my neighbour")])
        .await;
    assert_eq!(declared.status(), 303);
    let conflict = entity::conflict_of_interest::Entity::find()
        .filter(entity::conflict_of_interest::Column::VolunteerId.eq(volunteer))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the conflict is recorded");
    assert_eq!(conflict.case_id, case);
    let (_, body) = browser.open("/me/availability").await;
    assert!(body.contains(&reference) && body.contains("holiday"));

    // Another volunteer cannot reach this one's; a coordinator can, and saves for them.
    let other = app.create_user(Role::Volunteer).await;
    let mut other = app.signed_in(&other).await;
    let theirs = format!("/volunteers/{volunteer}/availability");
    assert_eq!(other.open(&theirs).await.0, 404);
    assert_eq!(other.post_form(&theirs, &[("max_conferences_per_month", "1")]).await.status(), 404);
    let mut coordinating = app.signed_in(&coordinator).await;
    let (_, body) = coordinating.open(&format!("/volunteers/{volunteer}")).await;
    assert!(body.contains(&format!(r#"href="{theirs}""#)));
    let (status, body) = coordinating.open(&theirs).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"name="thu_1_start" value="13:00""#));
    let saved = coordinating
        .post_form(&theirs, &[("tue_1_start", "10:00"), ("tue_1_end", "15:00"), ("max_conferences_per_month", "2")])
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(saved.headers()["location"], theirs.as_str());
    let record = entity::volunteer::Entity::find_by_id(volunteer).one(&app.db).await.unwrap().unwrap();
    assert_eq!(record.max_conferences_per_month, 2);
    let removed = coordinating.post_form(&format!("{theirs}/unavailable/{}/remove", span.id), &[]).await;
    assert_eq!(removed.status(), 303, "a coordinator removes a volunteer's unavailable dates");
    assert!(entity::unavailability::Entity::find().all(&app.db).await.unwrap().is_empty());
}

#[tokio::test]
async fn facilitators_answer_from_their_dashboard_and_the_conference_page() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (case, lead, co) = booked_case(&app, &token).await;
    let reference = reference(&app, case).await;
    let conference = entity::conference::Entity::find().one(&app.db).await.unwrap().unwrap();
    let page = format!("/conferences/{}", conference.id);
    let respond = format!("{page}/respond");

    let outsider = app.create_user(Role::Volunteer).await;
    let mut other = app.signed_in(&outsider).await;
    assert_eq!(other.open(&page).await.0, 404);
    let (_, body) = other.open("/").await;
    assert!(!body.contains("waiting for your answer") && !body.contains(&reference));
    assert_eq!(other.post_form(&respond, &[("response", "accept"), ("back", "/")]).await.status(), 404);

    let mut browser = app.signed_in(&account_of(&app, lead).await).await;
    let (_, body) = browser.open("/").await;
    assert!(body.contains("Conferences waiting for your answer") && body.contains(&reference));
    assert!(body.contains(&format!(r#"action="{respond}""#)) && body.contains(r#"value="decline""#));
    for secret in ["Harry Harmer", "burglary"] {
        assert!(!body.contains(secret), "the dashboard carries no {secret}");
    }

    let unsure = browser.post_form(&respond, &[("response", "maybe"), ("back", "/")]).await;
    assert_eq!(unsure.status(), 303);
    let (_, body) = browser.open("/").await;
    assert!(body.contains("Answer accept or decline."));
    let accepted = browser.post_form(&respond, &[("response", "accept"), ("back", "/")]).await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(accepted.headers()["location"], "/");
    let (_, body) = browser.open("/").await;
    assert!(body.contains("once the other facilitator accepts") && !body.contains("waiting for your answer"));
    let row = entity::conference::Entity::find_by_id(conference.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.status, entity::conference::ConferenceStatus::Proposed);

    // The co-facilitator answers from the conference page the booking email links to.
    let mut second = app.signed_in(&account_of(&app, co).await).await;
    let (status, body) = second.open(&page).await;
    assert_eq!(status, 200);
    assert!(body.contains("Your answer") && body.contains("HMP Gloucester") && body.contains(&reference));
    let confirmed = second.post_form(&respond, &[("response", "accept"), ("back", "https://elsewhere.example/")]).await;
    assert_eq!(confirmed.status(), 303);
    assert_eq!(confirmed.headers()["location"], page.as_str(), "never redirected outside");
    let row = entity::conference::Entity::find_by_id(conference.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.status, entity::conference::ConferenceStatus::Confirmed);
    let (_, body) = second.open(&page).await;
    assert!(body.contains("the conference is confirmed") && !body.contains("Your answer"));
    let again = second.post_form(&respond, &[("response", "decline"), ("back", "/")]).await;
    assert_eq!(again.status(), 303);
    let (_, body) = second.open("/").await;
    assert!(body.contains("already answered"));
    let row = entity::conference::Entity::find_by_id(conference.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.status, entity::conference::ConferenceStatus::Confirmed, "a late decline changes nothing");
}

#[tokio::test]
async fn a_decline_from_the_dashboard_cancels_the_conference_and_the_case_is_ready_again() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let token = app.token_for(&coordinator).await;
    let (case, _, co) = booked_case(&app, &token).await;
    let conference = entity::conference::Entity::find().one(&app.db).await.unwrap().unwrap();
    let browser = app.signed_in(&account_of(&app, co).await).await;
    let declined = browser
        .post_form(&format!("/conferences/{}/respond", conference.id), &[("response", "decline"), ("back", "/")])
        .await;
    assert_eq!(declined.status(), 303);
    let row = entity::conference::Entity::find_by_id(conference.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(row.status, entity::conference::ConferenceStatus::Cancelled);
    let case = entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap();
    assert_eq!(case.status, entity::case::CaseStatus::Ready);
    assert_eq!(app.audit_count("conference.declined").await, 1);
}

#[tokio::test]
async fn the_case_page_opens_with_a_summary_and_next_step_folds_its_forms_and_dates_its_history() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let case = world.case();
    let mut coordinator = app.signed_in(&world.coordinator).await;
    let path = format!("/cases/{case}");
    coordinator.open(&path).await;
    let (status, body) = coordinator.open(&path).await;
    assert_eq!(status, 200);
    let document = scraper::Html::parse_document(&body);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let summary: String = document.select(&select("dl.summary")).next().expect("a summary").text().collect();
    for part in ["Stage", "ready", "Deadline", "days left", "Facilitators", "None allocated yet", "Next step"] {
        assert!(summary.contains(part), "{part} in {summary}");
    }
    let next = document.select(&select("dl.summary a")).next().expect("the next step links to where it is done");
    assert_eq!(next.value().attr("href"), Some(format!("/cases/{case}/candidates").as_str()));
    assert_eq!(next.text().collect::<String>(), "Find conference candidates and book");

    let folded: Vec<_> = document.select(&select("details.disclosure")).collect();
    assert!(folded.len() >= 4, "the forms open from a button");
    assert!(folded.iter().all(|d| d.value().attr("open").is_none()), "folded until asked for");

    let history: Vec<String> = document.select(&select("ol.timeline li .what")).map(|e| e.text().collect()).collect();
    assert_eq!(
        history,
        [
            "Referral taken",
            "Risk assessment recorded: suitable",
            "Appropriateness assessment recorded: suitable",
            "Moved to assessing",
            "Moved to ready",
        ],
        "what happened, oldest first; opening the page twice is not history"
    );
    assert!(body.contains("— Test coordinator"), "who did it, by name");

    let refused = coordinator.post_form(&format!("{path}/parties"), &[("role", "harmed"), ("name", "")]).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    let document = scraper::Html::parse_document(&page);
    let open = document.select(&select("details#add-party")).next().unwrap();
    assert!(open.value().attr("open").is_some(), "a form sent back with a problem is open, with its message");
    assert!(open.text().collect::<String>().contains("There is a problem"));
}
