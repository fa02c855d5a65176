//! CSV export of the review queue (never equality data). Cells that a spreadsheet would
//! run as a formula are prefixed with an apostrophe.

use entity::Code;
use entity::application;
use entity::intake;

use crate::domain::time::london_display;
use crate::error::AppResult;
use crate::web::csv::cell;

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

pub fn applications(rows: &[application::Model], intakes: &[intake::Model]) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "intake",
        "name",
        "email",
        "phone",
        "postcode",
        "date_of_birth",
        "status",
        "received",
        "weekdays",
        "evenings",
        "weekends",
        "all_core_dates",
        "one_year",
        "dbs_and_vetting",
        "uses_it",
        "motivation",
        "experience",
    ];
    writer.write_record(header).map_err(anyhow::Error::from)?;
    for a in rows {
        let intake = intakes.iter().find(|i| i.id == a.intake_id).map_or("", |i| i.name.as_str());
        let record = [
            a.id.to_string(),
            cell(intake),
            cell(&a.name),
            cell(&a.email),
            cell(&a.phone),
            a.postcode.clone(),
            a.date_of_birth.to_string(),
            a.status.code(),
            london_display(a.created_at),
            yes_no(a.available_weekdays).into(),
            yes_no(a.available_evenings).into(),
            yes_no(a.available_weekends).into(),
            yes_no(a.can_attend_all_dates).into(),
            yes_no(a.can_commit_year).into(),
            yes_no(a.agrees_to_checks).into(),
            yes_no(a.willing_to_use_it).into(),
            cell(&a.motivation),
            cell(&a.experience),
        ];
        writer.write_record(&record).map_err(anyhow::Error::from)?;
    }
    Ok(writer.into_inner().map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?)
}
