//! Presentational pieces shared by the pages (rendered on the server only).

pub mod alert;
pub mod brand;
pub mod card;
pub mod field;
pub mod form;
pub mod icons;
pub mod loaded;
pub mod local_time;
pub mod sidebar;
