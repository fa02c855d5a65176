//! The coordinator's candidates page: ranked candidates with a Book button that books
//! through the same rules as the API, the reason shown when it cannot, 404 for others.

use entity::user::Role;
use sea_orm::EntityTrait;
use serde_json::Value;

use crate::helpers::TestApp;
use crate::scenario::ready_case;

#[tokio::test]
async fn the_candidates_page_books_a_candidate_and_shows_why_a_second_booking_fails() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let [lead, co] = world.facilitators();
    let (case, coordinator, token, prison) = (world.case(), world.coordinator, world.token, world.prison);
    let path = format!("/cases/{case}/candidates");

    let volunteer = app.create_user(Role::Volunteer).await;
    let mut outsider = app.signed_in(&volunteer).await;
    let (status, body) = outsider.open(&path).await;
    assert_eq!(status, 404);
    assert!(!body.contains("Harry Harmer") && !body.contains("Book"));
    let refused =
        outsider.post_form(&format!("{path}/book"), &[("start", "x"), ("lead_id", "1"), ("second_id", "2")]).await;
    assert_eq!(refused.status(), 404);

    let viewed_before = app.audit_count("case.viewed").await;
    let mut browser = app.signed_in(&coordinator).await;
    let (status, body) = browser.open(&path).await;
    assert_eq!(status, 200);
    assert_eq!(app.audit_count("case.viewed").await, viewed_before + 1, "the view is audited");
    let document = scraper::Html::parse_document(&body);
    let forms = scraper::Selector::parse(&format!(r#"form[action="{path}/book"]"#)).unwrap();
    let first = document.select(&forms).next().expect("a Book form per candidate");
    let field = |name: &str| {
        let selector = scraper::Selector::parse(&format!(r#"input[name="{name}"]"#)).unwrap();
        first.select(&selector).next().and_then(|i| i.value().attr("value")).unwrap().to_owned()
    };
    let (start, lead_id, second_id) = (field("start"), field("lead_id"), field("second_id"));
    assert_eq!(lead_id, lead.to_string());
    assert_eq!(second_id, co.to_string());
    assert!(first.select(&scraper::Selector::parse(r#"input[name="csrf_token"]"#).unwrap()).next().is_some());

    let fields = [("start", start.as_str()), ("lead_id", lead_id.as_str()), ("second_id", second_id.as_str())];
    let response = browser.post_form(&format!("{path}/book"), &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], path.as_str());
    let (_, after) = browser.open(&path).await;
    assert!(after.contains("Conference booked"), "flash message shown");

    let made = entity::conference::Entity::find().one(&app.db).await.unwrap().expect("a conference");
    let conference: Value =
        app.api(&token).get(&format!("/api/v1/conferences/{}", made.id)).await.json().await.unwrap();
    assert_eq!(conference["case_id"], case);
    assert_eq!(conference["facilitators"][0]["volunteer_id"], lead);
    assert_eq!(conference["facilitators"][1]["volunteer_id"], co);
    assert_eq!(convene::scheduling::instance::local(made.starts_at), start);

    // The same facilitators and slot for another case: refused, the reason on the page.
    let other = ready_case(&app, &token, prison).await;
    let other_path = format!("/cases/{other}/candidates");
    browser.open(&other_path).await;
    let again = browser.post_form(&format!("{other_path}/book"), &fields).await;
    assert_eq!(again.status(), 409);
    let body = again.text().await.unwrap();
    assert!(body.contains("could not be booked") && body.contains("cannot be booked"), "{body}");
    assert!(body.contains("csrf_token"), "the page is re-rendered with its forms");
    assert_eq!(entity::conference::Entity::find().all(&app.db).await.unwrap().len(), 1);

    let bad = browser
        .post_form(&format!("{other_path}/book"), &[("start", "soon"), ("lead_id", "x"), ("second_id", "")])
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("Choose a candidate"));
}

#[tokio::test]
async fn candidates_are_grouped_by_day_with_each_pair_on_a_few_different_days_and_the_score_in_words() {
    let app = TestApp::spawn().await;
    let world = app.scenario().prison().lead().co().ready_case().build().await;
    let mut browser = app.signed_in(&world.coordinator).await;
    let (status, body) = browser.open(&format!("/cases/{}/candidates", world.case())).await;
    assert_eq!(status, 200);
    let document = scraper::Html::parse_document(&body);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let mut days = Vec::new();
    let mut pairs_per_day = Vec::new();
    for day in document.select(&select("section.day")) {
        days.push(day.value().attr("aria-labelledby").unwrap().to_owned());
        let pairs: Vec<(String, String)> = day
            .select(&select("li.option form"))
            .map(|form| {
                let field = |name: &str| {
                    form.select(&select(&format!(r#"input[name="{name}"]"#)))
                        .next()
                        .unwrap()
                        .attr("value")
                        .unwrap()
                        .to_owned()
                };
                (field("lead_id"), field("second_id"))
            })
            .collect();
        pairs_per_day.push(pairs);
    }
    assert!(days.len() >= 2, "options spread over several days: {days:?}");
    let mut sorted = days.clone();
    sorted.sort();
    assert_eq!(days, sorted, "days in order");
    for pairs in &pairs_per_day {
        let mut unique = pairs.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), pairs.len(), "a pair at most once a day");
    }
    let all: Vec<_> = pairs_per_day.concat();
    for pair in &all {
        assert!(all.iter().filter(|p| *p == pair).count() <= 3, "a pair on at most three days");
    }
    assert_eq!(document.select(&select(".tag.best")).count(), 1, "one best match");
    let reasons: Vec<String> = document.select(&select("li.option .hint")).map(|p| p.text().collect()).collect();
    assert!(
        reasons.iter().all(|r| r.contains("before the deadline") && r.contains("recent conference")),
        "{reasons:?}"
    );
    assert!(!body.contains("base 1000"), "no raw score");
}
