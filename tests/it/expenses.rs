//! Expenses end to end over HTTP: a claim's life with amounts in pence, the mileage
//! threshold across approved claims and tax years, who may see what, receipts (size, type
//! by content, names that are not paths, downloads), Idempotency-Key, and the CSV export.

use entity::user::Role;
use entity::{expense_claim, expense_receipt, outbox_message};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, error_code};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

struct Api {
    client: reqwest::Client,
    token: String,
}

impl Api {
    async fn new(app: &TestApp, user: &TestUser) -> Self {
        Self { client: reqwest::Client::new(), token: app.token_for(user).await }
    }

    async fn post(&self, app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
        app.api(&self.token).post(path, body).await
    }

    async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        app.api(&self.token).get(path).await
    }

    async fn upload(&self, app: &TestApp, claim: i64, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        self.client
            .post(app.url(&format!("/api/v1/expenses/{claim}/receipts")))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// Creates a claim and returns its JSON.
    async fn claim(&self, app: &TestApp, items: Value) -> Value {
        let response = self.post(app, "/api/v1/expenses", &json!({"purpose": "Core training", "items": items})).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    async fn decide(&self, app: &TestApp, claim: i64, body: Value) -> reqwest::Response {
        self.post(app, &format!("/api/v1/expenses/{claim}/decision"), &body).await
    }
}

fn mileage(date: &str, miles: &str, vehicle: &str, passengers: i32) -> Value {
    json!({"kind": "mileage", "date": date, "description": "Home to HMP Example and back", "miles": miles, "vehicle": vehicle, "passengers": passengers})
}

fn spent(kind: &str, date: &str, pence: i64, description: &str) -> Value {
    json!({"kind": kind, "date": date, "description": description, "amount_pence": pence})
}

struct Cast {
    coordinator: Api,
    volunteer: TestUser,
    volunteer_api: Api,
}

async fn cast(app: &TestApp) -> Cast {
    let coordinator = app.create_user(Role::Coordinator).await;
    let volunteer = app.create_user(Role::Volunteer).await;
    Cast { coordinator: Api::new(app, &coordinator).await, volunteer_api: Api::new(app, &volunteer).await, volunteer }
}

async fn submit_and_approve(app: &TestApp, cast: &Cast, claim: i64) -> Value {
    let response = cast.volunteer_api.post(app, &format!("/api/v1/expenses/{claim}/submit"), &json!({})).await;
    assert_eq!(response.status(), 200);
    let response = cast.coordinator.decide(app, claim, json!({"decision": "approve"})).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_claim_goes_from_draft_to_paid_with_amounts_in_pence() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    // 12.5 miles by car with one passenger: 125 tenths × (45 + 5) = 625.0p.
    let claim = cast
        .volunteer_api
        .claim(
            &app,
            json!([mileage("2025-06-02", "12.5", "car_van", 1), spent("parking", "2025-06-02", 350, "Car park")]),
        )
        .await;
    let id = claim["id"].as_i64().unwrap();
    assert_eq!(claim["status"], "draft");
    assert_eq!(claim["total_pence"], 975);
    assert_eq!(claim["total_is_estimate"], true);

    // Items are added one at a time to a draft.
    let response = cast
        .volunteer_api
        .post(
            &app,
            &format!("/api/v1/expenses/{id}/items"),
            &spent("public_transport", "2025-06-03", 1234, "Train to Gloucester"),
        )
        .await;
    assert_eq!(response.status(), 201);
    let claim: Value = response.json().await.unwrap();
    assert_eq!(claim["items"].as_array().unwrap().len(), 3);
    assert_eq!(claim["total_pence"], 625 + 350 + 1234);

    let approved = submit_and_approve(&app, &cast, id).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["total_pence"], 2209);
    assert_eq!(approved["total_is_estimate"], false);
    let journey = approved["items"].as_array().unwrap().iter().find(|i| i["kind"] == "mileage").unwrap().clone();
    assert_eq!(journey["amount_pence"], 625);
    assert_eq!(journey["amount_is_estimate"], false);
    assert_eq!(journey["miles"], "12.5");

    let response = cast.coordinator.decide(&app, id, json!({"decision": "paid"})).await;
    assert_eq!(response.status(), 200);
    let paid: Value = response.json().await.unwrap();
    assert_eq!(paid["status"], "paid");
    assert!(paid["paid_at"].is_string());

    // Paying twice, or approving a paid claim, is a stale transition.
    assert_eq!(cast.coordinator.decide(&app, id, json!({"decision": "paid"})).await.status(), 409);
    assert_eq!(cast.coordinator.decide(&app, id, json!({"decision": "approve"})).await.status(), 409);

    let mail: Vec<outbox_message::Model> = outbox_message::Entity::find()
        .filter(outbox_message::Column::ToEmail.eq(cast.volunteer.email.as_str()))
        .all(&app.db)
        .await
        .unwrap();
    let keys: Vec<&str> = mail.iter().map(|m| m.idempotency_key.as_str()).collect();
    assert!(keys.contains(&format!("expense.decided:{id}:approved").as_str()), "{keys:?}");
    assert!(keys.contains(&format!("expense.decided:{id}:paid").as_str()), "{keys:?}");
    let approval = mail.iter().find(|m| m.idempotency_key.ends_with(":approved")).unwrap();
    assert!(approval.text_body.contains("£22.09"), "{}", approval.text_body);
    assert!(!approval.text_body.contains("Core training"), "the purpose stays out of email");
}

