//! Accounts made from the pages: admins and coordinators invite someone (an emailed link to
//! set a password), coordinators never above their own role; admins change staff roles.

use entity::user::{self, Role};
use entity::{outbox_message, volunteer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, browser_script};

async fn account(app: &TestApp, email: &str) -> Option<user::Model> {
    user::Entity::find().filter(user::Column::Email.eq(email)).one(&app.db).await.unwrap()
}

/// The path of the set-password link in the invitation emailed to `email`.
async fn invitation_link(app: &TestApp, email: &str) -> String {
    let sent = outbox_message::Entity::find()
        .filter(outbox_message::Column::Kind.eq("account.invitation"))
        .filter(outbox_message::Column::ToEmail.eq(email))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1, "one invitation to {email}");
    let text = &sent[0].text_body;
    text.split_whitespace()
        .find_map(|word| word.find("/invitations/").map(|at| word[at..].to_owned()))
        .unwrap_or_else(|| panic!("a link in: {text}"))
}

#[tokio::test]
async fn an_admin_invites_a_coordinator_in_a_browser_who_sets_a_password_and_signs_in() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin).await;
    let email = "morgan.lee@example.org";
    let base = app.url("");
    let invited = browser_script(
        "accounts.mjs",
        vec![
            json!({
                "phase": "invite", "base": base, "admin": {"email": admin.email, "password": PASSWORD},
                "name": "Morgan Lee", "email": email, "role": "A coordinator",
            })
            .to_string(),
        ],
        Vec::new(),
    )
    .await;
    assert_eq!(invited["problems"], json!([]), "the invite and accounts pages pass axe and fit a phone");
    let made = account(&app, email).await.expect("the account");
    assert_eq!((made.role, made.name.as_str(), made.password_hash.is_none()), (Role::Coordinator, "Morgan Lee", true));
    assert_eq!(app.audit_count("account.invited").await, 1);

    let path = invitation_link(&app, email).await;
    let chosen = "morgan's own long passphrase";
    let set = browser_script(
        "accounts.mjs",
        vec![
            json!({"phase": "set", "base": base, "email": email, "link": app.url(&path),
                   "heading": "Set your password", "password": chosen})
            .to_string(),
        ],
        Vec::new(),
    )
    .await;
    assert_eq!(set["problems"], json!([]));
    let nav: Vec<_> = set["nav"].as_array().unwrap().iter().filter_map(|l| l.as_str()).collect();
    assert!(nav.contains(&"Cases") && !nav.contains(&"Accounts"), "a coordinator's menu: {nav:?}");
}

#[tokio::test]
async fn a_coordinator_invites_volunteers_and_coordinators_but_never_an_admin() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let browser = app.signed_in(&coordinator).await;
    let invite = |name: &'static str, email: &'static str, role: &'static str| {
        let browser = &browser;
        async move { browser.post_form("/accounts/new", &[("name", name), ("email", email), ("role", role)]).await }
    };

    let refused = invite("Ada Admin", "ada@example.org", "admin").await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Choose a role.") && page.contains("ada@example.org"), "a message and the values kept");
    assert!(account(&app, "ada@example.org").await.is_none());

    let done = invite("Val New", "val.new@example.org", "volunteer").await;
    assert_eq!((done.status().as_u16(), done.headers()["location"].to_str().unwrap()), (303, "/accounts/new"));
    let made = account(&app, "val.new@example.org").await.unwrap();
    assert_eq!(made.role, Role::Volunteer);
    let record = volunteer::Entity::find().filter(volunteer::Column::UserId.eq(made.id)).one(&app.db).await.unwrap();
    assert!(record.is_some(), "an invited volunteer has a volunteer record");
    invitation_link(&app, "val.new@example.org").await;

    let twice = invite("Val Again", "VAL.NEW@example.org", "coordinator").await;
    assert_eq!(twice.status(), 422);
    assert!(twice.text().await.unwrap().contains("An account with this email already exists."));
    let malformed = invite("", "not an address", "").await;
    assert_eq!(malformed.status(), 422);
    let page = malformed.text().await.unwrap();
    for message in ["Enter their name.", "Choose a role.", "not an address"] {
        assert!(page.contains(message), "{message}");
    }

    let volunteer = app.create_user(Role::Volunteer).await;
    let outsider = app.signed_in(&volunteer).await;
    let (status, _) = {
        let mut outsider = outsider;
        outsider.open("/accounts/new").await
    };
    assert_ne!(status, 200, "volunteers invite nobody");
}

#[tokio::test]
async fn an_admin_changes_staff_roles_but_not_their_own_nor_a_volunteers() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin).await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let volunteer = app.create_user(Role::Volunteer).await;
    let browser = app.signed_in(&admin).await;
    let role_of = |id: i64| {
        let db = app.db.clone();
        async move { user::Entity::find_by_id(id).one(&db).await.unwrap().unwrap().role }
    };
    let change = |id: i64, role: &'static str| {
        let browser = &browser;
        async move { browser.post_form(&format!("/admin/accounts/{id}/role"), &[("role", role)]).await.status() }
    };

    assert_eq!(change(coordinator.id, "admin").await, 303);
    assert_eq!(role_of(coordinator.id).await, Role::Admin);
    assert_eq!(change(coordinator.id, "coordinator").await, 303);
    assert_eq!(role_of(coordinator.id).await, Role::Coordinator);
    assert_eq!(app.audit_count("account.role_changed").await, 2);

    assert_eq!(change(admin.id, "coordinator").await, 303);
    assert_eq!(role_of(admin.id).await, Role::Admin, "nobody changes their own role");
    assert_eq!(change(volunteer.id, "coordinator").await, 303);
    assert_eq!(role_of(volunteer.id).await, Role::Volunteer, "a volunteer's account keeps its role");
    assert_eq!(app.audit_count("account.role_changed").await, 2);

    let staff = app.signed_in(&coordinator).await;
    let status =
        staff.post_form(&format!("/admin/accounts/{}/role", admin.id), &[("role", "coordinator")]).await.status();
    assert_ne!(status, 303, "only admins change roles");
    assert_eq!(role_of(admin.id).await, Role::Admin);
}
