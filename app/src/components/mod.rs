//! Presentational pieces shared by pages.

pub mod brand;
pub mod icons;
pub mod sidebar;
