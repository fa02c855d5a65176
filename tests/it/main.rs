//! Integration tests: the real app on a port, a real database (a temporary SQLite file,
//! or a fresh PostgreSQL database when TEST_DATABASE_URL is set), driven over HTTP.

mod helpers;

mod accounts;
mod allocation;
mod api;
mod booking;
mod browser;
mod calendar;
mod case_pages;
mod cases;
mod casework_walkthrough;
mod checks;
mod cli;
mod csrf;
mod demo;
mod digest;
mod every_page;
mod expenses;
mod feed_cache;
mod guards;
mod invitations;
mod invites;
mod layering;
mod mail;
mod ops;
mod paging;
mod passwords;
mod planning;
mod privacy;
mod proxies;
mod queries;
mod reasons;
mod record;
mod recruitment;
mod reminders;
mod roles;
mod scale_out;
mod scenario;
mod scheduling;
mod scheduling_pages;
mod schema;
mod shell;
mod smtp_sink;
mod walkthrough;
mod workspace_pages;
