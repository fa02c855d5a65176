//! The JSON API's routes and its OpenAPI 3.1 document, declared together: each part's
//! `api_routes` names its handlers, whose `#[utoipa::path]` gives both the route and the
//! operation.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorResponse};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Convene API", description = "The JSON API of Convene. Authenticate with `Authorization: Bearer <token>` (`convene token create`). Errors are `{\"error\":{\"code\",\"message\",\"fields\"}}`."),
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
        (name = "privacy", description = "UK GDPR subject access exports"),
        (name = "accounts", description = "Password resets and changes")
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

/// Every JSON API route with its OpenAPI operation, gathered from the parts of the service:
/// the document is made from the same declarations that route the requests.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(crate::web::health::healthz))
        .merge(crate::volunteers::api_routes())
        .merge(crate::applications::api_routes())
        .merge(crate::checks::api_routes())
        .merge(crate::training::api_routes())
        .merge(crate::supervision::api_routes())
        .merge(crate::establishments::api_routes())
        .merge(crate::cases::api_routes())
        .merge(crate::scheduling::api_routes())
        .merge(crate::notifications::api_routes())
        .merge(crate::expenses::api_routes())
        .merge(crate::calendar::api_routes())
        .merge(crate::privacy::api_routes())
        .merge(crate::accounts::api_routes())
}

/// The API's routes and, served at `/api/openapi.json`, the document describing them.
pub fn api_router() -> axum::Router<AppState> {
    let (router, document) = api_routes().split_for_parts();
    let json: std::sync::Arc<str> = document.to_json().unwrap_or_else(|_| "{}".into()).into();
    router.route(
        "/api/openapi.json",
        axum::routing::get(move || {
            let json = json.clone();
            async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], json.to_string()) }
        }),
    )
}