#[tokio::test]
async fn rejecting_needs_a_reason_and_tells_the_volunteer() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let claim = cast.volunteer_api.claim(&app, json!([spent("subsistence", "2025-06-02", 700, "Lunch")])).await;
    let id = claim["id"].as_i64().unwrap();
    // A draft cannot be decided.
    assert_eq!(cast.coordinator.decide(&app, id, json!({"decision": "approve"})).await.status(), 409);
    assert_eq!(cast.volunteer_api.post(&app, &format!("/api/v1/expenses/{id}/submit"), &json!({})).await.status(), 200);
    assert_eq!(cast.coordinator.decide(&app, id, json!({"decision": "paid"})).await.status(), 409);
    let response = cast.coordinator.decide(&app, id, json!({"decision": "reject"})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(error_code(response).await, "validation_failed");
    let response =
        cast.coordinator.decide(&app, id, json!({"decision": "reject", "reason": "No receipt for lunch"})).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "rejected");
    assert_eq!(body["decision_reason"], "No receipt for lunch");
    let key = format!("expense.decided:{id}:rejected");
    assert_eq!(
        outbox_message::Entity::find()
            .filter(outbox_message::Column::IdempotencyKey.eq(key))
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn the_45p_threshold_counts_approved_miles_across_claims_in_one_tax_year() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    // Claim A: 9,990 car miles in the tax year 2025 (6 April 2025 – 5 April 2026).
    let journeys: Vec<Value> = (0..5).map(|_| mileage("2025-05-01", "1998", "car_van", 0)).collect();
    let a = cast.volunteer_api.claim(&app, Value::Array(journeys)).await;
    let a = submit_and_approve(&app, &cast, a["id"].as_i64().unwrap()).await;
    assert_eq!(a["total_pence"], 9_990 * 45);

    // Claim B: 20 miles crossing 10,000 (10 at 45p, 10 at 25p); 10 miles on 5 April, still
    // the same tax year (25p); 20 miles on 6 April, a new tax year (45p again); a motorcycle
    // journey (24p) that never counts towards the car threshold.
    let b = cast
        .volunteer_api
        .claim(
            &app,
            json!([
                mileage("2026-04-06", "20", "car_van", 0),
                mileage("2026-04-05", "10", "car_van", 0),
                mileage("2026-01-10", "20", "car_van", 0),
                mileage("2026-01-11", "10", "motorcycle", 0),
            ]),
        )
        .await;
    let expected = (10 * 45 + 10 * 25) + 10 * 25 + 20 * 45 + 10 * 24;
    assert_eq!(b["total_pence"], expected, "the estimate already knows claim A");
    assert_eq!(b["total_is_estimate"], true);
    let b = submit_and_approve(&app, &cast, b["id"].as_i64().unwrap()).await;
    assert_eq!(b["total_pence"], expected);
    let by_date = |date: &str| {
        b["items"].as_array().unwrap().iter().find(|i| i["date"] == date).unwrap()["amount_pence"].as_i64().unwrap()
    };
    assert_eq!(by_date("2026-01-10"), 700);
    assert_eq!(by_date("2026-04-05"), 250);
    assert_eq!(by_date("2026-04-06"), 900);

    // Another volunteer's miles are theirs alone.
    let other = app.create_user(Role::Volunteer).await;
    let other_api = Api::new(&app, &other).await;
    let c = other_api.claim(&app, json!([mileage("2026-01-10", "20", "car_van", 0)])).await;
    assert_eq!(c["total_pence"], 900);
}

