//! Recruitment: settings, training courses and their sessions, intakes, applications with
//! their notes, equality monitoring (kept apart), password invitations and the email outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from: &'static str,
    column: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, column).to(to, "id").on_delete(on_delete).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("settings")
                    .col(string_len("key", 64).primary_key())
                    .col(text("value"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("courses")
                    .col(big_pk_auto("id"))
                    .col(string_len("name", 200))
                    .col(string_len("kind", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("course_sessions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("course_id"))
                    .col(integer("number"))
                    .col(date("date"))
                    .col(time("starts_at"))
                    .col(time("ends_at"))
                    .col(string_len("venue", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("course_sessions", "course_id", "courses", ForeignKeyAction::Cascade))
                    .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
                    .check(Expr::col("number").gte(1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_course_sessions_number")
                    .table("course_sessions")
                    .col("course_id")
                    .col("number")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("enrolments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("course_id"))
                    .col(big_integer("volunteer_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("enrolments", "course_id", "courses", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("enrolments", "volunteer_id", "volunteers", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_enrolments")
                    .table("enrolments")
                    .col("course_id")
                    .col("volunteer_id")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("intakes")
                    .col(big_pk_auto("id"))
                    .col(string_len("name", 200))
                    .col(integer("places"))
                    // Offered + accepted applications; the CHECK is what keeps offers within
                    // the places when coordinators act at once.
                    .col(integer("places_taken").default(0))
                    .col(big_integer("course_id"))
                    .col(date("opens_on"))
                    .col(date("closes_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("intakes", "course_id", "courses", ForeignKeyAction::Restrict))
                    .check(Expr::col("places").gte(1))
                    .check(Expr::col("places_taken").gte(0))
                    .check(Expr::col("places_taken").lte(Expr::col("places")))
                    .check(Expr::col("closes_on").gte(Expr::col("opens_on")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("applications")
                    .col(big_pk_auto("id"))
                    .col(big_integer("intake_id"))
                    .col(string_len("email", 254))
                    .col(string_len("name", 200))
                    .col(string_len("phone", 32))
                    .col(string_len("postcode", 10))
                    .col(date("date_of_birth"))
                    .col(text("motivation"))
                    .col(text("experience"))
                    .col(boolean("available_weekdays"))
                    .col(boolean("available_evenings"))
                    .col(boolean("available_weekends"))
                    .col(boolean("can_attend_all_dates"))
                    .col(boolean("can_commit_year"))
                    .col(boolean("agrees_to_checks"))
                    .col(boolean("willing_to_use_it"))
                    .col(timestamp_with_time_zone("privacy_consent_at"))
                    .col(string_len("status", 16))
                    .col(string_len_uniq("status_token_hash", 64))
                    .col(timestamp_with_time_zone_null("interview_at"))
                    .col(string_len_null("interview_place", 200))
                    .col(text_null("decision_reason"))
                    .col(timestamp_with_time_zone_null("waitlisted_at"))
                    .col(timestamp_with_time_zone_null("place_free_flagged_at"))
                    .col(big_integer_null("volunteer_id"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("applications", "intake_id", "intakes", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("applications", "volunteer_id", "volunteers", ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_applications_intake_email")
                    .table("applications")
                    .col("intake_id")
                    .col("email")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_applications_status").table("applications").col("status").to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("application_notes")
                    .col(big_pk_auto("id"))
                    .col(big_integer("application_id"))
                    .col(big_integer("author_user_id"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "application_notes",
                        "application_id",
                        "applications",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("application_notes", "author_user_id", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        // Deliberately not linked to the application: reviewers can never see it beside one.
        manager
            .create_table(
                Table::create()
                    .table("equality_monitoring")
                    .col(big_pk_auto("id"))
                    .col(big_integer("intake_id"))
                    .col(string_len_null("age_band", 32))
                    .col(string_len_null("gender", 64))
                    .col(string_len_null("ethnicity", 64))
                    .col(string_len_null("disability", 32))
                    .col(date("submitted_on"))
                    .foreign_key(&mut fk("equality_monitoring", "intake_id", "intakes", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("password_invitations")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("password_invitations", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(big_pk_auto("id"))
                    // kind + subject record + occurrence: the same email can never be queued twice.
                    .col(string_len_uniq("idempotency_key", 200))
                    .col(string_len("kind", 64))
                    .col(string_len("to_email", 254))
                    .col(string_len("subject", 300))
                    .col(text("text_body"))
                    .col(text("html_body"))
                    .col(string_len("status", 16))
                    .col(integer("attempts").default(0))
                    .col(timestamp_with_time_zone("send_after"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_outbox_due").table("outbox").col("status").col("send_after").to_owned(),
            )
            .await?;
        Ok(())
    }
}
