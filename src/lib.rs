//! Convene: runs a restorative-justice volunteer service end to end.

pub mod api;
pub mod audit;
pub mod auth;
pub mod commands;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod startup;
pub mod volunteers;
pub mod web;