#[tokio::test]
async fn a_volunteer_cannot_see_or_touch_another_volunteers_claims() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let claim = cast.volunteer_api.claim(&app, json!([spent("parking", "2025-06-02", 350, "Car park")])).await;
    let id = claim["id"].as_i64().unwrap();
    let receipt: Value = cast.volunteer_api.upload(&app, id, "ticket.pdf", PDF.to_vec()).await.json().await.unwrap();
    let receipt_id = receipt["id"].as_i64().unwrap();

    let intruder = app.create_user(Role::Volunteer).await;
    let b = Api::new(&app, &intruder).await;
    for path in [format!("/api/v1/expenses/{id}"), format!("/api/v1/expenses/{id}/receipts/{receipt_id}")] {
        let response = b.get(&app, &path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(error_code(response).await, "not_found");
    }
    let list: Value = b.get(&app, "/api/v1/expenses").await.json().await.unwrap();
    assert_eq!(list["claims"].as_array().unwrap().len(), 0);
    let item = spent("other", "2025-06-02", 100, "Mine now");
    assert_eq!(b.post(&app, &format!("/api/v1/expenses/{id}/items"), &item).await.status(), 404);
    assert_eq!(b.upload(&app, id, "x.pdf", PDF.to_vec()).await.status(), 404);
    assert_eq!(b.post(&app, &format!("/api/v1/expenses/{id}/submit"), &json!({})).await.status(), 404);
    assert_eq!(b.decide(&app, id, json!({"decision": "approve"})).await.status(), 403);
    // Nor can the owner decide their own claim.
    assert_eq!(cast.volunteer_api.decide(&app, id, json!({"decision": "approve"})).await.status(), 403);

    // The pages say the same.
    let mut browser = app.signed_in(&intruder).await;
    assert_eq!(browser.open(&format!("/expenses/{id}")).await.0, 404);
    assert_eq!(browser.get(&format!("/expenses/{id}/receipts/{receipt_id}")).await.status(), 404);
    browser.open("/expenses").await;
    assert_eq!(browser.post_form(&format!("/expenses/{id}/decision"), &[("decision", "approve")]).await.status(), 403);
    assert_eq!(browser.post_form(&format!("/expenses/{id}/submit"), &[]).await.status(), 404);

    // The owner and a coordinator can read both.
    assert_eq!(cast.volunteer_api.get(&app, &format!("/api/v1/expenses/{id}")).await.status(), 200);
    assert_eq!(cast.coordinator.get(&app, &format!("/api/v1/expenses/{id}/receipts/{receipt_id}")).await.status(), 200);
}

