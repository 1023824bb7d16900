//! Presentational pieces shared by pages.

pub mod brand;
pub mod icons;
pub mod leave_guard;
pub mod local_time;
pub mod sidebar;
