//! The OpenAPI 3.1 document of the whole JSON API, generated from the handlers.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorResponse};

#[derive(OpenApi)]
#[openapi(
    info(title = "Convene API", description = "The JSON API of Convene. Authenticate with `Authorization: Bearer <token>` (`convene token create`). Errors are `{\"error\":{\"code\",\"message\",\"fields\"}}`."),
    paths(super::healthz, crate::volunteers::api::list, crate::volunteers::api::get),
    components(schemas(ErrorResponse, ErrorBody)),
    modifiers(&BearerAuth),
    tags((name = "volunteers", description = "Volunteer facilitators"), (name = "operations", description = "Health and operations"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}
