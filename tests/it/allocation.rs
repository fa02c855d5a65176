//! Allocation: a coordinator picks a case's pair from a ranked list; from then on the pair
//! (and nobody else) sees and works the case — consent, assessments, contact details and
//! availability — and a facilitator taken off the case loses it at once.

use entity::outbox_message;
use entity::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assessment_json};
use crate::scenario::{a_tuesday, token_of};

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn call(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = client().request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A referred case at `prison` with a harmer and a harmed party, neither consenting yet.
async fn referred_case(app: &TestApp, token: &str, prison: i64) -> (i64, [i64; 2]) {
    let (status, case) = call(
        app,
        token,
        reqwest::Method::POST,
        "/api/v1/cases",
        Some(json!({"source": "probation", "offence_category": "burglary", "establishment_id": prison})),
    )
    .await;
    assert_eq!(status, 201);
    let id = case["id"].as_i64().unwrap();
    let mut parties = [0; 2];
    for (i, (role, name)) in [("harmer", "Harry Harmer"), ("harmed", "Hannah Harmed")].into_iter().enumerate() {
        let (status, party) = call(
            app,
            token,
            reqwest::Method::POST,
            &format!("/api/v1/cases/{id}/parties"),
            Some(json!({"role": role, "name": name})),
        )
        .await;
        assert_eq!(status, 201);
        parties[i] = party["id"].as_i64().unwrap();
    }
    (id, parties)
}

async fn mails(app: &TestApp, kind: &str) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find().filter(outbox_message::Column::Kind.eq(kind)).all(&app.db).await.unwrap()
}

async fn email_of(app: &TestApp, volunteer_id: i64) -> String {
    let record = entity::volunteer::Entity::find_by_id(volunteer_id).one(&app.db).await.unwrap().unwrap();
    entity::user::Entity::find_by_id(record.user_id).one(&app.db).await.unwrap().unwrap().email
}