#[tokio::test]
async fn receipts_are_checked_by_content_and_size_and_stored_under_a_generated_name() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let claim = cast.volunteer_api.claim(&app, json!([spent("parking", "2025-06-02", 350, "Car park")])).await;
    let id = claim["id"].as_i64().unwrap();

    // Over 5 MB: refused by the handler (within the route's body limit)…
    let mut big = PDF.to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let response = cast.volunteer_api.upload(&app, id, "big.pdf", big).await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");
    // …and far over it, by the body limit before any reading.
    let mut huge = PDF.to_vec();
    huge.resize(7 * 1024 * 1024, b' ');
    let response = cast.volunteer_api.upload(&app, id, "huge.pdf", huge).await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");

    // HTML named .jpg is not a JPEG.
    let response =
        cast.volunteer_api.upload(&app, id, "photo.jpg", b"<html><script>alert(1)</script></html>".to_vec()).await;
    assert_eq!(response.status(), 422);
    assert_eq!(error_code(response).await, "validation_failed");

    // A path in the name is display text, nothing more.
    let response = cast.volunteer_api.upload(&app, id, "../../etc/passwd", PDF.to_vec()).await;
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["filename"], "passwd");
    assert_eq!(receipt["content_type"], "application/pdf");
    let stored = expense_receipt::Entity::find().one(&app.db).await.unwrap().unwrap();
    assert!(!stored.stored_name.contains("passwd") && !stored.stored_name.contains('/'));
    let on_disk: Vec<String> = std::fs::read_dir(&app.files_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk, vec![stored.stored_name.clone()], "exactly one file, under its generated name");
    assert_eq!(std::fs::read(app.files_dir.join(&stored.stored_name)).unwrap(), PDF);

    let response = cast.volunteer_api.get(&app, receipt["url"].as_str().unwrap()).await;
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("content-disposition"), "attachment; filename=\"passwd\"");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    // The page's upload form: the CSRF token travels as a multipart field.
    let mut browser = app.signed_in(&cast.volunteer).await;
    browser.open(&format!("/expenses/{id}")).await;
    let png = vec![0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
    let upload = |with_token: bool| {
        let mut form = reqwest::multipart::Form::new();
        if with_token {
            form = form.text("csrf_token", browser.csrf.clone());
        }
        form.part("file", reqwest::multipart::Part::bytes(png.clone()).file_name("scan.png"))
    };
    let url = app.url(&format!("/expenses/{id}/receipts"));
    let response = browser.client.post(&url).multipart(upload(false)).send().await.unwrap();
    assert_eq!(response.status(), 403, "no CSRF token");
    let response = browser.client.post(&url).multipart(upload(true)).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(expense_receipt::Entity::find().count(&app.db).await.unwrap(), 2);

    // Receipts belong to drafts.
    assert_eq!(cast.volunteer_api.post(&app, &format!("/api/v1/expenses/{id}/submit"), &json!({})).await.status(), 200);
    assert_eq!(cast.volunteer_api.upload(&app, id, "late.pdf", PDF.to_vec()).await.status(), 409);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let body = json!({"purpose": "Conference travel", "items": [spent("parking", "2025-06-02", 350, "Car park")]});
    let send = |body: Value, key: &'static str, api: &Api| {
        let request = api
            .client
            .post(app.url("/api/v1/expenses"))
            .bearer_auth(&api.token)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let first = send(body.clone(), "claim-2025-06-02", &cast.volunteer_api).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let replay = send(body.clone(), "claim-2025-06-02", &cast.volunteer_api).await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay, first);
    assert_eq!(expense_claim::Entity::find().count(&app.db).await.unwrap(), 1);

    let mut other = body.clone();
    other["purpose"] = json!("Something else");
    let mismatch = send(other, "claim-2025-06-02", &cast.volunteer_api).await;
    assert_eq!(mismatch.status(), 422);
    let error: Value = mismatch.json().await.unwrap();
    assert!(error["error"]["fields"]["Idempotency-Key"].as_str().unwrap().contains("different request"));
    assert_eq!(expense_claim::Entity::find().count(&app.db).await.unwrap(), 1);

    // Keys belong to an account: another volunteer's same key is a new claim.
    let someone = app.create_user(Role::Volunteer).await;
    let someone = Api::new(&app, &someone).await;
    assert_eq!(send(body, "claim-2025-06-02", &someone).await.status(), 201);
    assert_eq!(expense_claim::Entity::find().count(&app.db).await.unwrap(), 2);
}

