//! The JSON body extractor whose rejections speak the error format of docs/API.md.

use axum::Json;
use axum::http::StatusCode;

/// `Json<T>` whose rejections are `AppError`s: malformed JSON is 400, a body of the wrong
/// shape is 422 naming the field, a body over the limit is 413.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use crate::error::AppError;
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(error)) => {
                let text = error.body_text();
                let detail = text.split_once("target type: ").map_or(text.as_str(), |(_, d)| d).to_owned();
                let (field, reason) = match detail.split_once(": ") {
                    Some((field, reason)) if !field.contains(' ') => (field.to_owned(), reason.to_owned()),
                    _ => ("body".to_owned(), detail.clone()),
                };
                let mut fields = std::collections::BTreeMap::new();
                fields.insert(field, reason);
                Err(AppError::Validation { message: "The body does not have the expected fields.".into(), fields })
            }
            Err(JsonRejection::JsonSyntaxError(error)) => {
                Err(AppError::BadRequest(format!("The body is not valid JSON: {}", error.body_text())))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::BadRequest("Send the body as JSON, with Content-Type: application/json.".into()))
            }
            Err(other) if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge),
            Err(other) => Err(AppError::BadRequest(other.body_text())),
        }
    }
}
