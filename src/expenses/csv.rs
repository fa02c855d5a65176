//! CSV export of approved claims for finance, one row per item. Cells that a spreadsheet
//! would run as a formula are prefixed with an apostrophe (the recruitment export's `cell`).

use super::input::miles_text;
use super::service::{ClaimView, reference};
use crate::domain::time::london_display;
use crate::error::AppResult;
use crate::web::csv::cell;
use entity::Code;

/// Amounts are whole pence, so finance never meets a rounding question.
pub fn approved_claims(claims: &[ClaimView]) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "claim",
        "volunteer",
        "purpose",
        "approved",
        "claim_total_pence",
        "item",
        "kind",
        "date",
        "description",
        "miles",
        "vehicle",
        "passengers",
        "amount_pence",
    ];
    writer.write_record(header).map_err(anyhow::Error::from)?;
    for view in claims {
        let claim = &view.claim;
        for item in &view.items {
            let i = &item.item;
            let record = [
                reference(claim.id),
                cell(&view.volunteer_name),
                cell(&claim.purpose),
                claim.decided_at.map(london_display).unwrap_or_default(),
                view.total.get().to_string(),
                i.id.to_string(),
                i.kind.code(),
                i.incurred_on.to_string(),
                cell(&i.description),
                i.miles_tenths.map(miles_text).unwrap_or_default(),
                i.vehicle.map(|v| v.code()).unwrap_or_default(),
                i.passengers.map(|p| p.to_string()).unwrap_or_default(),
                item.amount.get().to_string(),
            ];
            writer.write_record(&record).map_err(anyhow::Error::from)?;
        }
    }
    Ok(writer.into_inner().map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?)
}