#[tokio::test]
async fn a_submitted_claim_cannot_be_edited_and_bad_items_name_their_fields() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let response = cast
        .volunteer_api
        .post(
            &app,
            "/api/v1/expenses",
            &json!({"purpose": "", "items": [{"kind": "mileage", "date": "2999-01-01", "miles": "1.25", "vehicle": "tractor", "passengers": 12}]}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    let fields = error["error"]["fields"].as_object().unwrap();
    for field in ["purpose", "items[0].date", "items[0].miles", "items[0].vehicle", "items[0].passengers"] {
        assert!(fields.contains_key(field), "{field} in {fields:?}");
    }

    let empty = cast.volunteer_api.claim(&app, json!([])).await;
    let id = empty["id"].as_i64().unwrap();
    let response = cast.volunteer_api.post(&app, &format!("/api/v1/expenses/{id}/submit"), &json!({})).await;
    assert_eq!(response.status(), 422, "nothing to submit");
    let item = spent("other", "2025-06-02", 999, "Printer ink");
    assert_eq!(cast.volunteer_api.post(&app, &format!("/api/v1/expenses/{id}/items"), &item).await.status(), 201);
    assert_eq!(cast.volunteer_api.post(&app, &format!("/api/v1/expenses/{id}/submit"), &json!({})).await.status(), 200);
    let response = cast.volunteer_api.post(&app, &format!("/api/v1/expenses/{id}/items"), &item).await;
    assert_eq!(response.status(), 409);
    assert_eq!(error_code(response).await, "conflict");
    assert_eq!(cast.volunteer_api.post(&app, &format!("/api/v1/expenses/{id}/submit"), &json!({})).await.status(), 409);
    let submitted: Value = cast.volunteer_api.get(&app, &format!("/api/v1/expenses/{id}")).await.json().await.unwrap();
    let item_id = submitted["items"][0]["id"].as_i64().unwrap();
    let response = app.api(&cast.volunteer_api.token).delete(&format!("/api/v1/expenses/{id}/items/{item_id}")).await;
    assert_eq!(response.status(), 409);
    // Coordinators make no claims of their own.
    let response = cast.coordinator.post(&app, "/api/v1/expenses", &json!({"purpose": "Mine", "items": []})).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn a_volunteer_builds_a_claim_through_the_pages_and_a_coordinator_approves_it() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let mut browser = app.signed_in(&cast.volunteer).await;
    let (status, page) = browser.open("/expenses").await;
    assert_eq!(status, 200);
    assert!(page.contains("My expenses"));
    assert!(page.contains(r#"href="/expenses""#), "nav link");
    let response = browser.post_form("/expenses", &[("purpose", "Core training, March")]).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.trim_start_matches("/expenses/").parse().unwrap();
    browser.open(&location).await;

    // A bad item comes back with its values and a message per field.
    let bad = [
        ("kind", "mileage"),
        ("date", "not a date"),
        ("description", "Home to HMP Example"),
        ("miles", "12.55"),
        ("vehicle", "car_van"),
        ("passengers", ""),
    ];
    let response = browser.post_form(&format!("/expenses/{id}/items"), &bad).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Enter the date"), "date message");
    assert!(page.contains("at most one decimal place"), "miles message");
    assert!(page.contains(r#"value="12.55""#), "values kept");
    assert!(page.contains(r#"value="Home to HMP Example""#));

    let good = [
        ("kind", "mileage"),
        ("date", "2025-06-02"),
        ("description", "Home to HMP Example"),
        ("miles", "10"),
        ("vehicle", "car_van"),
        ("passengers", "2"),
    ];
    assert_eq!(browser.post_form(&format!("/expenses/{id}/items"), &good).await.status(), 303);
    let parking = [("kind", "parking"), ("date", "2025-06-02"), ("description", "Car park"), ("amount", "3.50")];
    assert_eq!(browser.post_form(&format!("/expenses/{id}/items"), &parking).await.status(), 303);
    let (_, page) = browser.open(&location).await;
    assert!(page.contains("£5.50 (estimate)"), "10 miles with 2 passengers at 55p");
    assert!(page.contains("£9.00"), "the total");
    assert_eq!(browser.post_form(&format!("/expenses/{id}/submit"), &[]).await.status(), 303);
    let (_, page) = browser.open(&location).await;
    assert!(!page.contains("Add an item"), "a submitted claim has no edit form");
    assert_eq!(browser.post_form(&format!("/expenses/{id}/items"), &parking).await.status(), 409);

    let coordinator = app.create_user(Role::Coordinator).await;
    let mut office = app.signed_in(&coordinator).await;
    let (_, queue) = office.open("/expenses").await;
    assert!(queue.contains(&format!("EXP-{id}")), "the queue of submitted claims");
    let (_, drafts) = office.open("/expenses?status=draft").await;
    assert!(!drafts.contains(&format!("EXP-{id}")));
    let response =
        office.post_form(&format!("/expenses/{id}/decision"), &[("decision", "reject"), ("reason", "")]).await;
    assert_eq!(response.status(), 422, "a rejection needs a reason");
    office.open(&location).await;
    assert_eq!(office.post_form(&format!("/expenses/{id}/decision"), &[("decision", "approve")]).await.status(), 303);
    let (_, page) = office.open(&location).await;
    assert!(page.contains("approved") && page.contains("Mark paid"));
}

#[tokio::test]
async fn finance_gets_approved_claims_as_csv_with_formulas_neutralised() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let claim = cast
        .volunteer_api
        .claim(
            &app,
            json!([
                spent("other", "2025-06-02", 1999, "=HYPERLINK(\"http://evil\")"),
                mileage("2025-06-03", "7.5", "bicycle", 0)
            ]),
        )
        .await;
    let id = claim["id"].as_i64().unwrap();
    submit_and_approve(&app, &cast, id).await;
    let draft = cast.volunteer_api.claim(&app, json!([spent("parking", "2025-06-02", 100, "Not yet")])).await;

    let coordinator = app.create_user(Role::Coordinator).await;
    let office = app.signed_in(&coordinator).await;
    let response = office.get("/expenses.csv").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "one row per item of the approved claim only: {text}");
    assert!(!text.contains(&format!("EXP-{}", draft["id"])));
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let other = rows.iter().find(|r| &r[col("kind")] == "other").unwrap();
    assert!(other[col("description")].starts_with("'="), "formula neutralised");
    assert_eq!(&other[col("amount_pence")], "1999");
    let bike = rows.iter().find(|r| &r[col("kind")] == "mileage").unwrap();
    assert_eq!(&bike[col("miles")], "7.5");
    assert_eq!(&bike[col("amount_pence")], "150", "7.5 miles at 20p");
    assert_eq!(&bike[col("claim_total_pence")], "2149");

    let volunteer = app.signed_in(&cast.volunteer).await;
    assert_eq!(volunteer.get("/expenses.csv").await.status(), 403);
}

#[tokio::test]
async fn every_expenses_endpoint_is_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let doc: Value = reqwest::get(app.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    for path in [
        "/api/v1/expenses",
        "/api/v1/expenses/{id}",
        "/api/v1/expenses/{id}/items",
        "/api/v1/expenses/{id}/items/{item_id}",
        "/api/v1/expenses/{id}/submit",
        "/api/v1/expenses/{id}/decision",
        "/api/v1/expenses/{id}/receipts",
        "/api/v1/expenses/{id}/receipts/{receipt_id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
}

#[tokio::test]
async fn the_claims_page_finds_a_claim_by_name_or_volunteer_and_orders_oldest_first() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let other = app.create_user(Role::Volunteer).await;
    let other_api = Api::new(&app, &other).await;
    let first = cast.volunteer_api.claim(&app, json!([spent("parking", "2026-11-02", 300, "Car park")])).await;
    let second = cast.volunteer_api.claim(&app, json!([spent("parking", "2026-11-03", 400, "Car park")])).await;
    let theirs = other_api.claim(&app, json!([spent("parking", "2026-11-04", 500, "Car park")])).await;
    let [first, second, theirs] = [&first, &second, &theirs].map(|c| c["id"].as_i64().unwrap());
    let coordinator = app.create_user(Role::Coordinator).await;
    let mut browser = app.signed_in(&coordinator).await;
    let listed = |page: &str| -> Vec<i64> {
        let document = scraper::Html::parse_document(page);
        let links = scraper::Selector::parse(r#"tbody a[href^="/expenses/"]"#).unwrap();
        document.select(&links).filter_map(|a| a.attr("href")?.strip_prefix("/expenses/")?.parse().ok()).collect()
    };

    let (_, all) = browser.open("/expenses?status=all").await;
    assert_eq!(listed(&all), [theirs, second, first], "newest first");
    let (_, oldest) = browser.open("/expenses?status=all&sort=oldest").await;
    assert_eq!(listed(&oldest), [first, second, theirs]);
    let (_, named) = browser.open(&format!("/expenses?status=all&q=exp-{second}")).await;
    assert_eq!(listed(&named), [second], "a claim by its name");
    let mut renamed: entity::user::ActiveModel =
        entity::user::Entity::find_by_id(cast.volunteer.id).one(&app.db).await.unwrap().unwrap().into();
    renamed.name = sea_orm::Set("Morwenna Price".into());
    sea_orm::ActiveModelTrait::update(renamed, &app.db).await.unwrap();
    let (_, by_person) = browser.open("/expenses?status=all&q=MORWENNA").await;
    assert_eq!(listed(&by_person), [second, first], "a volunteer's claims by part of their name");
}
