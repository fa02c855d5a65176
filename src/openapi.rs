//! The OpenAPI 3.1 document of the whole JSON API, generated from the handlers.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorResponse};

#[derive(OpenApi)]
#[openapi(
    info(title = "Convene API", description = "The JSON API of Convene. Authenticate with `Authorization: Bearer <token>` (`convene token create`). Errors are `{\"error\":{\"code\",\"message\",\"fields\"}}`."),
    paths(
        crate::web::health::healthz,
        crate::privacy::volunteer_export_api,
        crate::privacy::application_export_api,
        crate::privacy::volunteer_erasure_api,
        crate::privacy::application_erasure_api,
        crate::volunteers::api::list,
        crate::volunteers::api::get,
        crate::checks::api::list,
        crate::checks::api::record,
        crate::applications::api::submit,
        crate::applications::api::list,
        crate::applications::api::get,
        crate::applications::api::decide,
        crate::applications::api::intakes_list,
        crate::applications::api::intakes_create,
        crate::training::api::list,
        crate::training::api::create,
        crate::training::api::sessions,
        crate::training::api::add_session,
        crate::training::api::attendance,
        crate::supervision::api::list,
        crate::supervision::api::add,
        crate::establishments::api::list,
        crate::establishments::api::create,
        crate::establishments::api::get,
        crate::establishments::api::update,
        crate::establishments::api::regime,
        crate::establishments::api::set_regime,
        crate::establishments::api::closures,
        crate::establishments::api::add_closure,
        crate::cases::api::list,
        crate::cases::api::create,
        crate::cases::api::get,
        crate::cases::api::update,
        crate::cases::api::parties,
        crate::cases::api::add_party,
        crate::cases::api::appointments,
        crate::cases::api::add_appointment,
        crate::cases::api::add_assessment,
        crate::cases::api::contacts,
        crate::cases::api::add_contact,
        crate::cases::conference_api::book,
        crate::cases::conference_api::candidates,
        crate::cases::conference_api::plan,
        crate::cases::conference_api::conference,
        crate::cases::conference_api::update_conference,
        crate::cases::conference_api::respond,
        crate::cases::conference_api::outcome,
        crate::scheduling::api::availability,
        crate::scheduling::api::set_availability,
        crate::scheduling::api::unavailability,
        crate::scheduling::api::add_unavailability,
        crate::scheduling::api::declare_conflict,
        crate::notifications::api::list,
        crate::expenses::api::list,
        crate::expenses::api::create,
        crate::expenses::api::get,
        crate::expenses::api::add_item,
        crate::expenses::api::remove_item,
        crate::expenses::api::submit,
        crate::expenses::api::decide,
        crate::expenses::api::upload_receipt,
        crate::expenses::api::download_receipt,
        crate::calendar::api::rotate,
    ),
    components(schemas(ErrorResponse, ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "recruitment", description = "Applications and intakes"),
        (name = "volunteers", description = "Volunteer facilitators"),
        (name = "checks", description = "DBS checks and prison vetting"),
        (name = "training", description = "Courses and their sessions"),
        (name = "expenses", description = "Expense claims, their items and receipts"),
        (name = "calendar", description = "Secret calendar feed addresses"),
        (name = "operations", description = "Health, the outbox"),
        (name = "privacy", description = "UK GDPR subject access exports")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

pub async fn document() -> impl axum::response::IntoResponse {
    let json = ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into());
    ([(axum::http::header::CONTENT_TYPE, "application/json")], json)
}
