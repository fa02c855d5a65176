//! Convene: runs a restorative-justice volunteer service end to end.

pub mod admin;
pub mod api;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod checks;
pub mod commands;
pub mod commitment;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod expenses;
pub mod jobs;
pub mod metrics;
pub mod notifications;
pub mod scheduling;
pub mod settings;
pub mod startup;
pub mod supervision;
pub mod training;
pub mod volunteers;
pub mod web;