#[tokio::test]
async fn an_allocated_pair_works_the_case_and_a_removed_facilitator_loses_it() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().lead().lead().build().await;
    let [lead, co, other_lead, conflicted] = world.facilitators();
    let (token, prison) = (world.token, world.prison);
    let newcomer = app.create_user(Role::Volunteer).await;
    let (case, [harmer, harmed]) = referred_case(&app, &token, prison).await;
    let reference = entity::case::Entity::find_by_id(case).one(&app.db).await.unwrap().unwrap().reference;
    let (status, _) = call(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/volunteers/{conflicted}/conflicts"),
        Some(json!({"case_id": case, "note": "Knows the family"})),
    )
    .await;
    assert_eq!(status, 204);

    // The ranked list: the pairs, and everyone else with the first reason in words.
    let (status, list) =
        call(&app, &token, Method::GET, &format!("/api/v1/cases/{case}/facilitator-candidates"), None).await;
    assert_eq!(status, 200, "{list}");
    let pairs = list["candidates"].as_array().unwrap();
    assert!(!pairs.is_empty(), "{list}");
    assert!(
        pairs.iter().any(|p| p["lead"]["volunteer_id"] == lead && p["co_facilitator"]["volunteer_id"] == co),
        "{list}"
    );
    for p in pairs {
        assert_ne!(p["lead"]["volunteer_id"], conflicted);
        assert_ne!(p["co_facilitator"]["volunteer_id"], conflicted);
        let score = &p["score"];
        assert_eq!(
            score["total"].as_i64().unwrap(),
            score["matcher"].as_i64().unwrap()
                + score["workload"].as_i64().unwrap()
                + score["development"].as_i64().unwrap()
        );
    }
    // A co-facilitator needing conferences towards lead is favoured over a lead as second.
    let with_co = pairs.iter().find(|p| p["co_facilitator"]["volunteer_id"] == co).unwrap();
    assert_eq!(with_co["score"]["development"], 10, "{with_co}");
    let ruled_out = list["ruled_out"].as_array().unwrap();
    let reason_of =
        |id: i64| ruled_out.iter().find(|r| r["volunteer_id"] == id).map(|r| r["reason"].as_str().unwrap().to_owned());
    assert_eq!(reason_of(conflicted).as_deref(), Some("declared a conflict of interest with this case"));
    let newcomer_record = convene::volunteers::service::for_user(&app.db, newcomer.id).await.unwrap().unwrap();
    assert_eq!(reason_of(newcomer_record.id).as_deref(), Some("has not started core training"));

    // Nobody is allocated yet: the facilitators cannot see the case.
    let lead_token = token_of(&app, lead).await;
    let co_token = token_of(&app, co).await;
    let other_token = token_of(&app, other_lead).await;
    assert_eq!(call(&app, &lead_token, Method::GET, &format!("/api/v1/cases/{case}"), None).await.0, 404);

    // Allocation is checked: a lead at lead level, two people, no conflict.
    let path = format!("/api/v1/cases/{case}/facilitators");
    let (status, body) =
        call(&app, &token, Method::PUT, &path, Some(json!({"lead_id": co, "co_facilitator_id": lead}))).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        call(&app, &token, Method::PUT, &path, Some(json!({"lead_id": lead, "co_facilitator_id": lead}))).await.0,
        422
    );
    let (status, body) =
        call(&app, &token, Method::PUT, &path, Some(json!({"lead_id": conflicted, "co_facilitator_id": co}))).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("conflict of interest"), "{body}");
    assert_eq!(
        call(&app, &lead_token, Method::PUT, &path, Some(json!({"lead_id": lead, "co_facilitator_id": co}))).await.0,
        403
    );

    let (status, body) =
        call(&app, &token, Method::PUT, &path, Some(json!({"lead_id": lead, "co_facilitator_id": co}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["facilitators"],
        json!([{"volunteer_id": lead, "role": "lead"}, {"volunteer_id": co, "role": "co_facilitator"}])
    );
    // The same pair again changes nothing and emails nobody twice.
    assert_eq!(
        call(&app, &token, Method::PUT, &path, Some(json!({"lead_id": lead, "co_facilitator_id": co}))).await.0,
        200
    );
    let allocated = mails(&app, "case.allocated").await;
    assert_eq!(allocated.len(), 2);
    let mut to: Vec<String> = allocated.iter().map(|m| m.to_email.clone()).collect();
    to.sort();
    let mut expected = vec![email_of(&app, lead).await, email_of(&app, co).await];
    expected.sort();
    assert_eq!(to, expected);
    for mail in &allocated {
        let text = format!("{} {} {}", mail.subject, mail.text_body, mail.html_body);
        assert!(text.contains(&reference) && text.contains("HMP Gloucester"), "{text}");
        for secret in ["Harry", "Hannah", "burglary"] {
            assert!(!text.contains(secret), "{secret} in an allocation email: {text}");
        }
    }

    // The pair sees the case, with its allocation and conferences, in "My cases".
    let (status, detail) = call(&app, &lead_token, Method::GET, &format!("/api/v1/cases/{case}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(detail["reference"], reference.as_str());
    assert_eq!(detail["facilitators"][0], json!({"volunteer_id": lead, "role": "lead"}));
    assert_eq!(detail["conferences"], json!([]));
    let (_, mine) = call(&app, &co_token, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(mine["cases"].as_array().unwrap().len(), 1);

    // ... and works it: consent, contact details, availability, both assessments.
    for party in [harmer, harmed] {
        let (status, body) = call(
            &app,
            &co_token,
            Method::POST,
            &format!("/api/v1/parties/{party}/consent"),
            Some(json!({"consent": "given"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = call(
        &app,
        &co_token,
        Method::PATCH,
        &format!("/api/v1/parties/{harmed}"),
        Some(json!({"phone": "07700 900 123"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Hannah Harmed", "left-out fields stay");
    let (status, body) = call(
        &app,
        &co_token,
        Method::PATCH,
        &format!("/api/v1/parties/{harmed}"),
        Some(json!({"email": "not an email"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("email"), "{body}");
    let windows = json!({"windows": [{"days": ["tue", "wed"], "start": "09:30", "end": "15:00"}]});
    let (status, body) =
        call(&app, &lead_token, Method::PUT, &format!("/api/v1/parties/{harmed}/availability"), Some(windows.clone()))
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        call(&app, &co_token, Method::GET, &format!("/api/v1/parties/{harmed}/availability"), None).await.1,
        windows
    );
    let (status, body) = call(
        &app,
        &lead_token,
        Method::PUT,
        &format!("/api/v1/parties/{harmed}/availability"),
        Some(json!({"windows": [{"days": ["tue"], "start": "15:00", "end": "09:00"}]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let mut refused = assessment_json("appropriateness", "suitable");
    refused["accepts_responsibility"] = json!(false);
    let (status, body) =
        call(&app, &lead_token, Method::POST, &format!("/api/v1/cases/{case}/assessments"), Some(refused)).await;
    assert_eq!(status, 422, "suitable while the harmer denies responsibility: {body}");
    for kind in ["risk", "appropriateness"] {
        let (status, body) = call(
            &app,
            if kind == "risk" { &lead_token } else { &co_token },
            Method::POST,
            &format!("/api/v1/cases/{case}/assessments"),
            Some(assessment_json(kind, "suitable")),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }

    // Anyone else finds nothing.
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/cases/{case}"), None),
        (Method::POST, format!("/api/v1/parties/{harmed}/consent"), Some(json!({"consent": "withdrawn"}))),
        (Method::PATCH, format!("/api/v1/parties/{harmed}"), Some(json!({"phone": "07700 900 999"}))),
        (Method::GET, format!("/api/v1/parties/{harmed}/availability"), None),
        (Method::POST, format!("/api/v1/cases/{case}/assessments"), Some(assessment_json("risk", "not_suitable"))),
    ] {
        assert_eq!(call(&app, &other_token, method, &path, body).await.0, 404, "{path}");
    }

    // Re-allocating the lead: the old lead is told and loses the case at once.
    let (status, _) =
        call(&app, &token, Method::PUT, &path, Some(json!({"lead_id": other_lead, "co_facilitator_id": co}))).await;
    assert_eq!(status, 200);
    assert_eq!(call(&app, &lead_token, Method::GET, &format!("/api/v1/cases/{case}"), None).await.0, 404);
    assert_eq!(
        call(&app, &lead_token, Method::GET, &format!("/api/v1/parties/{harmed}/availability"), None).await.0,
        404
    );
    let gone = mails(&app, "case.deallocated").await;
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].to_email, email_of(&app, lead).await);
    assert_eq!(mails(&app, "case.allocated").await.len(), 3, "only the new lead is told of the allocation");
    assert_eq!(call(&app, &other_token, Method::GET, &format!("/api/v1/cases/{case}"), None).await.0, 200);

    // Ready, then booked with the allocated pair by default.
    for status in ["assessing", "ready"] {
        let (code, body) =
            call(&app, &token, Method::PATCH, &format!("/api/v1/cases/{case}"), Some(json!({"status": status}))).await;
        assert_eq!(code, 200, "{body}");
    }
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/cases/{case}/conferences"),
        Some(json!({"start": format!("{}T10:00", a_tuesday())})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let on: Vec<i64> =
        body["facilitators"].as_array().unwrap().iter().map(|f| f["volunteer_id"].as_i64().unwrap()).collect();
    assert_eq!(on, vec![other_lead, co]);
    // While it is live, the pair cannot be swapped without moving the conference.
    let (status, body) =
        call(&app, &token, Method::PUT, &path, Some(json!({"lead_id": lead, "co_facilitator_id": co}))).await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
async fn booking_another_pair_reallocates_and_the_case_asks_for_structured_assessments() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().co().build().await;
    let [lead, co, other_co] = world.facilitators();
    let (token, prison) = (world.token, world.prison);
    let (case, parties) = referred_case(&app, &token, prison).await;
    let path = format!("/api/v1/cases/{case}/facilitators");
    assert_eq!(
        call(&app, &token, Method::PUT, &path, Some(json!({"lead_id": lead, "co_facilitator_id": co}))).await.0,
        200
    );
    for party in parties {
        let consent = Some(json!({"consent": "given"}));
        assert_eq!(call(&app, &token, Method::POST, &format!("/api/v1/parties/{party}/consent"), consent).await.0, 200);
    }
    let assess = format!("/api/v1/cases/{case}/assessments");
    // Each form asks its questions.
    let (status, body) =
        call(&app, &token, Method::POST, &assess, Some(json!({"kind": "risk", "outcome": "suitable"}))).await;
    assert_eq!(status, 422);
    for field in ["risk_to_harmed", "risk_to_harmer", "risk_to_facilitators"] {
        assert!(body["error"]["fields"][field].is_string(), "{field}: {body}");
    }
    let mut high = assessment_json("risk", "suitable");
    high["risk_to_harmer"] = json!("high");
    let (status, body) = call(&app, &token, Method::POST, &assess, Some(high.clone())).await;
    assert_eq!(status, 422, "a high risk needs the safeguarding plan: {body}");
    high["safeguarding"] = json!("Two officers outside the room; harmer seated by the door.");
    assert_eq!(call(&app, &token, Method::POST, &assess, Some(high)).await.0, 201);
    // Review needed: not ready until assessed again.
    let (status, body) =
        call(&app, &token, Method::POST, &assess, Some(assessment_json("appropriateness", "review_needed"))).await;
    assert_eq!(status, 422, "review needed asks for the date: {body}");
    let mut review = assessment_json("appropriateness", "review_needed");
    review["review_on"] = json!((crate::helpers::today() + chrono::Duration::days(7)).to_string());
    assert_eq!(call(&app, &token, Method::POST, &assess, Some(review)).await.0, 201);
    let case_path = format!("/api/v1/cases/{case}");
    assert_eq!(call(&app, &token, Method::PATCH, &case_path, Some(json!({"status": "assessing"}))).await.0, 200);
    let (status, body) = call(&app, &token, Method::PATCH, &case_path, Some(json!({"status": "ready"}))).await;
    assert_eq!(status, 409);
    assert!(body.to_string().contains("needs a review"), "{body}");
    assert_eq!(
        call(&app, &token, Method::POST, &assess, Some(assessment_json("appropriateness", "suitable"))).await.0,
        201
    );
    assert_eq!(call(&app, &token, Method::PATCH, &case_path, Some(json!({"status": "ready"}))).await.0, 200);

    // Booking another pair allocates it; the replaced co-facilitator is told and loses the case.
    let (status, body) = call(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/cases/{case}/conferences"),
        Some(json!({"start": format!("{}T10:00", a_tuesday()), "lead_id": lead, "second_id": other_co})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (_, detail) = call(&app, &token, Method::GET, &case_path, None).await;
    assert_eq!(
        detail["facilitators"],
        json!([{"volunteer_id": lead, "role": "lead"}, {"volunteer_id": other_co, "role": "co_facilitator"}])
    );
    assert_eq!(detail["conferences"][0]["status"], "proposed");
    assert_eq!(call(&app, &token_of(&app, co).await, Method::GET, &case_path, None).await.0, 404);
    assert_eq!(mails(&app, "case.deallocated").await.len(), 1);
}
