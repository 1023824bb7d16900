//! Presentational pieces shared by pages.

pub mod alert;
pub mod brand;
pub mod busy_button;
pub mod card;
pub mod field;
pub mod icons;
pub mod leave_guard;
pub mod loaded;
pub mod local_time;
pub mod passkey;
pub mod sidebar;
